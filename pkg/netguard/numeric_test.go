package netguard

import (
	"errors"
	"strings"
	"testing"
)

// An IPv4 address in a form browsers and curl read but Go's resolver does
// not is refused when saved, with the dotted-decimal form to write instead;
// a name with digits in it is still a name.
func TestCheckURLNumericHosts(t *testing.T) {
	for raw, want := range map[string][]string{
		"http://2852039166/":           {"169.254.169.254 written as one number", "dotted-decimal form, 169.254.169.254", "destination rules", "cloud metadata", "cannot be allowed"},
		"http://0xa9fea9fe/":           {"169.254.169.254 written as one hexadecimal number", "cloud metadata"},
		"http://0XA9FEA9FE/":           {"169.254.169.254 written as one hexadecimal number"},
		"http://0251.0376.0251.0376/":  {"169.254.169.254 written with octal parts"},
		"http://0xa9.0xfe.0xa9.0xfe/":  {"169.254.169.254 written with hexadecimal parts"},
		"http://127.1:8080/":           {"127.0.0.1 written with fewer than four parts", "dotted-decimal form, 127.0.0.1", "destination rules"},
		"http://2130706433:8080/":      {"127.0.0.1 written as one number"},
		"http://0/":                    {"0.0.0.0 written as one number", "unspecified"},
		"http://0.0.0.0.:8080/":        {"0.0.0.0 written with a trailing dot", "unspecified"},
		"http://8.8.8.8./":             {"8.8.8.8 written with a trailing dot"},
		"http://10.0.0.010/":           {"10.0.0.8 written with octal parts"},
		"http://0x/":                   {"0.0.0.0 written as one hexadecimal number"},
		"http://256.1.1.1/":            {"ends in a number", "dotted-decimal form (four numbers"},
		"http://1.2.3.4.5/":            {"ends in a number"},
		"http://09/":                   {"ends in a number"}, // not octal: browsers refuse it too
		"http://99999999999999999999/": {"ends in a number"},
		"http://4294967296/":           {"ends in a number"}, // one past 255.255.255.255
		"http://hooks.example.123/":    {"ends in a number"},
		"http://hooks.example.0x1f/":   {"ends in a number"},
		"http://１２７.0.0.1/":            {"ends in a number"},
		"http://127.1/hook?x=1#f":      {"127.0.0.1 written with fewer than four parts"},
	} {
		err := CheckURL(raw)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("CheckURL(%q) = %v, want a *URLError", raw, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(ue.Reason, w) {
				t.Errorf("CheckURL(%q) = %q, want it to mention %q", raw, ue.Reason, w)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("CheckURL(%q) leaks the password: %v", raw, err)
		}
	}
	for _, raw := range []string{
		"http://1.example.com/", "https://123abc.io/", "https://0x1f.example.com/", "https://hooks-2024.example.com:8443/",
		"http://example.com./", "http://1e100.net/", "http://127.0.0.1:8080/", "http://8.8.8.8/", "http://[::1]:8080/",
		"http://localhost/", "http://a.b.c.d.e/", "http://0a.example/",
	} {
		if err := CheckURL(raw); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", raw, err)
		}
	}
}

// The refusal names what the server's own policy says of the address, so
// that the user learns both steps at once.
func TestPolicyCheckURLNumericHosts(t *testing.T) {
	strict := Policy{}
	err := strict.CheckURL("http://127.1:9000/")
	if err == nil || !strings.Contains(err.Error(), "in dotted-decimal form, 127.0.0.1, it is subject to the destination rules, and it is a loopback address") || !strings.Contains(err.Error(), "--allow-destination") {
		t.Errorf("strict: %v", err)
	}
	err = Policy{AllowPrivate: true}.CheckURL("http://127.1:9000/")
	if err == nil || strings.Contains(err.Error(), "loopback") || !strings.Contains(err.Error(), "dotted-decimal form, 127.0.0.1") {
		t.Errorf("personal server: %v", err)
	}
}

func TestLooseIPv4(t *testing.T) {
	for host, want := range map[string]string{
		"1": "0.0.0.1", "1.2": "1.0.0.2", "1.2.3": "1.2.0.3", "1.2.65535": "1.2.255.255", "1.16777215": "1.255.255.255",
		"4294967295": "255.255.255.255", "0x7f.1": "127.0.0.1", "017.0.0.1": "15.0.0.1", "1.2.3.4.": "1.2.3.4",
	} {
		ip, _, ok := looseIPv4(host)
		if !ok || ip.String() != want {
			t.Errorf("looseIPv4(%q) = %v, %v; want %s", host, ip, ok, want)
		}
	}
	for _, host := range []string{"", "1..2", "1.2.65536", "256.1", "1.2.3.4.5", "08", "0x1g", "-1", "+1", "1_0", "1.2.3.4.."} {
		if ip, _, ok := looseIPv4(host); ok {
			t.Errorf("looseIPv4(%q) = %v, want no address", host, ip)
		}
	}
}
