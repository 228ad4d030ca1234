package apiserver_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
)

// topicEvents reads GET /events{selfLink}?{query} and returns the events
// as "Type Kind/name", the events themselves and the sequence id the server
// says it scanned to.
func (h *harness) topicEvents(selfLink, query string) (got []string, evs []api.Event, scanned int64) {
	h.t.Helper()
	r := h.must(200, "GET", "/events"+selfLink+"?"+query, "")
	if err := json.Unmarshal([]byte(r.body), &evs); err != nil || evs == nil {
		h.t.Fatalf("GET /events%s?%s: not a JSON array: %v: %s", selfLink, query, err, r.body)
	}
	for _, ev := range evs {
		var res api.ResourceInstance
		if err := json.Unmarshal(ev.Payload, &res); err != nil {
			h.t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s/%s", ev.Type, res.Kind, res.Name))
	}
	scanned, err := strconv.ParseInt(r.header.Get(apiserver.ScannedSequenceHeader), 10, 64)
	if err != nil {
		h.t.Fatalf("GET /events%s?%s: %s %q: %v", selfLink, query, apiserver.ScannedSequenceHeader, r.header.Get(apiserver.ScannedSequenceHeader), err)
	}
	return got, evs, scanned
}

// head returns the sequence id of the newest event of the whole log.
func (h *harness) head() int64 {
	h.t.Helper()
	var evs []api.Event
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/events?sort=sequenceID,DESC&pageSize=1", "").body), &evs)
	if len(evs) != 1 {
		h.t.Fatalf("the log has no head")
	}
	return evs[0].Metadata.SequenceID
}

func (h *harness) topic(name, filters string) string {
	h.t.Helper()
	res := h.must(201, "POST", mgmt+"/watchtopics", `{"name":"`+name+`","spec":{"description":"test","filters":`+filters+`}}`).resource(h.t)
	return res.Metadata.SelfLink
}

func TestWatchTopicEventsFilters(t *testing.T) {
	h := newHarness(t)
	link := h.topic("prod-agent", `[
		{"group":"management","kind":"APIService","name":"*","type":["created","deleted"],"scope":{"kind":"Environment","name":"prod"}},
		{"group":"management","kind":"Environment","name":"prod","type":["updated"]}]`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"dev"}`)
	h.must(201, "POST", mgmt+"/environments/prod/apiservices", `{"name":"s1"}`)
	h.must(201, "POST", mgmt+"/environments/dev/apiservices", `{"name":"s1"}`)
	h.must(200, "PUT", mgmt+"/environments/prod", `{"title":"Production"}`)
	h.must(200, "PUT", mgmt+"/environments/dev", `{"title":"Development"}`)
	h.must(200, "PUT", mgmt+"/environments/prod/status", `{"status":{"level":"Success"}}`)
	h.must(200, "PUT", mgmt+"/environments/prod/apiservices/s1", `{"title":"S1"}`)
	h.must(204, "DELETE", mgmt+"/environments/prod/apiservices/s1", "")
	h.must(204, "DELETE", mgmt+"/environments/dev/apiservices/s1", "")

	got, evs, scanned := h.topicEvents(link, "query=sequenceID%3E0&sort=sequenceID,ASC&page=1&pageSize=100")
	want := []string{
		"ResourceCreated APIService/s1",
		"ResourceUpdated Environment/prod",
		"SubResourceUpdated Environment/prod", // a subresource update is an "updated"
		"ResourceDeleted APIService/s1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("topic events:\n got %q\nwant %q", got, want)
	}
	id := h.must(200, "GET", mgmt+"/watchtopics/prod-agent", "").resource(t).Metadata.ID
	for i, ev := range evs {
		m := ev.Metadata
		if m.WatchTopicID != id || m.WatchTopicSelfLink != "/management/v1/watchtopics/prod-agent" ||
			(i > 0 && m.SequenceID <= evs[i-1].Metadata.SequenceID) || m.SequenceID == 0 {
			t.Errorf("event %d metadata %+v", i, m)
		}
		if sub := m.Subresource; (ev.Type == api.SubResourceUpdated) != (sub == "status") {
			t.Errorf("event %d (%s) names subresource %q", i, ev.Type, sub)
		}
	}
	if head := h.head(); scanned != head {
		t.Errorf("scanned to %d, want the head of the log, %d", scanned, head)
	}
	// Read at v1alpha1, the topic's link says so.
	if _, evs, _ := h.topicEvents("/management/v1alpha1/watchtopics/prod-agent", ""); len(evs) != 4 ||
		evs[0].Metadata.WatchTopicSelfLink != "/management/v1alpha1/watchtopics/prod-agent" {
		t.Errorf("at v1alpha1: %+v", evs)
	}
	// The log itself is as it was: no topic in its events.
	if body := h.must(200, "GET", "/events?pageSize=1000", "").body; strings.Contains(body, "watchTopic") {
		t.Errorf("/events names a watch topic: %s", body)
	}
}

func TestWatchTopicEventsWildcards(t *testing.T) {
	h := newHarness(t)
	created := h.topic("created", `[{"group":"*","kind":"*","name":"*","type":["created"]}]`)
	scopedS1 := h.topic("scoped-s1", `[{"kind":"*","name":"s1","type":["updated","deleted"],"scope":{"kind":"*","name":"*"}}]`)
	anyName := h.topic("envs", `[{"group":"management","kind":"Environment","type":["created","deleted"]}]`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"s1"}`)
	h.must(201, "POST", mgmt+"/environments/e/apiservices", `{"name":"s1"}`)
	h.must(200, "PUT", mgmt+"/environments/s1", `{"title":"unscoped"}`)
	h.must(200, "PUT", mgmt+"/environments/e/apiservices/s1", `{"title":"scoped"}`)
	h.must(204, "DELETE", mgmt+"/environments/e", "")

	for _, tc := range []struct {
		link string
		want []string
	}{
		{created, []string{"ResourceCreated WatchTopic/created", "ResourceCreated WatchTopic/scoped-s1", "ResourceCreated WatchTopic/envs",
			"ResourceCreated Environment/e", "ResourceCreated Environment/s1", "ResourceCreated APIService/s1"}},
		// A scope, even all wildcards, asks for scoped resources.
		{scopedS1, []string{"ResourceUpdated APIService/s1", "ResourceDeleted APIService/s1"}},
		// No name is any name.
		{anyName, []string{"ResourceCreated Environment/e", "ResourceCreated Environment/s1", "ResourceDeleted Environment/e"}},
	} {
		if got, _, _ := h.topicEvents(tc.link, ""); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.link, got, tc.want)
		}
	}
}

func TestWatchTopicEventsPaging(t *testing.T) {
	h := newHarness(t)
	link := h.topic("apis", `[{"group":"management","kind":"APIService","name":"*","type":["created"],"scope":{"kind":"Environment","name":"e"}}]`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	var want []string
	for i := 1; i <= 5; i++ {
		h.must(201, "POST", mgmt+"/environments/e/apiservices", fmt.Sprintf(`{"name":"a%d"}`, i))
		h.must(201, "POST", mgmt+"/environments", fmt.Sprintf(`{"name":"other%d"}`, i))
		want = append(want, fmt.Sprintf("ResourceCreated APIService/a%d", i))
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"pageSize=2", want[0:2]},
		{"pageSize=2&page=2", want[2:4]},
		{"pageSize=2&page=3", want[4:]},
		{"pageSize=2&page=4", nil},
		{"pageSize=1000&page=9223372036854775807", nil},
		{"pageSize=2&sort=sequenceID,DESC", []string{want[4], want[3]}},
		{"pageSize=2&page=2&sort=sequenceID,DESC", []string{want[2], want[1]}},
	} {
		if got, _, _ := h.topicEvents(link, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}

	// A full page scans up to its last event; sequenceID> that goes on.
	_, evs, scanned := h.topicEvents(link, "pageSize=2")
	if scanned != evs[1].Metadata.SequenceID {
		t.Errorf("a full page scanned to %d, want its last event's %d", scanned, evs[1].Metadata.SequenceID)
	}
	after := fmt.Sprintf("query=sequenceID>%d&pageSize=2", evs[1].Metadata.SequenceID)
	if got, _, _ := h.topicEvents(link, after); !slices.Equal(got, want[2:4]) {
		t.Errorf("%s: got %q, want %q", after, got, want[2:4])
	}
	if got, _, _ := h.topicEvents(link, after+"&sort=sequenceID,DESC"); !slices.Equal(got, []string{want[4], want[3]}) {
		t.Errorf("%s, newest first: got %q", after, got)
	}

	// The harvester with no sequence yet asks for the head: the topic's
	// newest event, not the log's.
	_, head, _ := h.topicEvents(link, "pageSize=1&sort=sequenceID,DESC")
	if len(head) != 1 || head[0].Metadata.SequenceID >= h.head() {
		t.Fatalf("head %+v, the log's head %d", head, h.head())
	}
	// Then it pages with page=N under a fixed query until a page is short.
	var all []string
	for page := 1; ; page++ {
		got, _, _ := h.topicEvents(link, fmt.Sprintf("page=%d&pageSize=2&query=sequenceID%%3E0&sort=sequenceID,ASC", page))
		all = append(all, got...)
		if len(got) < 2 {
			break
		}
	}
	if !slices.Equal(all, want) {
		t.Errorf("the harvester's pages: %q", all)
	}
	if got, _, _ := h.topicEvents(link, fmt.Sprintf("query=sequenceID>%d", head[0].Metadata.SequenceID)); got != nil {
		t.Errorf("after the head: %q", got)
	}
}

// One request reads at most MaxEventScan events of the log once it has
// found one; a client that goes on from the scanned sequence id still
// reaches every event. Until it finds one it reads on, up to 100 times the
// cap: the agent SDK's harvester takes an empty answer for the end of the
// log.
func TestWatchTopicEventsScanCap(t *testing.T) {
	h := newHarness(t, func(s *apiserver.Server) { s.MaxEventScan = 4 })
	link := h.topic("envs", `[{"kind":"Environment","type":["created"]}]`) // 1
	for i := 1; i <= 9; i++ {
		h.must(201, "POST", mgmt+"/integrations", fmt.Sprintf(`{"name":"early%d"}`, i)) // 2..10
	}
	for i := 11; i <= 17; i++ {
		h.must(201, "POST", mgmt+"/environments", fmt.Sprintf(`{"name":"env%d"}`, i)) // 11..17
	}

	// Nothing matches before 11: the first request reads past the cap of 4
	// to it, and stops there, having read more than the cap; the next ones
	// read 4 events each, and the client goes on until the header stops.
	var after int64
	var steps []string
	for range 5 {
		got, _, scanned := h.topicEvents(link, fmt.Sprintf("query=sequenceID>%d&pageSize=10", after))
		steps = append(steps, fmt.Sprintf("%d:%d", scanned, len(got)))
		if scanned == after {
			break
		}
		after = scanned
	}
	if want := "11:1 15:4 17:2 17:0"; strings.Join(steps, " ") != want {
		t.Errorf("steps (scanned:events) %v, want %s", steps, want)
	}

	// Newest first, the same: nothing matches above 17, and the head is 17.
	for i := 1; i <= 5; i++ {
		h.must(201, "POST", mgmt+"/integrations", fmt.Sprintf(`{"name":"newer%d"}`, i)) // 18..22
	}
	if got, _, scanned := h.topicEvents(link, "pageSize=1&sort=sequenceID,DESC"); len(got) != 1 || scanned != 17 {
		t.Errorf("head below non-matching events: %q, scanned down to %d, want one and 17", got, scanned)
	}
	// Paging counts against the cap: page 2 of a dense topic past it is
	// empty, and the header still says how far the scan went.
	if got, _, scanned := h.topicEvents(link, "pageSize=3&page=2"); got != nil || scanned != 11 {
		t.Errorf("page 2 past the cap: %q, scanned to %d", got, scanned)
	}
	// Past 100 times the cap with nothing found, the request answers none,
	// and the header says where to go on from.
	never := h.topic("never", `[{"kind":"Environment","name":"nosuch","type":["created"]}]`)
	for i := range 400 {
		h.must(201, "POST", mgmt+"/environments", fmt.Sprintf(`{"name":"filler%d"}`, i)) // 24..423
	}
	if got, _, scanned := h.topicEvents(never, "query=sequenceID>0"); got != nil || scanned != 400 {
		t.Errorf("a topic matching nothing: %q, scanned to %d, want none and 400", got, scanned)
	}
}

func TestWatchTopicErrors(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	link := h.topic("t", `[{"kind":"Environment","type":["created"]}]`)
	for _, tc := range []struct {
		path   string
		status int
		detail string
	}{
		{"/events/management/v1/watchtopics/nosuch", 404, "Resource nosuch of kind WatchTopic not found."},
		{"/events/management/v1/environments/prod", 404, "Only WatchTopics have events"},
		{"/events/management/v9/watchtopics/t", 404, `does not serve version "v9"`},
		{"/events/catalog/v1/watchtopics/t", 404, `no group "catalog"`},
		{"/events/management/v1/nosuchkinds/t", 404, `doesn't have a resource type "nosuchkinds"`},
		{"/events" + link + "?query=name==x", 400, "sequenceID>N"},
		{"/events" + link + "?sort=name,ASC", 400, "sorts by sequenceID"},
		{"/events" + link + "?page=0", 400, "page must be"},
		{"/events" + link + "?pageSize=0", 400, "pageSize must be"},
	} {
		r := h.do("GET", tc.path, "")
		if r.status != tc.status {
			t.Errorf("GET %s: status %d, want %d: %s", tc.path, r.status, tc.status, r.body)
			continue
		}
		if d := r.detail(t); !strings.Contains(d, tc.detail) {
			t.Errorf("GET %s: detail %q lacks %q", tc.path, d, tc.detail)
		}
	}
}

func TestWatchTopicValidation(t *testing.T) {
	h := newHarness(t)
	const ok = `{"kind":"Environment","type":["created"]}`
	for _, tc := range []struct {
		spec    string
		pointer string
		detail  string
	}{
		{``, "/spec", "needs a spec"},
		{`"spec":{"filters":"all"}`, "/spec", "malformed"},
		{`"spec":{"filters":[]}`, "/spec/filters", "at least one filter"},
		{`"spec":{"filters":[` + ok + `,{"type":["created"]}]}`, "/spec/filters/1/kind", "Filter 1 needs a kind"},
		{`"spec":{"filters":[` + ok + `,{"kind":"*","type":["modified"]}]}`, "/spec/filters/1/type", `Filter 1: type "modified" is not one of created, updated, deleted.`},
		{`"spec":{"filters":[{"kind":"*","type":[]}]}`, "/spec/filters/0/type", "Filter 0: type: list at least one"},
		{`"spec":{"filters":[{"kind":"*","name":"fx*","type":["created"]}]}`, "/spec/filters/0/name",
			`Filter 0: name "fx*" can never match: it is compared with names exactly, so give one resource's name, or "*" for any.`},
		{`"spec":{"filters":[{"kind":"*","type":["created"],"scope":{"kind":"Environment","name":"Prod"}}]}`, "/spec/filters/0/scope/name", `Filter 0: scope name "Prod" can never match`},
	} {
		body := `{"name":"bad"` + map[bool]string{true: "", false: "," + tc.spec}[tc.spec == ""] + `}`
		r := h.do("POST", mgmt+"/watchtopics", body)
		if r.status != 400 {
			t.Errorf("POST %s: status %d, want 400: %s", body, r.status, r.body)
			continue
		}
		var e api.ErrorResponse
		_ = json.Unmarshal([]byte(r.body), &e)
		if d := r.detail(t); !strings.Contains(d, tc.detail) || e.Errors[0].Source["pointer"] != tc.pointer {
			t.Errorf("POST %s: %q at %q, want %q at %q", body, d, e.Errors[0].Source["pointer"], tc.detail, tc.pointer)
		}
	}
	// An update is checked as a create is.
	h.must(201, "POST", mgmt+"/watchtopics", `{"name":"t","spec":{"filters":[`+ok+`]}}`)
	if r := h.do("PUT", mgmt+"/watchtopics/t", `{"spec":{"filters":[{"kind":"*","type":["gone"]}]}}`); r.status != 400 || !strings.Contains(r.body, `"/spec/filters/0/type"`) {
		t.Errorf("PUT with a bad filter: %d %s", r.status, r.body)
	}
	// Kinds and groups this server does not serve are the agent SDK's own:
	// allowed, and matching nothing.
	h.must(201, "POST", mgmt+"/watchtopics", `{"name":"sdk","spec":{"filters":[
		{"group":"management","kind":"Credential","name":"*","type":["created","updated"],"scope":{"kind":"Environment","name":"e"}},
		{"group":"catalog","kind":"Product","name":"*","type":["created"]}]}}`)
	if got, _, _ := h.topicEvents("/management/v1/watchtopics/sdk", ""); got != nil {
		t.Errorf("a topic on kinds not served matched %q", got)
	}
}
