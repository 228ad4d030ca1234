package api

import "fmt"

// ErrorResponse is the body of every failed API call.
type ErrorResponse struct {
	Errors []Error `json:"errors"`
}

// Error is one entry of an ErrorResponse.
type Error struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// Source points at the offending input, for example {"pointer": "/spec/url"}.
	Source map[string]string `json:"source,omitempty"`
	Meta   ErrorMeta         `json:"meta"`
}

// ErrorMeta carries ids that tie an error to the server's logs.
type ErrorMeta struct {
	TransactionID string `json:"transactionId,omitempty"`
	TenantID      string `json:"tenantId,omitempty"`
	// AuthenticatedUserID is the user the request was made as; empty for
	// a request refused before it was authenticated.
	AuthenticatedUserID string `json:"authenticatedUserId,omitempty"`
}

// Error titles used by the server, one per status code.
const (
	TitleBadRequest       = "Validation error"
	TitleUnauthorized     = "Unauthorized error"
	TitleForbidden        = "Forbidden error"
	TitleNotFound         = "Not found error"
	TitleConflict         = "Conflict error"
	TitlePrecondition     = "Precondition required error"
	TitleTooLarge         = "Request entity too large error"
	TitleMethodNotAllowed = "Method not allowed error"
	TitleUnsupportedMedia = "Unsupported media type error"
	TitleInternal         = "Internal server error"
)

// PatchMediaType is the Content-Type of a PATCH body: a JSON Patch.
const PatchMediaType = "application/json-patch+json"

// Error formats the entry as "Title: detail".
func (e Error) Error() string {
	if e.Detail == "" {
		return e.Title
	}
	return fmt.Sprintf("%s: %s", e.Title, e.Detail)
}
