package netguard

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestCheck(t *testing.T) {
	var (
		none    = Policy{}
		private = Policy{AllowPrivate: true}
		allowed = Policy{Allow: prefixes("10.1.0.0/16", "169.254.0.0/16", "2001:db8::/32", "::ffff:192.168.7.0/120")}
		all     = Policy{Allow: prefixes("0.0.0.0/0", "::/0"), AllowPrivate: true}
	)
	tests := []struct {
		policy Policy
		addr   string
		want   string // "" means allowed, else a fragment of the reason
	}{
		// Public addresses, in every form, pass the strictest policy.
		{none, "8.8.8.8", ""},
		{none, "2606:4700:4700::1111", ""},
		{none, "::ffff:8.8.8.8", ""},
		{none, "64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{none, "2002:808:808::1", ""},  // 6to4 of 8.8.8.8
		{none, "172.32.0.1", ""},       // just past 172.16.0.0/12
		{none, "100.128.0.1", ""},      // just past 100.64.0.0/10
		{none, "198.20.0.1", ""},       // just past 198.18.0.0/15

		// Refused unless AllowPrivate or Allow.
		{none, "127.0.0.1", "loopback"},
		{none, "127.255.255.254", "loopback"},
		{none, "::1", "loopback"},
		{none, "10.0.0.5", "private"},
		{none, "172.16.0.1", "private"},
		{none, "172.31.255.255", "private"},
		{none, "192.168.1.1", "private"},
		{none, "fd12:3456::1", "unique local"},
		{none, "fec0::1", "site-local"},
		{none, "100.64.0.1", "carrier-grade NAT"},
		{none, "100.127.255.254", "carrier-grade NAT"},
		{none, "64:ff9b:1::808:808", "local-use NAT64"},
		{private, "127.0.0.1", ""},
		{private, "::1", ""},
		{private, "10.0.0.5", ""},
		{private, "fd12:3456::1", ""},
		{private, "100.64.0.1", ""},

		// Always refused, AllowPrivate or not.
		{private, "169.254.169.254", "cloud metadata"},
		{private, "fd00:ec2::254", "AWS IPv6 metadata"},
		{private, "100.100.100.200", "Alibaba"},
		{private, "169.254.1.1", "link-local"},
		{private, "fe80::1", "link-local"},
		{private, "fe80::1%eth0", "link-local"},
		{private, "224.0.0.1", "multicast"},
		{private, "239.255.255.250", "multicast"},
		{private, "ff02::1", "multicast"},
		{private, "0.0.0.0", "unspecified"},
		{private, "::", "unspecified"},
		{private, "0.1.2.3", "this network"},
		{private, "255.255.255.255", "broadcast"},
		{private, "240.0.0.1", "reserved"},
		{private, "192.0.0.8", "IETF protocol"},
		{private, "192.0.2.1", "documentation"},
		{private, "198.51.100.7", "documentation"},
		{private, "203.0.113.9", "documentation"},
		{private, "198.18.0.1", "benchmarking"},
		{private, "198.19.255.255", "benchmarking"},
		{private, "2001:db8::1", "documentation"},
		{private, "100::1", "discard-only"},

		// IPv4 hidden in IPv6 is judged as the IPv4 address.
		{none, "::ffff:169.254.169.254", "embeds 169.254.169.254 by IPv4 mapping"},
		{private, "::ffff:169.254.169.254", "cloud metadata"},
		{none, "::ffff:10.0.0.1", "private"},
		{private, "::ffff:10.0.0.1", ""},
		{none, "::ffff:127.0.0.1", "loopback"},
		{private, "::a9fe:a9fe", "IPv4 compatibility"},
		{private, "64:ff9b::a9fe:a9fe", "NAT64"},
		{none, "64:ff9b::a00:1", "private"},
		{private, "64:ff9b::a00:1", ""},
		{private, "64:ff9b:1::a9fe:a9fe", "cloud metadata"},
		{private, "2002:a9fe:a9fe::1", "6to4"},
		{none, "2002:c0a8:101::1", "private"},
		{private, "2001:0:4136:e378:8000:63bf:3fff:fdd2", "embeds 192.0.2.45 by Teredo"}, // RFC 4380's example

		// An explicit Allow wins over every class but link-local,
		// unspecified and metadata.
		{allowed, "10.1.2.3", ""},
		{allowed, "10.2.0.1", "private"},
		{allowed, "169.254.1.1", "link-local"},
		{allowed, "169.254.42.42", "link-local"}, // Scaleway's metadata
		{allowed, "169.254.169.254", "cloud metadata"},
		{allowed, "::ffff:169.254.169.254", "cloud metadata"},
		{allowed, "2001:db8::1", ""},
		{allowed, "192.168.7.9", ""}, // allowed by an IPv4-mapped prefix
		{allowed, "192.168.8.9", "private"},
		{all, "224.0.0.1", ""},
		{all, "0.0.0.0", "unspecified"},
		{all, "::", "unspecified"},
		{all, "0.1.2.3", "this network"},
		{all, "fe80::1", "link-local"},
		{all, "fd20:ce::254", "Google Cloud IPv6 metadata"},
		{all, "fd00:42::42", "Scaleway IPv6 metadata"},
		{all, "fd20:ce::253", ""},
		{all, "::ffff:0:a9fe:a9fe", "embeds 169.254.169.254 by IPv4 translation"},
		{none, "::ffff:0:7f00:1", "loopback"},
		{private, "::ffff:0:808:808", ""},
		{all, "169.254.170.2", "ECS task metadata"},
		{all, "fd00:ec2::254", "metadata"},
		{all, "100.100.100.200", "metadata"},
		{all, "64:ff9b::a9fe:a9fe", "metadata"},
		{all, "2002:a9fe:a9fe::", "metadata"},
	}
	for _, tt := range tests {
		addr := netip.MustParseAddr(tt.addr)
		err := tt.policy.Check(addr)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v.Check(%s) = %v, want allowed", tt.policy, tt.addr, err)
			}
			continue
		}
		var refused *RefusedError
		if !errors.As(err, &refused) {
			t.Errorf("%+v.Check(%s) = %v, want a *RefusedError", tt.policy, tt.addr, err)
			continue
		}
		if refused.Addr != addr || !strings.Contains(refused.Reason, tt.want) {
			t.Errorf("%+v.Check(%s) refused %s: %q, want a reason mentioning %q", tt.policy, tt.addr, refused.Addr, refused.Reason, tt.want)
		}
	}
}

func TestRefusedMessages(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"10.0.0.5", "destination 10.0.0.5 is refused: it is a private address; " +
			"start the server with --allow-destination 10.0.0.0/8 (or a narrower range) to allow it"},
		{"169.254.169.254", "destination 169.254.169.254 is refused: it is the cloud metadata endpoint (AWS, GCP, Azure, OCI and others); " +
			"it cannot be allowed: it hands out the server's cloud credentials"},
		{"224.0.0.1", "destination 224.0.0.1 is refused: it is a multicast address; " +
			"it cannot be allowed as a private destination, only by naming it: --allow-destination 224.0.0.0/4 (or a narrower range)"},
		{"::ffff:10.0.0.5", "destination ::ffff:10.0.0.5 is refused: it embeds 10.0.0.5 by IPv4 mapping (::ffff:0:0/96), which is a private address; " +
			"start the server with --allow-destination 10.0.0.0/8 (or a narrower range) to allow it"},
	}
	for _, tt := range tests {
		if got := (Policy{}).Check(netip.MustParseAddr(tt.addr)).Error(); got != tt.want {
			t.Errorf("Check(%s):\n got %s\nwant %s", tt.addr, got, tt.want)
		}
	}
}

func TestCheckRefusesInvalidAddress(t *testing.T) {
	var refused *RefusedError
	if err := (Policy{AllowPrivate: true}).Check(netip.Addr{}); !errors.As(err, &refused) {
		t.Fatalf("zero Addr: %v", err)
	}
}

func TestCheckAllow(t *testing.T) {
	for prefix, want := range map[string]string{
		"10.0.0.0/8":             "",
		"0.0.0.0/0":              "",
		"::/0":                   "",
		"169.254.0.0/16":         "link-local",
		"169.254.169.254/32":     "cloud metadata",
		"::ffff:169.254.0.0/112": "link-local",
		"fe80::/64":              "link-local",
		"0.0.0.0/32":             "unspecified",
		"fd00:ec2::254/128":      "metadata",
		"fd00::/8":               "",
	} {
		err := CheckAllow(netip.MustParsePrefix(prefix))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckAllow(%s) = %v, want %q", prefix, err, want)
		}
	}
}
