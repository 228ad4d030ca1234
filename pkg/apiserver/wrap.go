package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// response lets a handler choose the status and headers of a success.
type response struct {
	status  int
	body    any
	headers http.Header
}

// rawJSON is a body that is JSON already, written as it is.
type rawJSON []byte

// handlerFunc is what every endpoint implements: a value to encode, or an
// error the wrapper maps to a status code and the Amplify error body.
type handlerFunc func(w http.ResponseWriter, r *http.Request) (any, error)

// wrap turns a handlerFunc into an http.Handler: it owns JSON encoding, error
// mapping and the request log line.
func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		v, err := h(w, r)
		status := http.StatusOK
		if err != nil {
			apiErr, known := asAPIError(err)
			apiErr.Meta.TransactionID = correlationID(r.Context())
			apiErr.Meta.TenantID = s.Org
			if apiErr.Status != http.StatusUnauthorized {
				apiErr.Meta.AuthenticatedUserID = s.UserID
			}
			status = apiErr.Status
			level := slog.LevelDebug
			if !known {
				level = slog.LevelError
			}
			s.log().Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path,
				"status", status, "err", err.Error(), "correlationId", correlationID(r.Context()))
			if e := (*Error)(nil); errors.As(err, &e) && e.Allow != "" {
				w.Header().Set("Allow", e.Allow)
			}
			writeJSON(w, status, api.ErrorResponse{Errors: []api.Error{apiErr}})
			s.observe(r, status, start)
			return
		}
		switch v := v.(type) {
		case response:
			for k, vals := range v.headers {
				w.Header()[k] = vals
			}
			status = v.status
			if v.body == nil {
				w.WriteHeader(status)
			} else {
				writeJSON(w, status, v.body)
			}
		default:
			writeJSON(w, status, v)
		}
		s.log().Debug("request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration", time.Since(start), "correlationId", correlationID(r.Context()))
		s.observe(r, status, start)
	})
}

func (s *Server) observe(r *http.Request, status int, start time.Time) {
	if s.Observer != nil {
		s.Observer.Request(r.Pattern, r.Method, status, time.Since(start))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch v := v.(type) {
	case nil:
	case rawJSON:
		_, _ = w.Write(v)
		_, _ = w.Write([]byte{'\n'}) // as json.Encoder ends it
	default:
		_ = json.NewEncoder(w).Encode(v)
	}
}

// decodeBody reads a JSON request body no larger than the server's limit.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody())
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil {
		err = onlyValue(dec)
	}
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return err
		}
		return invalid("", "The request body is not a valid JSON resource: %v.", err)
	}
	return nil
}

// trailingError is data after a body's JSON value.
type trailingError struct{ at int64 }

func (e *trailingError) Error() string {
	return fmt.Sprintf("the body has more after its first value (from byte %d)", e.at)
}

// onlyValue checks that nothing but space follows the value dec decoded.
func onlyValue(dec *json.Decoder) error {
	end := dec.InputOffset()
	_, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil
	case err == nil || errors.As(err, new(*json.SyntaxError)):
		return &trailingError{end}
	}
	return err
}
