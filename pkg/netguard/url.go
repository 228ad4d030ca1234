package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
)

// URLError reports a webhook URL that CheckURL rejects. The API maps it to
// a validation error on the webhook's url field.
type URLError struct {
	// URL is the offending URL with any user info removed, or empty when
	// it did not parse (the raw text may hold a password).
	URL string
	// Reason says what is wrong and how to fix it.
	Reason string
}

// Error returns "webhook URL URL is not allowed: REASON".
func (e *URLError) Error() string {
	if e.URL == "" {
		return "webhook URL is not allowed: " + e.Reason
	}
	return fmt.Sprintf("webhook URL %s is not allowed: %s", e.URL, e.Reason)
}

// CheckURL is the static check made when a webhook is saved, so that
// mistakes surface in the API response rather than as failed deliveries.
// It wants an absolute http or https URL with a host and without user
// info. It cannot judge the destination's address, since DNS may answer
// differently at delivery time; the dial-time guard (Policy.Control) does
// that. The exceptions are an IP literal that no policy admits (metadata,
// link-local, unspecified), so saving it is refused at once, and an IPv4
// address written in a form only browsers and curl read (2852039166,
// 0xa9fea9fe, 127.1), which central would look up as a name in vain.
func CheckURL(raw string) error { return everywhere.CheckURL(raw) }

// CheckURL makes the static check of the package's CheckURL, and refuses
// an IP literal host that p refuses: a server knows at save time that it
// will never deliver there.
func (p Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error's message repeats the raw URL, password included, so
		// only the underlying cause is kept.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &URLError{Reason: fmt.Sprintf("it does not parse (%v); write it as https://host[:port]/path", err)}
	}
	shown := *u
	shown.User = nil
	bad := func(format string, args ...any) error {
		return &URLError{URL: shown.String(), Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case u.Scheme == "":
		return bad("it has no scheme; write it as https://host[:port]/path")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("its scheme is %q; webhooks are delivered over https (or http) only", u.Scheme)
	case u.Opaque != "" || u.Hostname() == "":
		return bad("it has no host; write it as %s://host[:port]/path", u.Scheme)
	case u.User != nil:
		return bad("it contains user info (user:password@); credentials in URLs leak into logs, " +
			"delivery records and proxies, so remove them and authenticate deliveries by their webhook signature")
	}
	ip, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		if reason := p.numericHostReason(u.Hostname()); reason != "" {
			return bad("%s", reason)
		}
		return nil
	}
	if r := p.check(ip); r != nil {
		return bad("its host %s; %s", r.clause, r.hint)
	}
	return nil
}

// everywhere admits every address an Allow prefix can admit, so what it
// still refuses is refused under every Policy.
var everywhere = Policy{Allow: []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/0"),
	netip.MustParsePrefix("::/0"),
}}
