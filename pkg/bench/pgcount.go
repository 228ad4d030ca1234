package bench

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
)

// pgCounter is a PostgreSQL wire-protocol relay on 127.0.0.1 that counts
// the statements passing through it, by kind. It is how the benchmark
// counts statements without a hook in the driver and without
// pg_stat_statements, which needs shared_preload_libraries and counts every
// session of the database, other users' included.
//
// A statement is a simple Query message or an Execute of the extended
// protocol (its text comes from the Parse that named it); BEGIN, COMMIT and
// ROLLBACK are not counted, as the PostgreSQL driver's own test does not.
type pgCounter struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	counts map[string]int64
	opaque int // connections the relay could not read (TLS)
	conns  []net.Conn
}

// The kinds of statement counted.
const (
	stmtInsert = "insert" // INSERT INTO deliveries (the Enqueuer, 1 per event)
	stmtClaim  = "claim"  // the two claim statements (the first takes the claims lock)
	stmtFinish = "finish" // the batched finish
	stmtRead   = "read"   // inside read-only transactions (the dispatcher's webhook and secret reads)
	stmtOther  = "other"  // the API's writes and the rest
)

func startPGCounter(target string) (*pgCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &pgCounter{ln: ln, target: target, counts: map[string]int64{}}
	go c.accept()
	return c, nil
}

func (c *pgCounter) addr() string { return c.ln.Addr().String() }

// snapshot returns the counts so far.
func (c *pgCounter) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

func (c *pgCounter) close() {
	c.ln.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
}

func (c *pgCounter) accept() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", c.target)
		if err != nil {
			client.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, client, server)
		c.mu.Unlock()
		go func() {
			_, _ = io.Copy(client, server)
			client.Close()
		}()
		go c.relay(client, server)
	}
}

// pgSession is what one connection's messages leave behind: named
// statements, bound portals and whether a read-only transaction is open.
type pgSession struct {
	statements map[string]string
	portals    map[string]string
	readOnly   bool
}

// relay copies the client's messages to the server, counting statements.
func (c *pgCounter) relay(client, server net.Conn) {
	defer server.Close()
	in := bufio.NewReaderSize(client, 64<<10)
	out := bufio.NewWriterSize(server, 64<<10)
	// The startup message has no type byte.
	var hdr [4]byte
	if _, err := io.ReadFull(in, hdr[:]); err != nil {
		return
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	body := make([]byte, max(n-4, 0))
	if _, err := io.ReadFull(in, body); err != nil {
		return
	}
	out.Write(hdr[:])
	out.Write(body)
	if len(body) >= 4 && binary.BigEndian.Uint32(body) >= 80877103 { // SSLRequest or GSSENCRequest
		c.mu.Lock()
		c.opaque++
		c.mu.Unlock()
		out.Flush()
		_, _ = io.Copy(server, in)
		return
	}
	s := &pgSession{statements: map[string]string{}, portals: map[string]string{}}
	var msg [5]byte
	for {
		if in.Buffered() == 0 && out.Flush() != nil {
			return
		}
		if _, err := io.ReadFull(in, msg[:]); err != nil {
			out.Flush()
			return
		}
		n := int(binary.BigEndian.Uint32(msg[1:]))
		if need := max(n-4, 0); cap(body) >= need {
			body = body[:need]
		} else {
			body = make([]byte, need)
		}
		if _, err := io.ReadFull(in, body); err != nil {
			return
		}
		out.Write(msg[:])
		out.Write(body)
		if kind := s.message(msg[0], body); kind != "" {
			c.mu.Lock()
			c.counts[kind]++
			c.mu.Unlock()
		}
	}
}

// message follows one frontend message and returns the kind of statement it
// runs, or "" when it runs none.
func (s *pgSession) message(typ byte, body []byte) string {
	switch typ {
	case 'Q':
		q, _ := cstring(body)
		return s.statement(q)
	case 'P':
		name, rest := cstring(body)
		q, _ := cstring(rest)
		s.statements[name] = q
	case 'B':
		portal, rest := cstring(body)
		stmt, _ := cstring(rest)
		s.portals[portal] = stmt
	case 'E':
		portal, _ := cstring(body)
		return s.statement(s.statements[s.portals[portal]])
	}
	return ""
}

func (s *pgSession) statement(q string) string {
	l := strings.ToLower(strings.TrimSpace(q))
	switch {
	case l == "":
		return ""
	case strings.HasPrefix(l, "begin"), strings.HasPrefix(l, "start transaction"):
		s.readOnly = strings.Contains(l, "read only")
		return ""
	case strings.HasPrefix(l, "commit"), strings.HasPrefix(l, "rollback"):
		s.readOnly = false
		return ""
	case strings.Contains(l, "insert into deliveries"):
		return stmtInsert
	case strings.Contains(l, "claim_candidates("), strings.HasPrefix(l, "with picked"):
		return stmtClaim
	case strings.Contains(l, "insert into attempts"):
		return stmtFinish
	case s.readOnly:
		return stmtRead
	}
	return stmtOther
}

func cstring(b []byte) (string, []byte) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return string(b), nil
	}
	return string(b[:i]), b[i+1:]
}
