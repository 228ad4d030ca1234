package console_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/centralhq/central/pkg/api"
)

// TestScreenshots saves a full-page screenshot of each main page at desktop
// and phone widths into $CENTRAL_CONSOLE_SCREENSHOTS, for a person to look
// at after a change to the templates or the stylesheet:
//
//	CENTRAL_CONSOLE_SCREENSHOTS=/tmp/shots go test ./pkg/console -run Screenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CENTRAL_CONSOLE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set CENTRAL_CONSOLE_SCREENSHOTS to a directory to take screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	e := newEnv(t)
	bad := newReceiver(t, http.StatusInternalServerError)
	good := newReceiver(t, http.StatusNoContent)
	monitored(e, bad.URL+"/a/rather/long/path/to/show/how/urls/wrap/on/small/screens")
	e.must("POST", mgmt+"/integrations/monitor/webhooks", map[string]any{"name": "audit-log", "title": "Audit log",
		"spec": map[string]any{"url": good.URL, "enabled": true}})
	e.must("POST", mgmt+"/integrations/monitor/resourcehooks", map[string]any{"name": "audit",
		"spec": api.ResourceHookSpec{Webhooks: []string{"audit-log"}, Triggers: []api.Trigger{
			{Group: "management", Kind: "*", Name: "*", Type: []string{"created", "updated", "deleted"}}}}})
	const env = mgmt + "/environments/demo"
	e.must("POST", mgmt+"/environments", map[string]any{"name": "demo", "title": "Demo"})
	e.must("POST", env+"/webhooks", map[string]any{"name": "approvals", "spec": map[string]any{"url": good.URL, "enabled": false}})
	e.must("POST", env+"/consumersubscriptiondefs", map[string]any{"name": "custom", "spec": map[string]any{
		"webhooks": []string{"approvals"}, "schema": map[string]any{"properties": []map[string]any{{"key": "profile", "value": map[string]any{
			"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
			"properties": map[string]any{"team": map[string]any{"type": "string"}}}}}}}})
	e.must("POST", env+"/consumerinstances", map[string]any{"name": "petstore", "spec": map[string]any{
		"subscription": map[string]any{"enabled": true, "subscriptionDefinition": "custom"}}})
	for _, n := range []string{"alice", "bob"} {
		e.must("POST", env+"/subscriptions", map[string]any{"name": n, "spec": map[string]any{"consumerInstance": "petstore",
			"properties": map[string]any{"profile": map[string]any{"team": "payments"}}}})
	}
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) > 0 })
	failed := e.deliveries("status=failed")[0]

	b.do("sign in",
		chromedp.Navigate(e.URL+"/console/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
	)
	shoot(t, b, dir, "login")
	b.do("sign in",
		chromedp.SendKeys(chromedp.ID("token"), e.srv.Token()),
		chromedp.Click(chromedp.CSS("form.stack button[type=submit]")),
		chromedp.WaitVisible(`//h1[text()="Webhooks"]`),
	)
	pages := map[string]string{
		"webhooks":      "/console/webhooks",
		"webhook":       "/console/webhooks/Integration/monitor/jira",
		"webhook-new":   "/console/webhooks/new",
		"deliveries":    "/console/deliveries",
		"delivery":      "/console/deliveries/" + failed.ID,
		"event":         fmt.Sprintf("/console/events/%d", failed.SequenceID),
		"retry-confirm": "/console/deliveries/retry?since=1h",
		"resources":     "/console/resources",
		"resource-list": "/console/resources/management/webhooks",
		"resource":      "/console/resources/management/environments/demo",
		"subscriptions": "/console/subscriptions",
	}
	for name, path := range pages {
		b.do("open "+path, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.URL+path))
		shoot(t, b, dir, name+"-1280")
		b.do("open "+path, chromedp.EmulateViewport(375, 800), chromedp.Navigate(e.URL+path))
		shoot(t, b, dir, name+"-375")
	}
}

func shoot(t *testing.T, b *browser, dir, name string) {
	t.Helper()
	png := value(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", path)
}
