package postgres_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/store/postgres"
)

// TestOpenGivesUpOnASilentServer: a host that accepts the connection and
// never answers fails Open at the connect timeout, not minutes later.
func TestOpenGivesUpOnASilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	was := postgres.DefaultConnectTimeout
	postgres.DefaultConnectTimeout = 200 * time.Millisecond
	defer func() { postgres.DefaultConnectTimeout = was }()
	done := make(chan error, 1)
	go func() {
		s, err := postgres.Open(context.Background(), "postgres://central@"+ln.Addr().String()+"/central?sslmode=disable")
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Open succeeded against a server that never answered")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Open still waits for a server that never answers")
	}
}
