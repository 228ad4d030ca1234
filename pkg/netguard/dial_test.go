package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Every dial in these tests goes to a listener on loopback that the test
// started; refusals of other addresses are tested by calling Control
// directly, so not even a refused SYN leaves the machine.

// noDNS makes name resolution use /etc/hosts only: a DNS query would be
// traffic to an address the test did not start.
var noDNS = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("test resolver: DNS disabled")
}}

// server counts the requests that reach it, to prove refusals happen before
// any request is sent.
func server(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// get requests rawURL through a transport that dials via p, as the
// dispatcher's does: no proxy, no redirects.
func get(t *testing.T, p Policy, d *net.Dialer, rawURL string) error {
	t.Helper()
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: p.DialContext(d), DisableKeepAlives: true},
		Timeout:   10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Get(rawURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return nil
}

func wantRefused(t *testing.T, err error, addr string) {
	t.Helper()
	var ue *url.Error
	var refused *RefusedError
	if !errors.As(err, &ue) || !errors.As(err, &refused) {
		t.Fatalf("err = %v, want a *RefusedError inside a *url.Error", err)
	}
	if refused.Addr != netip.MustParseAddr(addr) {
		t.Fatalf("refused %s, want %s", refused.Addr, addr)
	}
}

func TestDialLoopback(t *testing.T) {
	srv, hits := server(t)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server at %s, want 127.0.0.1", srv.URL)
	}
	if err := get(t, Policy{AllowPrivate: true}, nil, srv.URL); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	if err := get(t, Policy{Allow: prefixes("127.0.0.1/32")}, nil, srv.URL); err != nil {
		t.Fatalf("Allow 127.0.0.1/32: %v", err)
	}
	wantRefused(t, get(t, Policy{}, nil, srv.URL), "127.0.0.1")
	if n := hits.Load(); n != 2 {
		t.Fatalf("server saw %d requests, want 2: the refused one must not arrive", n)
	}
}

// A host name is judged by the address it resolves to at dial time, which
// is what defeats DNS rebinding: the name is never trusted.
func TestDialLocalhostName(t *testing.T) {
	srv, hits := server(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	byName := "http://localhost:" + port
	d := &net.Dialer{Resolver: noDNS}

	err := get(t, Policy{}, d, byName)
	var refused *RefusedError
	if !errors.As(err, &refused) || !refused.Addr.IsLoopback() {
		t.Fatalf("localhost without AllowPrivate: err = %v, want a loopback *RefusedError", err)
	}
	// The same name works when private destinations are allowed, so the
	// refusal above came from the guard, not from a resolution failure.
	if err := get(t, Policy{AllowPrivate: true}, d, byName); err != nil {
		t.Fatalf("localhost with AllowPrivate: %v", err)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("server saw %d requests, want 1", n)
	}
}

func TestDialContextChainsExistingControl(t *testing.T) {
	srv, _ := server(t)
	var calls atomic.Int32
	d := &net.Dialer{Control: func(string, string, syscall.RawConn) error {
		calls.Add(1)
		return nil
	}}
	if err := get(t, Policy{AllowPrivate: true}, d, srv.URL); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, get(t, Policy{}, d, srv.URL), "127.0.0.1")
	if n := calls.Load(); n != 1 {
		t.Fatalf("existing Control ran %d times, want once (and not for the refused dial)", n)
	}
	if d.ControlContext != nil {
		t.Fatal("DialContext modified the caller's dialer")
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		network, address string
		policy           Policy
		refused          bool
	}{
		{"tcp4", "10.0.0.5:443", Policy{}, true},
		{"tcp4", "10.0.0.5:443", Policy{AllowPrivate: true}, false},
		{"tcp6", "[::ffff:169.254.169.254]:80", Policy{AllowPrivate: true}, true},
		{"tcp6", "[fe80::1%eth0]:80", Policy{AllowPrivate: true}, true},
		{"tcp4", "93.184.215.14:443", Policy{}, false},
	}
	for _, tt := range tests {
		err := tt.policy.Control(tt.network, tt.address, nil)
		var refused *RefusedError
		if errors.As(err, &refused) != tt.refused || !tt.refused && err != nil {
			t.Errorf("Control(%s, %s) = %v, refused want %v", tt.network, tt.address, err, tt.refused)
		}
	}
	if err := (Policy{AllowPrivate: true}).Control("unix", "/run/docker.sock", nil); err == nil {
		t.Error("Control accepted a Unix socket")
	}
}
