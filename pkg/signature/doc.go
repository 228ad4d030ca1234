// Package signature signs and verifies webhook requests in the Standard
// Webhooks format (https://www.standardwebhooks.com, spec v1.0.0), the wire
// format central's dispatcher emits.
//
// Every delivery carries three headers: webhook-id (the same on every retry,
// so receivers can deduplicate on it), webhook-timestamp (unix seconds of this
// attempt) and webhook-signature, a space-separated list of "v1,<base64>"
// entries, each an HMAC-SHA256 of "id.timestamp.body" under one secret.
// During a secret rotation the sender signs with the old and the new secret,
// so a receiver holding either one keeps verifying.
//
// The package imports nothing of ours, so receivers written in Go can use
// Verify or VerifyRequest directly instead of re-implementing the scheme.
package signature

// Header names of the Standard Webhooks format. They are lower case as the
// spec writes them; http.Header canonicalises them on Set and Get, and HTTP/2
// lower-cases them on the wire, so the case does not matter to receivers.
const (
	// HeaderID carries the message id, the same on every retry of a
	// message: receivers deduplicate on it.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries the attempt's time in unix seconds; it is
	// signed, so an old request cannot be replayed with a fresh time.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries space-separated "v1,<base64>" signatures.
	HeaderSignature = "webhook-signature"
)

// signatureVersion prefixes each symmetric (HMAC-SHA256) signature. The spec
// also defines "v1a" for ed25519; receivers skip versions they do not know,
// so entries of other versions are ignored rather than rejected.
const signatureVersion = "v1"
