package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// InvitationDays is how many days an invitation link works after it is
// sent (or resent).
const InvitationDays = 7

// InvitationTTL is InvitationDays as a duration.
const InvitationTTL = InvitationDays * 24 * time.Hour

// inviteCodeBytes is the link code's entropy: 256 bits, like a token's.
const inviteCodeBytes = 32

// NewInviteCode returns a fresh invitation link code (URL-safe base64 of
// 32 random bytes) and its hash, the only form that is stored.
func NewInviteCode() (code, hash string) {
	b := make([]byte, inviteCodeBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	code = base64.RawURLEncoding.EncodeToString(b)
	return code, HashInviteCode(code)
}

// HashInviteCode is the stored form of a link code: hex SHA-256.
func HashInviteCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// WellFormedInviteCode reports whether s has the shape of a link code, so a
// mistyped or truncated link is told apart without a database read.
func WellFormedInviteCode(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(inviteCodeBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
