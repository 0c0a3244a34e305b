package auth

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MasterKeySize is the length of the deployment key in bytes.
const MasterKeySize = 32

// LoadOrCreateMasterKey reads the deployment key at path, creating it with
// fresh random bytes and mode 0600 on first start. A key file readable by
// others, or of the wrong size, is refused rather than used.
func LoadOrCreateMasterKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, MasterKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first; use theirs.
			return LoadOrCreateMasterKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("create key file: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("write key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v; it must be readable by its owner only (chmod 600)", path, info.Mode().Perm())
	}
	if len(key) != MasterKeySize {
		return nil, fmt.Errorf("key file %s holds %d bytes, want %d", path, len(key), MasterKeySize)
	}
	return key, nil
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
