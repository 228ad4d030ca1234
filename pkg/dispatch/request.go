package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

// outgoing is everything needed to send one attempt, read from the store
// before any connection is made.
type outgoing struct {
	webhook  *api.WebhookSpec // shared by the webhook's deliveries: read only
	eventID  string
	envelope json.RawMessage // the event's JSON as the log holds it
	authKey  string          // the auth secret's value, if found
	signer   *signature.Signer
	redactor *redactor // what redact hides (webhookState.redactor)
	buildErr error     // no request can be built (webhookState.buildErr)
	note     string    // what had to be left out
}

// authHeader names the header that carries the auth secret: raw, in
// Authorization as Amplify sends it, unless the webhook names another.
func authHeader(loc *api.WebhookLocation) string {
	if loc != nil && loc.Name != "" {
		return loc.Name
	}
	return "Authorization"
}

// checkHeaders reports a header of the webhook that cannot be sent: one in
// spec.headers, or the auth secret's, from a spec saved before the API
// checked them (it refuses them now). It runs once per read of the webhook.
func checkHeaders(spec *api.WebhookSpec, authKey string) error {
	for _, k := range slices.Sorted(maps.Keys(spec.Headers)) {
		if err := api.CheckHeader(k, spec.Headers[k]); err != nil {
			return fmt.Errorf("spec.headers: %w", err)
		}
	}
	if a := spec.Auth; a != nil && authKey != "" && (a.Location == nil || a.Location.In != "query") {
		if err := api.CheckHeader(authHeader(a.Location), authKey); err != nil {
			return fmt.Errorf("the auth secret cannot be sent: %w", err)
		}
	}
	return nil
}

// UserAgent is sent with every webhook request whose spec.headers does not
// set one: a receiver may be behind a firewall or WAF that admits only the
// User-Agent its owner names, so the webhook's own is sent as given.
var UserAgent = "central-webhooks/1"

// build makes the HTTP request of one attempt.
func (o *outgoing) build(ctx context.Context, now time.Time) (*http.Request, error) {
	body, contentType, err := o.body()
	if err != nil {
		return nil, err
	}
	if o.buildErr != nil {
		return nil, o.buildErr
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.webhook.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(o.webhook.Headers)+6)
	for k, v := range o.webhook.Headers {
		h.Set(k, v)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", UserAgent)
	}
	// The event id goes with every request, signed or not: receivers use it
	// to drop the duplicates that at-least-once delivery can bring.
	h.Set(signature.HeaderID, o.eventID)
	if a := o.webhook.Auth; a != nil && a.Secret != nil && o.authKey != "" {
		loc := a.Location
		switch {
		case loc != nil && loc.In == "query":
			// Appended: the URL's own query goes as it was written.
			if req.URL.RawQuery != "" {
				req.URL.RawQuery += "&"
			}
			req.URL.RawQuery += url.QueryEscape(loc.Name) + "=" + url.QueryEscape(o.authKey)
		default:
			h.Set(authHeader(loc), o.authKey)
		}
	}
	if o.signer != nil {
		for k, v := range o.signer.Headers(o.eventID, now, body) {
			h[k] = v
		}
	}
	req.Header = h
	return req, nil
}

// minRedactLen is the shortest auth secret hidden wherever it occurs in a
// response. A shorter one would be hidden inside unrelated text (a secret
// "a" makes "application/json" read "REDACTEDpplicREDACTEDtion/json"),
// which spoils the record and spells out the secret all the same; a short
// guess would be confirmed by where the replacements fall. A secret sent in
// the query is still hidden as its parameter's value, at any length.
const minRedactLen = 8

// newRedactor is what redact hides, or nil when there is nothing to hide:
// the value of the auth secret's query parameter, however the receiver
// encoded it again, and a secret of at least minRedactLen bytes as sent,
// raw or escaped. It is built once per read of the webhook.
func newRedactor(spec *api.WebhookSpec, authKey string) *redactor {
	if authKey == "" || spec.Auth == nil {
		return nil
	}
	var alts, hints []string
	if loc := spec.Auth.Location; loc != nil && loc.In == "query" {
		name := url.QueryEscape(loc.Name)
		alts = append(alts, `([?&;]`+escaped(name)+`=)[^&;#\s"'<>]+`)
		hints = append(hints, literalPrefix(name+"="))
	}
	if len(authKey) >= minRedactLen {
		q, p := url.QueryEscape(authKey), url.PathEscape(authKey)
		alts = append(alts, regexp.QuoteMeta(authKey), escaped(q), escaped(p))
		hints = append(hints, authKey, literalPrefix(q), literalPrefix(p))
	}
	if alts == nil {
		return nil
	}
	// Specs are JSON, valid UTF-8: the pattern compiles. The longest match
	// hides "ab%25", escaped, rather than "ab%" raw and leave "25".
	re := regexp.MustCompile(strings.Join(alts, "|"))
	re.Longest()
	r := &redactor{re: re}
	if !slices.Contains(hints, "") {
		slices.Sort(hints)
		r.hints = slices.Compact(hints)
	}
	return r
}

// redactor is a compiled newRedactor.
type redactor struct {
	re *regexp.Regexp
	// hints are strings of which every match of re holds one, so that an
	// answer holding none (most answers) is passed over at the speed of
	// strings.Index rather than of the pattern (about 30 times slower
	// with a query parameter's alternative). Nil when a match may begin
	// with an escape, which has no one spelling.
	hints []string
}

func (r *redactor) mayMatch(s string) bool {
	return r.hints == nil || slices.ContainsFunc(r.hints, func(h string) bool { return strings.Contains(s, h) })
}

func (r *redactor) mayMatchBytes(b []byte) bool {
	return r.hints == nil || slices.ContainsFunc(r.hints, func(h string) bool { return bytes.Contains(b, []byte(h)) })
}

// literalPrefix is s up to its first escape: what escaped(s) matches
// literally.
func literalPrefix(s string) string {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		return s[:i]
	}
	return s
}

// escaped is a pattern for a percent-escaped string with its escapes in
// either case: url.QueryEscape writes %2F, another encoder %2f.
func escaped(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString("%(?i:" + s[i+1:i+3] + ")")
			i += 2
		} else {
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	return b.String()
}

// redact hides the auth secret in what the receiver answered and the
// record keeps, which may echo the request (a redirect's Location keeps
// its query): the attempt record never keeps the secret.
func (o *outgoing) redact(s string) string {
	if o.redactor == nil || !o.redactor.mayMatch(s) {
		return s
	}
	return o.redactor.re.ReplaceAllString(s, redacted)
}

// redactBody is redact for a response body.
func (o *outgoing) redactBody(b []byte) []byte {
	if o.redactor == nil || !o.redactor.mayMatchBytes(b) {
		return b
	}
	return o.redactor.re.ReplaceAll(b, []byte(redacted))
}

// redacted replaces what the redactor matches, keeping the query
// parameter's name (its first group) when it matched that.
const redacted = "${1}REDACTED"

// body is the event envelope as JSON (as stored: the log keeps exactly
// what is sent), or in the 3scale XML form when the webhook's Content-Type
// asks for XML.
func (o *outgoing) body() ([]byte, string, error) {
	ct := ""
	for k, v := range o.webhook.Headers {
		if strings.EqualFold(k, "Content-Type") {
			ct = v
		}
	}
	if !strings.Contains(strings.ToLower(ct), "xml") {
		return o.envelope, "application/json", nil
	}
	var ev api.Event
	if err := json.Unmarshal(o.envelope, &ev); err != nil {
		return nil, "", err
	}
	b, err := xmlEnvelope(&ev)
	return b, "application/xml", err
}

var actions = map[api.EventType]string{
	api.ResourceCreated: "created", api.ResourceUpdated: "updated", api.SubResourceUpdated: "updated", api.ResourceDeleted: "deleted",
}

// xmlEnvelope renders <event><type>kind</type><action>…</action><object>…</object></event>.
func xmlEnvelope(ev *api.Event) ([]byte, error) {
	var payload any
	dec := json.NewDecoder(bytes.NewReader(ev.Payload))
	dec.UseNumber()
	if err := dec.Decode(&payload); err != nil {
		return nil, err
	}
	kind := "event"
	if m, ok := payload.(map[string]any); ok {
		if k, ok := m["kind"].(string); ok {
			kind = strings.ToLower(k)
		}
	}
	action := actions[ev.Type]
	if action == "" {
		action = string(ev.Type)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<event><type>")
	xml.EscapeText(&b, []byte(kind))
	b.WriteString("</type><action>")
	xml.EscapeText(&b, []byte(action))
	b.WriteString("</action><object>")
	writeXML(&b, kind, payload)
	b.WriteString("</object></event>")
	return b.Bytes(), nil
}

// writeXML renders JSON as elements: objects by key, arrays as repeated
// elements of their parent's name.
func writeXML(b *bytes.Buffer, name string, v any) {
	name = xmlName(name)
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("<" + name + ">")
		for _, k := range keys {
			writeXML(b, k, v[k])
		}
		b.WriteString("</" + name + ">")
	case []any:
		for _, e := range v {
			writeXML(b, name, e)
		}
	case nil:
		b.WriteString("<" + name + "/>")
	default:
		b.WriteString("<" + name + ">")
		xml.EscapeText(b, []byte(fmt.Sprint(v)))
		b.WriteString("</" + name + ">")
	}
}

// xmlName makes a key a valid element name ("x-agent-details" stays, "1a"
// becomes "_1a", spaces become "_").
func xmlName(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !ok {
			r = '_'
		}
		if i == 0 && (r == '-' || r == '.' || r >= '0' && r <= '9') {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
