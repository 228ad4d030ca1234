package events

import (
	"encoding/json"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// Type is one event type: what it means and what a webhook receives.
type Type struct {
	Type        api.EventType `json:"type"`
	Description string        `json:"description"`
	Example     api.Event     `json:"example"`
}

// exampleTime is when the examples happen; fixed, so the output is stable.
var exampleTime = time.Date(2024, 5, 1, 10, 15, 30, 123e6, time.UTC)

// Catalog returns every event type with an example envelope, in the order
// the help lists them.
func Catalog() []Type {
	created := apiService(exampleTime, "1")
	updated := apiService(exampleTime.Add(5*time.Minute), "2")
	updated.Title = "Swagger Petstore (v2)"
	updated.Tags = append(updated.Tags, "v2")
	subUpdated := apiService(exampleTime.Add(6*time.Minute), "3")
	subUpdated.Title = updated.Title
	subUpdated.Tags = updated.Tags
	subUpdated.SubResources = map[string]json.RawMessage{
		"x-agent-details": json.RawMessage(`{"externalAPIID":"petstore-v2","externalAPIStage":"prod"}`),
	}
	deleted := apiService(exampleTime.Add(30*time.Minute), "3")
	deleted.Title, deleted.Tags, deleted.SubResources = subUpdated.Title, subUpdated.Tags, subUpdated.SubResources
	return []Type{
		{Type: api.ResourceCreated,
			Description: "A resource was created; the payload is the new resource.",
			Example:     envelope("6f1c2a9e-0b7d-4e55-8c3a-2d9f4b1e7a01", api.ResourceCreated, created, 41, "")},
		{Type: api.ResourceUpdated,
			Description: "A resource's title, attributes, tags or spec changed; the payload is the resource after the change.",
			Example:     envelope("a3d5e7f9-1b2c-4d6e-8f0a-3c5e7a9b1d02", api.ResourceUpdated, updated, 42, "")},
		{Type: api.ResourceDeleted,
			Description: "A resource was deleted; the payload is the resource as it was last stored.",
			Example:     envelope("c8e0a2b4-6d8f-4a1c-9e3b-5d7f9b1c3e04", api.ResourceDeleted, deleted, 44, "")},
		{Type: api.SubResourceUpdated,
			Description: "A subresource (status, references or an x-* extension) was written; metadata.subresource names it and the payload is the whole resource.",
			Example:     envelope("b6f8a0c2-4e6a-4b8d-9f1c-4e6a8c0d2f03", api.SubResourceUpdated, subUpdated, 43, "x-agent-details")},
		{Type: api.SubscriptionUpdatedEvent,
			Description: "A Unified Catalog subscription changed state (legacy catalog webhooks); the payload holds the consumerInstance, subscription and catalogItem.",
			Example:     subscriptionEvent()},
	}
}

// apiService is the example resource: an APIService in the Environment
// "prod", as the server stores it.
func apiService(modified time.Time, version string) *api.ResourceInstance {
	return &api.ResourceInstance{
		Group: "management", APIVersion: "v1", Kind: "APIService", Name: "petstore", Title: "Swagger Petstore",
		Metadata: api.Metadata{
			ID: "8a2e8bd38f5e2d0b018f5e3a1c4d0007",
			Audit: api.Audit{
				CreateTimestamp: api.NewTime(exampleTime), CreateUserID: "4c1f7e3a-9b2d-4e8f-a6c0-1d3b5f7a9c2e",
				ModifyTimestamp: api.NewTime(modified), ModifyUserID: "4c1f7e3a-9b2d-4e8f-a6c0-1d3b5f7a9c2e",
			},
			Scope:           &api.Scope{ID: "8a2e8bd38f5e2d0b018f5e39f0a10002", Kind: "Environment", Name: "prod", SelfLink: "/management/v1/environments/prod"},
			ResourceVersion: version,
			SelfLink:        "/management/v1/environments/prod/apiservices/petstore",
		},
		Attributes: map[string]string{"team": "pets"},
		Tags:       []string{"public"},
		Spec:       json.RawMessage(`{"description":"The Swagger Petstore sample API.","categories":[]}`),
	}
}

// envelope wraps a resource the way a webhook receives it.
func envelope(id string, t api.EventType, r *api.ResourceInstance, seq int64, subresource string) api.Event {
	payload, err := json.Marshal(r)
	if err != nil {
		panic(err) // the examples are static: this cannot fail
	}
	return api.Event{
		ID: id, Time: r.Metadata.Audit.ModifyTimestamp, Version: api.EventVersion, Product: api.EventProduct,
		CorrelationID: "0f3e5a7c9b1d4f2a8c6e" + id[len(id)-12:], // 32 hex digits, as the server makes them
		Organization:  api.Organization{ID: "916640157564164"},
		Type:          t, Payload: payload,
		Metadata: &api.EventMetadata{SequenceID: seq, Subresource: subresource},
	}
}

// subscriptionEvent is the legacy Unified Catalog event, whose payload is not
// a resource but the subscription with what it is about.
func subscriptionEvent() api.Event {
	return api.Event{
		ID: "e1f3a5b7-9c0d-4e2f-8a4b-6c8e0a2c4e05", Time: api.NewTime(exampleTime.Add(time.Hour)),
		Version: api.EventVersion, Product: api.EventProduct, CorrelationID: "1OC2YtqfsIReABA4FvxU",
		Organization: api.Organization{ID: "916640157564164"},
		Type:         api.SubscriptionUpdatedEvent,
		Payload: json.RawMessage(`{"consumerInstance":{"kind":"ConsumerInstance","name":"petstore","tags":[],"group":"management",` +
			`"apiVersion":"v1","attributes":{"release":"1.0.0"},"metadata":{"id":"8a2e8bd38f5e2d0b018f5e3b2e6f0009",` +
			`"audit":{"createUserId":"4c1f7e3a-9b2d-4e8f-a6c0-1d3b5f7a9c2e","modifyUserId":"4c1f7e3a-9b2d-4e8f-a6c0-1d3b5f7a9c2e",` +
			`"createTimestamp":"2024-05-01T10:20:00.000+0000","modifyTimestamp":"2024-05-01T10:20:00.000+0000"},` +
			`"scope":{"id":"8a2e8bd38f5e2d0b018f5e39f0a10002","kind":"Environment","name":"prod"},` +
			`"references":[{"id":"8a2e8bd38f5e2d0b018f5e3a1c4d0007","kind":"APIService","name":"petstore","type":"soft"}],"resourceVersion":"1"}},` +
			`"subscription":{"id":"8a2e8bd38f5e2d0b018f5e4d7a2b0011","name":"petstore for the mobile app","userId":"7e9a1c3e-5f7b-4d9f-b1a3-5c7e9a1b3d5f",` +
			`"properties":{"profile":{}},"metadata":{"createUserId":"7e9a1c3e-5f7b-4d9f-b1a3-5c7e9a1b3d5f"},"currentState":"REQUESTED",` +
			`"currentStateDescription":"Waiting for approval","owningTeamId":"2b4d6f8a-0c2e-4a6c-8e0a-2c4e6a8c0e2a",` +
			`"relationships":[{"key":"apiServerInfo","path":"$['consumerInstance']['id']","spec":"catalogItem","type":"API_SERVER_CONSUMER_INSTANCE_ID","value":"8a2e8bd38f5e2d0b018f5e3b2e6f0009"}],` +
			`"nextPossibleStates":["APPROVED","REJECTED"]},` +
			`"catalogItem":{"id":"8a2e8bd38f5e2d0b018f5e4c1b7e0010","name":"Swagger Petstore","owningTeamId":"2b4d6f8a-0c2e-4a6c-8e0a-2c4e6a8c0e2a",` +
			`"relationships":[{"key":"apiServerInfo","path":"$['consumerInstance']['name']","spec":"catalogItem","type":"API_SERVER_CONSUMER_INSTANCE_NAME","value":"petstore"}]}}`),
	}
}
