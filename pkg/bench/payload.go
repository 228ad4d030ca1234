package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
)

// description pads resources so that the event envelope a webhook receives
// is about 1 KiB, the body size of the raw reference.
var description = strings.Repeat("A benchmark environment, padded to a realistic size. ", 8)[:215]

// environmentBody is the create request of the Environment named name.
func environmentBody(name string) []byte {
	b, _ := json.Marshal(map[string]any{
		"name": name, "title": "Bench environment " + name,
		"attributes": map[string]string{"team": "bench", "tier": "gold"},
		"tags":       []string{"bench"},
		"spec":       map[string]string{"description": description},
	})
	return b
}

// environment is the Environment as the server would store it, for events
// written straight into the store.
func environment(name string, seq int64, now time.Time) *api.ResourceInstance {
	t := api.NewTime(now)
	return &api.ResourceInstance{
		Group: "management", APIVersion: "v1", Kind: "Environment", Name: name, Title: "Bench environment " + name,
		Metadata: api.Metadata{ID: apiserver.RandomID(), ResourceVersion: fmt.Sprint(seq), References: []api.Reference{},
			SelfLink: "/management/v1/environments/" + name,
			Audit:    api.Audit{CreateTimestamp: t, CreateUserID: "admin", ModifyTimestamp: t, ModifyUserID: "admin"}},
		Attributes: map[string]string{"team": "bench", "tier": "gold"}, Tags: []string{"bench"}, Finalizers: []api.Finalizer{},
		Spec: json.RawMessage(`{"description":"` + description + `"}`),
	}
}

// createdEvent is the ResourceCreated event of r, as the API appends it.
func createdEvent(org string, r *api.ResourceInstance, seq int64, now time.Time) *api.Event {
	payload, _ := json.Marshal(r)
	return &api.Event{
		ID: newUUID(), Time: api.NewTime(now), Version: api.EventVersion, Product: api.EventProduct,
		CorrelationID: newUUID(), Organization: api.Organization{ID: org}, Type: api.ResourceCreated,
		Payload: payload, Metadata: &api.EventMetadata{SequenceID: seq},
	}
}

// rawBody is the body of the raw reference: an envelope of the same shape
// and size as the events the dispatcher sends.
func rawBody() []byte {
	b, _ := json.Marshal(createdEvent("100000000000000", environment("raw-0", 1, time.Now()), 1, time.Now()))
	return b
}

func newUUID() string {
	id := apiserver.RandomID()
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}
