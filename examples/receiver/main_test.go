package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/signature"
)

func TestReceiver(t *testing.T) {
	secret, _ := signature.GenerateSecret()
	h := newHandler(secret)
	body := `{"id":"e1","type":"ResourceCreated","payload":{"kind":"Environment","name":"prod"}}`
	send := func(signWith string, body string) int {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if signWith != "" {
			s, _ := signature.NewSigner(signWith)
			for k, v := range s.Headers("e1", time.Now(), []byte(body)) {
				req.Header[k] = v
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	other, _ := signature.GenerateSecret()
	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"signed", secret, body, http.StatusNoContent},
		{"duplicate", secret, body, http.StatusNoContent},
		{"unsigned", "", body, http.StatusBadRequest},
		{"wrong secret", other, body, http.StatusBadRequest},
		{"not an event", secret, "[1]", http.StatusBadRequest},
	} {
		if got := send(tc.secret, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
