// Package webhook implements "central create webhook": create a Webhook
// from flags and, in the same run, its signing secret and the ResourceHook
// that sends it events.
package webhook

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// CreateWebhookOptions are the dependencies and flags of one create webhook.
type CreateWebhookOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	Name           string
	Scope          string
	URL            string
	Title          string
	Headers        []string
	Secret         string
	GenerateSecret bool
	Triggers       []string
	HookName       string
	Disabled       bool
	Ordered        bool
	Output         string
}

// NewCmdCreateWebhook builds "central create webhook"; runF replaces the run
// in tests.
func NewCmdCreateWebhook(f *factory.Factory, runF func(*CreateWebhookOptions) error) *cobra.Command {
	opts := &CreateWebhookOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "webhook NAME -s KIND/NAME --url URL",
		Short: "Create a webhook, its signing secret and its trigger",
		Long: `Create a Webhook that POSTs events to --url, in the Environment or Integration
given by -s. It is enabled unless --disabled, and sends Content-Type:
application/json unless a --header sets another.

--secret NAME/KEY sends the value of that key of an existing Secret (in the
same scope) as the Authorization header of every request; a warning says
when the Secret or its key is missing (requests then go without it).
--generate-secret has the server create a signing secret: every request then
carries Standard Webhooks signatures (webhook-id, webhook-timestamp,
webhook-signature). The secret is printed on stdout for the receiver's
configuration as "Signing secret: whsec_...". The server keeps it in the
Secret NAME-signing next to the webhook, so anyone with an API token can
read it there again: "central get secret NAME-signing -s KIND/NAME -o yaml".

Each --trigger selects events for the webhook; together they make a
ResourceHook named NAME-hook (or --hook-name) next to it. Its form is
  KIND[:created,updated,deleted][@SCOPEKIND/SCOPENAME]
where KIND is a kind or * for any, the types default to all three, and the
scope limits it to resources in one Environment, say. A warning says when
that scope does not exist (the trigger matches nothing until it does).
ResourceHooks live in Integrations, so --trigger needs -s Integration/NAME.

Before creating anything, the command checks that none of what it would
create exists yet (the webhook, the Secret NAME-signing with
--generate-secret, the hook): if one does, it creates nothing and says how
to go on. If a step fails after the webhook was created, the message says
what was created and what was not done.

-o yaml|json prints the created resources as a list, in the order they were
made: the webhook, the Secret NAME-signing with --generate-secret (the
secret is its spec.data.current, and is then not printed on stderr), the
hook. When the run fails before or while creating, it prints the error as a
document instead.

Exit codes: 0 when everything was created, 1 on any error.`,
		Example: `  # a webhook for every change to APIServices in the Environment "prod"
  central create webhook jira -s Integration/monitor --url https://jira.example.com/hooks/central \
    --trigger 'APIService@Environment/prod'
  # signed requests, only creations and deletions of anything in "prod"
  central create webhook audit -s Integration/monitor --url https://audit.example.com/in \
    --generate-secret --trigger '*:created,deleted@Environment/prod'
  # an Environment's webhook with an auth secret and a custom header, created disabled
  central create webhook billing -s Environment/prod --url https://billing.example.com/events \
    --secret billing-credentials/token --header X-Team=payments --disabled
  # in a script: the generated secret, from the printed Secret
  SECRET=$(central create webhook audit -s Integration/monitor --url https://audit.example.com/in \
    --generate-secret -o json | jq -r '.[] | select(.kind == "Secret") | .spec.data.current')`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if _, err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Scope, "scope", "s", "", "where the webhook lives: Integration/NAME or Environment/NAME (required)")
	fl.StringVar(&opts.URL, "url", "", "URL the events are POSTed to (required)")
	fl.StringVar(&opts.Title, "title", "", "title of the webhook")
	fl.StringArrayVar(&opts.Headers, "header", nil, "header to send, as NAME=VALUE (repeatable)")
	fl.StringVar(&opts.Secret, "secret", "", "send this Secret's key as the Authorization header: SECRETNAME/KEY")
	fl.BoolVar(&opts.GenerateSecret, "generate-secret", false, "create a signing secret (kept in the Secret NAME-signing) and print it")
	fl.StringArrayVar(&opts.Triggers, "trigger", nil, "events to send, as KIND[:created,updated,deleted][@SCOPEKIND/SCOPENAME] (repeatable; needs -s Integration/NAME)")
	fl.StringVar(&opts.HookName, "hook-name", "", "name of the ResourceHook --trigger creates (default NAME-hook)")
	fl.BoolVar(&opts.Disabled, "disabled", false, "create the webhook disabled")
	fl.BoolVar(&opts.Ordered, "ordered", false, "deliver the events about one resource in order, one at a time")
	outputflag.Add(cmd, &opts.Output, "print the created resources as yaml or json; table (the default) prints only the status lines")
	return cmd
}

// plan is what the validated flags ask for.
type plan struct {
	ref      webhookref.Ref
	spec     api.WebhookSpec
	triggers []api.Trigger
	hookName string
}

// validate checks every flag before any request, so a typo never leaves a
// half-made webhook behind.
func (o *CreateWebhookOptions) validate() (*plan, error) {
	var err error
	if o.Output, err = outputflag.Normalize(o.Output); err != nil {
		return nil, err
	}
	scope, err := webhookref.ParseScope(o.Scope)
	if err != nil {
		return nil, err
	}
	if err := parseURL(o.URL); err != nil {
		return nil, err
	}
	p := &plan{ref: webhookref.New(scope, o.Name), spec: api.WebhookSpec{Enabled: !o.Disabled, URL: o.URL}}
	if p.spec.Headers, err = parseHeaders(o.Headers); err != nil {
		return nil, err
	}
	if o.Secret != "" && o.GenerateSecret {
		return nil, clierr.Flagf("--secret and --generate-secret can't be used together: use --secret NAME/KEY to send an existing Secret as the Authorization header, or --generate-secret to have requests signed")
	}
	if o.Secret != "" {
		ref, err := parseSecretRef(o.Secret)
		if err != nil {
			return nil, err
		}
		p.spec.Auth = &api.WebhookAuth{Secret: ref}
	}
	if o.Ordered {
		p.spec.Delivery = &api.WebhookDelivery{Ordered: true}
	}
	for _, s := range o.Triggers {
		t, err := parseTrigger(s)
		if err != nil {
			return nil, err
		}
		p.triggers = append(p.triggers, t)
	}
	if len(p.triggers) > 0 && scope.Kind != "Integration" {
		return nil, clierr.Flagf(fmt.Sprintf("--trigger needs the webhook in an Integration: triggers create a ResourceHook, which lives in an Integration with its webhooks; use -s Integration/NAME (not %s/%s)", scope.Kind, scope.Name))
	}
	if o.HookName != "" && len(p.triggers) == 0 {
		return nil, clierr.Flagf("--hook-name names the ResourceHook that --trigger creates: give --trigger too")
	}
	p.hookName = cmp.Or(o.HookName, o.Name+"-hook")
	return p, nil
}

func createRun(ctx context.Context, o *CreateWebhookOptions) error {
	p, err := o.validate()
	if err != nil {
		return err
	}
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	whDef, err := p.ref.Definition(set)
	if err != nil {
		return err
	}
	var hookDef discovery.Definition
	if len(p.triggers) > 0 {
		if err := resolveTriggers(set, p.triggers); err != nil {
			return err
		}
		var ok bool
		if hookDef, ok = set.ForKind("ResourceHook", "Integration"); !ok {
			return errors.New("the server serves no ResourceHooks in Integrations, which --trigger creates")
		}
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	r := &creation{o: o, c: c}
	scopeName := p.ref.ScopeName
	webhook := newResource(whDef, p.ref.ScopeKind, scopeName, o.Name, o.Title, p.spec)
	whPath := set.Path(whDef, scopeName, o.Name)
	targets := []target{{def: whDef, ref: p.ref, name: o.Name, path: whPath,
		instead: fmt.Sprintf("choose another NAME, change it with central edit webhook %s -s %s", o.Name, p.ref.Scope())}}
	steps := []step{{"creating " + resource.Label(webhook), func() error {
		return r.create(ctx, set.Path(whDef, scopeName, ""), webhook)
	}}}
	if o.GenerateSecret {
		// The server keeps the secret in a Secret named after the webhook
		// and overwrites one that is there already, so that one must be
		// free too.
		if secretDef, ok := set.ForKind("Secret", p.ref.ScopeKind); ok {
			name := signingSecretName(o.Name)
			targets = append(targets, target{def: secretDef, ref: p.ref, name: name, path: set.Path(secretDef, scopeName, name),
				why:     fmt.Sprintf(", and --generate-secret would overwrite it (the server keeps the signing secret of the webhook %q there)", o.Name),
				instead: "choose another webhook NAME"})
		}
		steps = append(steps, step{"generating the signing secret", func() error {
			return r.generateSecret(ctx, whPath, p.ref)
		}})
	}
	if len(p.triggers) > 0 {
		hook := newResource(hookDef, p.ref.ScopeKind, scopeName, p.hookName, "",
			api.ResourceHookSpec{Triggers: p.triggers, Webhooks: []string{o.Name}})
		targets = append(targets, target{def: hookDef, ref: p.ref, name: p.hookName, path: set.Path(hookDef, scopeName, p.hookName),
			instead: "name the new hook with --hook-name NAME"})
		steps = append(steps, step{"creating " + resource.Label(hook), func() error {
			return r.create(ctx, set.Path(hookDef, scopeName, ""), hook)
		}})
	}
	if err := checkFree(ctx, c, targets); err != nil {
		return err
	}
	if err := r.run(steps); err != nil {
		return err
	}
	if auth := p.spec.Auth; auth != nil {
		r.warnMissingSecret(ctx, set, p.ref, auth.Secret)
	}
	r.warnMissingTriggerScopes(ctx, set, p.triggers, o.Triggers)
	if o.Output == "" {
		return nil
	}
	return r.print(ctx, set, p.ref, whPath)
}

// signingSecretName is the Secret the server keeps a new webhook's signing
// secret in (see rotateSecret in pkg/apiserver): a webhook that names none
// in spec.signing.secret, as a new one does, gets NAME-signing.
func signingSecretName(webhook string) string { return webhook + "-signing" }

// newResource builds the resource to POST.
func newResource(d discovery.Definition, scopeKind, scopeName, name, title string, spec any) *api.ResourceInstance {
	b, err := json.Marshal(spec)
	if err != nil {
		panic(err) // typed specs always marshal
	}
	return &api.ResourceInstance{Group: d.Group, APIVersion: d.Version, Kind: d.Kind, Name: name, Title: title,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: scopeKind, Name: scopeName}}, Spec: b}
}
