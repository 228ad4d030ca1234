package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
)

// run runs "central serve args..." with runF (when not nil) in place of the
// server, and returns serve's flags as they were when it ran.
func run(t *testing.T, runF func(*ServeOptions) error, args ...string) (map[string]string, error) {
	t.Helper()
	fac, _, _, _ := cmdtest.NewFactory(nil)
	got := map[string]string{}
	var flags *pflag.FlagSet
	cmd := NewCmdServe(fac, func(o *ServeOptions) error {
		flags.VisitAll(func(fl *pflag.Flag) { got[fl.Name] = fl.Value.String() })
		if runF != nil {
			return runF(o)
		}
		return nil
	})
	flags = cmd.LocalFlags()
	return got, cmdtest.Execute(cmd, args...)
}

// envSamples holds, for every flag of serve, a value for its variable and
// the flag's value it must give.
var envSamples = map[string]struct{ env, want string }{
	"addr":                 {"127.0.0.1:18099", "127.0.0.1:18099"},
	"data-dir":             {"/srv/central", "/srv/central"},
	"store":                {"sqlite:///srv/central.db", "sqlite:///srv/central.db"},
	"org-id":               {"123456789012345", "123456789012345"},
	"log-format":           {"json", "json"},
	"log-level":            {"debug", "debug"},
	"shutdown-timeout":     {"40s", "40s"},
	"retry-schedule":       {"1s,2s", "1s,2s"},
	"connect-timeout":      {"7s", "7s"},
	"request-timeout":      {"1m", "1m0s"},
	"allow-destination":    {"10.0.0.0/8, 192.168.0.0/16", "[10.0.0.0/8,192.168.0.0/16]"},
	"private-destinations": {"refuse", "refuse"},
	"auto-disable-after":   {"48h", "48h0m0s"},
	"workers":              {"9", "9"},
	"poll-interval":        {"250ms", "250ms"},
}

func TestEveryFlagComesFromTheEnvironment(t *testing.T) {
	fac, _, _, _ := cmdtest.NewFactory(nil)
	NewCmdServe(fac, nil).LocalFlags().VisitAll(func(fl *pflag.Flag) {
		if _, ok := envSamples[fl.Name]; !ok && fl.Name != "help" {
			t.Errorf("--%s has no sample in envSamples: add one, so its variable is tested", fl.Name)
		}
	})
	for name, s := range envSamples {
		t.Setenv("CENTRAL_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_")), s.env)
	}
	got, err := run(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range envSamples {
		if got[name] != s.want {
			t.Errorf("--%s = %q from its variable %q, want %q", name, got[name], s.env, s.want)
		}
	}
}

func TestFlagWinsOverTheEnvironment(t *testing.T) {
	t.Setenv("CENTRAL_WORKERS", "9")
	t.Setenv("CENTRAL_CONNECT_TIMEOUT", "not a duration") // not read: the flag is given
	got, err := run(t, nil, "--workers", "3", "--connect-timeout", "2s")
	if err != nil {
		t.Fatal(err)
	}
	if got["workers"] != "3" || got["connect-timeout"] != "2s" {
		t.Errorf("--workers %s --connect-timeout %s, want the command line's 3 and 2s", got["workers"], got["connect-timeout"])
	}
}

func TestBadEnvironmentValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"CENTRAL_WORKERS", "many", `CENTRAL_WORKERS="many": want a whole number (it sets --workers)`},
		{"CENTRAL_CONNECT_TIMEOUT", "3", `CENTRAL_CONNECT_TIMEOUT="3": want a duration such as 3s, 5m or 1h30m (it sets --connect-timeout)`},
		{"CENTRAL_LOG_FORMAT", "xml", `CENTRAL_LOG_FORMAT must be text or json; got "xml"`},
		// checked when serve starts, before anything is opened
		{"CENTRAL_LOG_LEVEL", "loud", `CENTRAL_LOG_LEVEL must be debug, info, warn or error; got "loud"`},
		{"CENTRAL_RETRY_SCHEDULE", "soon", "CENTRAL_RETRY_SCHEDULE: "},
		{"CENTRAL_ALLOW_DESTINATION", "10.0.0.0/8,intranet", `CENTRAL_ALLOW_DESTINATION: "intranet" is not a CIDR range like 10.0.0.0/8 or an address`},
		{"CENTRAL_ALLOW_DESTINATION", "10.0.0.5,169.254.169.254", "CENTRAL_ALLOW_DESTINATION: 169.254.169.254/32 is the cloud metadata endpoint (AWS, GCP, Azure, OCI and others), which cannot be allowed"},
		{"CENTRAL_PRIVATE_DESTINATIONS", "no", `CENTRAL_PRIVATE_DESTINATIONS must be allow, refuse or auto; got "no"`},
		// zero and below are refused, not read as "the default"
		{"CENTRAL_WORKERS", "0", "CENTRAL_WORKERS must be at least 1"},
		{"CENTRAL_POLL_INTERVAL", "0s", "CENTRAL_POLL_INTERVAL must be a positive duration such as 3s; got 0s"},
		{"CENTRAL_SHUTDOWN_TIMEOUT", "-1s", "CENTRAL_SHUTDOWN_TIMEOUT must be a positive duration"},
		{"CENTRAL_REQUEST_TIMEOUT", "0s", "CENTRAL_REQUEST_TIMEOUT must be a positive duration"},
		{"CENTRAL_AUTO_DISABLE_AFTER", "-1h", "CENTRAL_AUTO_DISABLE_AFTER must be a duration such as 120h, or 0 to never disable"},
		{"CENTRAL_RETRY_SCHEDULE", "5s,0s", "CENTRAL_RETRY_SCHEDULE: delay 2 is 0s: a retry needs a delay"},
		{"CENTRAL_RETRY_SCHEDULE", "5s,25h", "CENTRAL_RETRY_SCHEDULE: delay 2 is 25h, longer than 24h"},
		{"CENTRAL_ORG_ID", "acme corp", `CENTRAL_ORG_ID must be up to 64 letters, digits, '-' or '_', like 916640157564164; got "acme corp"`},
		{"CENTRAL_ADMIN_TOKEN", "secret", "CENTRAL_ADMIN_TOKEN is 6 characters, fewer than 16"},
		{"CENTRAL_ADMIN_TOKEN", "ééééééééé", "CENTRAL_ADMIN_TOKEN is 9 characters, fewer than 16"},
		{"CENTRAL_ADMIN_TOKEN", "   ", "CENTRAL_ADMIN_TOKEN holds only white space"},
		{"CENTRAL_LOG_LEVEL", "info+2", `CENTRAL_LOG_LEVEL must be debug, info, warn or error; got "info+2"`},
		{"CENTRAL_ADMIN_TOKEN", "correct horse battery staple", "CENTRAL_ADMIN_TOKEN holds a space or a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			t.Setenv("CENTRAL_DATA_DIR", t.TempDir())
			t.Setenv("CENTRAL_ADDR", "127.0.0.1:0")
			// Cancelled, so that a server started by mistake stops at once.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := run(t, func(o *ServeOptions) error { return serveRun(ctx, o, nil) })
			var fe *clierr.FlagError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a FlagError with %q", err, tc.want)
			}
		})
	}
}

func TestEmptyRetryScheduleIsRefused(t *testing.T) {
	t.Setenv("CENTRAL_DATA_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := run(t, func(o *ServeOptions) error { return serveRun(ctx, o, nil) }, "--addr", "127.0.0.1:0", "--retry-schedule", "")
	if err == nil || !strings.Contains(err.Error(), "--retry-schedule: list at least one delay, such as 5s,5m,30m,2h,5h,10h,10h") {
		t.Fatalf("err = %v, want the empty schedule refused rather than read as the default", err)
	}
}

func TestAdminTokenLosesSurroundingSpace(t *testing.T) {
	// A token read from a file (a Kubernetes secret, say) keeps its newline;
	// HTTP drops it from the client's header, so the server must too.
	got, err := adminToken("0123456789abcdef0123\n")
	if err != nil || got != "0123456789abcdef0123" {
		t.Fatalf("adminToken = %q, %v; want the token without its newline", got, err)
	}
	if got, err := adminToken(""); err != nil || got != "" {
		t.Fatalf("no token: %q, %v; want none, so serve makes one", got, err)
	}
}

func TestLogLevelWarningIsWarn(t *testing.T) {
	t.Setenv("CENTRAL_DATA_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := run(t, func(o *ServeOptions) error { return serveRun(ctx, o, nil) }, "--addr", "127.0.0.1:0", "--log-level", "warning")
	if err != nil && strings.Contains(err.Error(), "--log-level") {
		t.Fatalf("--log-level warning: %v", err)
	}
}

func TestSignalTwiceAtOnceIsOneStop(t *testing.T) {
	sigs, done := make(chan os.Signal, 2), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	returned := make(chan struct{})
	go func() {
		stopOnSignals(sigs, cancel, done, slog.New(slog.NewTextHandler(io.Discard, nil)), func(code int) { exited <- code })
		close(returned)
	}()
	sigs <- os.Interrupt // a Ctrl-C that a wrapper passed on as well
	sigs <- os.Interrupt
	<-ctx.Done()
	for len(sigs) > 0 { // both taken
		runtime.Gosched()
	}
	close(done) // the graceful stop ended
	<-returned
	select {
	case code := <-exited:
		t.Fatalf("two signals at once ended the process (exit %d) instead of stopping it gracefully", code)
	default:
	}
}
