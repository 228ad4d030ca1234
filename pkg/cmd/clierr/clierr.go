// Package clierr holds the typed errors commands return, so the root maps
// them to messages and exit codes in one place (never by matching strings).
package clierr

import "errors"

// FlagError is a misuse of flags or arguments: printed with a usage hint.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// Flagf makes a FlagError from a message.
func Flagf(msg string) error { return &FlagError{Err: errors.New(msg)} }

// ErrSilent means the command already printed what went wrong: exit 1
// without printing more.
var ErrSilent = errors.New("silent error")

// ErrCancelled means the user answered no to a prompt.
var ErrCancelled = errors.New("cancelled")

// Reported is an error the command already printed in its own words: the
// root prints nothing more on stderr, but still gives it as a document on
// stdout under -o json|yaml.
type Reported struct{ Err error }

func (e *Reported) Error() string { return e.Err.Error() }
func (e *Reported) Unwrap() error { return e.Err }
