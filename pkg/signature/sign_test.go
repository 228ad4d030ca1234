package signature

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// The example from the Standard Webhooks spec's library test suites
// (standard-webhooks/standard-webhooks, "sign function works"); the
// reference note does not quote it, so TestSignMatchesPython re-derives
// such values independently as well.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func mustParse(t *testing.T, s string) []byte {
	t.Helper()
	key, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSignSpecVector(t *testing.T) {
	got := Sign(mustParse(t, specSecret), specMsgID, time.Unix(specTimestamp, 0), []byte(specBody))
	if got != specSignature {
		t.Fatalf("Sign = %s, want %s", got, specSignature)
	}
}

func TestGenerateSecretRoundTrips(t *testing.T) {
	a, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSecret()
	if a == b {
		t.Fatal("two generated secrets are equal")
	}
	if !strings.HasPrefix(a, SecretPrefix) {
		t.Fatalf("secret %q lacks %q", a, SecretPrefix)
	}
	if key := mustParse(t, a); len(key) != 32 {
		t.Fatalf("generated key has %d bytes, want 32", len(key))
	}
}

func TestParseSecret(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		name, in string
		wantLen  int // 0: want ErrInvalidSecret
	}{
		{"prefixed", specSecret, 24},
		{"bare base64", strings.TrimPrefix(specSecret, SecretPrefix), 24},
		{"trailing newline", specSecret + "\n", 24},
		{"unpadded", SecretPrefix + strings.TrimRight(b64(32), "="), 32},
		{"maximum", SecretPrefix + b64(64), 64},
		{"empty", "", 0},
		{"prefix only", SecretPrefix, 0},
		{"too short", SecretPrefix + b64(23), 0},
		{"too long", SecretPrefix + b64(65), 0},
		{"not base64", SecretPrefix + "not*base64*at*all*not*base64*at*all", 0},
		{"url-safe alphabet", SecretPrefix + "____________________________________", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ParseSecret(tt.in)
			if tt.wantLen == 0 {
				if !errors.Is(err, ErrInvalidSecret) {
					t.Fatalf("err = %v, want ErrInvalidSecret", err)
				}
				return
			}
			if err != nil || len(key) != tt.wantLen {
				t.Fatalf("got %d bytes, %v; want %d bytes", len(key), err, tt.wantLen)
			}
		})
	}
}

func TestParseSecretErrorSaysSizeAndHidesSecret(t *testing.T) {
	secret := SecretPrefix + base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	_, err := ParseSecret(secret)
	if err == nil || !strings.Contains(err.Error(), "16 bytes") || !strings.Contains(err.Error(), "24 to 64 bytes") {
		t.Fatalf("error does not state the size rule: %v", err)
	}
	if strings.Contains(err.Error(), strings.TrimPrefix(secret, SecretPrefix)) {
		t.Fatalf("error leaks the secret: %v", err)
	}
}

func TestSignerRotationSignsWithEverySecret(t *testing.T) {
	next, _ := GenerateSecret()
	s, err := NewSigner(next, specSecret)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(specTimestamp, 0)
	sig := s.Signature(specMsgID, ts, []byte(specBody))
	entries := strings.Split(sig, " ")
	want0 := Sign(mustParse(t, next), specMsgID, ts, []byte(specBody))
	if len(entries) != 2 || entries[0] != want0 || entries[1] != specSignature {
		t.Fatalf("Signature = %q, want %q then %q", sig, want0, specSignature)
	}

	h := s.Headers(specMsgID, ts, []byte(specBody))
	if h.Get(HeaderID) != specMsgID || h.Get(HeaderTimestamp) != "1614265330" || h.Get(HeaderSignature) != sig {
		t.Fatalf("Headers = %v", h)
	}
}

func TestNewSignerRejectsBadSecrets(t *testing.T) {
	if _, err := NewSigner(); !errors.Is(err, ErrInvalidSecret) {
		t.Fatalf("no secrets: err = %v", err)
	}
	_, err := NewSigner(specSecret, "whsec_short")
	if !errors.Is(err, ErrInvalidSecret) || !strings.Contains(err.Error(), "secret 2 of 2") {
		t.Fatalf("bad second secret: err = %v", err)
	}
}
