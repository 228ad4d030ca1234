package dispatch

import (
	"context"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// spec.headers is sent as given, User-Agent included; without one the
// request says it comes from central.
func TestBuildSendsTheWebhooksUserAgent(t *testing.T) {
	for _, c := range []struct {
		headers map[string]string
		want    string
	}{
		{nil, UserAgent},
		{map[string]string{"User-Agent": "mine"}, "mine"},
		{map[string]string{"user-agent": "acme-hooks/2 (+https://acme.example)"}, "acme-hooks/2 (+https://acme.example)"},
		{map[string]string{"User-Agent": ""}, UserAgent}, // an empty one would send none at all
	} {
		o := &outgoing{webhook: &api.WebhookSpec{URL: "https://hooks.example.com/", Headers: c.headers}, eventID: "ev", envelope: []byte(`{}`)}
		req, err := o.build(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Values("User-Agent"); len(got) != 1 || got[0] != c.want {
			t.Errorf("headers %v: User-Agent %q, want %q", c.headers, got, c.want)
		}
	}
}
