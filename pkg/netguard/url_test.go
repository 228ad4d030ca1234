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
