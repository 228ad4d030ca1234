package netguard

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Browsers and curl read an IPv4 address in more forms than dotted decimal
// (the WHATWG URL standard's IPv4 parser, after inet_aton): one number
// (2852039166), hexadecimal (0xa9fea9fe), octal parts (0251.0376.0251.0376),
// fewer than four parts (127.1) and a trailing dot (0.0.0.0.). Go's
// resolver reads none of them as an address and looks each up as a name,
// which fails. Such a URL is not a way around the guard, which judges the
// address actually dialed; but it works in the user's curl and then fails
// every delivery as a DNS error, so it is refused when the webhook is saved.

// numericHostReason says why host, which is not a dotted-decimal IP
// address, is an IPv4 address in a form central does not read, or "" when
// it is a host name. A host is taken for an address, as browsers take it,
// when its last label is a number: no top-level domain is one, so a real
// name with digits in it (1.example.com, 123abc.io) is still a name.
func (p Policy) numericHostReason(host string) string {
	if !endsInNumber(host) {
		return ""
	}
	ip, form, ok := looseIPv4(host)
	if !ok {
		return fmt.Sprintf("its host %s ends in a number, so browsers and curl take it for an IPv4 address, but it is not a valid one: "+
			"write an IPv4 address in dotted-decimal form (four numbers from 0 to 255 without leading zeros, such as 192.0.2.10), "+
			"which is then subject to the destination rules, or a host name", host)
	}
	reason := fmt.Sprintf("its host %s is %s written %s, a form browsers and curl read but central does not "+
		"(it would look it up as a name, and every delivery would fail); ", host, ip, form)
	if r := p.check(ip); r != nil {
		return reason + fmt.Sprintf("in dotted-decimal form, %s, it is subject to the destination rules, and it %s; %s", ip, r.clause, r.hint)
	}
	return reason + fmt.Sprintf("write the address in dotted-decimal form, %s, which is then subject to the destination rules", ip)
}

// endsInNumber is the WHATWG URL standard's "ends in a number" check: the
// last label (a trailing dot left aside) is all digits or a hexadecimal
// number 0x….
func endsInNumber(host string) bool {
	if strings.Contains(host, ":") {
		return false // IPv6, or not a host at all: not an IPv4 form
	}
	labels := strings.Split(host, ".")
	if len(labels) > 1 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, _, ok := ipv4Part(last)
	return ok
}

// looseIPv4 reads host as browsers read an IPv4 address, and names the
// form it is written in. ok is false when browsers would refuse it too.
func looseIPv4(host string) (ip netip.Addr, form string, ok bool) {
	parts := strings.Split(host, ".")
	trailingDot := len(parts) > 1 && parts[len(parts)-1] == ""
	if trailingDot {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return ip, "", false
	}
	var n uint64
	var hex, octal bool
	for i, s := range parts {
		v, base, ok := ipv4Part(s)
		hex, octal = hex || base == 16, octal || base == 8
		last := i == len(parts)-1
		if !ok || !last && v > 255 || last && v >= 1<<(8*(5-len(parts))) {
			return ip, "", false
		}
		if last {
			n = n<<(8*(5-len(parts))) | v
		} else {
			n = n<<8 | v
		}
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	switch {
	case len(parts) == 1 && hex:
		form = "as one hexadecimal number"
	case len(parts) == 1 && octal:
		form = "as one octal number"
	case len(parts) == 1:
		form = "as one number"
	case hex:
		form = "with hexadecimal parts"
	case octal:
		form = "with octal parts (a leading zero)"
	case len(parts) < 4:
		form = "with fewer than four parts"
	default:
		form = "with a trailing dot"
	}
	return netip.AddrFrom4(b), form, true
}

// ipv4Part reads one part of an IPv4 address as browsers do: decimal,
// hexadecimal after 0x or 0X (0x alone is 0), octal after a leading 0.
func ipv4Part(s string) (v uint64, base int, ok bool) {
	base = 10
	switch {
	case s == "":
		return 0, 0, false
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, base, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, base, err == nil
}
