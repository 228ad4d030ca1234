package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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
		args := make([]any, strings.Count(stmtText[c.s], "?"))
		rows, err := s.write.QueryContext(ctx, "EXPLAIN QUERY PLAN "+stmtText[c.s], args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "TEMP B-TREE") || !strings.Contains(text, "SEARCH c USING COVERING INDEX "+c.index+" ") ||
			!strings.Contains(text, "SEARCH d USING PRIMARY KEY") {
			t.Errorf("%s: the plan must read %s alone, in order, without sorting:\n%s", c.name, c.index, text)
		}
	}
}
