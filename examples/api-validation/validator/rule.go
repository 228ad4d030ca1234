package validator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/centralhq/central/pkg/api"
)

// Rule is what a compliant APIService looks like.
type Rule struct {
	// Name identifies the rule in each verdict, so a reader knows which
	// version of it judged.
	Name string
	// TitlePattern must match the title.
	TitlePattern *regexp.Regexp
	// MaxTitle is the longest title allowed, in characters.
	MaxTitle int
}

// DefaultRule wants a description and a title that starts with an
// upper-case letter and is at most 60 characters long.
func DefaultRule() Rule {
	return Rule{Name: "api-validation/v1", TitlePattern: regexp.MustCompile(`^\p{Lu}`), MaxTitle: 60}
}

// Check returns the verdict on one APIService.
func (r Rule) Check(svc *api.ResourceInstance) Verdict {
	var spec struct {
		Description string `json:"description"`
	}
	_ = json.Unmarshal(svc.Spec, &spec)
	problems := []string{}
	if strings.TrimSpace(spec.Description) == "" {
		problems = append(problems, "spec.description is empty: say what the API does")
	}
	switch n := utf8.RuneCountInString(svc.Title); {
	case n == 0:
		problems = append(problems, "the title is empty")
	case n > r.MaxTitle:
		problems = append(problems, fmt.Sprintf("the title is %d characters long; at most %d are allowed", n, r.MaxTitle))
	}
	if svc.Title != "" && !r.TitlePattern.MatchString(svc.Title) {
		problems = append(problems, fmt.Sprintf("the title %q does not match %s", svc.Title, r.TitlePattern))
	}
	return Verdict{Compliant: len(problems) == 0, Problems: problems, Rule: r.Name}
}

// Verdict is the value of the x-compliance subresource.
type Verdict struct {
	Compliant bool `json:"compliant"`
	// Problems says what to fix; empty when compliant.
	Problems []string `json:"problems"`
	Rule     string   `json:"rule"`
}

// same reports whether two verdicts say the same thing.
func (v Verdict) same(o Verdict) bool {
	if v.Compliant != o.Compliant || v.Rule != o.Rule || len(v.Problems) != len(o.Problems) {
		return false
	}
	for i := range v.Problems {
		if v.Problems[i] != o.Problems[i] {
			return false
		}
	}
	return true
}
