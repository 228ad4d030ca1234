package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/signature"
)

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestEnvelopeHeadersAndAuth(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("monitor", rcv.URL+"/hook", map[string]any{"headers": map[string]string{"X-Team": "blue"},
		"auth": map[string]any{"secret": map[string]string{"name": "creds", "key": "apikey"}}},
		allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/integrations/monitor/secrets", map[string]any{"name": "creds", "spec": map[string]any{"data": map[string]string{"apikey": "Basic YWJjZDoxMjM0"}}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "prod", "title": "Production"})

	got := rcv.next(t)
	var ev api.Event
	if err := json.Unmarshal(got.body, &ev); err != nil {
		t.Fatal(err)
	}
	var payload api.ResourceInstance
	_ = json.Unmarshal(ev.Payload, &payload)
	if ev.Type != api.ResourceCreated || ev.Version != "v1" || ev.Product != "AmplifyCentral" || ev.ID == "" ||
		ev.Organization.ID == "" || ev.CorrelationID == "" || payload.Name != "prod" || payload.Title != "Production" {
		t.Fatalf("envelope: %s", got.body)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "X-Team": "blue",
		"Authorization": "Basic YWJjZDoxMjM0", "Webhook-Id": ev.ID} {
		if v := got.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if got.header.Get("Webhook-Signature") != "" {
		t.Error("signed without a signing secret")
	}
	h.waitFor("the delivery to succeed", func() bool {
		ds := h.deliveries("status=succeeded")
		return len(ds) == 1 && ds[0].Attempts == 1 && ds[0].LastStatusCode == 204
	})
}

func TestSigningAndRotation(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	var first api.SigningSecret
	if st := h.do("POST", mgmt+"/integrations/i/webhooks/wh/rotatesecret", nil, &first); st != 200 || !strings.HasPrefix(first.Secret, "whsec_") || first.SecretName != "wh-signing" {
		t.Fatalf("rotate: %d %+v", st, first)
	}
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	got := rcv.next(t)
	if err := signature.Verify([]string{first.Secret}, got.header, got.body, time.Now(), 0); err != nil {
		t.Fatalf("signature: %v (headers %v)", err, got.header)
	}
	verifyWithPython(t, first.Secret, got)
	var second api.SigningSecret
	h.do("POST", mgmt+"/integrations/i/webhooks/wh/rotatesecret?overlap=1h", nil, &second)
	if second.PreviousValidUntil.IsZero() {
		t.Fatalf("rotation without overlap info: %+v", second)
	}
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "b"})
	got = rcv.next(t)
	for _, secret := range []string{first.Secret, second.Secret} {
		if err := signature.Verify([]string{secret}, got.header, got.body, time.Now(), 0); err != nil {
			t.Errorf("during the overlap both secrets must sign: %v", err)
		}
	}
	// An overlap past 7 days would keep a leaked secret signing: refused,
	// and nothing rotates.
	var e api.ErrorResponse
	if st := h.do("POST", mgmt+"/integrations/i/webhooks/wh/rotatesecret?overlap=2562047h", nil, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "longer than 168h (7 days)") {
		t.Fatalf("a 292-year overlap: %d %+v", st, e)
	}
	var sec api.ResourceInstance
	h.do("GET", mgmt+"/integrations/i/secrets/wh-signing", nil, &sec)
	if !strings.Contains(string(sec.Spec), second.Secret) {
		t.Fatalf("a refused rotation changed the secret: %s", sec.Spec)
	}
	h.do("POST", mgmt+"/integrations/i/webhooks/wh/rotatesecret?overlap=0s", nil, nil)
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "c"})
	got = rcv.next(t)
	if err := signature.Verify([]string{second.Secret}, got.header, got.body, time.Now(), 0); err == nil {
		t.Error("a secret rotated out without overlap still signs")
	}
}

func TestRetriesAndOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		status   api.DeliveryStatus
		attempts int
	}{
		{"500 twice then success", []int{500, 503, 200}, api.DeliverySucceeded, 3},
		{"400 is final", []int{400}, api.DeliveryFailed, 1},
		{"429 and 408 retried", []int{429, 408, 204}, api.DeliverySucceeded, 3},
		{"302 is a failed attempt, never followed", []int{302, 302, 302}, api.DeliveryFailed, 3},
		{"schedule spent", []int{500, 500, 500, 500}, api.DeliveryFailed, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, server.Config{})
			rcv := newReceiver(t, tc.statuses...)
			h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
			h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
			h.waitFor("the delivery to finish", func() bool {
				ds := h.deliveries("")
				return len(ds) == 1 && ds[0].Status != api.DeliveryPending
			})
			d := h.deliveries("")[0]
			if d.Status != tc.status || d.Attempts != tc.attempts || rcv.count() != tc.attempts {
				t.Fatalf("status %s after %d attempts (%d received), want %s after %d", d.Status, d.Attempts, rcv.count(), tc.status, tc.attempts)
			}
			var full api.Delivery
			h.do("GET", "/deliveries/"+d.ID, nil, &full)
			if len(full.History) != tc.attempts || full.History[0].Trigger != api.TriggerScheduled || full.History[0].StatusCode != tc.statuses[0] {
				t.Fatalf("history: %+v", full.History)
			}
		})
	}
}

func TestGoneDisablesWebhook(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t, http.StatusGone)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("the webhook to be disabled", func() bool {
		var wh api.ResourceInstance
		h.do("GET", mgmt+"/integrations/i/webhooks/wh", nil, &wh)
		var spec api.WebhookSpec
		_ = wh.DecodeSpec(&spec)
		return !spec.Enabled && strings.Contains(string(wh.SubResources["status"]), "410 Gone")
	})
	if d := h.deliveries(""); len(d) != 1 || d[0].Status != api.DeliveryFailed || d[0].Attempts != 1 {
		t.Fatalf("deliveries after 410: %+v", d)
	}
	// a disabled webhook gets nothing queued
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "f"})
	if d := h.deliveries(""); len(d) != 1 {
		t.Fatalf("queued for a disabled webhook: %+v", d)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h := start(t, server.Config{RetrySchedule: []time.Duration{time.Millisecond}})
	rcv := newReceiver(t, 503)
	rcv.headers = map[string]string{"Retry-After": "3600"}
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("the first attempt", func() bool { ds := h.deliveries(""); return len(ds) == 1 && ds[0].Attempts == 1 })
	d := h.deliveries("")[0]
	if wait := time.Until(d.NextAttemptAt.Time); d.Status != api.DeliveryPending || wait < 59*time.Minute {
		t.Fatalf("Retry-After: 3600 ignored: next attempt in %v (%+v)", wait, d)
	}
}

// TestWebhookChangeAppliesAtOnce: the dispatcher reuses what it read of a
// webhook, but a change made through the API applies to the next delivery.
func TestWebhookChangeAppliesAtOnce(t *testing.T) {
	h := start(t, server.Config{})
	before, after := newReceiver(t), newReceiver(t)
	h.integration("i", before.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	before.next(t)
	h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"name": "wh",
		"spec": map[string]any{"url": after.URL, "enabled": true, "headers": map[string]string{"X-Changed": "yes"}}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "b"})
	if got := after.next(t); got.header.Get("X-Changed") != "yes" {
		t.Fatalf("the changed webhook's header is missing: %v", got.header)
	}
}

// TestDisablingAWebhookStopsQueueing: what the Enqueuer read of a webhook
// is dropped when the webhook changes, so disabling it stops new
// deliveries at once and enabling it starts them again.
func TestDisablingAWebhookStopsQueueing(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	rcv.next(t)
	put := func(enabled bool) {
		h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"name": "wh", "spec": map[string]any{"url": rcv.URL, "enabled": enabled}})
	}
	put(false)
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "b"})
	if n := len(h.deliveries("")); n != 1 {
		t.Fatalf("%d deliveries after disabling the webhook; want the first one only", n)
	}
	put(true)
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "c"})
	if got := rcv.next(t); !strings.Contains(string(got.body), `"name":"c"`) {
		t.Fatalf("after enabling the webhook again, got %s", got.body)
	}
}

func TestMissingSecretAndDisabledWebhook(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, map[string]any{"auth": map[string]any{"secret": map[string]string{"name": "gone", "key": "k"}}},
		allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	got := rcv.next(t)
	if got.header.Get("Authorization") != "" {
		t.Fatal("sent an Authorization header without a secret")
	}
	h.waitFor("the attempt record", func() bool { return len(h.deliveries("status=succeeded")) == 1 })
	var full api.Delivery
	h.do("GET", "/deliveries/"+h.deliveries("")[0].ID, nil, &full)
	if !strings.Contains(full.History[0].Note, `"gone" was not found`) {
		t.Fatalf("the attempt does not say the secret was missing: %+v", full.History[0])
	}
}

func TestDestinationGuard(t *testing.T) {
	// A server told to refuse loopback and private destinations (as one
	// behind a reverse proxy on its host is) refuses them although it
	// listens on loopback.
	refuse := false
	h := start(t, server.Config{AllowPrivate: &refuse})
	rcv := newReceiver(t)
	// An address literal it refuses is refused when the webhook is saved,
	// with the flag that would allow it; nothing is stored.
	var e api.ErrorResponse
	h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": "lit"})
	if st := h.do("POST", mgmt+"/integrations/lit/webhooks", map[string]any{"name": "wh", "spec": map[string]any{"url": rcv.URL, "enabled": true}}, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "loopback") || !strings.Contains(e.Errors[0].Detail, "--allow-destination 127.0.0.0/8") {
		t.Fatalf("a refused literal was saved: %d %+v", st, e)
	}
	if st := h.do("GET", mgmt+"/integrations/lit/webhooks/wh", nil, nil); st != 404 {
		t.Fatalf("the refused webhook was stored: %d", st)
	}
	// A name is judged at dial time, on the address it resolves to.
	h.integration("i", strings.Replace(rcv.URL, "127.0.0.1", "localhost", 1), nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("the refusal", func() bool { ds := h.deliveries(""); return len(ds) == 1 && ds[0].Status == api.DeliveryFailed })
	d := h.deliveries("")[0]
	if !strings.Contains(d.LastError, "refused") || !strings.Contains(d.LastError, "--allow-destination") || rcv.count() != 0 {
		t.Fatalf("guard: %+v (received %d)", d, rcv.count())
	}
	// metadata addresses are refused when the webhook is saved
	h.do("POST", mgmt+"/integrations/i/webhooks", map[string]any{"name": "meta", "spec": map[string]any{"url": "http://169.254.169.254/latest", "enabled": true}}, nil)
	if st := h.do("POST", mgmt+"/integrations/i/webhooks", map[string]any{"name": "meta2", "spec": map[string]any{"url": "http://169.254.169.254/", "enabled": true}}, &e); st != 400 {
		t.Fatalf("metadata URL accepted: %d", st)
	}
}

// verifyWithPython checks a received signature with python3's hmac, an
// implementation that shares no code with ours.
func verifyWithPython(t *testing.T, secret string, got received) {
	t.Helper()
	const prog = `
import base64, hashlib, hmac, json, sys
d = json.load(sys.stdin)
key = base64.b64decode(d["secret"].removeprefix("whsec_"))
msg = (d["id"] + "." + d["ts"] + ".").encode() + base64.b64decode(d["body"])
want = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
sigs = [s.split(",", 1)[1] for s in d["sig"].split() if s.startswith("v1,")]
sys.exit(0 if any(hmac.compare_digest(want, s) for s in sigs) else 1)
`
	in, _ := json.Marshal(map[string]string{"secret": secret, "id": got.header.Get("webhook-id"),
		"ts": got.header.Get("webhook-timestamp"), "sig": got.header.Get("webhook-signature"), "body": encodeB64(got.body)})
	cmd := exec.Command("python3", "-I", "-c", prog)
	cmd.Stdin = strings.NewReader(string(in))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python3 does not accept the signature: %v %s", err, out)
	}
}

// A signing secret that cannot be parsed fails the attempt and says why,
// sending nothing unsigned; fixed, the next attempt is signed with it (the
// webhook's cached signer goes with the Secret's change).
func TestMalformedSigningSecret(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, map[string]any{"signing": map[string]string{"secret": "sig"}}, allTypes("Environment", nil))
	secret := func(current string) map[string]any {
		return map[string]any{"name": "sig", "spec": map[string]any{"data": map[string]string{"current": current}}}
	}
	// A missing signing Secret: nothing goes unsigned.
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "missing"})
	h.waitFor("the failed attempt", func() bool { ds := h.deliveries(""); return len(ds) == 1 && ds[0].Status == api.DeliveryFailed })
	if d := h.deliveries("")[0]; !strings.Contains(d.LastError, `the Secret "sig" was not found`) || !strings.Contains(d.LastError, "nothing is sent unsigned") || rcv.count() != 0 {
		t.Fatalf("attempt without its signing secret: %+v (received %d)", d, rcv.count())
	}
	h.must(201, "POST", mgmt+"/integrations/i/secrets", secret("whsec_not base64!"))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("the failed attempt", func() bool { return len(h.deliveries("status=failed")) == 2 })
	if d := h.deliveries("")[0]; !strings.Contains(d.LastError, "signing secret") || !strings.Contains(d.LastError, "base64") || rcv.count() != 0 {
		t.Fatalf("attempt with a malformed signing secret: %+v (received %d)", d, rcv.count())
	}

	good, err := signature.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	h.must(200, "PUT", mgmt+"/integrations/i/secrets/sig", secret(good))
	h.do("POST", "/deliveries/retry?status=failed", nil, nil)
	for range 2 {
		got := rcv.next(t)
		if err := signature.Verify([]string{good}, got.header, got.body, time.Now(), 0); err != nil {
			t.Fatalf("after the fix: %v", err)
		}
	}
}
