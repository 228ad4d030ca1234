// Package listen implements "central hooks listen": a local webhook receiver
// that prints every event it gets, checks its signature and can forward it
// to the application being developed.
package listen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/signature"
)

// forwardTimeout bounds one forward, so a hung application cannot hold the
// sender's request forever.
const forwardTimeout = 10 * time.Second

// shutdownTimeout is how long a stop waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// readTimeout bounds reading a request, body included, and idleTimeout a
// kept-alive connection's wait for the next, so a slow or idle client cannot
// hold a connection for ever. A handler outliving readTimeout would have its
// request's context cancelled, but it runs at most forwardTimeout past the body.
const (
	readTimeout = time.Minute
	idleTimeout = 2 * time.Minute
)

// ListenOptions are the dependencies and flags of one listen.
type ListenOptions struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// HTTPClient forwards events; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Ready, when set, is called with the bound address (host:port) once
	// the receiver accepts requests, which is how a test started on port 0
	// learns where to send.
	Ready func(addr string)

	Addr      string
	Secrets   []string
	ForwardTo string
	Status    int
}

// NewCmdListen builds "central hooks listen"; runF replaces the run in tests.
func NewCmdListen(f *factory.Factory, runF func(*ListenOptions) error) *cobra.Command {
	opts := &ListenOptions{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive webhook events locally and print them",
		Long: `Run a local webhook receiver until interrupted (Ctrl-C). Point a webhook's URL
at it (the server must be allowed to reach it) and every event POSTed to it,
on any path, prints one line on stdout:

  TIME  TYPE  KIND/NAME [in SCOPEKIND/SCOPENAME]  webhook-id: ID  signature: STATE

where STATE is valid, INVALID (reason), unsigned (no webhook-signature
header) or not checked (signed, but no --secret given). Give the webhook's
signing secret with --secret to check signatures; repeat it to accept the
old and the new secret during a rotation. A body that is not a JSON event is
printed as it is.

Every request is answered with --status (default 204); answer 500 to watch
the server retry. With --forward-to, the body and headers are POSTed on to
that URL first (before answering) and its status printed as
"  -> forwarded: STATUS"; a failed forward is printed, not fatal.

Exit codes: 0 when stopped by Ctrl-C or SIGTERM, 1 on any error (such as an
address already in use).`,
		Example: `  # print what arrives on port 9000
  central hooks listen
  # point a webhook at it
  central create webhook dev -s Integration/monitor --url http://127.0.0.1:9000/hook --generate-secret
  # check signatures, and pass events on to the app under development
  central hooks listen --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --forward-to http://localhost:3000/webhooks
  # make every delivery fail, to see the retries
  central hooks listen --addr 127.0.0.1:9001 --status 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return listenRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:9000", "address to listen on, host:port")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "signing secret (whsec_...) to check signatures with; repeatable")
	fl.StringVar(&opts.ForwardTo, "forward-to", "", "URL to POST every event on to, e.g. http://localhost:3000/webhooks")
	fl.IntVar(&opts.Status, "status", http.StatusNoContent, "HTTP status code to answer with")
	return cmd
}

// validate checks the flags before anything listens.
func (o *ListenOptions) validate() error {
	if o.Status < 200 || o.Status > 599 {
		return clierr.Flagf(fmt.Sprintf("--status must be an HTTP status code from 200 to 599; got %d", o.Status))
	}
	for i, s := range o.Secrets {
		if _, err := signature.ParseSecret(s); err != nil {
			// Said in the CLI's words, not the library's (which points Go
			// programs at GenerateSecret), and never echoing the secret: it
			// is named by position.
			return clierr.Flagf(fmt.Sprintf("--secret number %d is not a webhook signing secret (%q and the standard base64 of %d to %d bytes; "+
				"was it cut short or URL-encoded?). Use the one \"central create webhook --generate-secret\" or \"central hooks rotate-secret\" printed, "+
				"also kept in the Secret WEBHOOK-signing: central get secret WEBHOOK-signing -s KIND/NAME -o yaml",
				i+1, signature.SecretPrefix, signature.MinSecretBytes, signature.MaxSecretBytes))
		}
	}
	if o.ForwardTo != "" {
		u, err := url.Parse(o.ForwardTo)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return clierr.Flagf(fmt.Sprintf("--forward-to must be an http(s) URL, e.g. http://localhost:3000/webhooks; got %q", o.ForwardTo))
		}
	}
	return nil
}

func listenRun(ctx context.Context, o *ListenOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: forwardTimeout}
	}
	// Show a redirect as the application's answer instead of following it.
	fwd := *hc
	fwd.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rc := &receiver{out: o.IO.Out, now: o.Now, secrets: o.Secrets, forwardTo: o.ForwardTo, client: &fwd, status: o.Status}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("can't listen on %s: %w", o.Addr, err)
	}
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: readTimeout, IdleTimeout: idleTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	fmt.Fprintf(o.IO.ErrOut, "Ready! Listening on http://%s (Ctrl-C to stop)\n", addr)
	if n := len(o.Secrets); n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Checking signatures with %d secret%s.\n", n, plural(n))
	}
	if o.ForwardTo != "" {
		fmt.Fprintf(o.IO.ErrOut, "Forwarding events to %s\n", o.ForwardTo)
	}
	if o.Ready != nil {
		o.Ready(addr)
	}

	select {
	case err := <-served:
		return fmt.Errorf("receiver on %s stopped: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		return serr
	}
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
