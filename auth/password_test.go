package auth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPassword(t *testing.T) {
	t.Parallel()
	const password = "correct horse battery staple"
	encoded, err := HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(encoded, want) {
		t.Fatalf("got %q, want prefix %q", encoded, want)
	}
	parts := strings.Split(encoded, "$")
	if got, want := len(parts[4]), 22; got != want { // 16 bytes, unpadded base64
		t.Errorf("salt: got %d chars, want %d", got, want)
	}
	if got, want := len(parts[5]), 43; got != want { // 32 bytes, unpadded base64
		t.Errorf("hash: got %d chars, want %d", got, want)
	}

	t.Run("Matches", func(t *testing.T) {
		if !CheckPassword(encoded, password) {
			t.Error("CheckPassword rejected the right password")
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		if CheckPassword(encoded, password+"!") {
			t.Error("CheckPassword accepted a wrong password")
		}
	})
	t.Run("SaltDiffers", func(t *testing.T) {
		again, err := HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		if again == encoded {
			t.Error("two hashes of one password are equal; salt is not random")
		}
	})
}

func TestCheckPasswordOldParameters(t *testing.T) {
	t.Parallel()
	// Made with m=8192,t=1,p=2 and a 16-byte key: stored hashes keep their own parameters.
	p := argonParams{memory: 8192, time: 1, threads: 2}
	salt := []byte("0123456789abcdef")
	encoded := encodePHC(p, salt, argon2.IDKey([]byte("hunter2hunter2"), salt, p.time, p.memory, p.threads, 16))
	if !CheckPassword(encoded, "hunter2hunter2") {
		t.Error("CheckPassword rejected a hash with older parameters")
	}
	if CheckPassword(encoded, "hunter2hunter3") {
		t.Error("CheckPassword accepted a wrong password")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("a good long password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for name, encoded := range map[string]string{
		"Empty":         "",
		"Dollars":       "$$$$$",
		"Bcrypt":        "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"Argon2i":       "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"Version":       "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"ZeroTime":      "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"ZeroThreads":   "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"ManyThreads":   "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key,
		"HugeMemory":    "$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key,
		"NegMemory":     "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"ParamOrder":    "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"MissingParam":  "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"BadSalt":       "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"ShortSalt":     "$argon2id$v=19$m=19456,t=2,p=1$AAAA$" + key,
		"BadKey":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$%%%",
		"EmptyKey":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"TruncatedKey":  "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[:10],
		"ExtraSegment":  good + "$x",
		"PaddedBase64":  "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key,
		"MemoryTooLow":  "$argon2id$v=19$m=7,t=2,p=1$" + salt + "$" + key,
		"LeadingSpaces": " " + good,
	} {
		t.Run(name, func(t *testing.T) {
			if CheckPassword(encoded, "a good long password") {
				t.Errorf("CheckPassword(%q) = true, want false", encoded)
			}
		})
	}
}

func TestCheckPasswordAgainstDummy(t *testing.T) {
	t.Parallel()
	// It has no result to check; it must simply run, twice, without panicking.
	CheckPasswordAgainstDummy("anything")
	CheckPasswordAgainstDummy("")
	if _, _, _, ok := decodePHC(dummyHash); !ok {
		t.Errorf("dummy hash %q does not parse", dummyHash)
	}
	if !strings.HasPrefix(dummyHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("dummy hash %q does not use the current parameters", dummyHash)
	}
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		password string
		want     string // substring of the message; "" means accepted
	}{
		{"Empty", "", "at least 12 characters"},
		{"Eleven", "abcdefghijk", "at least 12 characters"},
		{"Twelve", "abcdefghijkl", ""},
		{"TwelveRunes", "ééééééééééé€", ""},
		{"ElevenRunes", "ééééééééééé", "at least 12"},
		{"MaxBytes", strings.Repeat("a", 256), ""},
		{"TooLong", strings.Repeat("a", 257), "at most 256 bytes"},
		{"TooLongMultibyte", strings.Repeat("é", 129), "at most 256 bytes"},
		{"InvalidUTF8", "abcdefghijkl\xff", "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidatePassword(tt.password)
			if tt.want == "" && got != "" {
				t.Errorf("got %q, want accepted", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want a message containing %q", got, tt.want)
			}
		})
	}
}
