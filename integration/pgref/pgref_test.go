package pgref

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestQuoteSetting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fsync=on", "fsync=on"},
		{"shared_buffers=256MB", "shared_buffers=256MB"},
		{"datestyle=iso, mdy", "datestyle='iso, mdy'"},
		{"search_path=$user", "search_path='$user'"},
	}
	for _, tc := range tests {
		if got := quoteSetting(tc.in); got != tc.want {
			t.Errorf("quoteSetting(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStartRefusesBadSettings(t *testing.T) {
	for _, kv := range []string{"fsync", "application_name=it's"} {
		if _, err := Start(context.Background(), Options{Port: 1, Settings: []string{kv}}); err == nil || errors.Is(err, ErrUnavailable) {
			t.Errorf("Start with setting %q: %v, want a refusal", kv, err)
		}
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestStartStop starts a server with settings of each kind, checks they took
// effect and that Stop removes everything.
func TestStartStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{Port: freePort(t), Settings: []string{"shared_buffers=32MB", "datestyle=iso, mdy"}})
	if errors.Is(err, ErrUnavailable) && os.Getenv("AUGUR_DIFF_REQUIRE_PG") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ name, want string }{
		{"shared_buffers", "32MB"},
		{"datestyle", "ISO, MDY"},
		{"lc_collate", "C"},
		{"server_encoding", "UTF8"},
		{"fsync", "on"},
	} {
		var got string
		if err := c.QueryRow(ctx, "SHOW "+q.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != q.want {
			t.Errorf("SHOW %s = %q, want %q", q.name, got, q.want)
		}
	}
	c.Close(ctx)
	stopped = true
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Errorf("after Stop, %s: %v, want it gone", s.Dir, err)
	}
	if _, err := pgx.Connect(ctx, s.URL("postgres")); err == nil {
		t.Error("the server still accepts connections after Stop")
	}
}
