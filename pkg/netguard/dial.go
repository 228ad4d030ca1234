package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// Control has the signature of net.Dialer.Control. It refuses the
// connection when the resolved address fails Check. It sees every address
// the dialer tries, one at a time, so a name resolving to one public and one
// private address fails only on the private one.
//
// Anything but an IP literal with a port (a Unix socket path, say) is
// refused: the guard cannot judge it, and webhooks never need it.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("netguard: refusing %s connection to %q: not an IP address and port", network, address)
	}
	return p.Check(ap.Addr())
}

// DialContext returns d's DialContext with the guard installed, for use as
// http.Transport.DialContext. d is copied, not modified; nil means a zero
// net.Dialer. A control hook already on d still runs, after the guard.
//
// The transport must not use a proxy (set Proxy to nil): with one, the
// guard would check the proxy's address instead of the destination's.
func (p Policy) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := &net.Dialer{}
	if d != nil {
		*guarded = *d
	}
	prevCtx, prev := guarded.ControlContext, guarded.Control
	// Dialer ignores Control when ControlContext is set, so the guard goes
	// into ControlContext and chains whichever hook was there before.
	guarded.Control = nil
	guarded.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if err := p.Control(network, address, c); err != nil {
			return err
		}
		switch {
		case prevCtx != nil:
			return prevCtx(ctx, network, address, c)
		case prev != nil:
			return prev(network, address, c)
		}
		return nil
	}
	return guarded.DialContext
}
