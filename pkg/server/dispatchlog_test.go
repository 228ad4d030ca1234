package server_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/centralhq/central/internal/testlog"
	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// startLogged is start with the server's log kept, at Debug, in logs.
func startLogged(t *testing.T, cfg server.Config, logs *testlog.Buffer) *harness {
	t.Helper()
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return start(t, cfg)
}

// finish waits for the one delivery to leave pending, then stops the
// server, so that every log line about it has been written, and returns
// the delivery.
func (h *harness) finish(status api.DeliveryStatus) api.Delivery {
	h.t.Helper()
	h.waitFor("the delivery to finish", func() bool {
		ds := h.deliveries("")
		return len(ds) == 1 && ds[0].Status != api.DeliveryPending
	})
	d := h.deliveries("")[0]
	h.stop()
	if d.Status != status {
		h.t.Fatalf("delivery %s, want %s: %+v", d.Status, status, d)
	}
	return d
}

// linesFor returns the lines with message msg about the delivery id.
func linesFor(lines []map[string]any, msg, id string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg && l["delivery"] == id {
			out = append(out, l)
		}
	}
	return out
}

// warnings returns the lines logged at Warn or above about the delivery
// id, or saying a delivery failed.
func warnings(lines []map[string]any, id string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["level"] == "DEBUG" || l["level"] == "INFO" {
			continue
		}
		if l["delivery"] == id || l["msg"] == "delivery failed" {
			out = append(out, l)
		}
	}
	return out
}

// num reads a JSON number attr as an int (-1 when missing).
func num(l map[string]any, key string) int {
	if f, ok := l[key].(float64); ok {
		return int(f)
	}
	return -1
}

func TestDeliveryLogFailedOnce(t *testing.T) {
	logs := &testlog.Buffer{}
	h := startLogged(t, server.Config{}, logs)
	rcv := newReceiver(t, 400) // not retried
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	d := h.finish(api.DeliveryFailed)

	lines := logs.Lines(t)
	failed := linesFor(lines, "delivery failed", d.ID)
	if len(failed) != 1 {
		t.Fatalf("%d \"delivery failed\" lines for %s, want 1: %v", len(failed), d.ID, lines)
	}
	l := failed[0]
	if l["level"] != "WARN" || num(l, "statusCode") != 400 || num(l, "attempt") != 1 ||
		l["errorClass"] != string(api.ErrorHTTP) || !strings.Contains(l["error"].(string), "400") ||
		l["event"] != d.EventID || fmt.Sprint(l["webhook"]) != "map[name:wh scopeKind:Integration scopeName:i]" {
		t.Fatalf("delivery failed line: %v", l)
	}
	if w := warnings(lines, d.ID); len(w) != 1 {
		t.Fatalf("warnings, want only the one: %v", w)
	}
	if a := linesFor(lines, "delivery attempt", d.ID); len(a) != 1 || a[0]["level"] != "DEBUG" || num(a[0], "statusCode") != 400 {
		t.Fatalf("attempt lines: %v", a)
	}
}

func TestDeliveryLogRetriesThenFailed(t *testing.T) {
	logs := &testlog.Buffer{}
	h := startLogged(t, server.Config{}, logs) // two retries: three attempts
	rcv := newReceiver(t, 500, 503, 500)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	d := h.finish(api.DeliveryFailed)

	lines := logs.Lines(t)
	attempts := linesFor(lines, "delivery attempt", d.ID)
	if len(attempts) != 3 {
		t.Fatalf("%d attempt lines, want 3: %v", len(attempts), attempts)
	}
	for i, a := range attempts {
		retried := i < 2
		if a["level"] != "DEBUG" || num(a, "attempt") != i+1 || num(a, "statusCode") != []int{500, 503, 500}[i] ||
			a["errorClass"] != string(api.ErrorHTTP) || (a["nextAttemptAt"] != nil) != retried {
			t.Fatalf("attempt line %d: %v", i+1, a)
		}
	}
	failed := linesFor(lines, "delivery failed", d.ID)
	if len(failed) != 1 || failed[0]["level"] != "WARN" || num(failed[0], "attempt") != 3 || num(failed[0], "statusCode") != 500 {
		t.Fatalf("delivery failed lines: %v", failed)
	}
	if w := warnings(lines, d.ID); len(w) != 1 {
		t.Fatalf("warnings, want only the one: %v", w)
	}
}

func TestDeliveryLogSuccessAtDebug(t *testing.T) {
	logs := &testlog.Buffer{}
	h := startLogged(t, server.Config{}, logs)
	rcv := newReceiver(t) // 204
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	d := h.finish(api.DeliverySucceeded)

	lines := logs.Lines(t)
	attempts := linesFor(lines, "delivery attempt", d.ID)
	if len(attempts) != 1 {
		t.Fatalf("%d attempt lines, want 1: %v", len(attempts), lines)
	}
	if a := attempts[0]; a["level"] != "DEBUG" || num(a, "statusCode") != 204 || num(a, "attempt") != 1 ||
		a["status"] != string(api.DeliverySucceeded) || a["errorClass"] != nil || a["event"] != d.EventID {
		t.Fatalf("attempt line: %v", a)
	}
	for _, l := range lines {
		if l["delivery"] == d.ID && l["level"] != "DEBUG" {
			t.Fatalf("a success logged above Debug: %v", l)
		}
	}
	if w := warnings(lines, d.ID); len(w) != 0 {
		t.Fatalf("warnings for a success: %v", w)
	}
}

// A disabled webhook's pending deliveries fail as they come due: one line
// per webhook and batch counts them, not one each.
func TestDeliveryLogDisabledWebhookCounted(t *testing.T) {
	logs := &testlog.Buffer{}
	h := startLogged(t, server.Config{}, logs)
	rcv := newReceiver(t, 503, 503, 503)
	h.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"retrySchedule": []string{"1s"}}}, allTypes("Environment", nil))
	for _, name := range []string{"a", "b", "c"} {
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": name})
	}
	h.waitFor("the three first attempts", func() bool { return rcv.count() == 3 })
	h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": false}})
	h.waitFor("the three to fail", func() bool { return len(h.deliveries("status=failed")) == 3 })
	h.stop()
	counted := 0
	for _, l := range logs.Lines(t) {
		switch l["msg"] {
		case "delivery failed":
			t.Errorf("a disabled webhook's delivery logged on its own: %v", l)
		case "deliveries failed: their webhook is disabled or deleted":
			counted += num(l, "count")
		}
	}
	if counted != 3 {
		t.Errorf("the lines count %d deliveries, want 3", counted)
	}
}
