package e2e

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// TestSeedJSONVerbatim POSTs each JSON example of the seed documents, byte
// for byte, to the URL the documentation POSTs it to, and reads it back.
func TestSeedJSONVerbatim(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.New(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ctx)
	call := func(method, path string, body io.Reader) (int, []byte) {
		req, _ := http.NewRequest(method, s.URL()+path, body)
		req.Header.Set("Authorization", "Bearer "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	const v = "/apis/management/v1alpha1"
	for _, setup := range []string{`{"name":"azure-apiman-service"}`, `{"name":"georgiedemoenv"}`, `{"name":"my-env-name"}`} {
		if st, b := call("POST", v+"/environments", strings.NewReader(setup)); st != 201 {
			t.Fatalf("setup: %d %s", st, b)
		}
	}
	call("POST", v+"/integrations", strings.NewReader(`{"name":"monitor-resources"}`))
	// The seed's consumer instance lives in my-env-name but its definition in
	// georgiedemoenv: the reference is refused until the definition exists
	// where the instance is.
	ci, _ := os.ReadFile(filepath.Join("..", "examples", "seeds", "consumerinstance.json"))
	if st, b := call("POST", v+"/environments/my-env-name/consumerinstances", strings.NewReader(string(ci))); st != 400 ||
		!strings.Contains(string(b), `subscription definition \"my-custom-subscription\" does not exist`) {
		t.Fatalf("a consumer instance with a missing definition: %d %s", st, b)
	}
	call("POST", v+"/environments/my-env-name/consumersubscriptiondefs", strings.NewReader(
		`{"name":"my-custom-subscription","spec":{"webhooks":[],"schema":{"properties":[{"key":"profile","value":{"type":"object"}}]}}}`))
	for _, tc := range []struct{ file, path, kind, name string }{
		{"secret.json", v + "/environments/azure-apiman-service/secrets", "Secret", "secrettest"},
		{"webhook-with-secret.json", v + "/environments/azure-apiman-service/webhooks", "Webhook", "webhook"},
		{"resourcehook-apiservicerevisions.json", v + "/integrations/monitor-resources/resourcehooks", "ResourceHook", "apiservicerevisions-hook"},
		{"resourcehook-environments.json", v + "/integrations/monitor-resources/resourcehooks", "ResourceHook", "environments-hook"},
		{"resourcehook-one-environment.json", v + "/integrations/monitor-resources/resourcehooks", "ResourceHook", "environment-and-contents-hook"},
		{"consumersubscriptiondefinition.json", v + "/environments/georgiedemoenv/consumersubscriptiondefs", "ConsumerSubscriptionDefinition", "my-custom-subscription"},
		{"consumerinstance.json", v + "/environments/my-env-name/consumerinstances", "ConsumerInstance", "my-catalog-asset"},
	} {
		f, err := os.Open(filepath.Join("..", "examples", "seeds", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		st, b := call("POST", tc.path, f)
		f.Close()
		if st != 201 {
			t.Errorf("%s: %d %s", tc.file, st, b)
			continue
		}
		st, b = call("GET", tc.path+"/"+tc.name, nil)
		var r api.ResourceInstance
		if err := json.Unmarshal(b, &r); st != 200 || err != nil || r.Kind != tc.kind || r.Name != tc.name {
			t.Errorf("%s read back: %d %s", tc.file, st, b)
		}
	}
}
