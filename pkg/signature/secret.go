package signature

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// SecretPrefix starts every serialised symmetric secret. It makes a leaked
// secret recognisable to secret scanners and tells it apart from the
// asymmetric keys (whsk_/whpk_) the spec also defines.
const SecretPrefix = "whsec_"

// Bounds on the decoded key length set by the Standard Webhooks spec. Fewer
// than 24 bytes (192 bits) is too weak to resist brute force of a captured
// signature; more than 64 bytes gains nothing, since HMAC-SHA256 hashes a
// key longer than its 64-byte block down to 32 bytes anyway.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// generatedSecretBytes is 32, above the spec's minimum of 24, because 256
// bits is the full strength HMAC-SHA256 can offer; more would add nothing.
const generatedSecretBytes = 32

// GenerateSecret returns a new secret: "whsec_" followed by the standard
// base64 of 32 bytes from crypto/rand.
func GenerateSecret() (string, error) {
	key := make([]byte, generatedSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// ParseSecret decodes a serialised secret into the HMAC key.
//
// It accepts "whsec_<base64>" and also bare base64 without the prefix,
// because other Standard Webhooks libraries (Svix's among them) do the same
// and receivers often store the secret without it. Surrounding white space
// is dropped, since secrets read from files or environment variables often
// end in a newline. Base64 without "=" padding is accepted for the same
// copy-and-paste reason. The decoded key must hold 24 to 64 bytes.
//
// Errors wrap ErrInvalidSecret and never echo the secret, so they are safe
// to log.
func ParseSecret(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), SecretPrefix)
	if s == "" {
		return nil, fmt.Errorf("%w: the secret is empty; copy the endpoint's %q secret from central", ErrInvalidSecret, SecretPrefix+"...")
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the part after %q is not standard base64 (A-Z a-z 0-9 + /); was the secret truncated or URL-encoded?", ErrInvalidSecret, SecretPrefix)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: the key decodes to %d bytes, but Standard Webhooks secrets hold %d to %d bytes; generate one with GenerateSecret",
			ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}

// parseSecrets parses every secret, naming the failing one by position
// (never by value) so a receiver with several configured secrets knows
// which to fix.
func parseSecrets(secrets []string) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secrets given; pass the endpoint's secret (and, during a rotation, the previous one)", ErrInvalidSecret)
	}
	keys := make([][]byte, 0, len(secrets))
	for i, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			if len(secrets) > 1 {
				return nil, fmt.Errorf("secret %d of %d: %w", i+1, len(secrets), err)
			}
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}
