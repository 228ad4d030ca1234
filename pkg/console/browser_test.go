package console_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/centralhq/central/pkg/api"
)

// chromiumPath is Debian's chromium, which CI installs (apt-get install -y
// chromium).
const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium tab for one test.
type browser struct {
	t *testing.T
	// tab lives as long as the test; steps derive their deadlines from all,
	// which bounds the whole test.
	tab context.Context
	all context.Context
}

// newBrowser starts Chromium with a fresh profile. Without Chromium the test
// is skipped, except in CI, where it must run.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI must install it: apt-get update && apt-get install -y chromium", chromiumPath)
		}
		t.Skipf("%s is missing; install it to run the browser tests: apt-get update && apt-get install -y chromium", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// The allocator waits this long at most for Chromium to start.
		chromedp.WSURLReadTimeout(20 * time.Second),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first Do starts the browser and ties it to its context: a
	// deadline on this call would kill the browser when it passed (the
	// allocator's own timeout bounds the start).
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	all, cancelAll := context.WithTimeout(tab, 45*time.Second)
	t.Cleanup(cancelAll)
	b := &browser{t: t, tab: tab, all: all}
	t.Cleanup(b.screenshotOnFailure)
	return b
}

// stepTimeout bounds every step; all bounds the whole test.
const stepTimeout = 10 * time.Second

// do performs steps within stepTimeout.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.all, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// value runs an action that returns a value, within stepTimeout.
func value[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.all, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshotOnFailure saves what the browser shows when the test failed,
// where the log says: t.TempDir would be gone by the time anyone looks.
func (b *browser) screenshotOnFailure() {
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("console-%s-%d.png", strings.ReplaceAll(b.t.Name(), "/", "_"), time.Now().UnixNano()))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot of %s at the failure: %s", loc, path)
}

// waitForText reloads url until the text of the first element matching the
// CSS selector sel contains want: the dispatcher's progress shows only on a
// new page.
func (b *browser) waitForText(url string, sel chromedp.CSS, want string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.all, 15*time.Second)
	defer cancel()
	var got string
	for {
		err := chromedp.Do(ctx, chromedp.Navigate(url))
		if err == nil {
			var text string
			if text, err = chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible)); err == nil {
				got = text
			}
		}
		if err == nil && strings.Contains(got, want) {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("waiting for %q in %s of %s: got %q (%v)", want, sel, url, got, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// unlabelledControls lists the form controls a screen reader could not
// name: no <label>, no aria-label, no aria-labelledby.
const unlabelledControls = `Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML)`

// overflow is how far the page is wider than the window.
const overflow = `document.documentElement.scrollWidth - window.innerWidth`

func (b *browser) checkLabels(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
	if bad := value(b, "labels of "+url, chromedp.Evaluate[[]string](unlabelledControls)); len(bad) > 0 {
		b.t.Errorf("%s: form controls without a label: %v", url, bad)
	}
}

func (b *browser) checkNoOverflow(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
	if extra := value(b, "width of "+url, chromedp.Evaluate[int](overflow)); extra > 0 {
		b.t.Errorf("%s is %d px wider than the window", url, extra)
	}
}

// TestBrowserDeliveryFlow goes through the console as a person would: sign
// in, add a webhook with the form, see its delivery fail, fix the receiver,
// retry from the page and see it succeed.
func TestBrowserDeliveryFlow(t *testing.T) {
	b := newBrowser(t)
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/integrations/monitor/resourcehooks", map[string]any{"name": "envs",
		"spec": api.ResourceHookSpec{Webhooks: []string{"recv"}, Triggers: []api.Trigger{
			{Group: "management", Kind: "Environment", Name: "*", Type: []string{"created"}}}}})

	b.do("sign in",
		chromedp.Navigate(e.URL+"/console/webhooks"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), e.srv.Token()),
		chromedp.Click(chromedp.CSS("form.stack button[type=submit]")),
		chromedp.WaitVisible(`//h1[text()="Webhooks"]`),
	)

	b.do("add a webhook with the form",
		chromedp.Click(`//a[text()="Add webhook"]`),
		chromedp.WaitVisible(chromedp.ID("scope")),
		chromedp.SetValue(chromedp.ID("scope"), "Integration/monitor"),
		chromedp.SendKeys(chromedp.ID("name"), "recv"),
		chromedp.SendKeys(chromedp.ID("url"), rcv.URL+"/hook"),
		chromedp.SendKeys(chromedp.ID("headers"), "X-Source: console"),
		chromedp.Click(`//button[text()="Add webhook"]`),
		chromedp.WaitVisible(`//h1[text()="Webhook recv"]`),
		// The hook made before the webhook now shows as sending to it.
		chromedp.WaitVisible(`//a[text()="envs"]`),
	)

	e.must("POST", mgmt+"/environments", map[string]any{"name": "staging"})
	list := e.URL + "/console/deliveries?webhook=Integration/monitor/recv"
	b.waitForText(list, "tbody .badge", "failed")

	b.do("open the failed delivery",
		chromedp.Click(chromedp.CSS("tbody a.id")),
		chromedp.WaitVisible(`//h2[text()="Attempts"]`),
	)
	attempt := value(b, "read the attempt", chromedp.Text(chromedp.CSS("ol.attempts")))
	if !strings.Contains(attempt, "HTTP 500") || !strings.Contains(attempt, "receiver says no") {
		t.Fatalf("the attempt does not show the receiver's answer: %q", attempt)
	}

	rcv.answer(http.StatusNoContent)
	b.do("retry it",
		chromedp.Click(`//button[text()="Retry now"]`),
		chromedp.WaitVisible(chromedp.CSS(".flash-ok")),
	)
	here := value(b, "where", chromedp.Location())
	b.waitForText(here, "dl.facts .badge", "succeeded")
	b.waitForText(list, "tbody .badge", "succeeded")

	b.do("open its event",
		chromedp.Navigate(here),
		chromedp.Click(chromedp.CSS(`dl.facts a[href^="/console/events/"]`)),
		chromedp.WaitVisible(`//h2[text()="Envelope"]`),
	)
	event := value(b, "where", chromedp.Location())

	for _, path := range []string{"/console/webhooks", "/console/webhooks/new", "/console/webhooks/Integration/monitor/recv",
		"/console/deliveries", "/console/resources/management/webhooks"} {
		b.checkLabels(e.URL + path)
	}

	b.do("phone width", chromedp.EmulateViewport(375, 800))
	for _, path := range []string{"/console/webhooks", "/console/webhooks/Integration/monitor/recv", "/console/deliveries", here[len(e.URL):], event[len(e.URL):]} {
		b.checkNoOverflow(e.URL + path)
	}
}
