// Package state implements "central subscription approve", "reject" and
// "set-state": one POST to a subscription's states endpoint, which the
// server checks against the subscription state machine.
package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// The states approve and reject move a subscription to.
const (
	Approved = "APPROVED"
	Rejected = "REJECTED"
)

// Kind is the kind the commands act on, and ScopeKind the kind it lives in.
const (
	Kind      = "Subscription"
	ScopeKind = "Environment"
)

// StateOptions are the dependencies and flags of one state change.
type StateOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	Name        string
	State       string
	Scope       string
	Description string
	Output      string
}

// NewCmdApprove builds "central subscription approve"; runF replaces the
// run in tests.
func NewCmdApprove(f *factory.Factory, runF func(*StateOptions) error) *cobra.Command {
	return newCmd(f, runF, Approved, &cobra.Command{
		Use:   "approve NAME -s ENV",
		Short: "Approve a requested subscription",
		Long: `Move a subscription from REQUESTED to APPROVED. The subscription's webhooks
get a SubscriptionUpdatedEvent in the new state, with --description as
its currentStateDescription.

-s names the subscription's Environment: NAME or Environment/NAME.
-o yaml|json prints the subscription as the server returned it.

Exit codes: 0 when the subscription moved, 1 on any error (a subscription
that is no longer REQUESTED is refused, and the message names its state).`,
		Example: `  central subscription approve alice -s demo
  central subscription approve alice -s Environment/demo --description "Welcome aboard." -o yaml`,
	})
}

// NewCmdReject builds "central subscription reject"; runF replaces the run
// in tests.
func NewCmdReject(f *factory.Factory, runF func(*StateOptions) error) *cobra.Command {
	return newCmd(f, runF, Rejected, &cobra.Command{
		Use:   "reject NAME -s ENV",
		Short: "Reject a requested subscription",
		Long: `Move a subscription from REQUESTED to REJECTED. Say why with --description:
the subscriber sees it, and the subscription's webhooks get it as the
event's currentStateDescription.

-s names the subscription's Environment: NAME or Environment/NAME.
-o yaml|json prints the subscription as the server returned it.

Exit codes: 0 when the subscription moved, 1 on any error (a subscription
that is no longer REQUESTED is refused, and the message names its state).`,
		Example: `  central subscription reject bob -s demo --description "Interns cannot subscribe to this API."`,
	})
}

// NewCmdSetState builds "central subscription set-state"; runF replaces the
// run in tests.
func NewCmdSetState(f *factory.Factory, runF func(*StateOptions) error) *cobra.Command {
	return newCmd(f, runF, "", &cobra.Command{
		Use:   "set-state NAME STATE -s ENV",
		Short: "Move a subscription to any allowed state",
		Long: `Move a subscription to STATE, one of REQUESTED, APPROVED, REJECTED, ACTIVE,
FAILED_TO_SUBSCRIBE, UNSUBSCRIBE_INITIATED, UNSUBSCRIBED and
FAILED_TO_UNSUBSCRIBE (in any case). The server allows only the moves of
the subscription state machine ("central subscription --help" shows them)
and, when it refuses one, names the current state and the allowed ones.

-s names the subscription's Environment: NAME or Environment/NAME.
-o yaml|json prints the subscription as the server returned it.

Exit codes: 0 when the subscription moved, 1 on any error.`,
		Example: `  # the gateway has provisioned access
  central subscription set-state alice ACTIVE -s demo
  # provisioning failed
  central subscription set-state alice FAILED_TO_SUBSCRIBE -s demo --description "No quota left."`,
	})
}

// newCmd completes cmd for a fixed target state, or for one read from the
// second argument when state is "".
func newCmd(f *factory.Factory, runF func(*StateOptions) error, state string, cmd *cobra.Command) *cobra.Command {
	opts := &StateOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions, State: state}
	if state == "" {
		cmd.Args = cobra.ExactArgs(2)
	} else {
		cmd.Args = cobra.ExactArgs(1)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Name = args[0]
		if len(args) > 1 {
			opts.State = strings.ToUpper(strings.TrimSpace(args[1]))
		}
		if opts.State == "" {
			return clierr.Flagf("STATE must not be empty, e.g. set-state NAME ACTIVE -s ENV")
		}
		if opts.Scope == "" {
			return clierr.Flagf("the scope is required: -s/--scope ENV or -s Environment/ENV, the subscription's Environment")
		}
		var err error
		if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return stateRun(cmd.Context(), opts)
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Scope, "scope", "s", "", "the subscription's Environment: NAME or Environment/NAME (required)")
	fl.StringVar(&opts.Description, "description", "", "why: the new state's description, sent to the subscription's webhooks")
	outputflag.Add(cmd, &opts.Output, "print the subscription as yaml or json; table (the default) prints only the status line")
	return cmd
}

// environment reads -s, which may name the scope kind but only as
// Environment: subscriptions live nowhere else.
func (o *StateOptions) environment() (string, error) {
	sc, err := resource.ParseScope(o.Scope)
	if err != nil {
		return "", clierr.Flagf(err.Error())
	}
	if sc.Kind != "" && sc.Kind != ScopeKind {
		return "", clierr.Flagf(fmt.Sprintf("a Subscription lives in an Environment, not in a %s: use -s ENV or -s Environment/ENV", sc.Kind))
	}
	return sc.Name, nil
}

func stateRun(ctx context.Context, o *StateOptions) error {
	env, err := o.environment()
	if err != nil {
		return err
	}
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	def, ok := set.ForKind(Kind, ScopeKind)
	if !ok {
		return errors.New("the server serves no Subscription resources: it is not a central server with catalog subscriptions")
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	path := set.Path(def, env, o.Name).String() + "/states"
	var sub api.ResourceInstance
	body := api.StateChange{State: o.State, Description: o.Description}
	if _, err := c.Do(ctx, http.MethodPost, path, nil, body, &sub); err != nil {
		return err
	}
	if o.Output != "" {
		p, _ := printers.ForFormat(o.Output, printers.Table{})
		if err := p.Print(o.IO.Out, &sub); err != nil {
			return err
		}
	}
	o.IO.Success("%s is now %s.", label(&sub, o.Name, env), stateOf(&sub, o.State))
	return nil
}

// label names the subscription as the server returned it, falling back to
// what was asked for when the answer lacks a name or scope.
func label(sub *api.ResourceInstance, name, env string) string {
	r := *sub
	if r.Kind == "" {
		r.Kind = Kind
	}
	if r.Name == "" {
		r.Name = name
	}
	if r.Metadata.Scope == nil {
		r.Metadata.Scope = &api.Scope{Kind: ScopeKind, Name: env}
	}
	return resource.Label(&r)
}

// stateOf reads the state the server reports, which is the one asked for
// unless the server moved on by itself.
func stateOf(sub *api.ResourceInstance, asked string) string {
	var st api.SubscriptionState
	if raw, ok := sub.SubResources["state"]; ok && json.Unmarshal(raw, &st) == nil && st.Name != "" {
		return st.Name
	}
	return asked
}
