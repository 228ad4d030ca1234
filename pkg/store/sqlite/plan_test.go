package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/store"
)

// Claims have no LIMIT and stop reading once they have enough, which is
// cheap only while SQLite reads them in the due index's order: a plan that
// sorted would read every pending delivery on each claim. And they pass
// over the leased deliveries on the index alone (c), reading the rows (d)
// of only the candidates.
func TestClaimsReadTheDueIndexInOrder(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		name  string
		s     stmt
		index string
	}{{"claimDue", claimDue, "deliveries_due"}, {"claimWebhookDue", claimWebhookDue, "deliveries_webhook_due"}} {
		text := planOf(t, s, stmtText[c.s])
		if strings.Contains(text, "TEMP B-TREE") || !strings.Contains(text, "SEARCH c USING COVERING INDEX "+c.index+" ") ||
			!strings.Contains(text, "SEARCH d USING PRIMARY KEY") {
			t.Errorf("%s: the plan must read %s alone, in order, without sorting:\n%s", c.name, c.index, text)
		}
	}
}

// planOf is SQLite's plan of query q, its steps one per line.
func planOf(t *testing.T, s *Store, q string) string {
	t.Helper()
	args := make([]any, strings.Count(q, "?"))
	rows, err := s.write.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n")
}

// A delivery's heldBy reads the order index, not its webhook's whole
// history; a list of one event's deliveries reads the event index in the
// list's order, without a sort.
func TestDeliveryReadsUseTheirIndexes(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if plan := planOf(t, s, stmtText[deliveryGet]); !strings.Contains(plan, "SEARCH e USING COVERING INDEX deliveries_order ") {
		t.Errorf("deliveryGet's heldBy does not read deliveries_order:\n%s", plan)
	}
	w, _ := where(store.DeliveryFilter{Org: "o", EventID: "e"})
	list := `SELECT ` + selectCols + `, ` + heldByCol + ` FROM deliveries` + w + ` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
	plan := planOf(t, s, list)
	if !strings.Contains(plan, "USING INDEX deliveries_event ") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("a list by event does not read deliveries_event in order:\n%s", plan)
	}
}
