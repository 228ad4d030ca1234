package approver

import (
	"fmt"
	"strings"
)

// Decision is what a Rule says about one subscription request.
type Decision struct {
	Approve bool
	// Reason becomes the new state's description: the subscriber reads
	// it, so it says why.
	Reason string
}

// Rule decides on a subscriber's profile (the "profile" property of the
// subscription, as the ConsumerSubscriptionDefinition's schema shapes it).
type Rule func(profile map[string]any) Decision

// JobTitleRule approves subscribers who give a job title other than
// "intern", and rejects the others.
func JobTitleRule(profile map[string]any) Decision {
	title, _ := profile["Job title"].(string)
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return Decision{Reason: "Rejected: the profile gives no job title. Subscribe again with your job title."}
	case strings.EqualFold(title, "intern"):
		return Decision{Reason: "Rejected: interns cannot subscribe to this API. Ask your team lead to subscribe for the team."}
	}
	return Decision{Approve: true, Reason: fmt.Sprintf("Approved automatically for job title %q.", title)}
}
