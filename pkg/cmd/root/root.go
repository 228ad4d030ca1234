// Package root builds the command tree and is the one place that turns
// errors into messages and exit codes.
package root

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/config"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// Exit codes of the central command.
const (
	ExitOK    = 0
	ExitError = 1
)

// Main runs the CLI with the process's streams and arguments and returns the
// exit code; cmd/central/main.go only calls it.
func Main(args []string) int {
	return Run(context.Background(), factory.New(iostreams.System()), args)
}

// Run executes one command line against f and returns the exit code. It
// builds only the commands args need (see addCommandsFor).
func Run(ctx context.Context, f *factory.Factory, args []string) int {
	cmd := newRoot(f)
	addCommandsFor(cmd, f, args)
	return execute(ctx, f, cmd, args)
}

// execute runs args on the tree cmd and returns the exit code.
func execute(ctx context.Context, f *factory.Factory, cmd *cobra.Command, args []string) int {
	cmd.SetArgs(args)
	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	ran, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	printError(f.IOStreams, cmd, err)
	if format := outputflag.Of(ran); format != "" {
		printErrorDocument(f.IOStreams, format, err)
	}
	return ExitError
}

// printErrorDocument writes err to stdout as the Amplify CLI does under
// -o json|yaml, so that a script reading the output can tell what failed:
// the server's {"errors": [...]} as it sent them, or {"name", "message"}
// for an error of the CLI's own. A bulk write, which reported each failed
// resource on its own line, writes nothing.
func printErrorDocument(ios *iostreams.IOStreams, format string, err error) {
	if errors.Is(err, clierr.ErrSilent) {
		return
	}
	type cliError struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	}
	var doc any = cliError{"Error", err.Error()}
	var flagErr *clierr.FlagError
	var apiErr *client.APIError
	switch {
	case errors.As(err, &apiErr) && len(apiErr.Errors) > 0:
		doc = map[string][]api.Error{"errors": apiErr.Errors}
	case errors.As(err, &apiErr):
		doc = map[string][]api.Error{"errors": {{Status: apiErr.StatusCode, Title: apiErr.Detail()}}}
	case errors.As(err, &flagErr):
		doc = cliError{"Error", flagErr.Err.Error()}
	case errors.Is(err, clierr.ErrCancelled):
		doc = cliError{"Error", "Cancelled."}
	}
	_ = printers.Print(ios.Out, format, doc)
}

// printError writes err the way the Amplify CLI does: "✖ Error: detail".
func printError(ios *iostreams.IOStreams, root *cobra.Command, err error) {
	var flagErr *clierr.FlagError
	var apiErr *client.APIError
	var connErr *client.ConnectionError
	switch {
	case errors.Is(err, clierr.ErrSilent), errors.As(err, new(*clierr.Reported)):
	case errors.Is(err, clierr.ErrCancelled):
		ios.Failure("Cancelled.")
	case errors.As(err, &flagErr):
		ios.Failure("Error: %v", flagErr.Err)
		fmt.Fprintln(ios.ErrOut, "Run with --help for usage.")
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
		ios.Failure("Error: %s", apiErr.Detail())
		fmt.Fprintln(ios.ErrOut, "Set a token with \"central config set token TOKEN\", CENTRAL_TOKEN or --token.")
	case errors.As(err, &apiErr):
		ios.Failure("Error: %s", apiErr.Detail())
	case errors.As(err, &connErr):
		ios.Failure("Error: %v", connErr)
	default:
		ios.Failure("Error: %v", err)
	}
}

// NewCmdRoot builds a fresh command tree, whole (never a package global, so
// flag values cannot leak between runs).
func NewCmdRoot(f *factory.Factory) *cobra.Command {
	cmd := newRoot(f)
	addCommands(cmd, f)
	return cmd
}

// newRoot builds the root command, its flags and the config they override,
// without the commands below it.
func newRoot(f *factory.Factory) *cobra.Command {
	var baseURL, baseURLAmplify, token, org, timeout string
	cmd := &cobra.Command{
		Use:   "central <command>",
		Short: "Manage Amplify-style resources and their webhooks",
		Long: `central talks to a central server (run one with "central serve") to read and
write resources such as Environments, APIServices, Secrets, Webhooks and
ResourceHooks, and to follow their webhook deliveries.

Exit codes: 0 on success, 1 on any error. With -o json|yaml an error is
also printed on stdout as a document: the server's {"errors": [...]}, or
{"name": "Error", "message": "..."}.`,
		Example: `  # start a local server, then use it from another terminal
  central serve
  central apply -f examples/seeds/environment.yaml
  central apply -f examples/seeds/webhook.yaml
  central get webhooks -s azure-apiman-service -o yaml`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	// --baseUrl is the Amplify CLI's spelling of --base-url. Both may be
	// given if they agree. Checked before any command runs, and again by
	// Config for completions, which run no hooks.
	mergeBaseURL := func() error {
		pf := cmd.PersistentFlags()
		if !pf.Changed("baseUrl") {
			return nil
		}
		if pf.Changed("base-url") && baseURL != baseURLAmplify {
			return clierr.Flagf(fmt.Sprintf("--base-url %q and --baseUrl %q differ: give one of them", baseURL, baseURLAmplify))
		}
		return pf.Set("base-url", baseURLAmplify)
	}
	cmd.PersistentPreRunE = func(*cobra.Command, []string) error { return mergeBaseURL() }
	// Flags win over the environment and the file; applied when a command
	// first asks for the config, so --help never reads it.
	load := f.Config
	f.Config = sync.OnceValues(func() (*config.Config, error) {
		if err := mergeBaseURL(); err != nil {
			return nil, err
		}
		cfg, err := load()
		if err != nil {
			return nil, err
		}
		for key, v := range map[string]string{"base-url": baseURL, "token": token, "org": org, "timeout": timeout} {
			if cmd.PersistentFlags().Changed(key) {
				cfg.Override(key, v)
			}
		}
		return cfg, nil
	})
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &clierr.FlagError{Err: err} })
	pf := cmd.PersistentFlags()
	pf.StringVar(&baseURL, "base-url", "", "URL of the central server (env CENTRAL_BASE_URL; default http://127.0.0.1:8080)")
	pf.StringVar(&baseURLAmplify, "baseUrl", "", "the Amplify CLI's spelling of --base-url")
	_ = pf.MarkHidden("baseUrl")
	pf.StringVar(&token, "token", "", "API token (env CENTRAL_TOKEN; a local server's token is found by itself)")
	pf.StringVar(&org, "org", "", "organization id sent as X-Axway-Tenant-Id (env CENTRAL_ORG)")
	pf.StringVar(&timeout, "timeout", "", "how long a request waits for the server's answer, as 30s or 2m (env CENTRAL_TIMEOUT; default 30s)")
	pf.BoolVar(&f.NoCache, "no-cache", false, "refresh the cached resource definitions from the server")
	return cmd
}
