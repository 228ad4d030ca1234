package inprocess

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestTransportServesInProcess(t *testing.T) {
	var seen *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Header().Set("X-Late", "not sent") // after the status: as a server, not sent
		w.Write([]byte(`{"got":"` + string(body) + `"}`))
	})
	c := &http.Client{Transport: Transport{Handler: h}}
	resp, err := c.Post("http://central.in-process/apis/x?page=2", "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || string(b) != `{"got":"hi"}` || resp.ContentLength != int64(len(b)) {
		t.Errorf("got %d %q (length %d)", resp.StatusCode, b, resp.ContentLength)
	}
	if resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Late") != "" {
		t.Errorf("header %v", resp.Header)
	}
	if seen.RequestURI != "/apis/x?page=2" || seen.Host != "central.in-process" || seen.RemoteAddr == "" {
		t.Errorf("the handler saw RequestURI %q, Host %q, RemoteAddr %q", seen.RequestURI, seen.Host, seen.RemoteAddr)
	}
}

func TestTransportDefaultsToOK(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"body only": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) },
		"nothing":   func(w http.ResponseWriter, r *http.Request) {},
	} {
		c := &http.Client{Transport: Transport{Handler: h}}
		resp, err := c.Get("http://central.in-process/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200", name, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); (name == "body only") != (ct == "text/plain; charset=utf-8") {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}
}
