package api

import (
	"fmt"
	"regexp"
	"sync"
)

// MaxNameLength: names must be fewer than 100 characters.
const MaxNameLength = 99

var nameRule = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
})

// CheckName enforces the Amplify name rule, which the API server applies
// to every name it stores and the CLI to a name before it asks for it.
func CheckName(name string) error {
	if len(name) > MaxNameLength || !nameRule().MatchString(name) {
		return fmt.Errorf("Invalid name %q: a name must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character, and be fewer than 100 characters long.", name)
	}
	return nil
}
