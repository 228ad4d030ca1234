package cmdtest

import (
	"bytes"
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// UnreachableURL is a base URL where nothing listens: a client of it fails
// to connect, so a test that must not reach any server can use it.
const UnreachableURL = "http://127.0.0.1:1"

// NewFactory returns a Factory for running commands against f, with the
// buffers behind its streams (iostreams.Test's, not terminals). Its Client
// talks to f, or to UnreachableURL if f is nil, as flag tests want. Its
// Definitions are discovered from that server on every call, without the
// on-disk cache. Its Now is fixed at 2024-05-01 12:00 UTC. Config is nil:
// the commands under test do not read it.
func NewFactory(f *API) (fac *factory.Factory, in, out, errOut *bytes.Buffer) {
	ios, in, out, errOut := iostreams.Test()
	url := UnreachableURL
	if f != nil {
		url = f.URL
	}
	c := client.New(url, client.Options{})
	return &factory.Factory{
		IOStreams:   ios,
		Client:      func() (*client.Client, error) { return c, nil },
		Definitions: func(ctx context.Context) (*discovery.Set, error) { return discovery.Load(ctx, c, "", true) },
		Now:         func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
	}, in, out, errOut
}

// Execute runs "central NAME args..." for cmd named NAME, as a subcommand
// of a bare root as in the real tree (cobra adds its own commands to a
// root), and returns its error. Cobra's own output (usage, errors) is
// discarded; what cmd writes to its IOStreams is not affected.
func Execute(cmd *cobra.Command, args ...string) error {
	root := &cobra.Command{Use: "central", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	return root.ExecuteContext(context.Background())
}
