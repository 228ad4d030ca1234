package dispatch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/netguard"
)

// The sender uses the transport alone: a redirect is the answer, not
// followed, and a receiver that cannot be reached is named once, without
// net/http's "Post URL" prefix.
func TestSendRecordsWhatTheReceiverDid(t *testing.T) {
	redirect := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		t.Errorf("the redirect was followed to %s", r.URL.Path)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go redirect.Serve(ln)
	defer redirect.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()

	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	p := DefaultPolicy()
	send := func(url string) result {
		return s.send(context.Background(), &outgoing{webhook: &api.WebhookSpec{URL: url}, eventID: "ev", envelope: []byte(`{}`)}, p)
	}
	r := send("http://" + ln.Addr().String() + "/moved")
	if r.success || r.attempt.StatusCode != http.StatusFound || !strings.Contains(r.attempt.Error, "redirects are not followed; point the webhook at /elsewhere") {
		t.Errorf("302: %+v", r.attempt)
	}
	r = send("http://" + refused + "/hook")
	if r.attempt.ErrorClass != api.ErrorConnection || !r.out.retry ||
		!strings.HasPrefix(r.attempt.Error, "could not reach the receiver: dial tcp "+refused) || strings.Contains(r.attempt.Error, "Post") {
		t.Errorf("refused: %+v", r.attempt)
	}
}

// What a webhook's spec adds to a request is checked again when the
// webhook is read for sending (a spec saved before the API checked it,
// checkHeaders): a bad header is an attempt that failed for good, not a
// connection error retried for a day. The auth secret in the query is
// appended to the URL's own query as written. The receiver's headers are
// kept up to HeaderStoreLimit.
func TestSendChecksWhatTheSpecAdds(t *testing.T) {
	var gotQuery string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		for i := range 40 {
			w.Header().Set(fmt.Sprintf("X-Big-%02d", i), strings.Repeat("v", 1000))
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/hook"
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	send := func(o *outgoing) result { // as prepare makes it from a webhook read
		o.eventID, o.envelope = "ev", []byte(`{}`)
		o.buildErr = checkHeaders(o.webhook, o.authKey)
		return s.send(context.Background(), o, DefaultPolicy())
	}
	for name, o := range map[string]*outgoing{
		"line break in a header": {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"X-A": "a\r\nInjected: 1"}}},
		"bad header name":        {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"X A": "a"}}},
		"forged signature":       {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"webhook-signature": "v1,forged"}}},
		"auth over webhook-id": {webhook: &api.WebhookSpec{URL: url, Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
			Location: &api.WebhookLocation{In: "header", Name: "webhook-id"}}}, authKey: "s3cr3t"},
	} {
		r := send(o)
		if r.success || r.out.retry || !strings.HasPrefix(r.attempt.Error, "could not build the request") || strings.Contains(r.attempt.Error, "s3cr3t") {
			t.Errorf("%s: %+v retry=%v", name, r.attempt, r.out.retry)
		}
	}
	r := send(&outgoing{webhook: &api.WebhookSpec{URL: url + "?b=2&a=1;x&sig=a%2Fb", Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
		Location: &api.WebhookLocation{In: "query", Name: "token"}}}, authKey: "s3 cr/t"})
	if !r.success || gotQuery != "b=2&a=1;x&sig=a%2Fb&token=s3+cr%2Ft" {
		t.Errorf("auth in the query: %q, %+v", gotQuery, r.attempt)
	}
	size := 0
	for k, v := range r.attempt.ResponseHeaders {
		size += len(k) + len(v)
	}
	if size > HeaderStoreLimit || len(r.attempt.ResponseHeaders) == 0 || r.attempt.ResponseHeaders["X-Big-00"] == "" {
		t.Errorf("kept %d bytes of headers in %d, want at most %d, from X-Big-00 on", size, len(r.attempt.ResponseHeaders), HeaderStoreLimit)
	}
}
