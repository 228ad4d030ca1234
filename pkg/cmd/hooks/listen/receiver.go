package listen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

// maxShown is how much of a body that is not an event gets printed.
const maxShown = 200

// receiver is the handler of every request listen gets.
type receiver struct {
	out       io.Writer
	now       func() time.Time
	secrets   []string
	forwardTo string
	client    *http.Client
	status    int

	mu sync.Mutex // keeps each request's lines together on out
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "central hooks listen receives webhook events: POST them", http.StatusMethodNotAllowed)
		return
	}
	now := rc.now()
	body, err := io.ReadAll(io.LimitReader(r.Body, signature.MaxBodyBytes+1))
	switch {
	case err != nil:
		rc.print(fmt.Sprintf("%s  (the body could not be read: %v)", now.Format(time.TimeOnly), err))
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	case len(body) > signature.MaxBodyBytes:
		rc.print(fmt.Sprintf("%s  (body over %d bytes, refused)", now.Format(time.TimeOnly), signature.MaxBodyBytes))
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	lines := []string{fmt.Sprintf("%s  %s  webhook-id: %s  signature: %s",
		now.Format(time.TimeOnly), describe(body), orDash(r.Header.Get(signature.HeaderID)), rc.checkSignature(r.Header, body, now))}
	if rc.forwardTo != "" {
		lines = append(lines, "  -> "+rc.forward(r, body))
	}
	rc.print(lines...)
	w.WriteHeader(rc.status)
}

func (rc *receiver) print(lines ...string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, l := range lines {
		fmt.Fprintln(rc.out, l)
	}
}

// checkSignature says whether the request is signed and, given secrets,
// whether the signature holds.
func (rc *receiver) checkSignature(h http.Header, body []byte, now time.Time) string {
	if h.Get(signature.HeaderSignature) == "" {
		return "unsigned"
	}
	if len(rc.secrets) == 0 {
		return "not checked"
	}
	if err := signature.Verify(rc.secrets, h, body, now, 0); err != nil {
		return "INVALID (" + reason(err) + ")"
	}
	return "valid"
}

// reason is the short form of a verification error, for one line; the
// package's own messages explain at length.
func reason(err error) string {
	switch {
	case errors.Is(err, signature.ErrNoMatchingSignature):
		return "no signature matches the secret"
	case errors.Is(err, signature.ErrTimestampTooOld):
		return "timestamp too old"
	case errors.Is(err, signature.ErrTimestampTooNew):
		return "timestamp in the future"
	case errors.Is(err, signature.ErrInvalidTimestamp):
		return "invalid webhook-timestamp"
	case errors.Is(err, signature.ErrMissingHeaders):
		return "missing webhook-id or webhook-timestamp"
	}
	return err.Error()
}

// hopHeaders are not passed on by a forward: they describe the connection
// to this receiver, not the event (RFC 9110 section 7.6.1), and Go's client
// sets its own Host, Content-Length and Accept-Encoding.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Accept-Encoding"}

// forward POSTs the body with the request's headers (signature, auth and
// the webhook's own headers) to --forward-to, and says how that went.
func (rc *receiver) forward(r *http.Request, body []byte) string {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, rc.forwardTo, bytes.NewReader(body))
	if err != nil {
		return "forward failed: " + err.Error()
	}
	req.Header = r.Header.Clone()
	for _, h := range hopHeaders {
		req.Header.Del(h)
	}
	resp, err := rc.client.Do(req)
	if err != nil {
		return "forward failed: " + err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return "forwarded: " + resp.Status
}

// envelope is what describe reads of an event.
type envelope struct {
	Type     api.EventType   `json:"type"`
	Payload  json.RawMessage `json:"payload"`
	Metadata *struct {
		Subresource string `json:"subresource"`
	} `json:"metadata"`
}

// payload is the resource an event is about; a SubscriptionUpdatedEvent
// carries it as consumerInstance.
type payload struct {
	resourceRef
	ConsumerInstance *resourceRef `json:"consumerInstance"`
}

type resourceRef struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Metadata struct {
		Scope *struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"scope"`
	} `json:"metadata"`
}

// describe renders the event type and resource of a body, or the body
// itself when it is not a JSON event.
func describe(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "(empty body)"
	}
	if !json.Valid(body) {
		return "(not JSON: " + shown(body) + ")"
	}
	var ev envelope
	if err := json.Unmarshal(body, &ev); err != nil || ev.Type == "" {
		return "(JSON without an event type: " + shown(body) + ")"
	}
	typ := string(ev.Type)
	if ev.Metadata != nil && ev.Metadata.Subresource != "" {
		typ += "[" + ev.Metadata.Subresource + "]"
	}
	// A payload of another shape still leaves the line its type.
	var p payload
	_ = json.Unmarshal(ev.Payload, &p)
	res := p.resourceRef
	if res.Kind == "" && p.ConsumerInstance != nil {
		res = *p.ConsumerInstance
	}
	return fmt.Sprintf("%s  %s", clean(typ), clean(res.text()))
}

func (r resourceRef) text() string {
	if r.Kind == "" && r.Name == "" {
		return "-"
	}
	s := r.Kind + "/" + r.Name
	if sc := r.Metadata.Scope; sc != nil && sc.Kind != "" {
		s += " in " + sc.Kind + "/" + sc.Name
	}
	return s
}

// shown quotes the start of a body, escaping what is not printable.
func shown(body []byte) string {
	s := string(body)
	if len(s) > maxShown {
		return fmt.Sprintf("%q... (%d bytes)", s[:maxShown], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// clean drops control characters from text taken from the request, which
// comes from whoever can reach the port and could otherwise drive the
// terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return clean(s)
}
