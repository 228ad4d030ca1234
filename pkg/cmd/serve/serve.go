// Package serve implements "central serve": the API server (and, as it grows,
// the dispatcher) in the foreground until SIGINT or SIGTERM.
package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/datadir"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/server"
)

// ServeOptions are the flags of serve.
type ServeOptions struct {
	IO              *iostreams.IOStreams
	Addr            string
	DataDir         string
	Store           string
	OrgID           string
	LogFormat       string
	LogLevel        string
	ShutdownTimeout time.Duration

	RetrySchedule     string
	ConnectTimeout    time.Duration
	RequestTimeout    time.Duration
	AllowDestinations []string
	AutoDisableAfter  time.Duration
	Workers           int
	PollInterval      time.Duration
}

// envDefault returns $CENTRAL_<NAME> or def, so every flag can come from the
// environment of a service manager.
func envDefault(name, def string) string {
	if v := os.Getenv("CENTRAL_" + name); v != "" {
		return v
	}
	return def
}

// NewCmdServe builds "central serve"; runF replaces the run in tests.
func NewCmdServe(f *factory.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the central API server in the foreground until interrupted (SIGINT or
SIGTERM stop it gracefully: requests in flight finish first).

It keeps its data in an embedded SQLite database in the data dir and needs
nothing else. A web console is served at /console/ (sign in with the token);
Prometheus metrics at /metrics (behind the token). The admin token is $CENTRAL_ADMIN_TOKEN, or one generated into
DATA_DIR/admin-token (mode 0600) on first start; the CLI on the same machine
reads it from there by itself.

The dispatcher delivers every event that a ResourceHook matches to its
webhooks: signed when the webhook has a signing secret, retried on 408, 429,
5xx, timeouts and connection errors along --retry-schedule, never after other
4xx, and a webhook answering 410 Gone is disabled. Webhooks may reach loopback
and private addresses only when the server listens on loopback alone, or
through --allow-destination; link-local and cloud metadata addresses never.

These flags can also be set in the environment: CENTRAL_ADDR, CENTRAL_DATA_DIR,
CENTRAL_STORE, CENTRAL_ORG_ID, CENTRAL_LOG_FORMAT, CENTRAL_LOG_LEVEL,
CENTRAL_RETRY_SCHEDULE. The Go garbage collector runs at GOGC=400 (the heap
grows to five times what is live before a collection), which drains a
backlog about a third faster than Go's default for about 12 MB more memory;
set GOGC in the environment (say GOGC=100) to choose otherwise, or GOMEMLIMIT
to bound the memory.`,
		Example: `  # a personal server on the default address
  central serve
  # another port and data dir, JSON logs
  central serve --addr 127.0.0.1:9090 --data-dir /var/lib/central --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.LogFormat != "text" && opts.LogFormat != "json" {
				return clierr.Flagf(fmt.Sprintf("--log-format must be text or json; got %q", opts.LogFormat))
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serveRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", envDefault("ADDR", "127.0.0.1:8080"), "address to listen on")
	fl.StringVar(&opts.DataDir, "data-dir", datadir.Default(), "directory for the database and the admin token")
	fl.StringVar(&opts.Store, "store", envDefault("STORE", ""), "store DSN: empty for the embedded SQLite in the data dir, or sqlite://PATH")
	fl.StringVar(&opts.OrgID, "org-id", envDefault("ORG_ID", ""), "organization id (default: generated on first start and kept)")
	fl.StringVar(&opts.LogFormat, "log-format", envDefault("LOG_FORMAT", "text"), "log format: text or json")
	fl.StringVar(&opts.LogLevel, "log-level", envDefault("LOG_LEVEL", "info"), "log level: debug, info, warn or error")
	fl.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long a graceful stop waits for requests in flight")
	fl.StringVar(&opts.RetrySchedule, "retry-schedule", envDefault("RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h,10h"), "delays between webhook attempts after the first (±20% jitter)")
	fl.DurationVar(&opts.ConnectTimeout, "connect-timeout", 3*time.Second, "how long a webhook request may take to connect")
	fl.DurationVar(&opts.RequestTimeout, "request-timeout", 15*time.Second, "how long a webhook request may take in all")
	fl.StringArrayVar(&opts.AllowDestinations, "allow-destination", nil, "let webhooks reach this CIDR range, e.g. 10.0.0.0/8 (repeatable; loopback and private ranges are refused unless the server listens on loopback only)")
	fl.DurationVar(&opts.AutoDisableAfter, "auto-disable-after", 5*24*time.Hour, "disable a webhook that has failed for this long without a success (0 never)")
	fl.IntVar(&opts.Workers, "workers", dispatch.DefaultWorkers, "webhook requests in flight at once")
	fl.DurationVar(&opts.PollInterval, "poll-interval", time.Second, "how often the dispatcher looks for due retries when nothing wakes it")
	return cmd
}

func serveRun(ctx context.Context, o *ServeOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(o.LogLevel))); err != nil {
		return clierr.Flagf(fmt.Sprintf("--log-level must be debug, info, warn or error; got %q", o.LogLevel))
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(o.IO.ErrOut, hopts)
	if o.LogFormat == "json" {
		h = slog.NewJSONHandler(o.IO.ErrOut, hopts)
	}
	schedule, err := dispatch.ParseSchedule(o.RetrySchedule)
	if err != nil {
		return clierr.Flagf("--retry-schedule: " + err.Error())
	}
	var allow []netip.Prefix
	for _, a := range o.AllowDestinations {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return clierr.Flagf(fmt.Sprintf("--allow-destination %q is not a CIDR range like 10.0.0.0/8", a))
		}
		allow = append(allow, p)
	}
	autoDisable := o.AutoDisableAfter
	if autoDisable == 0 {
		autoDisable = -1 // the flag's 0 means never
	}
	server.TuneGC()
	s, err := server.New(ctx, server.Config{
		Addr: o.Addr, DataDir: o.DataDir, Store: o.Store, OrgID: o.OrgID,
		AdminToken: os.Getenv("CENTRAL_ADMIN_TOKEN"), ShutdownTimeout: o.ShutdownTimeout, Logger: slog.New(h),
		RetrySchedule: schedule, ConnectTimeout: o.ConnectTimeout, RequestTimeout: o.RequestTimeout,
		AllowDestinations: allow, AutoDisableAfter: autoDisable, Workers: o.Workers, PollInterval: o.PollInterval,
	})
	if err != nil {
		return err
	}
	return s.Serve(ctx)
}
