package apiserver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// Error is a failure a handler returns on purpose: the wrapper turns it into
// the Amplify error body with its status code.
type Error struct {
	Status int
	Detail string
	// Source points at the offending input, e.g. {"pointer": "/spec/url"}.
	Source map[string]string
	// Allow, on a 405, lists the methods the path serves: the Allow header.
	Allow string
}

func (e *Error) Error() string { return e.Detail }

func titleFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return api.TitleBadRequest
	case http.StatusUnauthorized:
		return api.TitleUnauthorized
	case http.StatusForbidden:
		return api.TitleForbidden
	case http.StatusNotFound:
		return api.TitleNotFound
	case http.StatusConflict:
		return api.TitleConflict
	case http.StatusPreconditionRequired:
		return api.TitlePrecondition
	case http.StatusRequestEntityTooLarge:
		return api.TitleTooLarge
	case http.StatusMethodNotAllowed:
		return api.TitleMethodNotAllowed
	case http.StatusUnsupportedMediaType:
		return api.TitleUnsupportedMedia
	}
	return api.TitleInternal
}

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Detail: fmt.Sprintf(format, args...)}
}

// notAllowed is a 405 that lists, in its Allow header, the methods the path
// serves.
func notAllowed(allow, format string, args ...any) *Error {
	e := errorf(http.StatusMethodNotAllowed, format, args...)
	e.Allow = allow
	return e
}

// invalid is a 400 that names the field it is about.
func invalid(pointer, format string, args ...any) *Error {
	e := errorf(http.StatusBadRequest, format, args...)
	if pointer != "" {
		e.Source = map[string]string{"pointer": pointer}
	}
	return e
}

func scopeSuffix(scopeKind, scopeName string) string {
	if scopeKind == "" {
		return ""
	}
	return fmt.Sprintf(" in scope %s/%s", scopeKind, scopeName)
}

func notFound(kind, name, scopeKind, scopeName string) *Error {
	return errorf(http.StatusNotFound, "Resource %s of kind %s not found%s.", name, kind, scopeSuffix(scopeKind, scopeName))
}

// asAPIError maps any handler error to a status and body entry. Errors that
// are not ours are internal: their text goes to the log, not to the client.
func asAPIError(err error) (api.Error, bool) {
	var e *Error
	switch {
	case errors.As(err, &e):
		return api.Error{Status: e.Status, Title: titleFor(e.Status), Detail: e.Detail, Source: e.Source}, true
	case errors.Is(err, store.ErrNotFound):
		return api.Error{Status: http.StatusNotFound, Title: api.TitleNotFound, Detail: "Not found."}, true
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return api.Error{Status: http.StatusRequestEntityTooLarge, Title: api.TitleTooLarge,
			Detail: fmt.Sprintf("The request body is larger than %d bytes.", tooLarge.Limit)}, true
	}
	return api.Error{Status: http.StatusInternalServerError, Title: api.TitleInternal,
		Detail: "The server failed to handle the request; its log has the cause under this transaction id."}, false
}
