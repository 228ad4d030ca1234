package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/signature"
	"github.com/centralhq/central/pkg/store"
)

// webhookState is a webhook and its secrets as read at one moment, with
// what every delivery to it derives from them: its policy, its signer and
// what to redact from responses.
type webhookState struct {
	spec      api.WebhookSpec
	found     bool
	authKey   string
	note      string
	err       error
	policy    Policy
	policyErr error
	signer    *signature.Signer
	redactor  *redactor // newRedactor
	// buildErr is why no request to the webhook can be built: a signing
	// secret missing or malformed, or a header that cannot be sent.
	buildErr error
}

// webhookCache shares webhook reads among deliveries: a backlog to one
// webhook costs one read per Dispatcher.WebhookTTL, not one per delivery.
// A change made through this process drops it at once (WebhooksChanged);
// one made on another replica applies within the TTL.
type webhookCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	once  sync.Once
	state *webhookState
}

func newWebhookCache() *webhookCache { return &webhookCache{entries: map[string]*cacheEntry{}} }

func (b *webhookCache) get(org string, w api.WebhookRef, load func() *webhookState) *webhookState {
	if b == nil {
		return load()
	}
	key := org + "/" + w.Scope.Kind + "/" + w.Scope.Name + "/" + w.Name
	b.mu.Lock()
	e, ok := b.entries[key]
	if !ok {
		e = &cacheEntry{}
		b.entries[key] = e
	}
	b.mu.Unlock()
	e.once.Do(func() { e.state = load() })
	return e.state
}

// load reads the webhook and its secrets as they are now (a change to the
// webhook applies to deliveries already queued).
func (d *Dispatcher) load(ctx context.Context, org string, w api.WebhookRef) *webhookState {
	st := &webhookState{}
	st.err = d.Store.View(ctx, func(tx store.Tx) error {
		r, err := tx.ResourceGet(ctx, webhookKey(org, w))
		if err == store.ErrNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.DecodeSpec(&st.spec); err != nil {
			return fmt.Errorf("webhook spec: %w", err)
		}
		st.found = true
		return readSecrets(ctx, tx, org, w.Scope, st, d.now())
	})
	if st.found && st.err == nil {
		st.policy, st.policyErr = d.Defaults.ForWebhook(&st.spec)
		if st.buildErr == nil {
			st.buildErr = checkHeaders(&st.spec, st.authKey)
		}
		st.redactor = newRedactor(&st.spec, st.authKey)
	}
	return st
}

// prepare builds what one delivery needs. A non-empty reason means the
// delivery must not be sent. A test send goes to a disabled webhook too:
// trying a webhook before turning it on is what it is for.
func (d *Dispatcher) prepare(ctx context.Context, c *store.Claimed, trigger api.AttemptTrigger, cache *webhookCache) (*outgoing, Policy, string, error) {
	st := cache.get(c.Org, c.Webhook, func() *webhookState { return d.load(ctx, c.Org, c.Webhook) })
	if st.err != nil {
		return nil, d.Defaults, "", st.err
	}
	if !st.found {
		return nil, d.Defaults, fmt.Sprintf("the webhook %s was deleted", label(c.Webhook)), nil
	}
	if !st.spec.Enabled && trigger != api.TriggerTest {
		return nil, d.Defaults, fmt.Sprintf("the webhook %s is disabled (spec.enabled is false)", label(c.Webhook)), nil
	}
	if st.policyErr != nil {
		return nil, d.Defaults, "", st.policyErr
	}
	d.setLimit(c.Webhook, st.policy.MaxInFlight)
	return &outgoing{webhook: &st.spec, eventID: c.EventID, envelope: c.Envelope, authKey: st.authKey,
		signer: st.signer, redactor: st.redactor, buildErr: st.buildErr, note: st.note}, st.policy, "", nil
}

func webhookKey(org string, w api.WebhookRef) store.Key {
	return store.Key{Org: org, Group: registry.Group, Kind: "Webhook", ScopeKind: w.Scope.Kind, ScopeName: w.Scope.Name, Name: w.Name}
}

func label(w api.WebhookRef) string {
	return fmt.Sprintf("%q in the scope %q", "Webhook/"+w.Name, w.Scope.Kind+"/"+w.Scope.Name)
}

// readSecrets fills the auth value and the signing keys from the Secrets in
// the webhook's scope. A missing auth secret is not an error: the request
// goes without it and the attempt says so (as Amplify documents).
func readSecrets(ctx context.Context, tx store.Tx, org string, scope api.ScopeRef, o *webhookState, now time.Time) error {
	get := func(name string) (map[string]string, error) {
		r, err := tx.ResourceGet(ctx, store.Key{Org: org, Group: registry.Group, Kind: "Secret", ScopeKind: scope.Kind, ScopeName: scope.Name, Name: name})
		if err != nil {
			return nil, err
		}
		var spec api.SecretSpec
		if err := r.DecodeSpec(&spec); err != nil {
			return nil, fmt.Errorf("secret %s: %w", name, err)
		}
		return spec.Data, nil
	}
	var notes []string
	if a := o.spec.Auth; a != nil && a.Secret != nil {
		data, err := get(a.Secret.Name)
		switch {
		case err == store.ErrNotFound:
			notes = append(notes, fmt.Sprintf("the auth secret %q was not found in %s/%s; sent without it", a.Secret.Name, scope.Kind, scope.Name))
		case err != nil:
			return err
		case data[a.Secret.Key] == "":
			notes = append(notes, fmt.Sprintf("the auth secret %q has no key %q; sent without it", a.Secret.Name, a.Secret.Key))
		default:
			o.authKey = data[a.Secret.Key]
		}
	}
	if s := o.spec.Signing; s != nil && s.Secret != "" {
		data, err := get(s.Secret)
		switch {
		// A webhook that signs never sends unsigned, which a receiver
		// might take for a request of its own making: a missing or
		// malformed key fails each attempt, which says why.
		case err == store.ErrNotFound:
			o.buildErr = fmt.Errorf("signing secret: the Secret %q was not found in %s/%s; nothing is sent unsigned (rotate the secret to make one)", s.Secret, scope.Kind, scope.Name)
		case err != nil:
			return err
		default:
			if keys := SigningKeys(data, now); len(keys) == 0 {
				o.buildErr = fmt.Errorf("signing secret: the Secret %q has no key \"current\"; nothing is sent unsigned", s.Secret)
			} else if o.signer, err = signature.NewSigner(keys...); err != nil {
				o.buildErr = fmt.Errorf("signing secret: %w", err)
			}
		}
	}
	o.note = strings.Join(notes, "; ")
	return nil
}

// Keys of a signing Secret's data.
const (
	SigningCurrent            = "current"
	SigningPrevious           = "previous"
	SigningPreviousValidUntil = "previousValidUntil"
)

// SigningKeys returns the keys that sign now: the current one and, during a
// rotation's overlap, the previous one.
func SigningKeys(data map[string]string, now time.Time) []string {
	var keys []string
	if k := data[SigningCurrent]; k != "" {
		keys = append(keys, k)
	}
	if k := data[SigningPrevious]; k != "" {
		if until, err := api.ParseTime(data[SigningPreviousValidUntil]); err == nil && now.Before(until.Time) {
			keys = append(keys, k)
		}
	}
	return keys
}
