// Package rotate implements "central hooks rotate-secret": give a webhook a
// new signing secret, keeping the old one signing for an overlap.
package rotate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// RotateOptions are the dependencies and flags of one rotation.
type RotateOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	Name    string
	Scope   string
	Overlap time.Duration
	Output  string
}

// NewCmdRotate builds "central hooks rotate-secret"; runF replaces the run in tests.
func NewCmdRotate(f *factory.Factory, runF func(*RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "rotate-secret WEBHOOK -s KIND/NAME [--overlap 24h]",
		Short: "Give a webhook a new signing secret",
		Long: `Give a webhook a new signing secret and print it on stdout, as "Signing
secret: whsec_...". Until the overlap ends the old secret keeps signing too,
so every request carries both signatures and receivers can switch without
losing an event. A webhook without a signing secret gets its first one.

The server keeps the secrets in the Secret the webhook's spec.signing.secret
names (WEBHOOK-signing unless set otherwise), so anyone with an API token can
read them there again: "central get secret WEBHOOK-signing -s KIND/NAME -o yaml".

-o yaml|json prints the server's answer instead, for scripts: the secret, the
Secret that keeps it (secretName) and, during an overlap, when the old one
stops signing (previousValidUntil).

Exit codes: 0 on success, 1 on any error.`,
		Example: `  central hooks rotate-secret jira -s Integration/monitor
  # drop the old secret at once
  central hooks rotate-secret jira -s Integration/monitor --overlap 0s
  # in a script
  SECRET=$(central hooks rotate-secret jira -s Integration/monitor -o json | jq -r .secret)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			if opts.Overlap < 0 || opts.Overlap > api.MaxSigningOverlap {
				return clierr.Flagf("--overlap must be from 0s to 168h (7 days), the most an old signing secret may keep signing")
			}
			if runF != nil {
				return runF(opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Scope, "scope", "s", "", "the webhook's scope: KIND/NAME, e.g. Integration/monitor")
	cmd.Flags().DurationVar(&opts.Overlap, "overlap", 24*time.Hour, "how long the old secret keeps signing, at most 168h (7 days)")
	outputflag.Add(cmd, &opts.Output, "print the server's answer (secret, secretName, previousValidUntil) as yaml or json")
	return cmd
}

func rotateRun(ctx context.Context, o *RotateOptions) error {
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
	var out api.SigningSecret
	q := url.Values{"overlap": {o.Overlap.String()}}
	if _, err := c.Do(ctx, http.MethodPost, p.String()+"/rotatesecret", q, nil, &out); err != nil {
		return err
	}
	if o.Output == "" {
		fmt.Fprintf(o.IO.Out, "Signing secret: %s\n", out.Secret)
	} else if err := printers.Print(o.IO.Out, o.Output, out); err != nil {
		return err
	}
	if out.PreviousValidUntil.IsZero() {
		o.IO.Success("%s has a new signing secret; the old one, if any, no longer signs.", ref.Label())
	} else {
		o.IO.Success("%s has a new signing secret; the old one signs too until %s.", ref.Label(), out.PreviousValidUntil)
	}
	fmt.Fprintln(o.IO.ErrOut, ref.SigningSecretNote(out.SecretName))
	return nil
}
