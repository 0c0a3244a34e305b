package auth

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MasterKeySize is the length of the deployment key in bytes.
const MasterKeySize = 32

// LoadOrCreateMasterKey reads the deployment key at path, creating it with
// fresh random bytes and mode 0600 on first start; created reports that
// this call made the file. A key file readable by others, or of the wrong
// size, is refused rather than used.
func LoadOrCreateMasterKey(path string) (key []byte, created bool, err error) {
	key, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, MasterKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first; use theirs.
			return LoadOrCreateMasterKey(path)
		}
		if err != nil {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, err
		}
		return key, true, f.Close()
	}
	if err != nil {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("key file %s has mode %v; it must be readable by its owner only (chmod 600)", path, info.Mode().Perm())
	}
	if len(key) != MasterKeySize {
		return nil, false, fmt.Errorf("key file %s holds %d bytes, want %d", path, len(key), MasterKeySize)
	}
	return key, false, nil
}

// KeyFingerprint names the deployment key without revealing it: 16 hex
// digits of a key derived from it for this purpose alone, so a database can
// record which key it was made with and refuse another (the key cannot be
// worked back from it, nor any key derived for another purpose).
func KeyFingerprint(master []byte) string {
	return hex.EncodeToString(DeriveKey(master, "key fingerprint", 8))
}

// DeriveKey derives an independent key for one purpose (cookie signing,
// cookie encryption, secret encryption) from the deployment key, so no two
// uses share key material.
func DeriveKey(master []byte, purpose string, size int) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, "tokenward "+purpose, size)
	if err != nil {
		panic(err) // only for sizes beyond 255*32 bytes, a programming error
	}
	return k
}
