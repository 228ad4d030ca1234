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
