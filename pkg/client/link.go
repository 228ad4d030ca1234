package client

import (
	"net/http"
	"strings"
)

// nextLink returns the target of rel="next" in the response's Link headers,
// or "". It splits entries on the angle brackets rather than on commas, since
// list URLs carry commas of their own (sort=name,ASC, fields=a,b).
func nextLink(h http.Header) string {
	s := strings.Join(h.Values("Link"), ",")
	for {
		start := strings.IndexByte(s, '<')
		if start < 0 {
			return ""
		}
		end := strings.IndexByte(s[start:], '>')
		if end < 0 {
			return ""
		}
		target := s[start+1 : start+end]
		s = s[start+end+1:]
		params := s
		if i := strings.IndexByte(s, '<'); i >= 0 {
			params = s[:i]
		}
		if hasRel(params, "next") {
			return target
		}
	}
}

// hasRel reports whether a link's parameters (`; rel="next prev"`) include
// the relation rel; relation types are case-insensitive (RFC 8288).
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		v = strings.Trim(strings.TrimRight(v, ", "), `" `)
		for _, r := range strings.Fields(v) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}
