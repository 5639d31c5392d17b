package integration

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Prefixes make the secrets recognisable to people and secret scanners.
const (
	signingSecretPrefix = "cosig_" // inbound: the LMS signs its batches with it
	webhookSecretPrefix = "cowhk_" // outbound: curatorops signs its deliveries with it
	// shownPrefixLen is how much of a secret the API shows to tell secrets
	// apart: the prefix and four random characters.
	shownPrefixLen = 10
)

// signaturePrefix starts every signature header value.
const signaturePrefix = "sha256="

// newSecret returns prefix + 32 random bytes, base64url-encoded.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("integration: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func shownPrefix(secret string) string {
	if len(secret) <= shownPrefixLen {
		return secret
	}
	return secret[:shownPrefixLen]
}

// Sign returns the signature header value of body under secret:
// "sha256=" and the hex HMAC-SHA256. The secret's text, as shown, is the key.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// validSignature reports whether header is Sign(secret, body), comparing in
// constant time.
func validSignature(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), signaturePrefix)
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(strings.ToLower(got))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), sum)
}
