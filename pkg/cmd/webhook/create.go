// Package webhook implements "central create webhook": create a Webhook
// from flags and, in the same run, its signing secret and the ResourceHook
// that sends it events.
package webhook

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
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
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
configuration (with -o on stderr, so stdout stays YAML or JSON). The server
keeps it in the Secret NAME-signing next to the webhook, so anyone with an
API token can read it there again: "central get secret NAME-signing -s
KIND/NAME -o yaml".

Each --trigger selects events for the webhook; together they make a
ResourceHook named NAME-hook next to it. Its form is
  KIND[:created,updated,deleted][@SCOPEKIND/SCOPENAME]
where KIND is a kind or * for any, the types default to all three, and the
scope limits it to resources in one Environment, say. ResourceHooks live in
Integrations, so --trigger needs -s Integration/NAME.

-o yaml|json prints the created resources as a list (the webhook, then the
hook). If a step fails after the webhook was created, the message says what
was created and what was not done.

Exit codes: 0 when everything was created, 1 on any error.`,
		Example: `  # a webhook for every change to APIServices in the Environment "prod"
  central create webhook jira -s Integration/monitor --url https://jira.example.com/hooks/central \
    --trigger 'APIService@Environment/prod'
  # signed requests, only creations and deletions of anything in "prod"
  central create webhook audit -s Integration/monitor --url https://audit.example.com/in \
    --generate-secret --trigger '*:created,deleted@Environment/prod'
  # an Environment's webhook with an auth secret and a custom header, created disabled
  central create webhook billing -s Environment/prod --url https://billing.example.com/events \
    --secret billing-credentials/token --header X-Team=payments --disabled`,
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
	webhook := newResource(whDef, p.ref.ScopeKind, p.ref.ScopeName, o.Name, o.Title, p.spec)
	whPath := set.Path(whDef, p.ref.ScopeName, o.Name)
	steps := []step{{"creating " + resource.Label(webhook), func() error {
		return r.create(ctx, set.Path(whDef, p.ref.ScopeName, ""), webhook)
	}}}
	if o.GenerateSecret {
		steps = append(steps, step{"generating the signing secret", func() error {
			return r.generateSecret(ctx, whPath, p.ref)
		}})
	}
	if len(p.triggers) > 0 {
		hook := newResource(hookDef, p.ref.ScopeKind, p.ref.ScopeName, o.Name+"-hook", "",
			api.ResourceHookSpec{Triggers: p.triggers, Webhooks: []string{o.Name}})
		steps = append(steps, step{"creating " + resource.Label(hook), func() error {
			return r.create(ctx, set.Path(hookDef, p.ref.ScopeName, ""), hook)
		}})
	}
	if err := r.run(steps); err != nil {
		return err
	}
	if auth := p.spec.Auth; auth != nil {
		r.warnMissingSecret(ctx, set, p.ref, auth.Secret)
	}
	if o.Output == "" {
		return nil
	}
	if o.GenerateSecret {
		// The rotation wrote spec.signing: show the webhook as it is now.
		if fresh, err := c.Get(ctx, whPath); err == nil {
			r.created[0] = fresh
		}
	}
	pr, _ := printers.ForFormat(o.Output, printers.Table{})
	return pr.Print(o.IO.Out, r.created)
}

// newResource builds the resource to POST.
func newResource(d discovery.Definition, scopeKind, scopeName, name, title string, spec any) *api.ResourceInstance {
	b, err := json.Marshal(spec)
	if err != nil {
		panic(err) // typed specs always marshal
	}
	return &api.ResourceInstance{Group: d.Group, APIVersion: d.Version, Kind: d.Kind, Name: name, Title: title,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: scopeKind, Name: scopeName}}, Spec: b}
}

// step is one request of the creation, named for the failure message.
type step struct {
	name string
	run  func() error
}

// creation runs the steps and remembers what they made.
type creation struct {
	o       *CreateWebhookOptions
	c       *client.Client
	created []*api.ResourceInstance
}

// run does the steps in order. The first failing one stops the run: if it
// is the first, its error is returned as is (nothing was made); otherwise
// the user learns what exists now and what was not done.
func (r *creation) run(steps []step) error {
	for i, s := range steps {
		err := s.run()
		if err == nil {
			continue
		}
		if i == 0 {
			return err
		}
		r.o.IO.Failure("Error: %s failed: %s", s.name, client.Detail(err))
		made := make([]string, len(r.created))
		for j, res := range r.created {
			made[j] = resource.Label(res)
		}
		fmt.Fprintf(r.o.IO.ErrOut, "Created before the failure: %s.\n", strings.Join(made, ", "))
		var left []string
		for _, s := range steps[i:] {
			left = append(left, s.name)
		}
		fmt.Fprintf(r.o.IO.ErrOut, "Not done: %s.\n", strings.Join(left, "; "))
		return clierr.ErrSilent
	}
	return nil
}

func (r *creation) create(ctx context.Context, collection client.Path, res *api.ResourceInstance) error {
	made, err := r.c.Create(ctx, collection, res)
	if err != nil {
		return err
	}
	r.created = append(r.created, made)
	r.o.IO.Success("%s has successfully been created.", resource.Label(made))
	return nil
}

// warnMissingSecret warns when the Secret --secret names is not there, or
// lacks the key: the webhook is made all the same (the Secret may come
// next), but until then its requests go out without Authorization, which
// the receiver is likely to refuse.
func (r *creation) warnMissingSecret(ctx context.Context, set *discovery.Set, ref webhookref.Ref, secret *api.SecretRef) {
	def, ok := set.ForKind("Secret", ref.ScopeKind)
	if !ok {
		return
	}
	res, err := r.c.Get(ctx, set.Path(def, ref.ScopeName, secret.Name))
	where := fmt.Sprintf("%s/%s", ref.ScopeKind, ref.ScopeName)
	switch {
	case client.HasStatus(err, http.StatusNotFound):
		r.o.IO.Warning("There is no Secret %q in %s: requests go out without Authorization until it is created with the key %q.", secret.Name, where, secret.Key)
	case err != nil:
		return // the webhook is made; reading the Secret is only a check
	default:
		var spec api.SecretSpec
		if res.DecodeSpec(&spec) == nil {
			if _, ok := spec.Data[secret.Key]; !ok {
				r.o.IO.Warning("The Secret %q in %s has no key %q: requests go out without Authorization until it has.", secret.Name, where, secret.Key)
			}
		}
	}
}

// generateSecret asks the server for the webhook's first signing secret and
// shows it: on stdout, where the user expects a result, unless stdout
// carries -o output. A new webhook names no Secret, so the server keeps the
// secret in the default one.
func (r *creation) generateSecret(ctx context.Context, whPath client.Path, ref webhookref.Ref) error {
	var sec api.SigningSecret
	if _, err := r.c.Do(ctx, http.MethodPost, whPath.String()+"/rotatesecret", nil, nil, &sec); err != nil {
		return err
	}
	w := r.o.IO.Out
	if r.o.Output != "" {
		w = r.o.IO.ErrOut
	}
	fmt.Fprintf(w, "Signing secret: %s\n", sec.Secret)
	r.o.IO.Success("%s signs its requests with this secret.", ref.Label())
	fmt.Fprintln(r.o.IO.ErrOut, ref.SigningSecretNote(sec.SecretName))
	return nil
}
