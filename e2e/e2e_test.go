// Package e2e runs central as a user would: each script in testdata/ gets a
// real server (store, API) started in-process on 127.0.0.1 and runs the
// central binary against it with testscript.
package e2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/centralhq/central/pkg/cmd/root"
	"github.com/centralhq/central/pkg/server"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"central": func() { os.Exit(root.Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Setup:               setup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waithealthy":    waitHealthy,
			"waitlisten":     waitListen,
			"waitdeliveries": waitDeliveries,
			"grabenv":        grabEnv,
		},
	})
}

// setup starts a server for the script and points the CLI at it. The config
// file and definitions cache live in the script's work dir, so nothing leaks
// between scripts or into the user's home.
func setup(env *testscript.Env) error {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, server.Config{
		Addr: "127.0.0.1:0", DataDir: filepath.Join(env.WorkDir, "server"),
		Logger: slog.New(slog.NewTextHandler(testWriter{env.T()}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		cancel()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	env.Defer(func() {
		cancel()
		if err := <-done; err != nil {
			env.T().Log("server stopped with", err)
		}
	})
	env.Setenv("CENTRAL_BASE_URL", s.URL())
	env.Setenv("CENTRAL_TOKEN", s.Token())
	env.Setenv("SERVER_TOKEN", s.Token())
	env.Setenv("CENTRAL_CONFIG", filepath.Join(env.WorkDir, "config.yaml"))
	env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, "cache"))
	env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
	env.Setenv("HOME", env.WorkDir)
	env.Setenv("NO_COLOR", "1")
	examples, err := filepath.Abs(filepath.Join("..", "examples", "seeds"))
	if err != nil {
		return err
	}
	env.Setenv("EXAMPLES", examples)
	return nil
}

type testWriter struct{ t testscript.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// waitHealthy URL: waits up to 20 s for URL/healthz to answer 200, for
// scripts that start "central serve" themselves.
func waitHealthy(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waithealthy URL")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(args[0] + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not become healthy: %v", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitListen ADDR: waits up to 20 s until something accepts TCP on ADDR.
func waitListen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitlisten ADDR")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", args[0])
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens on %s: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitDeliveries QUERY COUNT: waits up to 20 s until the server's delivery
// log lists at least COUNT deliveries for QUERY (as for GET /deliveries,
// e.g. status=succeeded&eventType=ResourceUpdated), so that a script stops
// a receiver only once what it waits for has arrived.
func waitDeliveries(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitdeliveries QUERY COUNT (no !)")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	req, err := http.NewRequest("GET", ts.Getenv("CENTRAL_BASE_URL")+"/deliveries?pageSize=1000&"+args[0], nil)
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+ts.Getenv("CENTRAL_TOKEN"))
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got []json.RawMessage
		resp, err := client.Do(req)
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
		}
		if err == nil && len(got) >= want {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%d deliveries for %s, want %d: %v", len(got), args[0], want, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// grabEnv NAME REGEXP: sets NAME to the first submatch (or the match) of
// REGEXP in the last command's stdout, so a script can use a generated id.
func grabEnv(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: grabenv NAME REGEXP")
	}
	m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
	if m == nil {
		ts.Fatalf("no match for %s in stdout", args[1])
	}
	ts.Setenv(args[0], m[len(m)-1])
}
