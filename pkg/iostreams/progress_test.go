package iostreams

import (
	"strings"
	"testing"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	ios, _, _, errOut := Test()
	ios.StartProgress("Writing", 10)
	ios.StepProgress()
	ios.Success("done %d", 1)
	ios.StopProgress()
	if errOut.String() != "✔ done 1\n" {
		t.Fatalf("progress written to a pipe: %q", errOut.String())
	}

	ios, _, _, errOut = Test()
	ios.SetTTY(true)
	ios.StartProgress("Writing", 10)
	ios.StepProgress()
	ios.Success("done %d", 1)
	ios.StopProgress()
	got := errOut.String()
	for _, want := range []string{"Writing 0/10", "Writing 1/10", "\r\x1b[K✔ done 1\n", "Writing 1/10\r\x1b[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output %q lacks %q", got, want)
		}
	}

	ios, _, _, errOut = Test()
	ios.SetTTY(true)
	ios.StartProgress("Writing", 2) // too short to bother
	ios.StepProgress()
	ios.StopProgress()
	if errOut.Len() != 0 {
		t.Fatalf("progress for a short operation: %q", errOut.String())
	}
}
