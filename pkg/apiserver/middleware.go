package apiserver

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey int

const correlationKey ctxKey = 0

// CorrelationHeader carries the id tying a request to its events and logs.
const CorrelationHeader = "X-Correlation-Id"

func correlationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey).(string)
	return id
}

// withCorrelation takes the caller's correlation id, or makes one, and echoes
// it in the response.
func (s *Server) withCorrelation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(CorrelationHeader)
		if id == "" || len(id) > 128 {
			id = s.newID()
		}
		w.Header().Set(CorrelationHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), correlationKey, id)))
	})
}

// withAuth demands the bearer token on every API path.
func (s *Server) withAuth(next http.Handler) http.Handler {
	deny := s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
		hint := s.TokenHint
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); s.RemoteTokenHint != "" && (err != nil || !ap.Addr().Unmap().IsLoopback()) {
			hint = s.RemoteTokenHint
		}
		return nil, errorf(http.StatusUnauthorized,
			"A valid token is required: send \"Authorization: Bearer <token>\". %s", hint)
	})
	wrongOrg := s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
		return nil, errorf(http.StatusForbidden, "Organization %q is not served here; this server serves organization %q.",
			r.Header.Get("X-Axway-Tenant-Id"), s.Org)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.Token)) != 1 {
			deny.ServeHTTP(w, r)
			return
		}
		if t := r.Header.Get("X-Axway-Tenant-Id"); t != "" && t != s.Org {
			wrongOrg.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
