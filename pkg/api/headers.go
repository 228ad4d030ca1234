package api

import (
	"fmt"
	"strings"
)

// reservedHeaders are set by the sender, not by a webhook's spec: the
// Standard Webhooks headers (an unsigned webhook must not be able to send
// a signature of its own making) and those HTTP itself manages.
var reservedHeaders = map[string]bool{
	"webhook-id": true, "webhook-timestamp": true, "webhook-signature": true,
	"host": true, "content-length": true, "transfer-encoding": true, "connection": true,
}

// CheckHeader reports why a webhook may not send the header name: value,
// or nil. name must be an HTTP token and not one the sender sets; value may
// hold no control character but tab.
func CheckHeader(name, value string) error {
	if name == "" {
		return fmt.Errorf("a header needs a name")
	}
	for _, c := range name {
		if c > '~' || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return fmt.Errorf("%q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only)", name)
		}
	}
	if reservedHeaders[strings.ToLower(name)] {
		return fmt.Errorf("the header %q is set by central itself", name)
	}
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("the value of the header %q holds a control character (a line break, say)", name)
		}
	}
	return nil
}
