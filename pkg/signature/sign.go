package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sign returns the "v1,<base64>" signature of one message under one raw
// key (see ParseSecret): the HMAC-SHA256 of "msgID.timestamp.body", where
// timestamp is ts in unix seconds. The body must be the exact bytes sent;
// any re-encoding, even of white space, changes the signature.
func Sign(secret []byte, msgID string, ts time.Time, body []byte) string {
	return encode(mac(secret, msgID, formatTimestamp(ts), body))
}

// formatTimestamp renders ts as the webhook-timestamp header value. Sign and
// Signer share it so the signed content and the header can never disagree.
func formatTimestamp(ts time.Time) string {
	return strconv.FormatInt(ts.Unix(), 10)
}

// mac computes the raw HMAC over the signed content. The timestamp is the
// header's text, not a parsed number, because the sender signed that text.
func mac(key []byte, msgID, timestamp string, body []byte) []byte {
	return sum(hmac.New(sha256.New, key), msgID, timestamp, body)
}

// sum writes the signed content to a keyed HMAC and returns its sum.
func sum(h hash.Hash, msgID, timestamp string, body []byte) []byte {
	io.WriteString(h, msgID)
	io.WriteString(h, ".")
	io.WriteString(h, timestamp)
	io.WriteString(h, ".")
	h.Write(body)
	return h.Sum(nil)
}

func encode(sum []byte) string {
	return signatureVersion + "," + base64.StdEncoding.EncodeToString(sum)
}

// Signer signs outgoing messages with one or more secrets. Holding several
// is how rotation works without downtime: while the old secret is still
// within its grace period, both sign, and the receiver accepts either.
//
// Create it with NewSigner; the zero Signer holds no secrets and produces
// an empty signature. A Signer is immutable and safe for concurrent use.
type Signer struct {
	keys [][]byte
	// keyed are HMAC-SHA256 states that have taken their keys, cloned for
	// each message: keying was about a third of signing a 1 KiB body.
	keyed []hash.Cloner
}

// NewSigner parses the secrets (see ParseSecret) in the order their
// signatures should appear, conventionally the newest first. It fails
// with ErrInvalidSecret if any secret is malformed or none is given.
func NewSigner(secrets ...string) (*Signer, error) {
	keys, err := parseSecrets(secrets)
	if err != nil {
		return nil, fmt.Errorf("new signer: %w", err)
	}
	s := &Signer{keys: keys, keyed: make([]hash.Cloner, len(keys))}
	for i, key := range keys {
		// Left nil where the HMAC cannot be cloned (GOFIPS140=v1.0.0,
		// BoringCrypto): those messages are signed with a fresh one.
		s.keyed[i], _ = hmac.New(sha256.New, key).(hash.Cloner)
	}
	return s, nil
}

// Signature returns the webhook-signature header value: one "v1,<base64>"
// entry per secret, separated by single spaces.
func (s *Signer) Signature(msgID string, ts time.Time, body []byte) string {
	timestamp := formatTimestamp(ts)
	sigs := make([]string, len(s.keys))
	for i, key := range s.keys {
		if s.keyed[i] != nil {
			if h, err := s.keyed[i].Clone(); err == nil {
				sigs[i] = encode(sum(h, msgID, timestamp, body))
				continue
			}
		}
		sigs[i] = encode(mac(key, msgID, timestamp, body))
	}
	return strings.Join(sigs, " ")
}

// Headers returns the three Standard Webhooks headers for one delivery
// attempt. msgID must stay the same across retries of a message (receivers
// deduplicate on it), while ts is the time of this attempt, so a retry is
// not rejected as too old. Copy the result into the request's headers, for
// example with maps.Copy(req.Header, h).
func (s *Signer) Headers(msgID string, ts time.Time, body []byte) http.Header {
	return http.Header{
		canonicalID:        {msgID},
		canonicalTimestamp: {formatTimestamp(ts)},
		canonicalSignature: {s.Signature(msgID, ts, body)},
	}
}

// The header names as http.Header keys them, worked out once.
var (
	canonicalID        = http.CanonicalHeaderKey(HeaderID)
	canonicalTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	canonicalSignature = http.CanonicalHeaderKey(HeaderSignature)
)
