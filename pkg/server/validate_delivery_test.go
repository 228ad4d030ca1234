package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// A webhook's own User-Agent in spec.headers is what the receiver gets, as
// any other header of spec.headers.
func TestWebhookUserAgentIsSentAsGiven(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL+"/hook", map[string]any{"headers": map[string]string{"User-Agent": "mine"}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "prod"})
	if got := rcv.next(t).header.Values("User-Agent"); len(got) != 1 || got[0] != "mine" {
		t.Errorf("User-Agent %q, want mine", got)
	}
}

// A spec.delivery outside the bounds and a URL whose host is an IPv4
// address in a form only browsers and curl read are refused when the
// webhook is saved, whether by POST, PUT or PATCH, with a 400 that points
// at the field and says what to write instead; what is stored stays.
func TestWebhookDeliveryAndURLAreBoundedWhenSaved(t *testing.T) {
	h := start(t, server.Config{})
	h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": "i"})
	base := mgmt + "/integrations/i/webhooks"
	good := map[string]any{"url": "http://127.0.0.1:9/hook", "enabled": true, "delivery": map[string]any{"retrySchedule": []string{"10s", "1m"}, "maxInFlight": 2}}
	h.must(201, "POST", base, map[string]any{"name": "kept", "spec": good})
	stored := h.storedWebhook("kept")

	zeros := make([]string, 200)
	for i := range zeros {
		zeros[i] = "0s"
	}
	for _, c := range []struct {
		member  string // the member of spec the change sets
		value   any
		pointer string
		detail  string
	}{
		{"delivery", map[string]any{"retrySchedule": zeros}, "/spec/delivery/retrySchedule", "retrySchedule lists 200 delays, more than 20"},
		{"delivery", map[string]any{"retrySchedule": []string{"100000h"}}, "/spec/delivery/retrySchedule/0", `retrySchedule[0] is "100000h", longer than 24h`},
		{"delivery", map[string]any{"retrySchedule": []string{"5s", "0s"}}, "/spec/delivery/retrySchedule/1", `retrySchedule[1] is "0s", shorter than 1s`},
		{"delivery", map[string]any{"connectTimeout": "soon"}, "/spec/delivery/connectTimeout", `connectTimeout "soon" is not a positive duration`},
		{"delivery", map[string]any{"maxInFlight": -1}, "/spec/delivery/maxInFlight", "maxInFlight is -1; give a number of requests from 1 to 1000"},
		{"delivery", map[string]any{"maxInFlight": 1000000}, "/spec/delivery/maxInFlight", "maxInFlight is 1000000, more than 1000"},
		{"url", "http://2852039166/", "/spec/url", "169.254.169.254 written as one number"},
		{"url", "http://0xa9fea9fe/", "/spec/url", "169.254.169.254 written as one hexadecimal number"},
		{"url", "http://0251.0376.0251.0376/", "/spec/url", "169.254.169.254 written with octal parts"},
		{"url", "http://127.1:8080/", "/spec/url", "write the address in dotted-decimal form, 127.0.0.1, which is then subject to the destination rules"},
		{"url", "http://2130706433:8080/", "/spec/url", "dotted-decimal form, 127.0.0.1"},
		{"url", "http://0/", "/spec/url", "0.0.0.0 written as one number"},
		{"url", "http://0.0.0.0.:8080/", "/spec/url", "0.0.0.0 written with a trailing dot"},
	} {
		spec := map[string]any{"url": "http://127.0.0.1:9/hook", "enabled": true, c.member: c.value}
		patch := []map[string]any{{"op": "add", "path": "/spec/" + c.member, "value": c.value}}
		for _, write := range []struct {
			method, path string
			body         any
		}{
			{"POST", base, map[string]any{"name": "new", "spec": spec}},
			{"PUT", base + "/kept", map[string]any{"name": "kept", "spec": spec}},
			{"PATCH", base + "/kept", patch},
		} {
			st, e := h.write(write.method, write.path, write.body)
			if st != http.StatusBadRequest || len(e.Errors) == 0 || e.Errors[0].Source["pointer"] != c.pointer || !strings.Contains(e.Errors[0].Detail, c.detail) {
				t.Errorf("%s %s with %s %v: %d %+v, want 400 at %s mentioning %q", write.method, write.path, c.member, c.value, st, e, c.pointer, c.detail)
			}
		}
	}
	if st := h.do("GET", base+"/new", nil, nil); st != http.StatusNotFound {
		t.Errorf("a refused webhook was stored: %d", st)
	}
	if got := h.storedWebhook("kept"); !bytes.Equal(got, stored) {
		t.Errorf("a refused change was stored: %s, was %s", got, stored)
	}

	// Names with digits in them are names, and bounds are not refusals.
	for i, url := range []string{"https://1.example.com/hook", "https://123abc.io/hook", "https://0x1f.example.com/", "http://8.8.8.8/"} {
		h.must(201, "POST", base, map[string]any{"name": "name" + string(rune('a'+i)), "spec": map[string]any{"url": url, "enabled": true}})
	}
	h.must(201, "POST", base, map[string]any{"name": "bounds", "spec": map[string]any{"url": "https://hooks.example.com/", "enabled": true,
		"delivery": map[string]any{"retrySchedule": []string{"5s", "5m", "30m", "2h", "5h", "10h", "14h", "20h", "24h"}, "maxInFlight": 1000}}})
}

// write sends a POST, PUT or PATCH (a JSON Patch) and decodes the error.
func (h *harness) write(method, path string, body any) (int, api.ErrorResponse) {
	h.t.Helper()
	var e api.ErrorResponse
	if method != "PATCH" {
		return h.do(method, path, body, &e), e
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, h.srv.URL()+path, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	req.Header.Set("Content-Type", api.PatchMediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(out, &e)
	return resp.StatusCode, e
}

// storedWebhook reads a webhook of Integration i, metadata and all.
func (h *harness) storedWebhook(name string) json.RawMessage {
	h.t.Helper()
	var res json.RawMessage
	if st := h.do("GET", mgmt+"/integrations/i/webhooks/"+name, nil, &res); st != http.StatusOK {
		h.t.Fatalf("GET webhook %s: %d", name, st)
	}
	return res
}
