package webhook

import (
	"errors"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/cmd/clierr"
)

// A --secret that names no Secret, or a key it lacks, still makes the
// webhook (the Secret may come next) but warns: until then requests go
// out without Authorization.
func TestCreateWebhookWarnsOfAMissingSecret(t *testing.T) {
	for secret, want := range map[string]string{
		"nosuch/token":     `⚠ There is no Secret "nosuch" in Environment/prod: requests go out without Authorization until it is created with the key "token".`,
		"billing-creds/pw": `⚠ The Secret "billing-creds" in Environment/prod has no key "pw": requests go out without Authorization until it has.`,
	} {
		r := run(t, (&fakeAPI{}).factory(t), "w", "-s", "Environment/prod", "--url", "https://billing.example.com/events", "--secret", secret)
		if r.err != nil || !strings.Contains(r.stderr, "has successfully been created.\n"+want+"\n") {
			t.Errorf("--secret %s: %v\n%s", secret, r.err, r.stderr)
		}
	}
}

// A trigger scoped to an Environment that is not there is taken (it may
// come next) but warns, once per trigger, as a missing --secret does.
func TestCreateWebhookWarnsOfAMissingTriggerScope(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks",
		"--trigger", "APIService@Environment/nonexist", "--trigger", "APIService@Environment/prod", "--trigger", "*:deleted@Environment/nonexist")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "✔ \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\" has successfully been created.\n" +
		"⚠ There is no Environment \"nonexist\": --trigger APIService@Environment/nonexist matches nothing until it is created.\n" +
		"⚠ There is no Environment \"nonexist\": --trigger *:deleted@Environment/nonexist matches nothing until it is created.\n"
	if !strings.HasSuffix(r.stderr, want) {
		t.Errorf("stderr =\n%s\nwant it to end with\n%s", r.stderr, want)
	}
	lookups := 0
	for _, s := range a.sent() {
		if s == "GET /apis/management/v1/environments/nonexist" {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("Environment/nonexist looked up %d times, want once", lookups)
	}
}

// Nothing is created when any of what the command would make exists: the
// message names each one and how to go on, and it is an error of its own
// (not ErrSilent), so that -o json prints it as a document.
func TestCreateWebhookRefusesWhatExists(t *testing.T) {
	const (
		wh   = "/apis/management/v1/integrations/monitor/webhooks/jira"
		sec  = "/apis/management/v1/integrations/monitor/secrets/jira-signing"
		hook = "/apis/management/v1/integrations/monitor/resourcehooks/jira-hook"
	)
	whMsg := `"Webhook/jira" in the scope "Integration/monitor" already exists: choose another NAME, change it with central edit webhook jira -s Integration/monitor, ` +
		`or delete it first (central delete webhooks jira -s Integration/monitor).`
	secMsg := `"Secret/jira-signing" in the scope "Integration/monitor" already exists, and --generate-secret would overwrite it ` +
		`(the server keeps the signing secret of the webhook "jira" there): choose another webhook NAME, or delete it first (central delete secrets jira-signing -s Integration/monitor).`
	hookMsg := `"ResourceHook/jira-hook" in the scope "Integration/monitor" already exists: name the new hook with --hook-name NAME, ` +
		`or delete it first (central delete resourcehooks jira-hook -s Integration/monitor).`
	tests := []struct {
		name     string
		existing []string
		want     string
	}{
		{"hook", []string{hook}, hookMsg + "\nNothing was created."},
		{"secret", []string{sec}, secMsg + "\nNothing was created."},
		{"all", []string{wh, sec, hook}, whMsg + "\n" + secMsg + "\n" + hookMsg + "\nNothing was created."},
	}
	for _, tt := range tests {
		for _, out := range []string{"table", "json"} {
			a := &fakeAPI{existing: tt.existing}
			r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks",
				"--generate-secret", "--trigger", "Environment", "-o", out)
			var fe *clierr.FlagError
			if r.err == nil || r.err.Error() != tt.want || errors.Is(r.err, clierr.ErrSilent) || errors.As(r.err, &fe) {
				t.Errorf("%s, -o %s: err = %v\nwant %s", tt.name, out, r.err, tt.want)
			}
			if r.stdout != "" || r.stderr != "" {
				t.Errorf("%s, -o %s: printed %q %q; the root prints the error", tt.name, out, r.stdout, r.stderr)
			}
			for _, s := range a.sent() {
				if !strings.HasPrefix(s, "GET ") {
					t.Errorf("%s, -o %s: %s after the check", tt.name, out, s)
				}
			}
		}
	}
}
