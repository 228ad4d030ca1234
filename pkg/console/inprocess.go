package console

import (
	"net/http"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/inprocess"
)

// apiBase is the base URL of in-process API calls. No connection is ever
// made to it; it only gives the requests a well-formed URL.
const apiBase = "http://central.in-process"

// newAPIClient returns a client of the API at h with the user's token.
func newAPIClient(h http.Handler, token string) *client.Client {
	return client.New(apiBase, client.Options{
		HTTPClient: &http.Client{Transport: inprocess.Transport{Handler: h}},
		Token:      token,
		UserAgent:  "central-console",
	})
}
