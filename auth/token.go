package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Kind is what a token is for: an API token, a CLI token, a service token,
// or a person's personal token granted to one or more orgs.
type Kind string

// The token kinds.
const (
	KindAPI      Kind = "api"
	KindCLI      Kind = "cli"
	KindService  Kind = "service"
	KindPersonal Kind = "personal"
)

// Kinds lists the kinds of token an org holds, in display order: a tab
// each. Personal tokens belong to a person and reach orgs through grants
// (they show on the API tab of each org granted).
var Kinds = []Kind{KindAPI, KindCLI, KindService}

// ParseKind turns a kind name such as "api" into a Kind.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if k.Prefix() == "" {
		return "", fmt.Errorf("unknown token kind %q; valid kinds: api, cli, service, personal", s)
	}
	return k, nil
}

// Prefix returns the text every token of this kind starts with ("twa_", "twc_", "tws_", "twp_"),
// or "" for an unknown kind.
func (k Kind) Prefix() string {
	switch k {
	case KindAPI:
		return "twa_"
	case KindCLI:
		return "twc_"
	case KindService:
		return "tws_"
	case KindPersonal:
		return "twp_"
	}
	return ""
}

// Label returns the kind's name as people read it ("API", "CLI", "Service").
func (k Kind) Label() string {
	switch k {
	case KindAPI:
		return "API"
	case KindCLI:
		return "CLI"
	case KindService:
		return "Service"
	case KindPersonal:
		return "Personal"
	}
	return string(k)
}

// kindOfPrefix is the inverse of Kind.Prefix; it returns "" for an unknown prefix.
func kindOfPrefix(p string) Kind {
	switch p {
	case "twa_":
		return KindAPI
	case "twc_":
		return KindCLI
	case "tws_":
		return KindService
	case "twp_":
		return KindPersonal
	}
	return ""
}

// Token layout: a 4-character prefix, 43 random base62 characters (43·log2(62) ≈ 256.03
// bits), then 6 base62 characters of CRC32 over everything before them (62^6 > 2^32).
const (
	tokenPrefixLen   = 4
	tokenRandomLen   = 43
	tokenChecksumLen = 6
	tokenCheckedLen  = tokenPrefixLen + tokenRandomLen

	// TokenLength is the length in bytes of every token.
	TokenLength = tokenCheckedLen + tokenChecksumLen
)

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62Value maps a byte to its base62 digit value, or -1 when it is not a base62 digit.
var base62Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(base62Alphabet) {
		t[base62Alphabet[i]] = int8(i)
	}
	return t
}()

// Errors ParseToken returns, one per way a string can fail to be a token. Their messages
// are safe to show: they never include the token.
var (
	ErrTokenPrefix   = errors.New("not a Tokenward token: it must start with twa_, twc_ or tws_")
	ErrTokenLength   = errors.New("token has the wrong length: copy the whole token, 53 characters")
	ErrTokenAlphabet = errors.New("token contains a character other than a letter or digit after its prefix")
	ErrTokenChecksum = errors.New("token checksum does not match: it was mistyped or altered")
)

// NewToken makes a new random token of the given kind.
func NewToken(kind Kind) (string, error) {
	prefix := kind.Prefix()
	if prefix == "" {
		return "", fmt.Errorf("auth: unknown token kind %q", kind)
	}
	var buf [TokenLength]byte
	copy(buf[:], prefix)
	if err := fillBase62(buf[tokenPrefixLen:tokenCheckedLen]); err != nil {
		return "", fmt.Errorf("auth: reading random bytes: %w", err)
	}
	putChecksum(buf[tokenCheckedLen:], crc32.ChecksumIEEE(buf[:tokenCheckedLen]))
	return string(buf[:]), nil
}

// fillBase62 fills dst with uniformly random base62 characters from crypto/rand.
func fillBase62(dst []byte) error {
	// 248 is the largest multiple of 62 that fits in a byte; bytes at or above it are
	// dropped, so every remaining byte maps onto the alphabet without modulo bias.
	const limit = 62 * 4
	var pool [64]byte
	n := 0
	for n < len(dst) {
		if _, err := rand.Read(pool[:]); err != nil {
			return err
		}
		for _, b := range pool {
			if b >= limit {
				continue
			}
			dst[n] = base62Alphabet[b%62]
			n++
			if n == len(dst) {
				break
			}
		}
	}
	return nil
}

// putChecksum writes sum as zero-padded base62, most significant digit first.
func putChecksum(dst []byte, sum uint32) {
	v := uint64(sum)
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = base62Alphabet[v%62]
		v /= 62
	}
}

// ParseToken checks that s is well formed and returns its kind. It looks only at the string
// (prefix, length, alphabet, checksum) and does not allocate, so it can reject garbage and
// typos before any look-up.
func ParseToken(s string) (Kind, error) {
	if len(s) < tokenPrefixLen {
		return "", ErrTokenPrefix
	}
	kind := kindOfPrefix(s[:tokenPrefixLen])
	if kind == "" {
		return "", ErrTokenPrefix
	}
	if len(s) != TokenLength {
		return "", ErrTokenLength
	}
	var stored uint64
	for i := tokenPrefixLen; i < len(s); i++ {
		v := base62Value[s[i]]
		if v < 0 {
			return "", ErrTokenAlphabet
		}
		if i >= tokenCheckedLen {
			stored = stored*62 + uint64(v)
		}
	}
	if stored != uint64(crc32OfString(s[:tokenCheckedLen])) {
		return "", ErrTokenChecksum
	}
	return kind, nil
}

// crc32OfString is crc32.ChecksumIEEE for a string, without converting it to a byte slice
// (which would allocate on every token check).
func crc32OfString(s string) uint32 {
	crc := ^uint32(0)
	for i := range len(s) {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ (crc >> 8)
	}
	return ^crc
}

// HashToken returns the SHA-256 of the whole token string, the form in which tokens are
// stored and looked up.
func HashToken(s string) [32]byte {
	return sha256.Sum256([]byte(s))
}

// HashTokenHex returns HashToken as lower-case hexadecimal.
func HashTokenHex(s string) string {
	h := HashToken(s)
	return hex.EncodeToString(h[:])
}

// TokenHint returns the part of a token that may be shown after its one reveal: the prefix,
// the first four and the last four characters, as in "twa_7Hq2…9xKd". For a string that is
// not token-sized it returns "…", so a hint never gives away a short secret.
func TokenHint(s string) string {
	if len(s) != TokenLength {
		return "…"
	}
	return s[:tokenPrefixLen+4] + "…" + s[len(s)-4:]
}

// EqualSecret reports whether a and b are equal, in time that does not depend on where
// they differ.
func EqualSecret(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// GitleaksRegex is the Go (RE2) regular expression a secret scanner uses to find Tokenward
// tokens. The word boundaries keep it from matching inside longer runs of letters.
const GitleaksRegex = `\btw[acsp]_[0-9A-Za-z]{49}\b`

// GitleaksRule is a gitleaks rule, in TOML, that finds leaked Tokenward tokens.
const GitleaksRule = `[[rules]]
id = "tokenward-token"
description = "Tokenward API, CLI or service token"
regex = '''` + GitleaksRegex + `'''
keywords = ["twa_", "twc_", "tws_"]
`
