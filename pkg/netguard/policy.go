package netguard

import (
	"fmt"
	"net/netip"
)

// Policy says which destinations outgoing webhook requests may reach.
// The zero Policy admits only public addresses. A Policy is read-only once
// in use; it is safe for concurrent use as long as Allow is not modified.
type Policy struct {
	// AllowPrivate admits loopback, private (RFC 1918, fc00::/7) and shared
	// (100.64.0.0/10) addresses. It is set when the server listens on
	// loopback only, a personal server whose webhooks go to the same
	// machine or home network, or by configuration.
	AllowPrivate bool

	// Allow lists prefixes admitted whatever their class (the
	// --allow-destination flag), except link-local, unspecified and cloud
	// metadata addresses, which nothing admits. IPv4-mapped IPv6 prefixes
	// match IPv4 addresses.
	Allow []netip.Prefix
}

// RefusedError reports a destination the Policy refuses. The dispatcher
// records it as the attempt's error, so its message names the reason and,
// where one exists, the flag that would admit the address.
type RefusedError struct {
	// Addr is the refused address as it was dialed.
	Addr netip.Addr
	// Reason says why, as a clause: "it is a private address".
	Reason string
	// Hint says how to admit the address, or that it cannot be admitted.
	Hint string
}

// Error returns "destination ADDR is refused: REASON; HINT".
func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("destination %s is refused: %s", e.Addr, e.Reason)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Check returns nil if ip may be dialed, and otherwise a *RefusedError.
//
// An address that embeds an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo)
// must pass twice: as the embedded IPv4 address, which is where a
// translator would deliver it, and as itself.
func (p Policy) Check(ip netip.Addr) error {
	r := p.check(ip)
	if r == nil {
		return nil
	}
	return &RefusedError{Addr: ip, Reason: "it " + r.clause, Hint: r.hint}
}

// refusal is a RefusedError in the making. clause is a verb phrase ("is a
// private address") so that an embedding can wrap it in another one.
type refusal struct {
	clause, hint string
}

func (p Policy) check(ip netip.Addr) *refusal {
	if !ip.IsValid() {
		return &refusal{clause: "is not a valid IP address"}
	}
	ip = ip.WithZone("")
	if v4, via, ok := embeddedIPv4(ip); ok {
		if r := p.check(v4); r != nil {
			r.clause = fmt.Sprintf("embeds %s by %s, which %s", v4, via, r.clause)
			return r
		}
		if ip.Is4In6() {
			return nil // it is v4, merely written as IPv6, and v4 passed
		}
	}
	s, ok := lookup(ip)
	switch {
	case !ok:
		return nil
	case s.class == metadata:
		return &refusal{"is " + s.what, "it cannot be allowed: it hands out the server's cloud credentials"}
	case s.class == never:
		return &refusal{"is " + s.what, "it cannot be allowed"}
	case p.allows(ip), s.class == private && p.AllowPrivate:
		return nil
	case s.class == private:
		return &refusal{"is " + s.what,
			fmt.Sprintf("start the server with --allow-destination %s to allow it", rangeFlag(s.prefix))}
	default:
		return &refusal{"is " + s.what,
			fmt.Sprintf("it cannot be allowed as a private destination, only by naming it: --allow-destination %s", rangeFlag(s.prefix))}
	}
}

// CheckAllow refuses an Allow prefix that could admit nothing: one inside a
// range that no Policy admits (link-local, unspecified, cloud metadata).
func CheckAllow(prefix netip.Prefix) error {
	prefix = unmapPrefix(prefix).Masked()
	for _, s := range specials {
		if s.class >= never && s.prefix.Bits() <= prefix.Bits() && s.prefix.Contains(prefix.Addr()) {
			return fmt.Errorf("%s is %s, which cannot be allowed", prefix, s.what)
		}
	}
	return nil
}

// unmapPrefix turns an IPv4-mapped IPv6 prefix into the IPv4 one it means.
func unmapPrefix(prefix netip.Prefix) netip.Prefix {
	if prefix.Addr().Is4In6() && prefix.Bits() >= 96 {
		return netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
	}
	return prefix
}

// rangeFlag suggests the flag value, inviting a narrower range when there
// is one: allowing all of 10.0.0.0/8 for one internal receiver is rarely
// what the operator wants.
func rangeFlag(prefix netip.Prefix) string {
	if prefix.IsSingleIP() {
		return prefix.String()
	}
	return prefix.String() + " (or a narrower range)"
}

// allows reports whether an Allow prefix contains ip (already unmapped).
// Prefixes are masked first, so 10.1.2.3/8 means 10.0.0.0/8 as the flag's
// user surely meant.
func (p Policy) allows(ip netip.Addr) bool {
	for _, prefix := range p.Allow {
		if unmapPrefix(prefix).Masked().Contains(ip) {
			return true
		}
	}
	return false
}
