package bench

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/centralhq/central/pkg/apiserver"
)

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// loopbackOnly refuses a PostgreSQL DSN whose host is not on this machine:
// the benchmark sends load to loopback addresses only.
func loopbackOnly(dsn string) error {
	if dsn == "" || strings.HasPrefix(dsn, "sqlite://") {
		return nil
	}
	if !isPostgres(dsn) {
		return fmt.Errorf("%q: use postgres://…, sqlite://DIR, or leave it empty for a temporary SQLite store", dsn)
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return err
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "/") || h == "localhost" {
			continue // a unix socket, or this machine by name
		}
		if a, err := netip.ParseAddr(h); err != nil || !a.IsLoopback() {
			return fmt.Errorf("the benchmark loads loopback addresses only, and %q is not one", h)
		}
	}
	return nil
}

// freshSchema creates a schema with a random name in the database of dsn
// and returns a DSN using it and a func that drops it.
func freshSchema(ctx context.Context, dsn string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := "central_bench_" + apiserver.RandomID()[:12]
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			c.Close(ctx)
		}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// withHost points a postgres:// DSN at another host:port (the statement
// counter) without TLS, which the counter could not read through.
func withHost(dsn, hostport string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	if u.Host == "" {
		return "", errors.New("the DSN names no host")
	}
	u.Host = hostport
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
