package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// completionScript is one file of the completions directory.
type completionScript struct {
	name string // what the shell looks for: _central for zsh
	gen  func(io.Writer) error
}

// completionScripts are made by the same cobra calls as "central completion
// SHELL", so a saved script equals the printed one.
func completionScripts(cmd *cobra.Command) []completionScript {
	name := cmd.Name()
	return []completionScript{
		{name + ".bash", func(w io.Writer) error { return cmd.GenBashCompletionV2(w, true) }},
		{"_" + name, cmd.GenZshCompletion},
		{name + ".fish", func(w io.Writer) error { return cmd.GenFishCompletion(w, true) }},
		{name + ".ps1", cmd.GenPowerShellCompletionWithDesc},
	}
}

// writeCompletions writes every completion script into dir and returns
// their paths. The set of files is fixed, so nothing here goes stale.
func writeCompletions(cmd *cobra.Command, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, s := range completionScripts(cmd) {
		var b bytes.Buffer
		if err := s.gen(&b); err != nil {
			return written, err
		}
		path := filepath.Join(dir, s.name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}
