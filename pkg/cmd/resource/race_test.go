package resource

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
)

// racer is a transport through which another client changes the server
// right after the CLI got the answer to a given request, as a job running
// at the same time would: deterministically, where eight parallel applies
// only race now and then.
type racer struct {
	t    *testing.T
	url  string
	mu   sync.Mutex
	then map[string][]string // "METHOD /path" -> the other client's requests, in turn
}

func (r *racer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	r.mu.Lock()
	call := req.Method + " " + req.URL.Path
	var other string
	if todo := r.then[call]; len(todo) > 0 {
		other, r.then[call] = todo[0], todo[1:]
	}
	r.mu.Unlock()
	if other != "" {
		r.send(other)
	}
	return resp, err
}

// send sends "METHOD /path [body]" as the other client.
func (r *racer) send(call string) {
	method, rest, _ := strings.Cut(call, " ")
	path, body, _ := strings.Cut(rest, " ")
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		r.t.Error(err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		r.t.Error(err)
		return
	}
	resp.Body.Close()
}

const (
	raceEnv       = "/apis/management/v1/environments/race-5"
	otherCreates  = "POST /apis/management/v1/environments " + `{"kind": "Environment", "name": "race-5", "title": "Theirs"}`
	otherDeletes  = "DELETE " + raceEnv
	raceFile      = "kind: Environment\nname: race-5\ntitle: Mine\n"
	raceFileStage = raceFile + "stages: [dev]\n"
)

// Two jobs applying one new resource at once: whichever loses the race to
// create it updates it, and the one that finds it deleted under its update
// creates it. Each falls back once, and no more.
func TestApplyRaces(t *testing.T) {
	for _, tc := range []struct {
		name      string
		seeded    bool
		then      map[string][]string
		wantErr   bool
		wantLines []string
		wantCalls []string
	}{{
		name: "created between the read and the create",
		then: map[string][]string{"GET " + raceEnv: {otherCreates}},
		wantLines: []string{
			`✔ "Environment/race-5" has successfully been updated.`},
		wantCalls: []string{
			"GET " + raceEnv,
			"POST /apis/management/v1/environments", // theirs
			"POST /apis/management/v1/environments", // ours: 409
			"GET " + raceEnv,
			"PUT " + raceEnv,
			"PUT " + raceEnv + "/stages"},
	}, {
		name:   "deleted between the read and the update",
		seeded: true,
		then:   map[string][]string{"GET " + raceEnv: {otherDeletes}},
		wantLines: []string{
			`✔ "Environment/race-5" has successfully been created.`},
		wantCalls: []string{
			"GET " + raceEnv,
			"DELETE " + raceEnv,
			"PUT " + raceEnv, // 404
			"POST /apis/management/v1/environments",
			"PUT " + raceEnv + "/stages"},
	}, {
		name:    "deleted, then created again: one fallback only",
		seeded:  true,
		then:    map[string][]string{"GET " + raceEnv: {otherDeletes}, "PUT " + raceEnv: {otherCreates}},
		wantErr: true,
		wantLines: []string{
			`✖ "Environment/race-5" Conflict error: Resource race-5 of kind Environment already exists.`},
		wantCalls: []string{
			"GET " + raceEnv,
			"DELETE " + raceEnv,
			"PUT " + raceEnv,                         // 404
			"POST /apis/management/v1/environments",  // theirs
			"POST /apis/management/v1/environments"}, // ours: 409, reported
	}, {
		name:    "created, then gone again: the conflict is reported",
		then:    map[string][]string{"GET " + raceEnv: {otherCreates}, "POST /apis/management/v1/environments": {otherDeletes}},
		wantErr: true,
		wantLines: []string{
			`✖ "Environment/race-5" Conflict error: Resource race-5 of kind Environment already exists.`},
		wantCalls: []string{
			"GET " + raceEnv,
			"POST /apis/management/v1/environments", // theirs
			"POST /apis/management/v1/environments", // ours: 409
			"DELETE " + raceEnv,
			"GET " + raceEnv}, // 404: the conflict was not about this name
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f := cmdtest.NewAPI(t)
			if tc.seeded {
				(&racer{t: t, url: f.URL}).send(otherCreates)
				f.ClearRequests()
			}
			r := newWriteRun(t, f, Apply, writeTemp(t, "race.yaml", raceFileStage))
			c := client.New(f.URL, client.Options{HTTPClient: &http.Client{Transport: &racer{t: t, url: f.URL, then: tc.then}}})
			r.opts.Client = func() (*client.Client, error) { return c, nil }

			err := r.run(t)
			if tc.wantErr != errors.Is(err, clierr.ErrSilent) || (!tc.wantErr && err != nil) {
				t.Fatalf("err = %v, want failure %v", err, tc.wantErr)
			}
			assertLines(t, r.se.String(), tc.wantLines...)
			assertCalls(t, f, tc.wantCalls...)
		})
	}
}

// create means create: a name taken is the entry's error, with no read and
// no update, even when the resource appeared a moment ago.
func TestCreateDoesNotFallBackToUpdate(t *testing.T) {
	f := cmdtest.NewAPI(t)
	(&racer{t: t, url: f.URL}).send(otherCreates)
	f.ClearRequests()
	r := newWriteRun(t, f, Create, writeTemp(t, "race.yaml", raceFile))
	if err := r.run(t); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	assertLines(t, r.se.String(), `✖ "Environment/race-5" Conflict error: Resource race-5 of kind Environment already exists.`)
	assertCalls(t, f, "POST /apis/management/v1/environments")
}
