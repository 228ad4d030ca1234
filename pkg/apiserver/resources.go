package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

func created(v any) response  { return response{status: http.StatusCreated, body: v} }
func accepted(v any) response { return response{status: http.StatusAccepted, body: v} }

// readResource decodes a request body into a resource and checks it.
func (s *Server) readResource(w http.ResponseWriter, r *http.Request, t target) (*api.ResourceInstance, error) {
	var in api.ResourceInstance
	if err := s.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if err := s.checkResource(t, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// checkResource checks a resource a request writes, a POST's or PUT's body
// or a PATCH's result: the fields the path already fixes, the title and the
// spec.
func (s *Server) checkResource(t target, in *api.ResourceInstance) error {
	if string(in.Spec) == "null" {
		in.Spec = nil // stored, and answered, as {}
	}
	if in.Kind != "" && in.Kind != t.kind.Kind {
		return invalid("/kind", "The body is a %s but the path is for %s.", in.Kind, t.kind.Plural)
	}
	if in.Group != "" && in.Group != registry.Group {
		return invalid("/group", "Group %q is not served; use %q.", in.Group, registry.Group)
	}
	if in.APIVersion != "" && !registry.ServesVersion(in.APIVersion) {
		return invalid("/apiVersion", "apiVersion %q is not served; use one of %v.", in.APIVersion, registry.Versions)
	}
	if sc := in.Metadata.Scope; sc != nil && t.scopeKind != nil && (sc.Kind != "" && sc.Kind != t.scopeKind.Kind || sc.Name != "" && sc.Name != t.scopeName) {
		return invalid("/metadata/scope", "The body's scope %s/%s differs from the path's %s/%s.", sc.Kind, sc.Name, t.scopeKind.Kind, t.scopeName)
	}
	if len(in.Title) > 350 {
		return invalid("/title", "The title is %d characters long; the limit is 350.", len(in.Title))
	}
	if err := validateSpec(t.kind.Kind, in.Spec); err != nil {
		return err
	}
	if t.kind.Kind == "Webhook" {
		var spec api.WebhookSpec
		_ = json.Unmarshal(in.Spec, &spec)
		if s.CheckURL != nil {
			if err := s.CheckURL(spec.URL); err != nil {
				return invalid("/spec/url", "spec.url: %v", err)
			}
		}
		if s.ValidateWebhook != nil {
			if err := s.ValidateWebhook(&spec); err != nil {
				pointer := "/spec/delivery"
				var at interface{ Path() string } // the field at fault
				if errors.As(err, &at) {
					pointer += "/" + at.Path()
				}
				return invalid(pointer, "spec.delivery: %v", err)
			}
		}
	}
	return nil
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if t.scopeKind == nil && t.kind.Scoped() {
		return nil, errorf(http.StatusNotFound, "%s is a scoped kind: create it under its scope, as /apis/%s/%s/%s/{name}/%s.",
			t.kind.Kind, registry.Group, t.version, mustKind(t.kind.Scopes[0]).Plural, t.kind.Plural)
	}
	in, err := s.readResource(w, r, t)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		if err := checkName(in.Name); err != nil {
			return nil, err
		}
	}
	res := &api.ResourceInstance{
		Group: registry.Group, APIVersion: t.version, Kind: t.kind.Kind, Name: in.Name, Title: in.Title,
		Attributes: in.Attributes, Tags: in.Tags, Finalizers: in.Finalizers, Owner: in.Owner, Spec: in.Spec,
	}
	var body []byte
	err = s.update(r, func(c *change) error {
		scope, err := c.scope(t)
		if err != nil {
			return err
		}
		if scope != nil {
			if scope.Metadata.State == api.StateDeleting {
				return errorf(http.StatusConflict, "%s/%s is being deleted; nothing new can be created in it.", scope.Kind, scope.Name)
			}
			res.Metadata.Scope = &api.Scope{ID: scope.Metadata.ID, Kind: scope.Kind, Name: scope.Name, SelfLink: scope.Metadata.SelfLink}
		}
		if res.Name == "" {
			key := store.KeyOf(s.Org, res)
			if res.Name, err = generateName(c.ctx, c.tx, key, res.Title); err != nil {
				return err
			}
		}
		if res.Title == "" {
			res.Title = res.Name
		}
		res.Metadata.ID = s.newID()
		res.Metadata.SelfLink = registry.SelfLink(t.version, t.kind, t.scopeKindName(), t.scopeName, res.Name)
		res.Metadata.Audit = api.Audit{CreateTimestamp: c.now, CreateUserID: s.UserID, ModifyTimestamp: c.now, ModifyUserID: s.UserID}
		if err := c.checkReferences(res); err != nil {
			return err
		}
		err = c.write(api.ResourceCreated, res, "")
		if err == store.ErrConflict {
			return errorf(http.StatusConflict, "Resource %s of kind %s already exists%s.", res.Name, res.Kind, scopeSuffix(t.scopeKindName(), t.scopeName))
		}
		if err == nil && res.Kind == "Subscription" {
			err = c.subscribed(res)
		}
		if err == nil {
			err = c.webhookEnabled(false, res)
		}
		if c.last == res {
			body = c.lastJSON
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if body != nil && !r.URL.Query().Has("fields") {
		return created(rawJSON(body)), nil // as stored, without encoding it again
	}
	return created(selected(r, res)), nil
}

// atVersion shows a stored resource at the API version the request used:
// apiVersion and the selfLinks follow the path, whatever version wrote it.
func atVersion(r *api.ResourceInstance, version string) {
	if r == nil {
		return
	}
	r.APIVersion = version
	r.Metadata.SelfLink = relink(r.Metadata.SelfLink, version)
	if sc := r.Metadata.Scope; sc != nil {
		sc.SelfLink = relink(sc.SelfLink, version)
	}
}

// relink replaces the version segment of "/group/version/...".
func relink(link, version string) string {
	parts := strings.SplitN(link, "/", 4)
	if len(parts) < 4 || !registry.ServesVersion(parts[2]) {
		return link
	}
	parts[2] = version
	return strings.Join(parts, "/")
}

func mustKind(kind string) *registry.Kind {
	k, _ := registry.ByKind(kind)
	return k
}

// readOne loads the resource a path names, checking its scope exists first
// so a missing scope reads as such.
func (s *Server) readOne(r *http.Request, t target) (*api.ResourceInstance, error) {
	if t.scopeKind == nil && t.kind.Scoped() {
		return nil, errorf(http.StatusNotFound, "%s is a scoped kind: read it under its scope, as /apis/%s/%s/%s/{name}/%s/%s.",
			t.kind.Kind, registry.Group, t.version, mustKind(t.kind.Scopes[0]).Plural, t.kind.Plural, t.name)
	}
	var res *api.ResourceInstance
	err := s.Store.View(r.Context(), func(tx store.Tx) error {
		if t.scopeKind != nil {
			if _, err := getResource(r.Context(), tx, s.Org, t.scopeKind, "", "", t.scopeName); err != nil {
				return err
			}
		}
		var err error
		res, err = getResource(r.Context(), tx, s.Org, t.kind, t.scopeKindName(), t.scopeName, t.name)
		return err
	})
	atVersion(res, t.version)
	return res, err
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if r.URL.Query().Has("fields") {
		res, err := s.readOne(r, t)
		if err != nil {
			return nil, err
		}
		return selected(r, res), nil
	}
	if body := s.servedAsStored(r, t); body != nil {
		return rawJSON(body), nil
	}
	return s.readOne(r, t)
}

// servedAsStored returns the resource's stored JSON when it is already the
// answer to this GET: stored at the version asked for, which is the usual
// case. It is then sent as it is, in one statement and without decoding and
// encoding it again. Otherwise (another version, a missing resource or
// scope, an error) it returns nil and readOne answers.
func (s *Server) servedAsStored(r *http.Request, t target) []byte {
	if t.scopeKind == nil && t.kind.Scoped() {
		return nil
	}
	body, err := s.Store.ResourceBody(r.Context(), store.Key{Org: s.Org, Group: registry.Group, Kind: t.kind.Kind,
		ScopeKind: t.scopeKindName(), ScopeName: t.scopeName, Name: t.name})
	if err != nil || !bytes.Contains(body, []byte(`"apiVersion":"`+t.version+`"`)) {
		return nil
	}
	for _, v := range registry.Versions {
		if v != t.version && bytes.Contains(body, []byte("/"+v+"/")) { // a link atVersion would rewrite
			return nil
		}
	}
	return body
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	in, err := s.readResource(w, r, t)
	if err != nil {
		return nil, err
	}
	if in.Name != "" && in.Name != t.name {
		return nil, invalid("/name", "The body names %q but the path names %q; a resource cannot be renamed.", in.Name, t.name)
	}
	return s.rewrite(r, t, in.Metadata.ResourceVersion, func(res *api.ResourceInstance) (*api.ResourceInstance, error) {
		if in.Owner == nil {
			in.Owner = res.Owner // a body without an owner keeps the stored one
		}
		return in, nil
	})
}

// rewrite is PUT's and PATCH's write, in one transaction: it reads the
// resource t names, refuses it when version is set and the resource has
// moved on since, and replaces it with what next makes of it.
func (s *Server) rewrite(r *http.Request, t target, version string, next func(res *api.ResourceInstance) (*api.ResourceInstance, error)) (any, error) {
	var res *api.ResourceInstance
	err := s.update(r, func(c *change) error {
		if _, err := c.scope(t); err != nil {
			return err
		}
		var err error
		if res, err = c.get(t.kind, t.scopeKindName(), t.scopeName, t.name); err != nil {
			return err
		}
		if err := checkVersion(res, version); err != nil {
			return err
		}
		in, err := next(res)
		if err != nil {
			return err
		}
		return c.replace(res, in)
	})
	if err != nil {
		return nil, err
	}
	atVersion(res, t.version)
	return selected(r, res), nil
}

// selected is the answer with one resource: with ?fields=a,b.c only those
// fields of it, as a list gives them, else the whole of it.
func selected(r *http.Request, res *api.ResourceInstance) any {
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		return res
	}
	return selectFields(asDocument(res), strings.Split(fields, ","))
}

// checkVersion is the 428 of a conditional write: version, when set, is the
// resourceVersion the client read (a PUT's metadata.resourceVersion, or
// If-Match on PATCH and subresource PUT), and res the stored resource.
func checkVersion(res *api.ResourceInstance, version string) error {
	if version != "" && version != res.Metadata.ResourceVersion {
		return errorf(http.StatusPreconditionRequired, "The resourceVersion %s of %s %s is stale: the current one is %s. Read the resource again and retry.",
			version, res.Kind, res.Name, res.Metadata.ResourceVersion)
	}
	return nil
}

// replace gives the stored res the fields a client writes, from in, and
// stores it as a ResourceUpdated: the one write path of PUT and PATCH.
// Subresources and metadata stay as stored. A write that changes nothing
// makes no new version and no event.
func (c *change) replace(res, in *api.ResourceInstance) error {
	before, _ := json.Marshal(res)
	wasEnabled := isEnabledWebhook(res)
	res.Title, res.Attributes, res.Tags, res.Finalizers, res.Spec, res.Owner = in.Title, in.Attributes, in.Tags, in.Finalizers, in.Spec, in.Owner
	if res.Title == "" {
		res.Title = res.Name
	}
	if err := c.checkReferences(res); err != nil {
		return err
	}
	if res.Metadata.State == api.StateDeleting && len(res.Finalizers) == 0 {
		return c.finishDelete(res)
	}
	if after, _ := json.Marshal(res); string(after) == string(before) {
		return nil // nothing changed: no new version, no event
	}
	if err := c.write(api.ResourceUpdated, res, ""); err != nil {
		return err
	}
	return c.webhookEnabled(wasEnabled, res)
}

func (s *Server) handleSubResourceGet(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	return s.subResourceGet(r, t)
}

func (s *Server) subResourceGet(r *http.Request, t target) (any, error) {
	if !t.kind.HasSubResource(t.sub) {
		return nil, errorf(http.StatusNotFound, "%s has no subresource %q; its subresources are %v and any x-* name.", t.kind.Kind, t.sub, t.kind.SubResources)
	}
	res, err := s.readOne(r, t)
	if err != nil {
		return nil, err
	}
	v, ok := res.SubResources[t.sub]
	if !ok {
		return nil, errorf(http.StatusNotFound, "Subresource %s of %s %s is not set.", t.sub, res.Kind, res.Name)
	}
	return map[string]json.RawMessage{t.sub: v}, nil
}

func (s *Server) handleSubResourcePut(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if t.scopeKind == nil && t.kind.Scoped() {
		return nil, errorf(http.StatusNotFound, "%s is a scoped kind: write its subresources under its scope.", t.kind.Kind)
	}
	if !t.kind.HasSubResource(t.sub) {
		return nil, invalid("", "%s has no subresource %q; its subresources are %v and any x-* name.", t.kind.Kind, t.sub, t.kind.SubResources)
	}
	if t.kind.Kind == "Subscription" && t.sub == "state" {
		return nil, invalid("", "A subscription's state moves only through POST .../subscriptions/%s/states with {\"state\": \"...\"}.", t.name)
	}
	version, err := ifMatch(r)
	if err != nil {
		return nil, err
	}
	var body map[string]json.RawMessage
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	v, ok := body[t.sub]
	if !ok || len(body) != 1 {
		return nil, invalid("", "The body must be an object with the one key %q holding the subresource's value.", t.sub)
	}
	if nestsDeeperThan(v, maxNesting) {
		return nil, invalid("/"+pointerToken(t.sub), "The value of %s nests objects and arrays more than %d levels deep, the limit.", t.sub, maxNesting)
	}
	var res *api.ResourceInstance
	err = s.update(r, func(c *change) error {
		if _, err := c.scope(t); err != nil {
			return err
		}
		var err error
		if res, err = c.get(t.kind, t.scopeKindName(), t.scopeName, t.name); err != nil {
			return err
		}
		if err := checkVersion(res, version); err != nil {
			return err
		}
		if res.SubResources == nil {
			res.SubResources = map[string]json.RawMessage{}
		}
		if string(v) == "null" {
			delete(res.SubResources, t.sub)
		} else {
			res.SubResources[t.sub] = v
		}
		return c.write(api.SubResourceUpdated, res, t.sub)
	})
	if err != nil {
		return nil, err
	}
	atVersion(res, t.version)
	return selected(r, res), nil
}
