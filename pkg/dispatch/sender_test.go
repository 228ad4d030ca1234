package dispatch

import (
	"context"
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
