package console_test

import (
	"strings"
	"testing"
)

// A Secret's values never reach the browser: the resource page and the
// list show them redacted and say how to read them.
func TestSecretValuesHidden(t *testing.T) {
	e := newEnv(t)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/integrations/monitor/secrets", map[string]any{"name": "jira-token",
		"spec": map[string]any{"data": map[string]string{"value": "Bearer s3cr3t-value"}}})
	u := e.user()
	u.login(e.srv.Token())

	for _, path := range []string{"/console/resources/management/secrets/jira-token?scope=Integration%2Fmonitor",
		"/console/resources/management/secrets", "/console/resources/management/secrets?scope=Integration%2Fmonitor"} {
		p := u.get(path)
		if p.status != 200 || strings.Contains(p.body, "s3cr3t") {
			t.Errorf("GET %s: %d, shows the Secret's value:\n%s", path, p.status, p.body)
		}
	}
	p := u.get("/console/resources/management/secrets/jira-token?scope=Integration%2Fmonitor")
	contains(t, p, "value: REDACTED", "kind: Secret", "are hidden here",
		"<code>central get secret jira-token -s Integration/monitor -o yaml</code>")
	if p := u.get("/console/resources/management/integrations/monitor"); strings.Contains(p.body, "are hidden here") {
		t.Error("a resource that is not a Secret says its values are hidden")
	}
}

// An empty list says "in this scope" only when a scope was chosen.
func TestResourceListEmpty(t *testing.T) {
	e := newEnv(t)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "prod"})
	u := e.user()
	u.login(e.srv.Token())
	p := u.get("/console/resources/management/subscriptions")
	contains(t, p, `<p class="empty">None.</p>`)
	p = u.get("/console/resources/management/subscriptions?scope=Environment%2Fprod")
	contains(t, p, `<p class="empty">None in this scope.</p>`)
}
