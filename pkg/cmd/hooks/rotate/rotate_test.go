package rotate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

func TestRotate(t *testing.T) {
	var gotPath, gotOverlap string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotOverlap = r.Method+" "+r.URL.Path, r.URL.Query().Get("overlap")
		out := api.SigningSecret{Secret: "whsec_new", SecretName: "jira-keys"} // the webhook names its own Secret
		if gotOverlap != "0s" {
			out.PreviousValidUntil = api.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	set := &discovery.Set{Definitions: []discovery.Definition{
		{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"}}}
	for _, tc := range []struct {
		overlap        time.Duration
		wantOverlap    string
		wantStatusLine string
	}{
		{24 * time.Hour, "24h0m0s", "the old one signs too until 2026-01-02T03:04:05.000+0000"},
		{0, "0s", "the old one, if any, no longer signs"},
	} {
		ios, _, out, errOut := iostreams.Test()
		o := &RotateOptions{IO: ios, Name: "jira", Scope: "Integration/monitor", Overlap: tc.overlap,
			Client:      func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "t"}), nil },
			Definitions: func(context.Context) (*discovery.Set, error) { return set, nil }}
		if err := rotateRun(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if gotPath != "POST /apis/management/v1/integrations/monitor/webhooks/jira/rotatesecret" || gotOverlap != tc.wantOverlap {
			t.Fatalf("request %s overlap=%s", gotPath, gotOverlap)
		}
		if out.String() != "Signing secret: whsec_new\n" || !strings.Contains(errOut.String(), tc.wantStatusLine) {
			t.Fatalf("stdout %q stderr %q", out, errOut)
		}
		const kept = `The secret is also kept in the Secret "jira-keys" in Integration/monitor, where anyone with an API token can read it (central get secret jira-keys -s Integration/monitor -o yaml).`
		if !strings.Contains(errOut.String(), kept) {
			t.Errorf("stderr %q, want it to say where the secret is kept", errOut)
		}
	}
}

// -o json prints the server's answer, secret included, and nothing else on
// stdout, for a script to read with jq -r .secret.
func TestRotateOutput(t *testing.T) {
	until := api.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(api.SigningSecret{Secret: "whsec_new", SecretName: "jira-signing", PreviousValidUntil: until})
	}))
	defer srv.Close()
	set := &discovery.Set{Definitions: []discovery.Definition{
		{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"}}}
	for format, want := range map[string]string{
		"json": "{\n    \"secret\": \"whsec_new\",\n    \"secretName\": \"jira-signing\",\n    \"previousValidUntil\": \"2026-01-02T03:04:05.000+0000\"\n}\n",
		"yaml": "secret: whsec_new\nsecretName: jira-signing\npreviousValidUntil: '2026-01-02T03:04:05.000+0000'\n",
	} {
		ios, _, out, errOut := iostreams.Test()
		f := &factory.Factory{IOStreams: ios,
			Client:      func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "t"}), nil },
			Definitions: func(context.Context) (*discovery.Set, error) { return set, nil }}
		cmd := NewCmdRotate(f, nil)
		cmd.SetArgs([]string{"jira", "-s", "Integration/monitor", "-o", format})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("-o %s: stdout\n%s\nwant\n%s", format, out, want)
		}
		if !strings.Contains(errOut.String(), "the old one signs too until") {
			t.Errorf("-o %s: stderr %q, want the status line", format, errOut)
		}
	}
}

func TestRotateFlagErrors(t *testing.T) {
	for _, bad := range [][]string{{"-o", "xml"}, {"--overlap", "-1s"}, {"--overlap", "169h"}} {
		ios, _, _, _ := iostreams.Test()
		cmd := NewCmdRotate(&factory.Factory{IOStreams: ios}, func(*RotateOptions) error { t.Error("ran"); return nil })
		cmd.SetArgs(append([]string{"jira", "-s", "Integration/monitor"}, bad...))
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		var fe *clierr.FlagError
		if err := cmd.ExecuteContext(context.Background()); !errors.As(err, &fe) {
			t.Errorf("%v: err = %v, want a FlagError", bad, err)
		}
	}
}
