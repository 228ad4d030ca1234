package signature

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far webhook-timestamp may lie from the receiver's
// clock, in either direction, when Verify is given a tolerance of zero. Five
// minutes is the Standard Webhooks Go library's value and what Stripe uses:
// long enough for ordinary clock skew and network delay, short enough that a
// captured request cannot be replayed later.
const DefaultTolerance = 5 * time.Minute

// MaxBodyBytes caps how much of a request body VerifyRequest reads (5 MiB).
// A receiver must read the whole body before it can check the signature, so
// an unauthenticated sender could otherwise make it buffer any amount. The
// cap is far above the payloads the spec advises (under 20 KB); a receiver
// expecting larger ones reads the body itself and calls Verify.
const MaxBodyBytes = 5 << 20

// Verify checks that a webhook request is authentic and fresh. h holds the
// request headers, body the raw bytes exactly as received (verify before
// parsing JSON: re-encoding changes the bytes). secrets are "whsec_" secrets
// (see ParseSecret); pass both old and new while a rotation is under way.
//
// The request is accepted when any "v1," signature in webhook-signature
// matches any secret, compared in constant time so response timing reveals
// nothing about the expected signature. The signature is checked before the
// timestamp, so a forged request is reported as ErrNoMatchingSignature
// rather than as stale. Then webhook-timestamp must be within tolerance of
// now in both directions; a tolerance of zero or less means
// DefaultTolerance, and a zero now means time.Now().
//
// Verify does not deduplicate. Receivers should remember webhook-id values
// for at least the tolerance window, which stops replays of a captured
// request, and for the sender's whole retry span to make a retried delivery
// (same id, fresh timestamp) a no-op.
func Verify(secrets []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	keys, err := parseSecrets(secrets)
	if err != nil {
		return err
	}
	msgID, timestamp, sigHeaders, err := requiredHeaders(h)
	if err != nil {
		return err
	}
	sent, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not unix seconds", ErrInvalidTimestamp, timestamp)
	}
	if err := matchSignature(keys, msgID, timestamp, body, sigHeaders); err != nil {
		return err
	}
	return checkTimestamp(sent, now, tolerance)
}

// requiredHeaders returns the three headers, naming every missing one.
func requiredHeaders(h http.Header) (msgID, timestamp string, sigs []string, err error) {
	var missing []string
	get := func(name string) []string {
		v := h.Values(name)
		if len(v) == 0 {
			// Maps built by hand (from a serverless event, say) may use the
			// spec's lower-case names, which Values does not find.
			v = h[name]
		}
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			missing = append(missing, name)
		}
		return v
	}
	ids, timestamps, sigs := get(HeaderID), get(HeaderTimestamp), get(HeaderSignature)
	if len(missing) > 0 {
		return "", "", nil, fmt.Errorf("%w: %s absent; the request was not sent by a Standard Webhooks sender, or a proxy dropped the headers",
			ErrMissingHeaders, strings.Join(missing, ", "))
	}
	return ids[0], timestamps[0], sigs, nil
}

// matchSignature accepts when any v1 entry of any header line equals the
// HMAC under any key. Entries of other versions (v1a) and undecodable
// entries are skipped, since a sender may add kinds this receiver ignores.
func matchSignature(keys [][]byte, msgID, timestamp string, body []byte, sigHeaders []string) error {
	var candidates [][]byte
	for _, line := range sigHeaders {
		for _, entry := range strings.Fields(line) {
			version, sig, ok := strings.Cut(entry, ",")
			if !ok || version != signatureVersion {
				continue
			}
			if raw, err := base64.StdEncoding.DecodeString(sig); err == nil {
				candidates = append(candidates, raw)
			}
		}
	}
	if len(candidates) == 0 {
		return fmt.Errorf("%w: webhook-signature holds no %q entry; expected space-separated \"v1,<base64>\" values",
			ErrNoMatchingSignature, signatureVersion+",")
	}
	for _, key := range keys {
		want := mac(key, msgID, timestamp, body)
		for _, got := range candidates {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: none of %d signature(s) matches any of %d secret(s); check that the secret is this endpoint's current one "+
		"and that the body is verified byte for byte as received, before any parsing", ErrNoMatchingSignature, len(candidates), len(keys))
}

// checkTimestamp compares whole unix seconds rather than durations: a
// time.Duration saturates about 292 years out, so now.Sub of a far-future
// timestamp pinned at the minimum and negating it overflowed, accepting it.
// Only now and the tolerance enter the arithmetic, so no sent value overflows.
func checkTimestamp(sent int64, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if now.IsZero() {
		now = time.Now()
	}
	tol, unix := int64(tolerance/time.Second), now.Unix()
	switch {
	case sent < unix-tol:
		return fmt.Errorf("%w: signed at %s, %s before now, beyond the %s tolerance; a replay or a late delivery, or this receiver's clock runs fast (check NTP)",
			ErrTimestampTooOld, signedAt(sent), apart(sent, unix), tolerance)
	case sent > unix+tol:
		return fmt.Errorf("%w: signed at %s, %s after now, beyond the %s tolerance; the sender's and this receiver's clocks disagree (check NTP)",
			ErrTimestampTooNew, signedAt(sent), apart(sent, unix), tolerance)
	}
	return nil
}

// century is as far apart, in seconds, as a message gives a gap.
const century = 100 * 365 * 24 * 3600

// signedAt is sent for a message: a date, or past the years RFC 3339 can
// write, the unix time as sent.
func signedAt(sent int64) string {
	if at := time.Unix(sent, 0).UTC(); at.Year() >= 1 && at.Year() <= 9999 {
		return at.Format(time.RFC3339)
	}
	return fmt.Sprintf("unix time %d", sent)
}

// apart is how far sent is from now, both in unix seconds.
func apart(sent, now int64) string {
	if sent < now-century || sent > now+century {
		return "more than 100 years"
	}
	return (time.Duration(max(sent-now, now-sent)) * time.Second).String()
}

// VerifyRequest is Verify for an incoming request, with DefaultTolerance.
// It reads at most MaxBodyBytes of r.Body (failing with ErrBodyTooLarge
// beyond that) and always puts the body back, so the handler can read it
// again after verification whatever the outcome.
func VerifyRequest(secrets []string, r *http.Request, now time.Time) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return Verify(secrets, r.Header, body, now, 0)
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, MaxBodyBytes+1))
	// Put back what was read in front of what was not, keeping the
	// original Close so the server can still reuse the connection.
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), orig), orig}
	if err != nil {
		return nil, fmt.Errorf("read webhook body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("%w: more than %d bytes; verify larger bodies with Verify", ErrBodyTooLarge, MaxBodyBytes)
	}
	return body, nil
}
