package webhook

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/printers"
)

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
	// signingSecret is the Secret the server keeps the generated secret
	// in, as the rotation named it.
	signingSecret string
}

// run does the steps in order. The first failing one stops the run: if it
// is the first, its error is returned as is (nothing was made); otherwise
// the user learns what exists now and what was not done, on stderr and,
// under -o json|yaml, in the error document on stdout.
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
		// Not wrapping err: the document must say what was created, which
		// the server's own error document would not.
		return &clierr.Reported{Err: fmt.Errorf("%s failed: %s. Created before the failure: %s. Not done: %s.",
			s.name, strings.TrimSuffix(client.Detail(err), "."), strings.Join(made, ", "), strings.Join(left, "; "))}
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

// generateSecret asks the server for the webhook's first signing secret and
// shows it on stdout, where the user expects a result. Under -o the printed
// Secret carries it instead, and it is not repeated on stderr, which CI logs
// keep. A new webhook names no Secret, so the server keeps the secret in the
// default one.
func (r *creation) generateSecret(ctx context.Context, whPath client.Path, ref webhookref.Ref) error {
	var sec api.SigningSecret
	if _, err := r.c.Do(ctx, http.MethodPost, whPath.String()+"/rotatesecret", nil, nil, &sec); err != nil {
		return err
	}
	r.signingSecret = sec.SecretName
	if r.o.Output == "" {
		fmt.Fprintf(r.o.IO.Out, "Signing secret: %s\n", sec.Secret)
		r.o.IO.Success("%s signs its requests with this secret.", ref.Label())
	} else {
		r.o.IO.Success("%s signs its requests with a new secret, printed as spec.data.current of the Secret %q.", ref.Label(), sec.SecretName)
	}
	fmt.Fprintln(r.o.IO.ErrOut, ref.SigningSecretNote(sec.SecretName))
	return nil
}

// print writes what was made as it is now, in the order it was made: the
// webhook read back (the rotation wrote its spec.signing), the Secret the
// rotation made, which holds the secret, and the hook. If the Secret can't
// be read back, the rest is printed and the command fails, so that a script
// waiting for the secret does not go on without it.
func (r *creation) print(ctx context.Context, set *discovery.Set, ref webhookref.Ref, whPath client.Path) error {
	var readErr error
	if r.o.GenerateSecret {
		if fresh, err := r.c.Get(ctx, whPath); err == nil {
			r.created[0] = fresh
		}
		if def, ok := set.ForKind("Secret", ref.ScopeKind); ok && r.signingSecret != "" {
			sec, err := r.c.Get(ctx, set.Path(def, ref.ScopeName, r.signingSecret))
			if err == nil {
				r.created = slices.Insert(r.created, 1, sec)
			}
			readErr = err
		}
	}
	if err := printers.Print(r.o.IO.Out, r.o.Output, r.created); err != nil {
		return err
	}
	if readErr != nil {
		r.o.IO.Failure("Error: reading back the Secret %q, which holds the signing secret, failed: %s. Read it with central get secret %s -s %s -o json.",
			r.signingSecret, client.Detail(readErr), r.signingSecret, ref.Scope())
		return clierr.ErrSilent
	}
	return nil
}
