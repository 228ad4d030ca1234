package dispatch_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/centralhq/central/internal/testlog"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// TestFailingClaimsAreLoggedOnce: with the store gone, every poll's claim
// fails; the log says so once a minute, not at every poll.
func TestFailingClaimsAreLoggedOnce(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // the clock stands still: all within a minute
	d := &dispatch.Dispatcher{Store: st, PollInterval: time.Millisecond, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	st.Close() // every claim fails from the first
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	for deadline := time.Now().Add(10 * time.Second); logs.Count("claiming deliveries failed") == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the failed claims were not logged")
		}
	}
	time.Sleep(50 * time.Millisecond) // dozens of polls
	if n := logs.Count("claiming deliveries failed"); n != 1 {
		t.Fatalf("%d lines for the failing claims within a minute, want 1:\n%s", n, logs.String())
	}
}
