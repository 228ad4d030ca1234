// Package get implements "central deliveries get": one delivery with every
// attempt, for finding out why a webhook did not get an event.
package get

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// maxBodyShown is how much of the last response body the text output shows;
// -o yaml|json has all the server kept.
const maxBodyShown = 2000

// GetOptions are the dependencies and flags of one get.
type GetOptions struct {
	IO     *iostreams.IOStreams
	Client func() (*client.Client, error)
	Now    func() time.Time

	ID     string
	Output string
}

// NewCmdGet builds "central deliveries get"; runF replaces the run in tests.
func NewCmdGet(f *factory.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Show one delivery and its attempts",
		Long: `Show one delivery: its event, resource, webhook and status, then every attempt
(oldest first) with its trigger, start, duration, status code and error, and
the start of the receiver's last answer (cut to ` + strconv.Itoa(maxBodyShown) + ` bytes; -o shows all the
server kept). -o yaml|json prints the delivery as the server returns it.

Exit codes: 0 on success, 1 on any error (such as an unknown ID).`,
		Example: `  # why did this delivery fail?
  central deliveries get dlv_018f34088040e319aca1290c9cc4405f
  # the same as JSON, e.g. for the receiver's full answer
  central deliveries get dlv_018f34088040e319aca1290c9cc4405f -o json | jq -r '.history[-1].responseBody'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			var err error
			if opts.Output, err = outputflag.Resolve(cmd, f, opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	outputflag.Add(cmd, &opts.Output, "output format: yaml, json or table (the default)")
	return cmd
}

func getRun(ctx context.Context, o *GetOptions) error {
	c, err := o.Client()
	if err != nil {
		return err
	}
	var d api.Delivery
	if _, err := c.Do(ctx, http.MethodGet, "/deliveries/"+url.PathEscape(o.ID), nil, nil, &d); err != nil {
		return err
	}
	if o.Output != "" {
		p, err := printers.ForFormat(o.Output, printers.Table{})
		if err != nil {
			return &clierr.FlagError{Err: err}
		}
		return p.Print(o.IO.Out, d)
	}
	return describe(o.IO.Out, &d, o.Now())
}

// describe writes the delivery as "Key: value" lines, the attempts table and
// the last answer's body.
func describe(w io.Writer, d *api.Delivery, now time.Time) error {
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s: %s\n", k, printable(v, false))
		}
	}
	line("ID", d.ID)
	line("Event", string(d.EventType))
	line("Event ID", d.EventID)
	if d.SequenceID != 0 {
		line("Sequence", strconv.FormatInt(d.SequenceID, 10))
	}
	line("Resource", resourceText(d.Resource))
	line("Webhook", resourceText(api.ResourceRef{Kind: "Webhook", Name: d.Webhook.Name, Scope: &d.Webhook.Scope}))
	line("Status", string(d.Status))
	line("Attempts", strconv.Itoa(d.Attempts))
	if d.LastStatusCode != 0 {
		line("Last status code", strconv.Itoa(d.LastStatusCode))
	}
	line("Last error", d.LastError)
	if d.HeldBy != "" {
		line("Next attempt", "after "+d.HeldBy+", an earlier delivery of the same resource that this one waits behind (ordered)")
	} else {
		line("Next attempt", when(d.NextAttemptAt, now))
	}
	line("Created", when(d.CreatedAt, now))
	line("Updated", when(d.UpdatedAt, now))
	if len(d.History) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	rows := make([][]string, len(d.History))
	for i, a := range d.History {
		code := ""
		if a.StatusCode != 0 {
			code = strconv.Itoa(a.StatusCode)
		}
		rows[i] = []string{strconv.Itoa(a.Number), string(a.Trigger), when(a.StartedAt, now),
			fmt.Sprintf("%d ms", a.DurationMs), code, attemptError(a)}
	}
	if err := printers.PlainTable(w, []string{"#", "TRIGGER", "STARTED", "DURATION", "CODE", "ERROR"}, rows); err != nil {
		return err
	}
	last := d.History[len(d.History)-1]
	fmt.Fprintln(w)
	switch body := last.ResponseBody; {
	case body == "":
		fmt.Fprintf(w, "Response body of attempt %d: (empty)\n", last.Number)
	case len(body) > maxBodyShown:
		fmt.Fprintf(w, "Response body of attempt %d (truncated to the first %d of %d bytes; -o json shows it all):\n%s\n",
			last.Number, maxBodyShown, len(body), printable(cut(body, maxBodyShown), true))
	default:
		fmt.Fprintf(w, "Response body of attempt %d:\n%s\n", last.Number, printable(strings.TrimRight(body, "\n"), true))
	}
	return nil
}

// resourceText is "Kind/name", followed by " in the scope Kind/name" when
// scoped.
func resourceText(r api.ResourceRef) string {
	s := r.Kind + "/" + r.Name
	if r.Scope != nil && r.Scope.Kind != "" {
		s += fmt.Sprintf(" in the scope %s/%s", r.Scope.Kind, r.Scope.Name)
	}
	return s
}

// when shows a time exactly and, for the reader, relative to now.
func when(t api.Time, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s (%s)", t, printers.Age(t.Time, now))
}

// attemptError says what went wrong in one attempt, with the note the
// server added (such as a missing auth secret).
func attemptError(a api.Attempt) string {
	s := a.Error
	if s == "" {
		s = string(a.ErrorClass)
	}
	if a.Note != "" {
		if s != "" {
			s += "; "
		}
		s += "note: " + a.Note
	}
	return s
}

// cut shortens s to at most n bytes without splitting a UTF-8 character.
func cut(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// printable replaces control characters with spaces, keeping line breaks
// and tabs when multiline: the body comes from the receiver, and an escape
// sequence in it could otherwise repaint the user's terminal.
func printable(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') {
			return r
		}
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
