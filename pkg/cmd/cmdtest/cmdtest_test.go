package cmdtest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

func TestAPIServesDefinitionsAndResources(t *testing.T) {
	f := NewAPI(t)
	f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	fac, _, _, _ := NewFactory(f)
	set, err := fac.Definitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if set == nil {
		t.Fatal("no definitions")
	}
	if len(f.Requests()) == 0 || len(f.Calls()) != 0 {
		t.Errorf("discovery: requests %v, calls %v", f.Requests(), f.Calls())
	}

	c, _ := fac.Client()
	env := client.Path{Group: "management", Version: "v1", Plural: "environments"}
	env.Name = "prod"
	if _, err := c.Get(context.Background(), env); err != nil {
		t.Fatalf("GET of a seeded resource: %v", err)
	}
	env.Name = "ghost"
	if _, err := c.Get(context.Background(), env); !client.HasStatus(err, 404) {
		t.Errorf("GET of a missing resource: err = %v, want a 404", err)
	}
	want := []string{"GET /apis/management/v1/environments/prod", "GET /apis/management/v1/environments/ghost"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}

	f.Fail("GET /apis/management/v1/environments/prod", 503)
	env.Name = "prod"
	if _, err := c.Get(context.Background(), env); !client.HasStatus(err, 503) {
		t.Errorf("forced answer: err = %v, want a 503", err)
	}

	f.ClearRequests()
	if got := f.Requests(); len(got) != 0 {
		t.Errorf("after ClearRequests: %v", got)
	}
	if !f.Has("environments/prod") || f.Has("environments/ghost") {
		t.Error("Has does not reflect the seeded resources")
	}
}

func TestNewFactoryWithoutAPI(t *testing.T) {
	fac, _, _, _ := NewFactory(nil)
	_, err := fac.Definitions(context.Background())
	var conn *client.ConnectionError
	if !errors.As(err, &conn) {
		t.Errorf("err = %v, want a ConnectionError", err)
	}
}

func TestExecute(t *testing.T) {
	var got []string
	cmd := &cobra.Command{Use: "thing ARG", RunE: func(_ *cobra.Command, args []string) error { got = args; return nil }}
	if err := Execute(cmd, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("args = %q", got)
	}
}
