package protocol

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		nc, _ := ln.Accept()
		accepted <- nc
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestTryFlush: TryFlush writes what the socket takes without blocking, keeps the
// rest for Flush, and the client receives every message once, in order.
func TestTryFlush(t *testing.T) {
	tests := []struct {
		name string
		rows int // DataRows of 1 KiB sent before TryFlush
	}{
		{"fits the socket", 3},
		{"more than the socket takes", 16 << 10}, // 16 MiB: beyond loopback socket buffers
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := tcpPair(t)
			c := newConn(server, nil, 0)
			value := bytes.Repeat([]byte("x"), 1024)
			for i := 0; i < tt.rows; i++ {
				c.Send(&pgproto3.DataRow{Values: [][]byte{value}})
			}
			c.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
			total := c.Buffered()
			remaining, err := c.TryFlush() // the client is not reading yet
			if err != nil {
				t.Fatal(err)
			}
			if remaining != c.Buffered() || remaining >= total {
				t.Fatalf("TryFlush left %d of %d bytes, Buffered %d", remaining, total, c.Buffered())
			}
			if tt.rows < 10 && remaining != 0 {
				t.Fatalf("a small response was not written at once: %d bytes left", remaining)
			}
			flushed := make(chan error, 1)
			go func() { flushed <- c.Flush() }()
			fe := pgproto3.NewFrontend(client, io.Discard)
			for i := 0; i < tt.rows; i++ {
				m, err := fe.Receive()
				if err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
				dr, ok := m.(*pgproto3.DataRow)
				if !ok || !bytes.Equal(dr.Values[0], value) {
					t.Fatalf("row %d: got %T", i, m)
				}
			}
			if m, err := fe.Receive(); err != nil {
				t.Fatal(err)
			} else if _, ok := m.(*pgproto3.ReadyForQuery); !ok {
				t.Fatalf("got %T after the rows, want ReadyForQuery", m)
			}
			if err := <-flushed; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTryFlushOnABrokenSocket: a write to a closed connection is an error, and the
// buffer is dropped.
func TestTryFlushOnABrokenSocket(t *testing.T) {
	server, _ := tcpPair(t)
	c := newConn(server, nil, 0)
	c.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	c.Close()
	if _, err := c.TryFlush(); err == nil {
		t.Fatal("TryFlush on a closed connection succeeded")
	}
	if c.Buffered() != 0 {
		t.Fatalf("%d bytes still buffered after a failed write", c.Buffered())
	}
}
