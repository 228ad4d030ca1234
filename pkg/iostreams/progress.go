package iostreams

import "fmt"

// progressMin is how many steps an operation needs before it shows progress:
// a short one finishes before a counter would help.
const progressMin = 5

// progress is the live "label n/total" line of a long operation.
type progress struct {
	label    string
	n, total int
}

// StartProgress shows "label 0/total" on stderr while a long operation runs,
// only when stderr is a terminal (never in pipes or logs) and the operation
// has enough steps to be worth it.
func (s *IOStreams) StartProgress(label string, total int) {
	if !s.stderrTTY || total < progressMin {
		return
	}
	s.progress = &progress{label: label, total: total}
	s.drawProgress()
}

// StepProgress counts one step done.
func (s *IOStreams) StepProgress() {
	if s.progress == nil {
		return
	}
	s.progress.n++
	s.drawProgress()
}

// StopProgress removes the progress line.
func (s *IOStreams) StopProgress() {
	if s.progress == nil {
		return
	}
	s.clearProgress()
	s.progress = nil
}

func (s *IOStreams) drawProgress() {
	p := s.progress
	fmt.Fprintf(s.ErrOut, "\r\x1b[K%s %d/%d", p.label, p.n, p.total)
}

func (s *IOStreams) clearProgress() {
	if s.progress != nil {
		fmt.Fprint(s.ErrOut, "\r\x1b[K")
	}
}

// status prints one status line, keeping the progress line below it.
func (s *IOStreams) status(symbol, format string, args ...any) {
	s.clearProgress()
	fmt.Fprintf(s.ErrOut, symbol+" "+format+"\n", args...)
	if s.progress != nil {
		s.drawProgress()
	}
}
