package server_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

const env = mgmt + "/environments/demo"

// catalog sets up what the seed's subscription flow needs: environment,
// service, revision, instance, secret, webhook, definition, consumer instance.
func catalog(h *harness, url string, auto bool) {
	h.t.Helper()
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "demo"})
	h.must(201, "POST", env+"/apiservices", map[string]any{"name": "petstore"})
	h.must(201, "POST", env+"/apiservicerevisions", map[string]any{"name": "petstore-v1", "spec": map[string]any{"apiService": "petstore"}})
	h.must(201, "POST", env+"/apiserviceinstances", map[string]any{"name": "petstore-prod", "spec": map[string]any{"apiServiceRevision": "petstore-v1"}})
	h.must(201, "POST", env+"/secrets", map[string]any{"name": "approver", "spec": map[string]any{"data": map[string]string{"token": "Bearer s3cret"}}})
	h.must(201, "POST", env+"/webhooks", map[string]any{"name": "approvals", "spec": map[string]any{"url": url, "enabled": true,
		"auth": map[string]any{"secret": map[string]string{"name": "approver", "key": "token"}}}})
	h.must(201, "POST", env+"/consumersubscriptiondefs", map[string]any{"name": "custom", "spec": map[string]any{
		"webhooks": []string{"approvals"},
		"schema": map[string]any{"properties": []map[string]any{{"key": "profile", "value": map[string]any{
			"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": []string{"Job title"},
			"properties": map[string]any{"Job title": map[string]any{"type": "string"}}}}}}}})
	h.must(201, "POST", env+"/consumerinstances", map[string]any{"name": "petstore-asset", "title": "Pet Store v1", "tags": []string{"pets"},
		"spec": map[string]any{"name": "Pet Store v1", "apiServiceInstance": "petstore-prod", "owningTeam": "team-1",
			"subscription": map[string]any{"enabled": true, "autoSubscribe": auto, "subscriptionDefinition": "custom"}}})
}

func subscriptionEvent(t *testing.T, rcv *receiver) (api.Event, api.SubscriptionEventPayload) {
	t.Helper()
	got := rcv.next(t)
	if got.header.Get("Authorization") != "Bearer s3cret" {
		t.Fatalf("the definition's webhook secret was not sent: %v", got.header)
	}
	var ev api.Event
	var p api.SubscriptionEventPayload
	if err := json.Unmarshal(got.body, &ev); err != nil || json.Unmarshal(ev.Payload, &p) != nil {
		t.Fatalf("not a subscription event: %s", got.body)
	}
	return ev, p
}

func TestSubscriptionFlow(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t, 500, 500) // the first event fails twice before the receiver accepts
	catalog(h, rcv.URL, false)

	var e api.ErrorResponse
	if st := h.do("POST", env+"/subscriptions", map[string]any{"name": "bad", "spec": map[string]any{"consumerInstance": "petstore-asset",
		"properties": map[string]any{"profile": map[string]any{"Job title": 7}}}}, &e); st != 400 || !strings.Contains(e.Errors[0].Detail, `property "profile"`) {
		t.Fatalf("a profile that breaks the schema: %d %+v", st, e)
	}
	if st := h.do("POST", env+"/subscriptions", map[string]any{"name": "s", "spec": map[string]any{"consumerInstance": "nosuch"}}, &e); st != 400 {
		t.Fatalf("a missing consumer instance: %d", st)
	}
	h.must(201, "POST", env+"/subscriptions", map[string]any{"name": "alice", "spec": map[string]any{"consumerInstance": "petstore-asset",
		"userId": "alice-id", "owningTeamId": "team-2", "properties": map[string]any{"profile": map[string]any{"Job title": "Engineer"}}}})

	ev, p := subscriptionEvent(t, rcv) // attempt 1: 500
	subscriptionEvent(t, rcv)          // attempt 2: 500
	ev3, p3 := subscriptionEvent(t, rcv)
	if ev3.ID != ev.ID || p3.Subscription.CurrentState != "REQUESTED" {
		t.Fatalf("the retried event changed: %s / %s", ev3.ID, p3.Subscription.CurrentState)
	}
	// the payload, field by field, against the seed's sample event
	if ev.Type != api.SubscriptionUpdatedEvent || ev.Version != "v1" || ev.Product != "AmplifyCentral" || ev.Organization.ID == "" || ev.CorrelationID == "" {
		t.Fatalf("envelope: %+v", ev)
	}
	ci := p.ConsumerInstance
	if ci.Kind != "ConsumerInstance" || ci.Name != "petstore-asset" || ci.Group != "management" || ci.APIVersion != "v1" || len(ci.Tags) != 1 ||
		ci.Attributes == nil || ci.Metadata.ID == "" || ci.Metadata.Scope.Kind != "Environment" || ci.Metadata.Scope.Name != "demo" ||
		ci.Metadata.Scope.ID == "" || ci.Metadata.References == nil || ci.Metadata.ResourceVersion == "" || ci.Metadata.Audit.CreateTimestamp.IsZero() {
		t.Fatalf("consumerInstance: %+v", ci)
	}
	sub := p.Subscription
	if sub.ID == "" || sub.Name != "alice" || sub.UserID != "alice-id" || string(sub.Properties["profile"]) != `{"Job title":"Engineer"}` ||
		sub.Metadata.CreateUserID != "admin" || sub.CurrentState != "REQUESTED" || sub.CurrentStateDescription == "" ||
		strings.Join(sub.NextPossibleStates, ",") != "APPROVED,REJECTED" || sub.OwningTeamID != "team-2" || len(sub.Relationships) == 0 {
		t.Fatalf("subscription: %+v", sub)
	}
	item := p.CatalogItem
	if item.ID != ci.Metadata.ID || item.Name != "Pet Store v1" || item.OwningTeamID != "team-1" || len(item.Relationships) != 4 ||
		item.Relationships[0].Type != "API_SERVER_CONSUMER_INSTANCE_ID" || item.Relationships[0].Value != ci.Metadata.ID ||
		item.Relationships[0].Path != "$['consumerInstance']['id']" || item.Relationships[0].Key == "" || item.Relationships[0].Spec != "catalogItem" {
		t.Fatalf("catalogItem: %+v", item)
	}

	// an invalid transition names the current state and the allowed ones
	if st := h.do("POST", env+"/subscriptions/alice/states", map[string]any{"state": "ACTIVE"}, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "is in state REQUESTED, which can move only to APPROVED or REJECTED") {
		t.Fatalf("REQUESTED -> ACTIVE: %d %+v", st, e)
	}
	if st := h.do("PUT", env+"/subscriptions/alice/state", map[string]any{"state": map[string]string{"name": "ACTIVE"}}, &e); st != 400 {
		t.Fatalf("writing the state subresource directly: %d", st)
	}

	// two approvers at once: exactly one wins
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for _, to := range []string{"APPROVED", "REJECTED"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- h.do("POST", env+"/subscriptions/alice/states", map[string]any{"state": to, "description": "by " + to}, nil)
		}()
	}
	wg.Wait()
	close(codes)
	won := 0
	for c := range codes {
		if c == 201 {
			won++
		} else if c != 400 {
			t.Fatalf("unexpected status %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent state changes won", won)
	}
	_, p = subscriptionEvent(t, rcv)
	if p.Subscription.CurrentState != "APPROVED" && p.Subscription.CurrentState != "REJECTED" {
		t.Fatalf("second event: %+v", p.Subscription)
	}
	var got api.ResourceInstance
	h.do("GET", env+"/subscriptions/alice", nil, &got)
	if !strings.Contains(string(got.SubResources["state"]), p.Subscription.CurrentState) {
		t.Fatalf("state subresource %s", got.SubResources["state"])
	}
}

func TestAutoSubscribeAndDisabled(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	catalog(h, rcv.URL, true)
	h.must(201, "POST", env+"/subscriptions", map[string]any{"name": "bob", "spec": map[string]any{"consumerInstance": "petstore-asset",
		"properties": map[string]any{"profile": map[string]any{"Job title": "Ops"}}}})
	_, p1 := subscriptionEvent(t, rcv)
	_, p2 := subscriptionEvent(t, rcv)
	if p1.Subscription.CurrentState != "REQUESTED" || p2.Subscription.CurrentState != "APPROVED" {
		t.Fatalf("autoSubscribe: %s then %s", p1.Subscription.CurrentState, p2.Subscription.CurrentState)
	}
	h.must(200, "PUT", env+"/consumerinstances/petstore-asset", map[string]any{"spec": map[string]any{"subscription": map[string]any{
		"enabled": false, "subscriptionDefinition": "custom"}}})
	var e api.ErrorResponse
	if st := h.do("POST", env+"/subscriptions", map[string]any{"name": "carol", "spec": map[string]any{"consumerInstance": "petstore-asset"}}, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "does not take subscriptions") {
		t.Fatalf("subscribing while disabled: %d %+v", st, e)
	}
	if st := h.do("PUT", env+"/consumerinstances/petstore-asset", map[string]any{"spec": map[string]any{"subscription": map[string]any{
		"enabled": true, "subscriptionDefinition": "nosuch"}}}, &e); st != 400 {
		t.Fatalf("a missing definition: %d", st)
	}
	if st := h.do("POST", env+"/consumersubscriptiondefs", map[string]any{"name": "broken", "spec": map[string]any{"webhooks": []string{},
		"schema": map[string]any{"properties": []map[string]any{{"key": "profile", "value": map[string]any{"type": "objekt"}}}}}}, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "not valid draft-04") {
		t.Fatalf("a broken schema: %d %+v", st, e)
	}
}
