// Package test implements "central hooks test": send one test event to a
// webhook now and show what it answered.
package test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// EventTypes are the events a test can send: those about a resource.
var EventTypes = []api.EventType{api.ResourceCreated, api.ResourceUpdated, api.ResourceDeleted, api.SubResourceUpdated}

// answerTimeout bounds the wait for the server's answer: the longest
// requestTimeout a webhook may have, and a margin for the server to reach
// the receiver and record the attempt. A server whose --request-timeout
// default is longer still can outlast it; --timeout waits longer.
const answerTimeout = dispatch.MaxTimeout + 30*time.Second

// TestOptions are the dependencies and flags of one test.
type TestOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	Name   string
	Scope  string
	Event  string
	Output string
}

// NewCmdTest builds "central hooks test"; runF replaces the run in tests.
func NewCmdTest(f *factory.Factory, runF func(*TestOptions) error) *cobra.Command {
	opts := &TestOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "test WEBHOOK -s KIND/NAME",
		Short: "Send a test event to a webhook",
		Long: `Send one test event to a webhook and wait for its answer. The server builds an
example event of the chosen type, signs it like any other and sends it at
once, whether the webhook is enabled or not; the attempt is recorded as a
delivery with the trigger "test" and is never retried.

The scope is the webhook's: -s Integration/NAME or -s Environment/NAME.
-o yaml|json prints the recorded delivery, with the attempt. When the request
went without something the webhook names (an auth Secret that does not
exist), a warning line after the outcome says what.

Exit codes: 0 when the webhook answered 2xx, 1 when it did not (or on any
other error).`,
		Example: `  # does the receiver answer?
  central hooks test jira -s Integration/monitor
  # send a deletion, and keep the full record
  central hooks test jira -s Integration/monitor --event ResourceDeleted -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if !slices.Contains(EventTypes, api.EventType(opts.Event)) {
				return clierr.Flagf(fmt.Sprintf("invalid --event %q; allowed: %s", opts.Event, eventList()))
			}
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Scope, "scope", "s", "", "the webhook's scope: KIND/NAME, e.g. Integration/monitor")
	fl.StringVar(&opts.Event, "event", string(api.ResourceCreated), "event type to send: "+eventList())
	outputflag.Add(cmd, &opts.Output, "print the recorded delivery as yaml or json; table (the default) prints only the result line")
	return cmd
}

func eventList() string {
	s := make([]string, len(EventTypes))
	for i, t := range EventTypes {
		s[i] = string(t)
	}
	return strings.Join(s, " | ")
}

func testRun(ctx context.Context, o *TestOptions) error {
	scope, err := webhookref.ParseScope(o.Scope)
	if err != nil {
		return err
	}
	ref := webhookref.New(scope, o.Name)
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	p, err := ref.Path(set)
	if err != nil {
		return err
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	var d api.Delivery
	q := url.Values{"eventType": {o.Event}}
	// The server answers once the receiver has, or once the webhook's
	// requestTimeout is over, which may be longer than the client's own.
	ctx = client.WithTimeout(ctx, max(answerTimeout, c.Timeout()))
	if _, err := c.Do(ctx, http.MethodPost, p.String()+"/test", q, nil, &d); err != nil {
		return err
	}
	if o.Output != "" {
		if err := printers.Print(o.IO.Out, o.Output, d); err != nil {
			return err
		}
	}
	r := outcome(&d)
	if r.ok {
		o.IO.Success("Test event delivered to %s: %s in %d ms", ref.Label(), r.code, r.ms)
	} else {
		o.IO.Failure("Test event to %s failed: %s in %d ms: %s", ref.Label(), r.code, r.ms, r.err)
	}
	if r.note != "" { // what the request went without, such as a missing auth secret
		o.IO.Warning("%s", r.note)
	}
	if !r.ok {
		return clierr.ErrSilent
	}
	return nil
}

// result is what the test attempt came to.
type result struct {
	ok   bool
	code string // the status code, or the error class when there was no answer
	ms   int64
	err  string
	note string // the attempt's note
}

// outcome reads the test attempt, the last of the history; a delivery
// without one (an older server) is judged by its own fields.
func outcome(d *api.Delivery) result {
	a := api.Attempt{StatusCode: d.LastStatusCode, Error: d.LastError}
	if n := len(d.History); n > 0 {
		a = d.History[n-1]
	}
	r := result{ms: a.DurationMs, ok: a.ErrorClass == "" && a.StatusCode >= 200 && a.StatusCode < 300, note: a.Note}
	switch {
	case a.StatusCode != 0:
		r.code = strconv.Itoa(a.StatusCode)
	case a.ErrorClass != "":
		r.code = string(a.ErrorClass)
	default:
		r.code = "no answer"
	}
	r.err = cmp.Or(a.Error, string(a.ErrorClass), http.StatusText(a.StatusCode), "unknown error")
	return r
}
