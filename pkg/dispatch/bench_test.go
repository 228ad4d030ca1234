package dispatch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

// benchEvent is an event whose JSON envelope is about 1 KiB, the body size
// `central bench` measures with.
func benchEvent(b *testing.B) *api.Event {
	b.Helper()
	payload, err := json.Marshal(map[string]any{
		"group": "management", "apiVersion": "v1", "kind": "Environment", "name": "bench-1", "title": "Bench environment",
		"metadata":   map[string]any{"id": strings.Repeat("a", 32), "resourceVersion": "42", "selfLink": "/management/v1/environments/bench-1"},
		"attributes": map[string]string{"team": "bench"}, "tags": []string{"bench"},
		"spec": map[string]string{"description": strings.Repeat("padding ", 60)},
	})
	if err != nil {
		b.Fatal(err)
	}
	return &api.Event{ID: "af7cd036-e57a-4275-9ab3-2bf1d04757ce", Time: api.NewTime(time.Now()), Version: api.EventVersion,
		Product: api.EventProduct, CorrelationID: "b013871b-05ce-4ea2-b4c3-148b702b3e55", Organization: api.Organization{ID: "916640157564164"},
		Type: api.ResourceCreated, Payload: payload, Metadata: &api.EventMetadata{SequenceID: 21852}}
}

// BenchmarkBuild is the request of one attempt: the envelope encoded, the
// headers set and, with a secret, the body signed. XML is the 3scale form.
func BenchmarkBuild(b *testing.B) {
	secret, err := signature.GenerateSecret()
	if err != nil {
		b.Fatal(err)
	}
	ev := benchEvent(b)
	envelope, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := signature.NewSigner(secret)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		o    outgoing
	}{
		{"json", outgoing{eventID: ev.ID, envelope: envelope, webhook: &api.WebhookSpec{URL: "http://127.0.0.1:9/hook"}}},
		{"json/signed", outgoing{eventID: ev.ID, envelope: envelope, webhook: &api.WebhookSpec{URL: "http://127.0.0.1:9/hook"}, signer: signer}},
		{"xml", outgoing{eventID: ev.ID, envelope: envelope, webhook: &api.WebhookSpec{URL: "http://127.0.0.1:9/hook", Headers: map[string]string{"Content-Type": "application/xml"}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.o.build(context.Background(), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEnvelope is json.Marshal of the event alone, the part of Build
// that grows with the resource.
func BenchmarkEnvelope(b *testing.B) {
	ev := benchEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedact is what hiding the auth secret costs on a response that
// does not hold it (the usual one): a 1 KiB JSON answer, for a webhook with
// its secret in a header and one with it in the query.
func BenchmarkRedact(b *testing.B) {
	body := []byte(`{"received":true,"note":"` + strings.Repeat("lorem ipsum dolor sit amet ", 36) + `"}`)
	secret := &api.SecretRef{Name: "s", Key: "k"}
	for _, tc := range []struct {
		name string
		auth *api.WebhookAuth
	}{
		{"header", &api.WebhookAuth{Secret: secret}},
		{"query", &api.WebhookAuth{Secret: secret, Location: &api.WebhookLocation{In: "query", Name: "token"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			o := &outgoing{redactor: newRedactor(&api.WebhookSpec{Auth: tc.auth}, "8c1f0a6e3b2d4f59a7e6c5b4d3a29180")}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				o.redactBody(body)
			}
		})
	}
}
