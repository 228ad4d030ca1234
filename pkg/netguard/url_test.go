package netguard

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw  string
		want string // "" means accepted, else a fragment of the reason
	}{
		{"https://hooks.example.com/central", ""},
		{"http://hooks.example.com:8080/x?y=1", ""},
		{"HTTPS://hooks.example.com/", ""},
		{"http://localhost:9000/hook", ""}, // judged at dial time, by address
		{"http://10.0.0.5/hook", ""},       // likewise: the policy may allow it
		{"http://[::1]:8080/", ""},
		{"ftp://hooks.example.com/", `scheme is "ftp"`},
		{"hooks.example.com/central", "no scheme"},
		{"https:///path", "no host"},
		{"https:hooks.example.com", "no host"},
		{"https://user:hunter2@hooks.example.com/", "credentials in URLs leak"},
		{"https://token@hooks.example.com/", "user info"},
		{"http://169.254.169.254/latest/meta-data/", "cloud metadata"},
		{"http://[::ffff:169.254.169.254]/", "cloud metadata"},
		{"http://[fd00:ec2::254]/", "metadata"},
		{"http://169.254.1.1/", "link-local"},
		{"http://0.0.0.0:8080/", "unspecified"},
		{"http://[::]:8080/", "unspecified"},
		{"http://host:port/", "does not parse"},
		{"http://us er:hunter2@[::1/", "does not parse"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.raw)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckURL(%q) = %v, want nil", tt.raw, err)
			}
			continue
		}
		var ue *URLError
		if !errors.As(err, &ue) || !strings.Contains(ue.Reason, tt.want) {
			t.Errorf("CheckURL(%q) = %v, want a *URLError mentioning %q", tt.raw, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "token@") {
			t.Errorf("CheckURL(%q) leaks the credentials: %v", tt.raw, err)
		}
	}
}

// A server's own policy refuses, at save time, the IP literals it would
// refuse at dial time, and names the flag that admits them.
func TestPolicyCheckURL(t *testing.T) {
	strict := Policy{Allow: prefixes("10.1.0.0/16")}
	for raw, want := range map[string]string{
		"http://10.0.0.5:6379/":     "--allow-destination 10.0.0.0/8",
		"http://127.0.0.1:9000/":    "loopback",
		"http://[::ffff:10.0.0.5]/": "private",
		"http://10.1.2.3/":          "",
		"http://localhost:9000/":    "", // a name: judged at dial time
		"https://8.8.8.8/":          "",
		"http://169.254.169.254/":   "cloud metadata",
	} {
		err := strict.CheckURL(raw)
		if want == "" {
			if err != nil {
				t.Errorf("CheckURL(%q) = %v, want nil", raw, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want an error mentioning %q", raw, err, want)
		}
	}
	if err := (Policy{AllowPrivate: true}).CheckURL("http://127.0.0.1:9000/"); err != nil {
		t.Errorf("a personal server refused loopback: %v", err)
	}
}
