package auth

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeyFingerprint(t *testing.T) {
	t.Parallel()
	a := bytes.Repeat([]byte{1}, MasterKeySize)
	b := bytes.Repeat([]byte{2}, MasterKeySize)
	fa := KeyFingerprint(a)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(fa) {
		t.Fatalf("fingerprint %q, want 16 hex digits", fa)
	}
	if again := KeyFingerprint(bytes.Clone(a)); again != fa {
		t.Errorf("the same key gave %q, then %q", fa, again)
	}
	if fb := KeyFingerprint(b); fb == fa {
		t.Errorf("two keys share the fingerprint %q", fa)
	}
	// It shows nothing of the key, nor of the keys derived from it for
	// other purposes (the secret-sealing key, the cookie keys).
	for _, k := range [][]byte{a, DeriveKey(a, "token secret sealing", 32)} {
		if strings.Contains(hex.EncodeToString(k), fa) {
			t.Errorf("fingerprint %q is part of a key", fa)
		}
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokenward.key")
	key, created, err := LoadOrCreateMasterKey(path)
	if err != nil || !created || len(key) != MasterKeySize {
		t.Fatalf("first load: %d bytes, created %v, %v", len(key), created, err)
	}
	again, created, err := LoadOrCreateMasterKey(path)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("second load: created %v, same key %v, %v", created, bytes.Equal(again, key), err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("key readable by others: err = %v", err)
	}
}
