package signature_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/centralhq/central/pkg/signature"
)

// A receiver checks every request before trusting its body. During a secret
// rotation it lists both secrets; either matching signature is enough.
func ExampleVerify() {
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	body := []byte(`{"test": 2432232314}`)
	h := http.Header{}
	h.Set(signature.HeaderID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(signature.HeaderTimestamp, "1614265330")
	h.Set(signature.HeaderSignature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	// A real receiver passes time.Now(); a fixed time keeps the example stable.
	now := time.Unix(1614265330, 0).Add(30 * time.Second)

	err := signature.Verify(secrets, h, body, now, 0)
	fmt.Println("genuine:", err)

	err = signature.Verify(secrets, h, []byte(`{"test": 1}`), now, 0)
	fmt.Println("tampered rejected:", errors.Is(err, signature.ErrNoMatchingSignature))

	err = signature.Verify(secrets, h, body, now.Add(time.Hour), 0)
	fmt.Println("replay rejected:", errors.Is(err, signature.ErrTimestampTooOld))
	// Output:
	// genuine: <nil>
	// tampered rejected: true
	// replay rejected: true
}

// A sender rotating its secret signs with the new and the old one until the
// old one's grace period ends, so receivers can switch at their own pace.
func ExampleSigner() {
	signer, err := signature.NewSigner(
		"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", // new
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",             // old, still in its grace period
	)
	if err != nil {
		log.Fatal(err)
	}
	h := signer.Headers("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	for _, name := range []string{signature.HeaderID, signature.HeaderTimestamp, signature.HeaderSignature} {
		fmt.Printf("%s: %s\n", name, h.Get(name))
	}
	// Output:
	// webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek
	// webhook-timestamp: 1614265330
	// webhook-signature: v1,O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

// A secret is generated once per webhook endpoint and shown to its owner.
func ExampleGenerateSecret() {
	secret, err := signature.GenerateSecret()
	if err != nil {
		log.Fatal(err)
	}
	key, err := signature.ParseSecret(secret)
	fmt.Println(len(secret), len(key), err)
	// Output: 50 32 <nil>
}

// A receiver built on net/http verifies before decoding; the body is put
// back, so the handler reads it as usual afterwards.
func ExampleVerifyRequest() {
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	handler := func(w http.ResponseWriter, r *http.Request) {
		if err := signature.VerifyRequest(secrets, r, time.Now()); err != nil {
			// Answer 4xx without detail: the sender logs it, an attacker learns nothing.
			log.Printf("rejected webhook: %v", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// Decode r.Body and deduplicate on r.Header.Get(signature.HeaderID).
		w.WriteHeader(http.StatusNoContent)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/central", handler)
}
