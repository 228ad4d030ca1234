// Package storecmd implements "central store": operations on a server's
// store itself, for operators (the server must not be running on the
// source).
package storecmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/sqlite"
	"github.com/centralhq/central/pkg/store/storecopy"
)

// CopyOptions are the flags of "store copy".
type CopyOptions struct {
	IO   *iostreams.IOStreams
	From string
	To   string
}

// NewCmdStore builds "central store" and its subcommands.
func NewCmdStore(f *factory.Factory, runF func(*CopyOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store <command>",
		Short: "Operate on a server's store (copy SQLite into PostgreSQL)",
		Long: `Operations on a server's store itself, for operators: they open the store
directly, not through the API, so stop the server first.

Exit codes: 0 on success, 1 on any error.`,
		Example: `  # move a personal server's data into PostgreSQL, then serve from there
  central store copy --from ~/.local/share/central --to "$DATABASE_URL"
  central serve --store "$DATABASE_URL"`,
	}
	opts := &CopyOptions{IO: f.IOStreams}
	cp := &cobra.Command{
		Use:   "copy --from DATA_DIR|sqlite://PATH --to postgres://...",
		Short: "Copy an embedded store into PostgreSQL",
		Long: `Copy everything an embedded (SQLite) store holds into an empty PostgreSQL
database or schema: resources, the event log with its sequence ids, the
sequence counter, deliveries with their attempts (pending ones stay due) and
settings such as the organization id. The copy is one transaction: all or
nothing. The destination must be empty, so nothing is ever duplicated.

Stop the server first: nothing may write the source during the copy. Then
start the replicas with --store pointing at the destination.

Exit codes: 0 on success, 1 on any error.`,
		Example: `  central store copy --from ~/.local/share/central \
    --to 'postgres://central@db.internal:5432/central?sslmode=require'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.From == "" || opts.To == "" {
				return clierr.Flagf("store copy needs --from (a data dir or sqlite://PATH) and --to (postgres://...)")
			}
			if !strings.HasPrefix(opts.To, "postgres://") && !strings.HasPrefix(opts.To, "postgresql://") {
				return clierr.Flagf(fmt.Sprintf("--to must be a postgres:// DSN; got %q", opts.To))
			}
			if runF != nil {
				return runF(opts)
			}
			return copyRun(cmd.Context(), opts)
		},
	}
	cp.Flags().StringVar(&opts.From, "from", "", "the embedded store: a data dir, or sqlite://PATH")
	cp.Flags().StringVar(&opts.To, "to", "", "the PostgreSQL database: postgres://...")
	cmd.AddCommand(cp)
	return cmd
}

func copyRun(ctx context.Context, o *CopyOptions) error {
	path := strings.TrimPrefix(o.From, "sqlite://")
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, "central.db")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no embedded store at %s: give the data dir of the server (or sqlite://PATH)", path)
	}
	from, err := sqlite.OpenExclusive(ctx, path)
	if errors.Is(err, sqlite.ErrInUse) {
		return fmt.Errorf("%s is in use by a running central server: stop it first, or what it writes after the copy is lost and its "+
			"pending deliveries are sent by it and by the servers on the copy alike", path)
	}
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := postgres.Open(ctx, o.To)
	if err != nil {
		return fmt.Errorf("opening the destination: %w", err)
	}
	defer to.Close()
	sum, err := storecopy.Copy(ctx, store.Store(from), to)
	if err != nil {
		return err
	}
	o.IO.Success("Copied organization %s: %d resources, %d events (up to sequence %d), %d deliveries (%d pending), %d settings.",
		sum.Org, sum.Resources, sum.Events, sum.LastSequence, sum.Deliveries, sum.Pending, sum.Settings)
	return nil
}
