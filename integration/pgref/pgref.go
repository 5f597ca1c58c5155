// Package pgref starts a throwaway PostgreSQL from the installed binaries: initdb
// on a fresh directory, then pg_ctl start on a loopback port. It is the reference
// Augur is compared against, by the differential tests (integration) and by
// `augur bench server`, and both need the same care: PostgreSQL refuses to run as
// root, so when this process is root the programs run as another system user
// (through runuser), who must own the directory; the cluster is initialised with
// --locale=C and UTF8 and trust authentication for one superuser, so the client
// side needs no password.
//
// Settings differ by caller (the tests turn fsync off; the benchmark keeps
// PostgreSQL's durable defaults), so they are passed in as -c name=value pairs.
package pgref

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultBin is where Debian's postgresql-15 package installs the server programs.
const DefaultBin = "/usr/lib/postgresql/15/bin"

// ErrUnavailable is wrapped by the errors of Start that mean this machine cannot
// run the reference server at all (no binaries, or no user to run them as), as
// opposed to a server that failed to start: callers may skip on it.
var ErrUnavailable = errors.New("pgref: PostgreSQL unavailable")

// Options says where and how to run the server.
type Options struct {
	Bin      string   // directory holding initdb, pg_ctl and postgres; default DefaultBin
	RunAs    string   // system user to run as when this process is root; default "postgres"
	Parent   string   // directory to create the server's directory in, which RunAs can reach; default os.TempDir()
	Port     int      // loopback TCP port to listen on (required)
	User     string   // the superuser initdb creates; default "augur"
	Settings []string // extra server settings as name=value, passed as -c name=value
}

// Server is a running PostgreSQL.
type Server struct {
	Port int
	User string
	Dir  string // holds the data directory, the log and the Unix-domain socket

	bin string
	run func(ctx context.Context, args ...string) *exec.Cmd
}

// Start initialises a cluster in a new directory under opts.Parent and starts it,
// waiting until it accepts connections. The caller must Stop it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Bin == "" {
		opts.Bin = DefaultBin
	}
	if opts.RunAs == "" {
		opts.RunAs = "postgres"
	}
	if opts.User == "" {
		opts.User = "augur"
	}
	if opts.Port == 0 {
		return nil, errors.New("pgref: no port given")
	}
	for _, kv := range opts.Settings {
		if !strings.Contains(kv, "=") || strings.Contains(kv, "'") {
			return nil, fmt.Errorf("pgref: setting %q is not name=value without a single quote", kv)
		}
	}
	if _, err := os.Stat(filepath.Join(opts.Bin, "initdb")); err != nil {
		return nil, fmt.Errorf("%w: no PostgreSQL binaries in %s", ErrUnavailable, opts.Bin)
	}
	s := &Server{Port: opts.Port, User: opts.User, bin: opts.Bin}
	var uid, gid = -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup(opts.RunAs)
		if err != nil {
			return nil, fmt.Errorf("%w: running as root and there is no user %q to run PostgreSQL as", ErrUnavailable, opts.RunAs)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		s.run = func(ctx context.Context, args ...string) *exec.Cmd {
			return exec.CommandContext(ctx, "runuser", append([]string{"-u", opts.RunAs, "--"}, args...)...)
		}
	} else {
		s.run = func(ctx context.Context, args ...string) *exec.Cmd {
			return exec.CommandContext(ctx, args[0], args[1:]...)
		}
	}
	dir, err := os.MkdirTemp(opts.Parent, "augur-pgref-")
	if err != nil {
		return nil, fmt.Errorf("pgref: %w", err)
	}
	s.Dir = dir
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgref: give %s to %s: %w", dir, opts.RunAs, err)
		}
	}
	initdb := s.run(ctx, filepath.Join(opts.Bin, "initdb"), "-D", s.dataDir(), "--locale=C", "-E", "UTF8",
		"-A", "trust", "-U", opts.User, "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgref: initdb: %w\n%s", err, out)
	}
	o := []string{"-p", strconv.Itoa(opts.Port), "-k", dir, "-c", "listen_addresses=127.0.0.1"}
	for _, kv := range opts.Settings {
		o = append(o, "-c", quoteSetting(kv))
	}
	start := s.run(ctx, filepath.Join(opts.Bin, "pg_ctl"), "-D", s.dataDir(), "-o", strings.Join(o, " "),
		"-l", s.logFile(), "-w", "-t", "120", "start")
	if out, err := start.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(s.logFile())
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgref: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return s, nil
}

// quoteSetting quotes the value of name=value for pg_ctl's -o, which a shell
// splits: "datestyle=iso, mdy" becomes datestyle='iso, mdy'. Start refuses
// settings with a single quote, which this cannot quote.
func quoteSetting(kv string) string {
	name, value, ok := strings.Cut(kv, "=")
	if !ok || !strings.ContainsAny(value, " ,\"$`\\;&|<>()*?") {
		return kv
	}
	return name + "='" + value + "'"
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }
func (s *Server) logFile() string { return filepath.Join(s.Dir, "log") }

// URL returns a libpq URL for the superuser's connection to database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", s.User, s.Port, db)
}

// DataDir returns the cluster's data directory.
func (s *Server) DataDir() string { return s.dataDir() }

// Stop stops the server at once (pg_ctl -m immediate: nothing of it is kept)
// and removes its directory.
func (s *Server) Stop() error {
	out, err := s.run(context.Background(), filepath.Join(s.bin, "pg_ctl"), "-D", s.dataDir(), "-m", "immediate", "-w", "stop").CombinedOutput()
	if rerr := os.RemoveAll(s.Dir); err == nil && rerr != nil {
		return fmt.Errorf("pgref: remove %s: %w", s.Dir, rerr)
	}
	if err != nil {
		return fmt.Errorf("pgref: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Version returns what `postgres --version` prints for the binaries in bin
// (DefaultBin when empty), e.g. "postgres (PostgreSQL) 15.18 (Debian …)".
func Version(bin string) (string, error) {
	if bin == "" {
		bin = DefaultBin
	}
	out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("pgref: postgres --version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
