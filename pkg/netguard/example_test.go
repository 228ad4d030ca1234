package netguard_test

import (
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/centralhq/central/pkg/netguard"
)

// The dispatcher's client: every connection dials through the guard, the
// proxy is off (with one, the guard would check the proxy's address) and
// redirects are not followed, as the Standard Webhooks spec asks.
func ExamplePolicy_DialContext() {
	policy := netguard.Policy{
		AllowPrivate: false, // true for a server listening on loopback only
		Allow:        []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")},
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:       nil,
			DialContext: policy.DialContext(&net.Dialer{Timeout: 5 * time.Second}),
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	_ = client // deliveries to a refused address fail with a *netguard.RefusedError
}
