package bench

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// replicaCount is how many servers share the PostgreSQL schema.
const replicaCount = 2

// replicasScenario runs the dispatch and end-to-end figures on PostgreSQL
// with two replicas (two servers in this process on one fresh schema), and
// counts the statements each delivered event costs.
func replicasScenario(ctx context.Context, r *runner) []Row {
	dsn := r.cfg.Postgres
	if dsn == "" && isPostgres(r.cfg.Store) {
		dsn = r.cfg.Store
	}
	figs := []struct {
		fig, unit string
		target    *Target
	}{
		{"deliveries/s, backlog to 1 webhook (PostgreSQL, 2 replicas)", "/s", atLeast(5000)},
		{"201 → receiver p50/p99 at 100 events/s (PostgreSQL, 2 replicas)", "ms", nil},
		{"sustained events/s with p99 lag < 1 s (PostgreSQL, 2 replicas)", "/s", nil},
		{"delivery statements per delivered event", "statements", atMost(4)},
	}
	if dsn == "" {
		var rows []Row
		for _, f := range figs {
			rows = append(rows, skipped("replicas", f.fig, f.unit, "no PostgreSQL: pass --postgres or set CENTRAL_TEST_POSTGRES_DSN", f.target))
		}
		return rows
	}
	var rows []Row
	raw := r.rawRate(ctx, r.cfg.Workers)
	rate, note, err := r.onReplicas(ctx, dsn, func(insts []*instance) (float64, string, error) {
		return r.dispatchRun(ctx, "replicas-dispatch", insts, r.backlogFor(1500, 500, 20000))
	})
	row := Row{Scenario: "replicas", Figure: figs[0].fig, Value: rate, Unit: "/s", Target: figs[0].target, Note: note}
	if err != nil {
		row = skipped("replicas", figs[0].fig, "/s", err.Error(), figs[0].target)
	}
	rows = append(rows, row.compare(fmt.Sprintf("raw c=%d", r.cfg.Workers), raw))

	err = r.onServingReplicas(ctx, dsn, func(insts []*instance, s *lagSink) {
		lat := r.latencyRows(ctx, "replicas", insts, s)
		rows = append(rows, lat[:2]...) // the RSS row belongs to the embedded e2e
		rows = append(rows, r.sustainedRow(ctx, "replicas", insts, s, 0))
	})
	if err != nil {
		rows = append(rows, skipped("replicas", figs[1].fig, "ms", err.Error(), nil), skipped("replicas", figs[2].fig, "/s", err.Error(), nil))
	}
	return append(rows, r.statementRows(ctx, dsn)...)
}

// onReplicas runs fn on replicaCount servers sharing a fresh schema of dsn,
// not serving yet; fn stops them. The schema is dropped after.
func (r *runner) onReplicas(ctx context.Context, dsn string, fn func([]*instance) (float64, string, error)) (float64, string, error) {
	schema, drop, err := freshSchema(ctx, dsn)
	if err != nil {
		return nan, "", err
	}
	defer drop()
	var insts []*instance
	for range replicaCount {
		in, err := r.startOn(ctx, schema)
		if err != nil {
			stopAll(insts)
			return nan, "", err
		}
		insts = append(insts, in)
	}
	return fn(insts)
}

// onServingReplicas runs fn on replicas that serve, with the end-to-end
// webhook and its receiver set up (lagSetup); it stops them after.
func (r *runner) onServingReplicas(ctx context.Context, dsn string, fn func([]*instance, *lagSink)) error {
	_, _, err := r.onReplicas(ctx, dsn, func(insts []*instance) (float64, string, error) {
		s, closeRecv, err := r.lagSetup(ctx, insts)
		if err != nil {
			stopAll(insts)
			return nan, "", err
		}
		defer closeRecv()
		defer stopAll(insts)
		fn(insts, s)
		return 0, "", nil
	})
	return err
}

// pgAddr is the host:port a DSN connects to.
func pgAddr(dsn string) (string, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), nil
}

// statementRows counts, through a relay that reads the wire protocol, the
// statements two replicas send while events made through the API are
// delivered: at 100 events/s, where every event travels alone, and with
// creates as fast as 8 clients go, where claims and finishes batch.
func (r *runner) statementRows(ctx context.Context, dsn string) []Row {
	const fig = "delivery statements per delivered event"
	fail := func(err error) []Row {
		return []Row{skipped("replicas", fig, "statements", err.Error(), atMost(4))}
	}
	addr, err := pgAddr(dsn)
	if err != nil {
		return fail(err)
	}
	counter, err := startPGCounter(addr)
	if err != nil {
		return fail(err)
	}
	defer counter.close()
	proxied, err := withHost(dsn, counter.addr())
	if err != nil {
		return fail(err)
	}
	var rows []Row
	err = r.onServingReplicas(ctx, proxied, func(insts []*instance, s *lagSink) {
		part := r.share(0.25, 100*time.Millisecond)
		measure := func(label string, load func()) {
			before, got := counter.snapshot(), s.count.Load()
			load()
			// Let the last empty claims and finishes go out.
			sleep(ctx, 200*time.Millisecond)
			rows = append(rows, statementRow(label, before, counter.snapshot(), s.count.Load()-got))
		}
		measure("at 100 events/s", func() { runLag(ctx, insts, s, 100, part, 2*time.Second) })
		measure("creates at concurrency 8", func() {
			before := s.count.Load()
			made := createsOn(ctx, insts, 8, part)
			s.waitCount(ctx, before+int64(len(made.names)), time.Now().Add(r.cfg.Duration))
		})
	})
	if err != nil {
		return fail(err)
	}
	return rows
}

func statementRow(label string, before, after map[string]int64, delivered int64) Row {
	d := func(k string) int64 { return after[k] - before[k] }
	fig := "delivery statements per delivered event, " + label
	if delivered == 0 {
		return skipped("replicas", fig, "statements", "nothing was delivered", atMost(4))
	}
	per := func(n int64) float64 { return float64(n) / float64(delivered) }
	path := d(stmtInsert) + d(stmtClaim) + d(stmtFinish)
	all := path + d(stmtRead) + d(stmtOther)
	row := Row{Scenario: "replicas", Figure: fig, Value: per(path), Unit: "statements", Target: atMost(4),
		Note: fmt.Sprintf("%d events; per event: insert %.2f, claim %.2f, finish %.2f; also webhook reads %.2f and API writes %.2f, %.2f in all (counted on the wire)",
			delivered, per(d(stmtInsert)), per(d(stmtClaim)), per(d(stmtFinish)), per(d(stmtRead)), per(d(stmtOther)), per(all))}
	return row.judge()
}
