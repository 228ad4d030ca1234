// Package subscription holds the rules of catalog subscriptions: the state
// machine, the draft-04 JSON schema checks of a subscriber's properties, and
// the SubscriptionUpdatedEvent payload. It knows nothing of HTTP or storage.
package subscription

import (
	"fmt"
	"strings"
)

// The subscription states.
const (
	Requested            = "REQUESTED"
	Approved             = "APPROVED"
	Rejected             = "REJECTED"
	Active               = "ACTIVE"
	FailedToSubscribe    = "FAILED_TO_SUBSCRIBE"
	UnsubscribeInitiated = "UNSUBSCRIBE_INITIATED"
	Unsubscribed         = "UNSUBSCRIBED"
	FailedToUnsubscribe  = "FAILED_TO_UNSUBSCRIBE"
)

// transitions are the moves a subscription may make, and no others.
var transitions = map[string][]string{
	Requested:            {Approved, Rejected},
	Approved:             {Active, FailedToSubscribe},
	FailedToSubscribe:    {Requested},
	Active:               {UnsubscribeInitiated},
	UnsubscribeInitiated: {Unsubscribed, FailedToUnsubscribe},
	FailedToUnsubscribe:  {UnsubscribeInitiated},
	Unsubscribed:         {Requested},
	Rejected:             {Requested},
}

// Next returns the states a subscription in state s may move to.
func Next(s string) []string {
	return append([]string{}, transitions[s]...)
}

// Known reports whether s is a subscription state.
func Known(s string) bool {
	_, ok := transitions[s]
	return ok
}

// CheckMove returns an error naming the current state and the allowed next
// states when from -> to is not a transition.
func CheckMove(name, from, to string) error {
	if !Known(to) {
		return fmt.Errorf("%q is not a subscription state; the states are %s", to, strings.Join(states(), ", "))
	}
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	return fmt.Errorf("Subscription %s is in state %s, which can move only to %s; not to %s.",
		name, from, strings.Join(transitions[from], " or "), to)
}

func states() []string {
	return []string{Requested, Approved, Rejected, Active, FailedToSubscribe, UnsubscribeInitiated, Unsubscribed, FailedToUnsubscribe}
}
