// Command approval-flow is a webhook receiver that approves or rejects
// catalog subscriptions: on each SubscriptionUpdatedEvent in state REQUESTED
// it applies a rule to the subscriber's profile (approve when "Job title" is
// given and is not "intern") and records the decision through central's API.
// See README.md for the whole flow.
//
//	go run ./examples/approval-flow -addr 127.0.0.1:9100 -secret whsec_...
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/centralhq/central/examples/approval-flow/approver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "approval-flow:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:9100", "address to listen on; the webhook's URL is http://ADDR/hook")
	secret := flag.String("secret", "", "the webhook's signing secret, whsec_... (env WEBHOOK_SECRET); during a rotation, old and new separated by a comma")
	auth := flag.String("webhook-auth", "", "if set, the Authorization value every request must carry (env WEBHOOK_AUTH)")
	base := flag.String("api", envOr("CENTRAL_BASE_URL", "http://127.0.0.1:8080"), "central's API (env CENTRAL_BASE_URL)")
	token := flag.String("token", "", "API token (env CENTRAL_TOKEN)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./examples/approval-flow [flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	// Secrets come from the environment after parsing, so -h never shows them.
	*secret = cmp.Or(*secret, os.Getenv("WEBHOOK_SECRET"))
	*token = cmp.Or(*token, os.Getenv("CENTRAL_TOKEN"))
	*auth = cmp.Or(*auth, os.Getenv("WEBHOOK_AUTH"))

	var secrets []string
	for _, s := range strings.Split(*secret, ",") {
		if s = strings.TrimSpace(s); s != "" {
			secrets = append(secrets, s)
		}
	}
	h, err := approver.New(approver.Config{Secrets: secrets, APIBase: strings.TrimRight(*base, "/"), Token: *token, WebhookAuth: *auth})
	if err != nil {
		return err
	}
	if *token == "" {
		slog.Warn("no API token (-token or CENTRAL_TOKEN): the API will refuse the decisions")
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hook", h)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("approval-flow receiver listening", "url", "http://"+*addr+"/hook", "api", *base)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
