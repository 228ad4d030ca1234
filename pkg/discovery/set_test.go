package discovery

import (
	"context"
	"slices"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

func loadFake(t *testing.T) *Set {
	t.Helper()
	_, c := newFakeServer(t)
	s, err := Load(context.Background(), c, "", false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJoin(t *testing.T) {
	s := loadFake(t)
	var got []string
	for _, d := range s.Definitions {
		got = append(got, d.Plural+"/"+d.ScopeKind)
	}
	// Sorted by plural then scope kind; the ghost command line (no
	// definition) is dropped, the definition without a command line kept.
	want := []string{"assets/", "environments/", "integrations/", "internalthings/", "releasetags/Asset",
		"secrets/Integration", "webhooks/Environment", "webhooks/Integration"}
	if !slices.Equal(got, want) {
		t.Fatalf("definitions = %v\nwant          %v", got, want)
	}
	d, _ := s.ForKind("Webhook", "Integration")
	if d.Group != "management" || d.Singular != "webhook" || d.ScopePlural != "integrations" ||
		!slices.Equal(d.SubResources, []string{"status"}) || len(d.Columns) != 1 {
		t.Errorf("webhook definition = %+v", d)
	}
	if d, _ := s.ForKind("ReleaseTag", "Asset"); d.Group != "catalog" || d.ScopePlural != "assets" {
		t.Errorf("releasetag definition = %+v", d)
	}
	if d, _ := s.ForKind("InternalThing", ""); d.Singular != "" || len(s.Find("internalthings")) != 1 {
		t.Errorf("definition without command line = %+v", d)
	}
}

func TestFind(t *testing.T) {
	s := loadFake(t)
	tests := []struct {
		word   string
		scopes []string // scope kind of each match, in order
	}{
		{"environments", []string{""}},
		{"environment", []string{""}},
		{"env", []string{""}},
		{"envs", []string{""}}, // a short name that is not an alias still works
		{"webhooks", []string{"Environment", "Integration"}},
		{"wh", []string{"Environment", "Integration"}},
		{"webh", []string{"Environment", "Integration"}},
		{"Env", nil}, // case-sensitive
		{"environ", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range s.Find(tt.word) {
			got = append(got, d.ScopeKind)
		}
		if !slices.Equal(got, tt.scopes) {
			t.Errorf("Find(%q) scopes = %q, want %q", tt.word, got, tt.scopes)
		}
	}
}

func TestVersionChoice(t *testing.T) {
	s := loadFake(t)
	tests := map[[2]string]string{
		{"Environment", ""}:        "v1",       // newest served
		{"Integration", ""}:        "v1alpha1", // v1 deprecated
		{"Webhook", "Environment"}: "v1alpha1", // v1 not served
		{"Secret", "Integration"}:  "v1alpha1", // no versions: fallback
	}
	for k, want := range tests {
		d, ok := s.ForKind(k[0], k[1])
		if !ok || d.Version != want {
			t.Errorf("%v version = %q (found %v), want %q", k, d.Version, ok, want)
		}
	}
	if got := pickVersion([]api.DefinitionVersion{v("v2", false, false), v("v1", true, true)}); got != fallbackVersion {
		t.Errorf("pickVersion with nothing usable = %q", got)
	}
}

func TestKindsAndScopeKinds(t *testing.T) {
	s := loadFake(t)
	if got, want := s.Kinds(), []string{"Asset", "Environment", "Integration", "InternalThing", "ReleaseTag", "Secret", "Webhook"}; !slices.Equal(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
	if got, want := s.ScopeKinds(), []string{"Asset", "Environment", "Integration"}; !slices.Equal(got, want) {
		t.Errorf("ScopeKinds() = %v, want %v", got, want)
	}
	if _, ok := s.ForKind("Webhook", ""); ok {
		t.Error(`ForKind("Webhook", "") found an unscoped webhook`)
	}
}

func TestPath(t *testing.T) {
	s := loadFake(t)
	hook, _ := s.ForKind("Webhook", "Integration")
	env, _ := s.ForKind("Environment", "")
	tests := []struct {
		got  client.Path
		want string
	}{
		{s.Path(hook, "i1", "w1"), "/apis/management/v1alpha1/integrations/i1/webhooks/w1"},
		{s.Path(hook, "i1", ""), "/apis/management/v1alpha1/integrations/i1/webhooks"},
		{s.Path(hook, "", ""), "/apis/management/v1alpha1/webhooks"},
		{s.Path(env, "ignored", "prod"), "/apis/management/v1/environments/prod"},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("Path = %s, want %s", got, tt.want)
		}
	}
}
