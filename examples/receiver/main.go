// Command receiver is a small webhook receiver for central: it checks each
// request's Standard Webhooks signature, drops duplicates by webhook-id (a
// delivery can arrive more than once), and prints the event.
//
//	go run ./examples/receiver -addr 127.0.0.1:9000 -secret whsec_...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on")
	secret := flag.String("secret", "", "the webhook's signing secret (whsec_...); empty accepts unsigned requests")
	flag.Parse()
	log.Printf("listening on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, newHandler(*secret)))
}

// newHandler returns the receiver; seen remembers event ids already handled.
func newHandler(secret string) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, signature.MaxBodyBytes))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		if secret != "" {
			if err := signature.Verify([]string{secret}, r.Header, body, time.Now(), 0); err != nil {
				// 400, not 5xx: a bad signature will not get better on retry.
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		var ev api.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "not an event: "+err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		dup := seen[ev.ID]
		seen[ev.ID] = true
		mu.Unlock()
		if dup {
			w.WriteHeader(http.StatusNoContent) // already handled: acknowledge again
			return
		}
		var res api.ResourceInstance
		_ = json.Unmarshal(ev.Payload, &res)
		fmt.Printf("%s %s %s/%s\n", ev.Time, ev.Type, res.Kind, res.Name)
		w.WriteHeader(http.StatusNoContent)
	})
}
