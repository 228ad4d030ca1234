package netguard

import (
	"encoding/binary"
	"net/netip"
)

// class says how strongly an address range is refused.
type class int

const (
	// private ranges are refused unless Policy.AllowPrivate is set or an
	// Allow prefix contains the address: internal, but legitimately used
	// by a personal server or an on-premises deployment.
	private class = iota + 1
	// reserved ranges are never webhook destinations in a sane network;
	// only an explicit Allow prefix admits them.
	reserved
	// never ranges reach what no webhook should, whatever the operator
	// allows: link-local (where every cloud keeps its metadata service,
	// at addresses that differ by provider) and the unspecified address
	// (connecting to it reaches this host).
	never
	// metadata endpoints hand out the host's cloud credentials, the prize
	// of most SSRF attacks, so nothing admits them.
	metadata
)

// special is one address range that is not an ordinary public destination.
// what completes the sentence "it is ...".
type special struct {
	prefix netip.Prefix
	class  class
	what   string
}

func sp(prefix string, c class, what string) special {
	return special{netip.MustParsePrefix(prefix), c, what}
}

// specials is searched in order and the first match wins, so narrower
// entries (metadata addresses, 0.0.0.0, broadcast) precede the ranges that
// contain them. Sources: the IANA IPv4 and IPv6 special-purpose address
// registries (RFC 6890 and successors) and the cloud providers' docs.
var specials = []special{
	sp("169.254.169.254/32", metadata, "the cloud metadata endpoint (AWS, GCP, Azure, OCI and others)"),
	sp("169.254.170.2/32", metadata, "the AWS ECS task metadata endpoint"),
	sp("169.254.170.23/32", metadata, "the AWS EKS Pod Identity endpoint"),
	sp("fd00:ec2::254/128", metadata, "the AWS IPv6 metadata endpoint"),
	sp("fd00:ec2::23/128", metadata, "the AWS EKS Pod Identity IPv6 endpoint"),
	sp("fd20:ce::254/128", metadata, "the Google Cloud IPv6 metadata endpoint"),
	sp("fd00:42::42/128", metadata, "the Scaleway IPv6 metadata endpoint"),
	sp("100.100.100.200/32", metadata, "the Alibaba Cloud metadata endpoint"),
	sp("192.0.0.192/32", metadata, "the legacy Oracle Cloud metadata endpoint"),

	sp("0.0.0.0/32", never, "the unspecified address, which reaches this host"),
	sp("0.0.0.0/8", never, `in 0.0.0.0/8, which means "this network"`),
	sp("127.0.0.0/8", private, "a loopback address"),
	sp("10.0.0.0/8", private, "a private address"),
	sp("172.16.0.0/12", private, "a private address"),
	sp("192.168.0.0/16", private, "a private address"),
	sp("100.64.0.0/10", private, "a shared (carrier-grade NAT) address"),
	sp("169.254.0.0/16", never, "a link-local address, where cloud metadata services live"),
	sp("192.0.0.0/24", reserved, "reserved for IETF protocol assignments"),
	sp("192.0.2.0/24", reserved, "a documentation address"),
	sp("198.51.100.0/24", reserved, "a documentation address"),
	sp("203.0.113.0/24", reserved, "a documentation address"),
	sp("198.18.0.0/15", reserved, "a benchmarking address"),
	sp("224.0.0.0/4", reserved, "a multicast address"),
	sp("255.255.255.255/32", reserved, "the broadcast address"),
	sp("240.0.0.0/4", reserved, "a reserved address"),

	sp("::/128", never, "the unspecified address, which reaches this host"),
	sp("::1/128", private, "a loopback address"),
	sp("fe80::/10", never, "a link-local address, where cloud metadata services live"),
	sp("fec0::/10", private, "a site-local address"),
	sp("fc00::/7", private, "a unique local (private) address"),
	sp("64:ff9b:1::/48", private, "a local-use NAT64 address"),
	sp("ff00::/8", reserved, "a multicast address"),
	sp("2001:db8::/32", reserved, "a documentation address"),
	sp("3fff::/20", reserved, "a documentation address"),
	sp("2001:2::/48", reserved, "a benchmarking address"),
	sp("100::/64", reserved, "a discard-only address"),
}

// lookup returns the special range holding ip, if any. ip must be unmapped:
// an IPv4-mapped address never matches an IPv4 prefix.
func lookup(ip netip.Addr) (special, bool) {
	for _, s := range specials {
		if s.prefix.Contains(ip) {
			return s, true
		}
	}
	return special{}, false
}

var (
	siit      = netip.MustParsePrefix("::ffff:0:0:0/96")
	compat    = netip.MustParsePrefix("::/96")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
)

// embeddedIPv4 returns the IPv4 address that an IPv6 address carries and
// would deliver to, through a translator or tunnel that the network may
// have: ::ffff:a.b.c.d is a.b.c.d itself, SIIT translators take
// ::ffff:0:a.b.c.d to it, NAT64 gateways translate
// 64:ff9b::a.b.c.d, 6to4 relays reach 2002:aabb:ccdd::, and Teredo carries
// the client's address inverted in the last 32 bits. Without this,
// ::ffff:169.254.169.254 would pass as an unremarkable IPv6 address.
func embeddedIPv4(ip netip.Addr) (v4 netip.Addr, via string, ok bool) {
	if !ip.Is6() {
		return netip.Addr{}, "", false
	}
	b := ip.As16()
	last := [4]byte(b[12:16])
	switch {
	case ip.Is4In6():
		return ip.Unmap(), "IPv4 mapping (::ffff:0:0/96)", true
	case siit.Contains(ip):
		return netip.AddrFrom4(last), "IPv4 translation (::ffff:0:0:0/96)", true
	case compat.Contains(ip) && binary.BigEndian.Uint32(last[:]) > 1: // ::, ::1 are themselves
		return netip.AddrFrom4(last), "IPv4 compatibility (::/96)", true
	case nat64.Contains(ip):
		return netip.AddrFrom4(last), "NAT64 (64:ff9b::/96)", true
	case nat64Loc.Contains(ip):
		// RFC 8215 lets the operator pick the layout; /96 is the usual one.
		return netip.AddrFrom4(last), "local-use NAT64 (64:ff9b:1::/48)", true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4 (2002::/16)", true
	case teredo.Contains(ip):
		for i := range last {
			last[i] ^= 0xff
		}
		return netip.AddrFrom4(last), "Teredo (2001::/32)", true
	}
	return netip.Addr{}, "", false
}
