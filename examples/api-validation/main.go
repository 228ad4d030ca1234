// Command api-validation is a webhook receiver that checks APIServices as
// they are created and changed: a description must be given, and the title
// must start with an upper-case letter and be at most 60 characters long. It
// writes its verdict to the service's x-compliance subresource and never
// changes the service itself. See README.md for the whole flow.
//
//	go run ./examples/api-validation -addr 127.0.0.1:9200 -secret whsec_...
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
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/centralhq/central/examples/api-validation/validator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "api-validation:", err)
		os.Exit(1)
	}
}

func run() error {
	rule := validator.DefaultRule()
	addr := flag.String("addr", "127.0.0.1:9200", "address to listen on; the webhook's URL is http://ADDR/hook")
	secret := flag.String("secret", "", "the webhook's signing secret, whsec_... (env WEBHOOK_SECRET); during a rotation, old and new separated by a comma")
	base := flag.String("api", envOr("CENTRAL_BASE_URL", "http://127.0.0.1:8080"), "central's API (env CENTRAL_BASE_URL)")
	token := flag.String("token", "", "API token (env CENTRAL_TOKEN)")
	pattern := flag.String("title-pattern", rule.TitlePattern.String(), "regular expression the title must match")
	flag.IntVar(&rule.MaxTitle, "max-title", rule.MaxTitle, "longest title allowed, in characters")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./examples/api-validation [flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	// Secrets come from the environment after parsing, so -h never shows them.
	*secret = cmp.Or(*secret, os.Getenv("WEBHOOK_SECRET"))
	*token = cmp.Or(*token, os.Getenv("CENTRAL_TOKEN"))

	re, err := regexp.Compile(*pattern)
	if err != nil {
		return fmt.Errorf("-title-pattern: %w", err)
	}
	rule.TitlePattern = re
	var secrets []string
	for _, s := range strings.Split(*secret, ",") {
		if s = strings.TrimSpace(s); s != "" {
			secrets = append(secrets, s)
		}
	}
	h, err := validator.New(validator.Config{Secrets: secrets, APIBase: strings.TrimRight(*base, "/"), Token: *token, Rule: rule})
	if err != nil {
		return err
	}
	if *token == "" {
		slog.Warn("no API token (-token or CENTRAL_TOKEN): the API will refuse the verdicts")
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hook", h)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("api-validation receiver listening", "url", "http://"+*addr+"/hook", "api", *base)
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
