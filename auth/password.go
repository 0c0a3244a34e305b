// Package auth holds Tokenward's security rules as pure Go: the token format and hashing,
// password hashing, and the scope catalog. It knows nothing of HTTP, SQL or HTML.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new password hashes. They follow OWASP's Password Storage Cheat
// Sheet (19 MiB of memory, two passes, one lane), which balances resistance to GPU cracking
// against the cost of a sign-in on a small server. Stored hashes carry their own parameters,
// so changing these affects only hashes made afterwards.
const (
	// argonMemoryKiB is the memory cost in KiB (19 MiB).
	argonMemoryKiB = 19456
	// argonTime is the number of passes over the memory.
	argonTime = 2
	// argonThreads is the degree of parallelism; one lane keeps a sign-in to one core.
	argonThreads = 1
	// argonSaltLen is the salt length in bytes; 16 bytes make a salt collision negligible.
	argonSaltLen = 16
	// argonKeyLen is the derived key length in bytes (256 bits).
	argonKeyLen = 32
)

// Bounds on parameters read back from a stored hash, so that a corrupt or hostile value can
// neither panic argon2 nor make a single check take minutes or gigabytes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 64
	minArgonSaltLen   = 8
	maxArgonSaltLen   = 64
	minArgonKeyLen    = 16
	maxArgonKeyLen    = 128
)

// Limits that ValidatePassword enforces on a new password.
const (
	// MinPasswordChars is the fewest characters a password may have.
	MinPasswordChars = 12
	// MaxPasswordBytes is the most bytes a password may have.
	MaxPasswordBytes = 256
)

const argonID = "argon2id"

// argonParams are the cost parameters recorded in a PHC string.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

// HashPassword hashes password with argon2id and a fresh random salt, returning a PHC string
// such as "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	p := argonParams{memory: argonMemoryKiB, time: argonTime, threads: argonThreads}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, argonKeyLen)
	return encodePHC(p, salt, key), nil
}

// encodePHC writes the parameters, salt and key as a PHC string.
func encodePHC(p argonParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argonID, argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches the PHC string encoded, using the
// parameters recorded in it. It returns false for malformed input and never panics.
func CheckPassword(encoded, password string) bool {
	p, salt, key, ok := decodePHC(encoded)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// decodePHC parses an argon2id PHC string, rejecting anything outside sane bounds.
func decodePHC(encoded string) (p argonParams, salt, key []byte, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != argonID {
		return p, nil, nil, false
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, false
	}
	p, ok = parseArgonParams(parts[3])
	if !ok {
		return p, nil, nil, false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minArgonSaltLen || len(salt) > maxArgonSaltLen {
		return p, nil, nil, false
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) < minArgonKeyLen || len(key) > maxArgonKeyLen {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

// parseArgonParams parses "m=…,t=…,p=…" in that order.
func parseArgonParams(s string) (argonParams, bool) {
	var p argonParams
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, false
	}
	m, ok1 := parseParam(fields[0], "m=", maxArgonMemoryKiB)
	t, ok2 := parseParam(fields[1], "t=", maxArgonTime)
	th, ok3 := parseParam(fields[2], "p=", 255)
	if !ok1 || !ok2 || !ok3 || m < 8*th {
		return p, false
	}
	return argonParams{memory: uint32(m), time: uint32(t), threads: uint8(th)}, true
}

// parseParam parses one "name=value" field whose value must lie in 1..max.
func parseParam(field, name string, max uint64) (uint64, bool) {
	v, found := strings.CutPrefix(field, name)
	if !found {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

var (
	dummyHashOnce sync.Once
	dummyHash     string
)

// CheckPasswordAgainstDummy does the work of CheckPassword against a fixed hash, so that a
// sign-in for a user who does not exist takes as long as one for a user who does.
func CheckPasswordAgainstDummy(password string) {
	dummyHashOnce.Do(func() {
		// A fixed salt is fine here: the hash guards nothing, it only costs time.
		salt := []byte("tokenward-dummy!")
		p := argonParams{memory: argonMemoryKiB, time: argonTime, threads: argonThreads}
		key := argon2.IDKey([]byte("not a real password"), salt, p.time, p.memory, p.threads, argonKeyLen)
		dummyHash = encodePHC(p, salt, key)
	})
	CheckPassword(dummyHash, password)
}

// ValidatePassword returns "" when password is acceptable for a new account, or else a
// message a person can act on.
func ValidatePassword(password string) string {
	if !utf8.ValidString(password) {
		return "The password contains bytes that are not valid text (UTF-8); type it again."
	}
	if strings.IndexFunc(password, unicode.IsControl) >= 0 {
		return "A password cannot contain control characters such as tabs or line breaks."
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordChars {
		return fmt.Sprintf("Use at least %d characters for the password (this one has %d).", MinPasswordChars, n)
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Sprintf("Use at most %d bytes for the password (this one has %d; accented letters and symbols take more than one).", MaxPasswordBytes, len(password))
	}
	return ""
}
