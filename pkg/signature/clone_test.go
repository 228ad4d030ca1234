package signature

import (
	"testing"
	"time"
)

// A Signer whose HMACs cannot be cloned (GOFIPS140=v1.0.0, BoringCrypto)
// signs each message with a fresh HMAC, and the signature is the same.
func TestSignerWithoutClones(t *testing.T) {
	secret, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(secret, secret)
	if err != nil {
		t.Fatal(err)
	}
	ts, body := time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`)
	want := s.Signature("msg_1", ts, body)
	s.keyed[1] = nil
	if got := s.Signature("msg_1", ts, body); got != want {
		t.Errorf("without a clone: %q, want %q", got, want)
	}
	key, _ := ParseSecret(secret)
	if one := Sign(key, "msg_1", ts, body); want != one+" "+one {
		t.Errorf("signer: %q, Sign: %q", want, one)
	}
}
