package auth

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealer encrypts the secrets of org-visible tokens with XChaCha20-Poly1305
// under a key derived from the deployment key. The token id is the
// additional data, so a sealed secret moved to another token's row does not
// open.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer makes a Sealer from the deployment key.
func NewSealer(master []byte) (*Sealer, error) {
	aead, err := chacha20poly1305.NewX(DeriveKey(master, "token secret sealing", chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts secret for the token with id tokenID: a random 24-byte nonce
// followed by the ciphertext.
func (s *Sealer) Seal(tokenID, secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, []byte(secret), []byte(tokenID))
}

// ErrUnseal means a sealed secret could not be opened: another key, another
// token's row, or tampering.
var ErrUnseal = errors.New("the sealed secret does not open with this deployment key")

// Open decrypts a secret sealed for tokenID.
func (s *Sealer) Open(tokenID string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", ErrUnseal
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(tokenID))
	if err != nil {
		return "", ErrUnseal
	}
	return string(plain), nil
}
