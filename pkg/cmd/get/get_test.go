package get

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
)

// seedSameName makes the Webhook "same" in Environment/prod and in
// Integration/prod, so that -s prod finds it twice.
func seedSameName(f *cmdtest.API) {
	f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	f.Seed(&api.ResourceInstance{Kind: "Integration", Name: "prod"})
	for _, kind := range []string{"Environment", "Integration"} {
		f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "same", Title: kind,
			Metadata: api.Metadata{Scope: &api.Scope{Kind: kind, Name: "prod"}}})
	}
}

func TestGetByNamePrintsEveryMatch(t *testing.T) {
	f := cmdtest.NewAPI(t)
	seedSameName(f)
	for _, format := range []string{"json", "yaml"} {
		fac, _, out, _ := cmdtest.NewFactory(f)
		if err := cmdtest.Execute(NewCmdGet(fac, nil), "webhook", "same", "-s", "prod", "-o", format); err != nil {
			t.Fatal(err)
		}
		got, err := decodeList(format, out.Bytes())
		if err != nil {
			t.Fatalf("-o %s: %v in\n%s", format, err, out)
		}
		if len(got) != 2 || got[0].Metadata.Scope.Kind == got[1].Metadata.Scope.Kind {
			t.Errorf("-o %s printed %d webhooks, want the two in Environment/prod and Integration/prod:\n%s", format, len(got), out)
		}
	}
}

func TestGetByNameOneMatchPrintsTheObject(t *testing.T) {
	f := cmdtest.NewAPI(t)
	seedSameName(f)
	fac, _, out, _ := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "webhook", "same", "-s", "Integration/prod", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var got api.ResourceInstance
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Title != "Integration" {
		t.Errorf("printed %v, %v; want the Integration's webhook as one object:\n%s", got.Title, err, out)
	}
}

// decodeList reads what -o printed for a list: a JSON array, or YAML
// documents, one per resource.
func decodeList(format string, b []byte) ([]api.ResourceInstance, error) {
	var list []api.ResourceInstance
	if format == "json" {
		err := json.Unmarshal(b, &list)
		return list, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return list, nil
		} else if err != nil {
			return nil, err
		}
		j, _ := json.Marshal(doc)
		var r api.ResourceInstance
		if err := json.Unmarshal(j, &r); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
}

func TestGetOutputTable(t *testing.T) {
	f := cmdtest.NewAPI(t)
	seedSameName(f)
	fac, _, out, _ := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "webhook", "same", "-s", "prod", "-o", "table"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "NAME\n"); n != 2 {
		t.Errorf("-o table printed %d tables, want 2:\n%s", n, out)
	}
}

// TestGetTableOutput: the Amplify CLI's success line on stderr, then on
// stdout a blank line before each table, or before "No resources found."
// printed once when every request found nothing.
func TestGetTableOutput(t *testing.T) {
	tests := []struct {
		name string
		seed bool
		args []string
		out  string
	}{
		{"one table", true, []string{"envs"}, "\nNAME\nprod\n"},
		{"-o table", true, []string{"envs", "-o", "table"}, "\nNAME\nprod\n"},
		{"a table per request", true, []string{"webhook", "same", "-s", "prod"}, "\nNAME\nsame\n\nNAME\nsame\n"},
		{"empty and not", true, []string{"apis,envs"}, "\nNAME\nprod\n"},
		{"nothing", false, []string{"envs"}, "\nNo resources found.\n"},
		{"nothing twice", false, []string{"envs,webhooks"}, "\nNo resources found.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cmdtest.NewAPI(t)
			if tt.seed {
				seedSameName(f)
			}
			fac, _, out, errOut := cmdtest.NewFactory(f)
			if err := cmdtest.Execute(NewCmdGet(fac, nil), tt.args...); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.out || errOut.String() != "✔ Resource(s) successfully retrieved\n" {
				t.Errorf("stdout %q, want %q; stderr %q", out, tt.out, errOut)
			}
		})
	}
}

// TestGetYAMLList: a list is one document per resource, each after a blank
// line and "---"; an empty list prints nothing; -o prints no success line.
func TestGetYAMLList(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "envs", "-o", "yaml"); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || errOut.Len() != 0 {
		t.Errorf("empty list: stdout %q, stderr %q; want nothing", out, errOut)
	}
	seedSameName(f)
	fac, _, out, errOut = cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "envs,integrations", "-o", "yaml"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "\n---\ngroup: management\n") || strings.Count(out.String(), "\n---\n") != 2 || errOut.Len() != 0 {
		t.Errorf("stdout:\n%s\nstderr %q", out, errOut)
	}
	fac, _, out, _ = cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "env", "prod", "-o", "yaml"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "group: management\n") || strings.Contains(out.String(), "---") {
		t.Errorf("one object is dumped as it is:\n%s", out)
	}
}

// TestGetRefusedBeforeAnyRequest: a name or scope name no resource can have
// gets the API's name message, a scope on an unscoped kind's name gets
// delete's message, without asking the server for any resource.
func TestGetRefusedBeforeAnyRequest(t *testing.T) {
	badName := "a name must consist of lower case alphanumeric characters"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"env", ".."}, `Invalid name "..": ` + badName},
		{[]string{"env", "."}, `Invalid name ".": ` + badName},
		{[]string{"env", "Prod"}, `Invalid name "Prod": ` + badName},
		{[]string{"env", "a/b"}, `Invalid name "a/b": ` + badName},
		{[]string{"env", ""}, "resource name is required."},
		{[]string{"apis", "-s", ".."}, `Invalid name "..": ` + badName},
		{[]string{"apis", "x", "-s", "Environment/."}, `Invalid name ".": ` + badName},
		{[]string{"env", "prod", "-s", "x"}, "can't find matching resource definitions: Environment has no scope, leave out -s/--scope."},
		{[]string{"env", "prod", "-s", "Environment/x"}, "can't find matching resource definitions: Environment has no scope, leave out -s/--scope."},
	}
	for _, tt := range tests {
		f := cmdtest.NewAPI(t)
		fac, _, out, _ := cmdtest.NewFactory(f)
		err := cmdtest.Execute(NewCmdGet(fac, nil), tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("get %q: err = %v, want %q", tt.args, err, tt.want)
		}
		if calls := f.Calls(); len(calls) != 0 || out.Len() != 0 {
			t.Errorf("get %q: requests %q, stdout %q; want none", tt.args, calls, out)
		}
	}
}

// TestGetListOfUnscopedKindIgnoresScope: without a name the scope only
// narrows the scoped kinds, as "get envs,apis -s prod" needs.
func TestGetListOfUnscopedKindIgnoresScope(t *testing.T) {
	f := cmdtest.NewAPI(t)
	seedSameName(f)
	fac, _, out, _ := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "envs", "-s", "prod"); err != nil || !strings.Contains(out.String(), "prod") {
		t.Errorf("err = %v, stdout %q", err, out)
	}
}

// TestGetNoTypeIsReported: the kinds table goes to stderr and the error is
// Reported, so the root still prints the error document under -o json|yaml.
func TestGetNoTypeIsReported(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	err := cmdtest.Execute(NewCmdGet(fac, nil), "-o", "json")
	var rep *clierr.Reported
	if !errors.As(err, &rep) || err.Error() != "You must specify the type of resource to get." {
		t.Fatalf("err = %#v, want a clierr.Reported", err)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "The server supports the following resources:") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
}

// TestGetReportsAFailedType: of several types, one whose every request
// failed is told on stderr, naming it, and fails the command, while the
// others are still printed on stdout, with no error document after them.
func TestGetReportsAFailedType(t *testing.T) {
	f := cmdtest.NewAPI(t)
	seedSameName(f)
	// As the real server answers a list in a scope that does not exist.
	f.Fail("GET /apis/management/v1/environments/nope/apiservices", 404)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	err := cmdtest.Execute(NewCmdGet(fac, nil), "envs,apis", "-s", "nope", "-o", "json")
	if !errors.Is(err, clierr.ErrSilent) {
		t.Errorf("err = %v, want clierr.ErrSilent (exit 1, nothing more printed)", err)
	}
	got, derr := decodeList("json", out.Bytes())
	if derr != nil || len(got) != 1 || got[0].Kind != "Environment" || got[0].Name != "prod" {
		t.Errorf("stdout %q (%v), want the environment alone", out, derr)
	}
	if want := "✖ Error: apis: forced by the test.\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

// TestGetScopeKindNotFoundIsSilent: a type read in a scope name that
// exists for one of its scope kinds only is found, and the other kind's
// 404 is expected: exit 0, nothing on stderr but the success line.
func TestGetScopeKindNotFoundIsSilent(t *testing.T) {
	f := cmdtest.NewAPI(t)
	f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "jira",
		Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
	f.Fail("GET /apis/management/v1/integrations/prod/webhooks", 404)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdGet(fac, nil), "webhooks", "-s", "prod"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "\nNAME\njira\n" || errOut.String() != "✔ Resource(s) successfully retrieved\n" {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	if calls := f.Calls(); len(calls) != 2 {
		t.Errorf("requests %q, want one per scope kind", calls)
	}
}
