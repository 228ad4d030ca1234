package signature

import "errors"

// Errors returned by Verify and VerifyRequest. Apart from I/O errors while
// reading a body, every error they return wraps exactly one of these, with
// details appended: receivers branch with errors.Is and log the message,
// which says what to check.
var (
	// ErrMissingHeaders means webhook-id, webhook-timestamp or
	// webhook-signature is absent: the request did not come from a Standard
	// Webhooks sender, or a proxy in between dropped the headers.
	ErrMissingHeaders = errors.New("missing Standard Webhooks headers")

	// ErrInvalidTimestamp means webhook-timestamp is not unix seconds.
	ErrInvalidTimestamp = errors.New("invalid webhook-timestamp")

	// ErrTimestampTooOld means the signature is valid but older than the
	// tolerance: a replayed request, a delivery stuck in a queue, or a
	// receiver clock that runs fast.
	ErrTimestampTooOld = errors.New("webhook timestamp too old")

	// ErrTimestampTooNew means the timestamp lies further in the future than
	// the tolerance, which only clock skew between sender and receiver
	// explains.
	ErrTimestampTooNew = errors.New("webhook timestamp too new")

	// ErrNoMatchingSignature means no v1 signature in the header matches any
	// of the secrets: a wrong or rotated secret, a body changed on the way
	// (a proxy, or JSON parsed and re-encoded before verifying), or a forgery.
	ErrNoMatchingSignature = errors.New("no matching webhook signature")

	// ErrInvalidSecret means a secret given to the receiver (not the request)
	// is malformed; it is a configuration error, not an attack.
	ErrInvalidSecret = errors.New("invalid webhook secret")

	// ErrBodyTooLarge means VerifyRequest stopped reading the body at
	// MaxBodyBytes without verifying it.
	ErrBodyTooLarge = errors.New("webhook body too large")
)
