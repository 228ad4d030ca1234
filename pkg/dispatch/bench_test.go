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
