package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/centralhq/central/pkg/api"
)

// patchable are the top-level members of a resource a PATCH may change:
// those a PUT replaces. The rest are fixed by the path (name, kind, group,
// apiVersion), written by the server (metadata) or written on their own
// (subresources).
var patchable = map[string]string{
	"title":      "a string",
	"attributes": "an object of string values",
	"tags":       "an array of strings",
	"finalizers": `an array of {"name", "description"} objects`,
	"owner":      `an object {"type", "id"}`,
	"spec":       "an object",
}

// handlePatch serves PATCH on a resource. The JSON Patch is applied to the
// stored resource inside the write transaction (so no concurrent write is
// lost), and its result goes the way of a PUT's body: the same checks, the
// same ResourceUpdated event and webhooks. If-Match: <resourceVersion> asks
// for the 428 a PUT's metadata.resourceVersion gives.
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); !isPatchMediaType(ct) {
		return nil, errorf(http.StatusUnsupportedMediaType, "A PATCH body is a JSON Patch: send it with Content-Type: %s (this request sent %q).", api.PatchMediaType, ct)
	}
	version, err := ifMatch(r)
	if err != nil {
		return nil, err
	}
	ops, err := s.readPatch(w, r, t)
	if err != nil {
		return nil, err
	}
	return s.rewrite(r, t, version, func(res *api.ResourceInstance) (*api.ResourceInstance, error) {
		in, err := patchResource(res, ops)
		if err != nil {
			return nil, err
		}
		return in, s.checkResource(t, in)
	})
}

func isPatchMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == api.PatchMediaType
}

// ifMatch reads the one resourceVersion of a request's If-Match header: 42,
// "42" or W/"42". Absent or * (any version) asks for no check, "". Anything
// else, a list of versions above all, is a 400: a resource has one current
// version, and a write is checked against the one its client read.
func ifMatch(r *http.Request) (string, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return "", nil
	}
	h := strings.TrimSpace(values[0])
	if h == "*" && len(values) == 1 {
		return "", nil
	}
	v := strings.TrimPrefix(h, "W/")
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(values) > 1 || v == "" || strings.ContainsFunc(v, func(c rune) bool { return c <= ' ' || c == '"' || c == ',' || c == 0x7f }) {
		sent := strings.Join(values, ", ")
		if short := abbreviate(sent, 100); short != sent {
			sent = short + "…"
		}
		return "", errorf(http.StatusBadRequest, `If-Match takes one resourceVersion, as in If-Match: "42" (or * for any version); this request sent If-Match: %s.`, sent)
	}
	return v, nil
}

// readPatch decodes and checks a JSON Patch body: an array of operations
// on members of the resource a PATCH may change.
func (s *Server) readPatch(w http.ResponseWriter, r *http.Request, t target) ([]patchOp, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody())
	var raw json.RawMessage
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(&raw)
	if err == nil {
		err = onlyValue(dec)
	}
	if errors.As(err, new(*trailingError)) {
		return nil, invalid("", "A PATCH body is one JSON array of operations; %v.", err)
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, err
		}
		return nil, invalid("", "The request body is not valid JSON: %v.", err)
	}
	var items []json.RawMessage
	if raw = bytes.TrimSpace(raw); raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, invalid("", `A PATCH body is a JSON array of operations, such as [{"op": "replace", "path": "/title", "value": "Pets"}].`)
	}
	ops := make([]patchOp, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &ops[i]); err != nil || bytes.TrimSpace(item)[0] != '{' {
			return nil, invalid("", `Operation %d is not an object {"op", "path", "value"} of strings and a value.`, i)
		}
		if err := ops[i].check(i); err != nil {
			return nil, err
		}
		if err := checkPatchable(t, ops[i], i); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

// checkPatchable refuses an operation outside the members a PATCH may
// change, saying how that member is written instead.
func checkPatchable(t target, op patchOp, i int) error {
	if len(op.tokens) == 0 {
		return invalid("", "Operation %d (%s) names the whole resource: a PATCH changes parts of it; PUT replaces it.", i, op.Op)
	}
	top := op.tokens[0]
	switch {
	case patchable[top] != "":
		return nil
	case top == "metadata":
		return invalid(op.Path, "Operation %d (%s %s): metadata is written by the server and cannot be patched (to refuse a stale write, send If-Match: <resourceVersion>).", i, op.Op, op.Path)
	case top == "name" || top == "kind" || top == "group" || top == "apiVersion":
		return invalid(op.Path, "Operation %d (%s %s): a resource's %s is fixed by its path and cannot be patched.", i, op.Op, op.Path, top)
	case t.kind.HasSubResource(top):
		return invalid(op.Path, "Operation %d (%s %s): %s is a subresource, written only with PUT on …/%s/%s; a resource's PATCH, like its PUT, leaves subresources alone.",
			i, op.Op, op.Path, top, t.name, top)
	}
	return invalid(op.Path, "Operation %d (%s %s): a %s has no member %q; a PATCH may change title, attributes, tags, finalizers, owner and spec.",
		i, op.Op, op.Path, t.kind.Kind, top)
}

// patchResource applies checked, patchable ops to res's document and
// returns the result; res is left alone. Only the members the ops touch are
// decoded and encoded again: the others, and a touched one the patch leaves
// equal, keep their stored bytes, so a patch that changes nothing writes
// nothing.
func patchResource(res *api.ResourceInstance, ops []patchOp) (*api.ResourceInstance, error) {
	stored, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(stored, &members); err != nil {
		return nil, err
	}
	doc := map[string]any{} // the touched members that exist
	touched := map[string]bool{}
	for _, op := range ops {
		key := op.tokens[0]
		if touched[key] {
			continue
		}
		touched[key] = true
		if raw, ok := members[key]; ok {
			if doc[key], err = decodeValue(raw); err != nil {
				return nil, err
			}
		}
	}
	out, err := applyPatch(doc, ops)
	if err != nil {
		return nil, err
	}
	patched := out.(map[string]any) // no op names the whole document
	for key := range touched {
		v, ok := patched[key]
		if !ok {
			delete(members, key)
			continue
		}
		if raw, existed := members[key]; existed {
			if old, _ := decodeValue(raw); reflect.DeepEqual(old, v) {
				continue
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if nestsDeeperThan(b, maxNesting) {
			return nil, invalid("/"+key, "After the patch, %s nests objects and arrays more than %d levels deep, the limit.", key, maxNesting)
		}
		members[key] = b
	}
	b, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	var in api.ResourceInstance
	if err := json.Unmarshal(b, &in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			top, _, _ := strings.Cut(typeErr.Field, ".")
			return nil, invalid("/"+top, "After the patch, %s is not %s (it holds a JSON %s).", top, patchable[top], typeErr.Value)
		}
		return nil, invalid("", "The patched resource is not valid: %v.", err)
	}
	return &in, nil
}

// decodeValue decodes one JSON value, numbers kept as written.
func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
