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
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	cfgpkg "github.com/centralhq/central/pkg/config"
	"github.com/centralhq/central/pkg/datadir"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/netguard"
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
	// PrivateDestinations is auto, allow or refuse.
	PrivateDestinations string
	AutoDisableAfter    time.Duration
	Workers             int
	PollInterval        time.Duration

	// fromEnv maps the flags that took their value from the environment to
	// their variable, so that a bad value is reported under the name the
	// user set.
	fromEnv map[string]string
}

// applyEnv gives every flag not on the command line the value of
// CENTRAL_<FLAG> (--connect-timeout from CENTRAL_CONNECT_TIMEOUT), so that a
// service manager can configure serve through the environment alone. A
// repeatable flag takes a comma-separated list. An empty variable is unset.
func (o *ServeOptions) applyEnv(fs *pflag.FlagSet) error {
	o.fromEnv = map[string]string{}
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		name := cfgpkg.EnvName(fl.Name)
		v := os.Getenv(name)
		if err != nil || fl.Changed || fl.Name == "help" || v == "" {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			items := strings.Split(v, ",")
			for i := range items {
				items[i] = strings.TrimSpace(items[i])
			}
			err = sv.Replace(items)
		} else {
			err = fl.Value.Set(v)
		}
		if err != nil {
			err = clierr.Flagf(fmt.Sprintf("%s=%q: want %s (it sets --%s)", name, v, valueKind(fl.Value.Type()), fl.Name))
			return
		}
		o.fromEnv[fl.Name] = name
	})
	return err
}

// valueKind says in words what a flag of pflag's type takes.
func valueKind(typ string) string {
	switch typ {
	case "duration":
		return "a duration such as 3s, 5m or 1h30m"
	case "int":
		return "a whole number"
	}
	return "a " + typ
}

// source names where a flag's value came from, for messages: the variable
// if the environment set it, else the flag.
func (o *ServeOptions) source(flag string) string {
	if v, ok := o.fromEnv[flag]; ok {
		return v
	}
	return "--" + flag
}

// NewCmdServe builds "central serve"; runF replaces the run in tests.
func NewCmdServe(f *factory.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server",
		Long: `Run the central API server in the foreground until interrupted (SIGINT or
SIGTERM stop it gracefully: requests in flight finish first, within
--shutdown-timeout; a second signal stops it at once).

It keeps its data in an embedded SQLite database in the data dir and needs
nothing else; with --store postgres://… replicas share one PostgreSQL
database instead (docs/scaling.md). A web console is served at /console/ (sign in with the token);
Prometheus metrics at /metrics (behind the token); /healthz and /readyz
(which also asks the store) answer probes without it. The admin token is
$CENTRAL_ADMIN_TOKEN, or one generated into DATA_DIR/admin-token (mode 0600)
on first start. The CLI on the same machine, talking to a loopback address,
reads it by itself from its own default data dir: $CENTRAL_DATA_DIR, else
$XDG_DATA_HOME/central or ~/.local/share/central. For a server started with
another --data-dir, set CENTRAL_DATA_DIR for the CLI too, or give it the
token.

The dispatcher delivers every event that a ResourceHook matches to its
webhooks: signed when the webhook has a signing secret, retried on 408, 429,
5xx, timeouts and connection errors along --retry-schedule, never after other
4xx, and a webhook answering 410 Gone is disabled. Webhooks may reach loopback
and private addresses only when the server listens on loopback alone (see
--private-destinations), or through --allow-destination; link-local,
unspecified and cloud metadata addresses never.

Every flag can also be set in the environment, as CENTRAL_ and its name in
upper case with underscores: CENTRAL_ADDR, CENTRAL_DATA_DIR,
CENTRAL_CONNECT_TIMEOUT, CENTRAL_WORKERS and so on; CENTRAL_ALLOW_DESTINATION
takes a comma-separated list. A flag on the command line wins over its
variable.

The Go garbage collector runs at GOGC=400 (the heap grows to five times what
is live before a collection), which drains a backlog about a third faster
than Go's default for about 12 MB more memory; set GOGC in the environment
(say GOGC=100) to choose otherwise, or GOMEMLIMIT to bound the memory.`,
		Example: `  # a personal server on the default address
  central serve
  # another port and data dir, JSON logs
  central serve --addr 127.0.0.1:9090 --data-dir /var/lib/central --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.applyEnv(cmd.LocalFlags()); err != nil {
				return err
			}
			if opts.LogFormat != "text" && opts.LogFormat != "json" {
				return clierr.Flagf(fmt.Sprintf("%s must be text or json; got %q", opts.source("log-format"), opts.LogFormat))
			}
			if runF != nil {
				return runF(opts)
			}
			sigs := make(chan os.Signal, 2)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			return serveRun(cmd.Context(), opts, sigs)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&opts.DataDir, "data-dir", datadir.Default(), "directory for the database and the admin token")
	fl.StringVar(&opts.Store, "store", "", "store DSN: empty for the embedded SQLite in the data dir, sqlite://PATH, or postgres://… for PostgreSQL (replicas share one)")
	fl.StringVar(&opts.OrgID, "org-id", "", "organization id (default: generated on first start and kept)")
	fl.StringVar(&opts.LogFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&opts.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long a graceful stop waits for requests in flight")
	fl.StringVar(&opts.RetrySchedule, "retry-schedule", "5s,5m,30m,2h,5h,10h,10h", "delays between webhook attempts after the first (±20% jitter)")
	fl.DurationVar(&opts.ConnectTimeout, "connect-timeout", 3*time.Second, "how long a webhook request may take to connect")
	fl.DurationVar(&opts.RequestTimeout, "request-timeout", 15*time.Second, "how long a webhook request may take in all")
	fl.StringArrayVar(&opts.AllowDestinations, "allow-destination", nil, "let webhooks reach this CIDR range or address, e.g. 10.0.0.0/8 (repeatable)")
	fl.StringVar(&opts.PrivateDestinations, "private-destinations", "auto", "whether webhooks may reach loopback and private addresses: allow, refuse, or auto (allowed only while the server listens on loopback alone)")
	fl.DurationVar(&opts.AutoDisableAfter, "auto-disable-after", 5*24*time.Hour, "disable a webhook that has failed for this long without a success (0 never)")
	fl.IntVar(&opts.Workers, "workers", dispatch.DefaultWorkers, "webhook requests in flight at once")
	fl.DurationVar(&opts.PollInterval, "poll-interval", time.Second, "how often the dispatcher looks for due retries when nothing wakes it")
	return cmd
}

// sameSignal is how soon after the first a signal is taken as the same one.
const sameSignal = time.Second

// serveRun runs the server until ctx is done or a signal comes on sigs
// (nil in tests). The first signal stops it gracefully; a second one, for
// when that takes too long, ends the process at once.
func serveRun(ctx context.Context, o *ServeOptions, sigs <-chan os.Signal) error {
	var level slog.Level
	name := strings.ToUpper(o.LogLevel)
	if name == "WARNING" {
		name = "WARN"
	}
	if err := level.UnmarshalText([]byte(name)); err != nil || strings.ContainsAny(name, "+-") {
		return clierr.Flagf(fmt.Sprintf("%s must be debug, info, warn or error; got %q", o.source("log-level"), o.LogLevel))
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(o.IO.ErrOut, hopts)
	if o.LogFormat == "json" {
		h = slog.NewJSONHandler(o.IO.ErrOut, hopts)
	}
	if err := o.checkSizes(); err != nil {
		return err
	}
	schedule, err := dispatch.ParseSchedule(o.RetrySchedule)
	if err == nil {
		err = dispatch.CheckDefaultSchedule(schedule)
	}
	if err != nil {
		return clierr.Flagf(o.source("retry-schedule") + ": " + err.Error())
	}
	token, err := adminToken(os.Getenv("CENTRAL_ADMIN_TOKEN"))
	if err != nil {
		return err
	}
	org, err := orgID(o.OrgID, o.source("org-id"))
	if err != nil {
		return err
	}
	var allow []netip.Prefix
	for _, a := range o.AllowDestinations {
		p, err := netip.ParsePrefix(a)
		if ip, ipErr := netip.ParseAddr(a); ipErr == nil {
			p, err = netip.PrefixFrom(ip, ip.BitLen()), nil
		}
		if err != nil {
			return clierr.Flagf(fmt.Sprintf("%s: %q is not a CIDR range like 10.0.0.0/8 or an address", o.source("allow-destination"), a))
		}
		if err := netguard.CheckAllow(p); err != nil {
			return clierr.Flagf(o.source("allow-destination") + ": " + err.Error())
		}
		allow = append(allow, p)
	}
	var allowPrivate *bool
	switch o.PrivateDestinations {
	case "auto":
	case "allow", "refuse":
		v := o.PrivateDestinations == "allow"
		allowPrivate = &v
	default:
		return clierr.Flagf(fmt.Sprintf("%s must be allow, refuse or auto; got %q", o.source("private-destinations"), o.PrivateDestinations))
	}
	autoDisable := o.AutoDisableAfter
	if autoDisable == 0 {
		autoDisable = -1 // the flag's 0 means never
	}
	log := slog.New(h)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if sigs != nil {
		done := make(chan struct{})
		defer close(done)
		go stopOnSignals(sigs, cancel, done, log, os.Exit)
	}
	server.TuneGC()
	s, err := server.New(ctx, server.Config{
		Addr: o.Addr, DataDir: o.DataDir, Store: o.Store, OrgID: org,
		AdminToken: token, ShutdownTimeout: o.ShutdownTimeout, Logger: log,
		RetrySchedule: schedule, ConnectTimeout: o.ConnectTimeout, RequestTimeout: o.RequestTimeout,
		AllowDestinations: allow, AllowPrivate: allowPrivate, AutoDisableAfter: autoDisable, Workers: o.Workers, PollInterval: o.PollInterval,
	})
	if err != nil {
		return err
	}
	return s.Serve(ctx)
}

// checkSizes refuses the durations and counts that have no meaning at zero
// or below, rather than let the server read them as "use the default".
func (o *ServeOptions) checkSizes() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"shutdown-timeout", o.ShutdownTimeout},
		{"connect-timeout", o.ConnectTimeout},
		{"request-timeout", o.RequestTimeout},
		{"poll-interval", o.PollInterval},
	} {
		if d.v <= 0 {
			return clierr.Flagf(fmt.Sprintf("%s must be a positive duration such as 3s; got %s", o.source(d.flag), d.v))
		}
	}
	if o.AutoDisableAfter < 0 {
		return clierr.Flagf(fmt.Sprintf("%s must be a duration such as 120h, or 0 to never disable a failing webhook; got %s", o.source("auto-disable-after"), o.AutoDisableAfter))
	}
	if o.Workers < 1 {
		return clierr.Flagf(fmt.Sprintf("%s must be at least 1, the webhook requests sent at once; got %d", o.source("workers"), o.Workers))
	}
	return nil
}

// minTokenLen is the shortest CENTRAL_ADMIN_TOKEN serve takes: the token is
// the only thing between the network and every Secret in the store.
const minTokenLen = 16

// adminToken checks CENTRAL_ADMIN_TOKEN. Surrounding white space, such as the
// newline a token read from a file keeps, is dropped: HTTP drops it from the
// Authorization header too, so a token that kept it would match no client.
func adminToken(v string) (string, error) {
	t := strings.TrimSpace(v)
	switch {
	case v == "":
		return "", nil
	case t == "":
		return "", clierr.Flagf("CENTRAL_ADMIN_TOKEN holds only white space: set a token, for example the output of: openssl rand -hex 24, or unset it to have serve make one")
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }): // as the CLI checks its token
		return "", clierr.Flagf("CENTRAL_ADMIN_TOKEN holds a space or a control character, which no client can send in a header: use letters, digits and punctuation, for example the output of: openssl rand -hex 24")
	case utf8.RuneCountInString(t) < minTokenLen:
		return "", clierr.Flagf(fmt.Sprintf("CENTRAL_ADMIN_TOKEN is %d characters, fewer than %d: anyone who can reach the server could guess it. Use a longer one, for example the output of: openssl rand -hex 24, or unset it to have serve make one", utf8.RuneCountInString(t), minTokenLen))
	}
	return t, nil
}

// orgID checks --org-id: it is written into every row and sent in headers,
// so it is kept to letters, digits, '-' and '_' (Amplify's are digits).
func orgID(v, source string) (string, error) {
	t := strings.TrimSpace(v)
	ok := len(t) <= 64 && strings.IndexFunc(t, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_')
	}) < 0
	if !ok || (v != "" && t == "") {
		return "", clierr.Flagf(fmt.Sprintf("%s must be up to 64 letters, digits, '-' or '_', like 916640157564164; got %q", source, v))
	}
	return t, nil
}

// stopOnSignals cancels the server's context on the first signal and calls
// exit(1) on a second one, until done is closed.
func stopOnSignals(sigs <-chan os.Signal, cancel func(), done <-chan struct{}, log *slog.Logger, exit func(int)) {
	var first time.Time
	select {
	case sig := <-sigs:
		first = time.Now()
		log.Info("stopping on a signal; a second one, a second or more from now, stops at once", "signal", sig.String())
		cancel()
	case <-done:
		return
	}
	for {
		select {
		case sig := <-sigs:
			// A Ctrl-C reaches every process of the terminal's group, so a
			// wrapper that passes it on (timeout, a shell script) makes it
			// arrive twice at once: that is still the first.
			if time.Since(first) < sameSignal {
				continue
			}
			log.Error("stopping now, on a second signal: requests in flight are cut off, and their deliveries are sent again once the server is back", "signal", sig.String())
			exit(1)
			return
		case <-done:
			return
		}
	}
}
