package api

import "testing"

func TestCheckHeader(t *testing.T) {
	for _, ok := range [][2]string{{"X-Team", "core"}, {"Content-Type", "application/xml"}, {"Authorization", "Bearer a\tb"}, {"x!#$%&'*+-.^_`|~1", ""}} {
		if err := CheckHeader(ok[0], ok[1]); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range [][2]string{{"", "v"}, {"X A", "v"}, {"X:A", "v"}, {"Ä", "v"}, {"X-A", "a\r\nInjected: 1"}, {"X-A", "a\nb"},
		{"X-A", "a\x00"}, {"webhook-signature", "v1,forged"}, {"Webhook-Id", "x"}, {"Host", "example.com"}, {"Content-Length", "1"}} {
		if err := CheckHeader(bad[0], bad[1]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
