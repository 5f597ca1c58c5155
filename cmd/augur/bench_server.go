package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/augurdb/augur/integration/pgref"
)

// serverBenchResult is one object of `augur bench server --json`: one pgbench run.
type serverBenchResult struct {
	Server   string  `json:"server"` // augur or postgres
	Scale    int     `json:"scale"`
	Workload string  `json:"workload"` // select_only or tpcb
	Clients  int     `json:"clients"`
	TPS      float64 `json:"tps"`
	LatMs    float64 `json:"lat_ms"`
}

// serverBenchSharedBuffers is PostgreSQL's shared_buffers in the benchmark:
// Augur's memory budget as `augur bench embedded` states it (Badger's memtables
// and block cache and the transaction write-set buffer), in whole MiB.
func serverBenchSharedBuffers() string {
	budget, _ := augurMemoryBudget()
	return fmt.Sprintf("%dMB", budget>>20)
}

// serverBenchOptions is what one `augur bench server` run does.
type serverBenchOptions struct {
	scale         int
	clients       []int
	threads       int           // pgbench -j (capped at the client count)
	duration      time.Duration // per run, rounded up to whole seconds (pgbench -T)
	dir           string        // parent of the temporary directory holding both servers' data
	augurBin      string        // the binary whose `serve` runs; default this executable
	pgBin         string        // PostgreSQL's programs; default pgref.DefaultBin
	pgUser        string        // system user PostgreSQL runs as when this process is root
	sharedBuffers string
	progress      io.Writer // a line per step, so a long run shows it is alive
}

// serverBenchReport is a run's results and the conditions they were measured in.
type serverBenchReport struct {
	Results []serverBenchResult
	Setup   []string // durability settings as the servers report them, and the machine
}

const serverBenchLong = `Runs PostgreSQL's pgbench against an Augur server and a PostgreSQL 15 side by
side on this machine, and prints each one's TPS and mean latency and their ratio.

Both servers start on temporary directories under --dir (on disk: not tmpfs) and
listen on loopback TCP. Augur is this binary's "serve" as a child process with
synchronous_commit = on; PostgreSQL runs from the installed binaries (initdb
--locale=C) with fsync = on, synchronous_commit = on and shared_buffers equal to
Augur's memory budget (Badger's memtables and block cache and the
transaction write-set buffer, as "augur bench embedded" prints it). When run as root,
PostgreSQL runs as --pg-user.

pgbench -i loads the given scale into each; then, for each workload (select-only,
"-S -M prepared", and the TPC-B-like script, "-M prepared") and each client
count, pgbench runs for --duration with -j 2 on one server and then the other,
alternating which goes first, so both see the same machine load.`

func newBenchServerCmd() *cobra.Command {
	var (
		o      serverBenchOptions
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "server",
		Short: "pgbench over the wire: an Augur server vs PostgreSQL 15 (both durable)",
		Long:  serverBenchLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			o.progress = cmd.ErrOrStderr()
			rep, err := runServerBench(ctx, o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				// The conditions go to stderr, so stdout is one JSON array.
				for _, line := range rep.Setup {
					fmt.Fprintln(cmd.ErrOrStderr(), line)
				}
				return json.NewEncoder(out).Encode(rep.Results)
			}
			return serverBenchTable(out, o, rep)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.scale, "scale", 10, "pgbench scale factor (100,000 accounts each)")
	f.IntSliceVar(&o.clients, "clients", []int{1, 8, 32}, "client counts to run (pgbench -c)")
	f.IntVar(&o.threads, "threads", 2, "pgbench worker threads (-j), at most the client count")
	f.DurationVar(&o.duration, "duration", 30*time.Second, "time per run (pgbench -T, whole seconds)")
	f.StringVar(&o.dir, "dir", "/var/tmp", "directory for the servers' temporary data directories (use a disk, not tmpfs)")
	f.StringVar(&o.pgBin, "pg-bin", pgref.DefaultBin, "directory of PostgreSQL 15's initdb, pg_ctl and postgres")
	f.StringVar(&o.pgUser, "pg-user", "postgres", "system user to run PostgreSQL as when running as root")
	f.StringVar(&o.sharedBuffers, "shared-buffers", serverBenchSharedBuffers(), "PostgreSQL's shared_buffers (default: Augur's memory budget)")
	f.StringVar(&o.augurBin, "augur-bin", "", "augur binary to serve (default: this one)")
	f.BoolVar(&asJSON, "json", false, "print results as one JSON array")
	f.MarkHidden("augur-bin")
	return cmd
}

// serverBenchTarget is one server under test, reachable by pgbench and pgx.
type serverBenchTarget struct {
	name string // augur or postgres
	port int
}

const (
	serverBenchUser = "augur"
	serverBenchDB   = "bench"
)

func (t serverBenchTarget) url(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", serverBenchUser, t.port, db)
}

// runServerBench starts both servers, loads them and runs every workload and
// client count on each.
func runServerBench(ctx context.Context, o serverBenchOptions) (rep serverBenchReport, err error) {
	if o.scale < 1 || o.threads < 1 || len(o.clients) == 0 {
		return rep, errors.New("bench server: --scale, --threads and --clients must be positive")
	}
	for _, c := range o.clients {
		if c < 1 {
			return rep, fmt.Errorf("bench server: client count %d: must be positive", c)
		}
	}
	if o.progress == nil {
		o.progress = io.Discard
	}
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		return rep, fmt.Errorf("bench server: pgbench: %w", err)
	}
	if o.augurBin == "" {
		if o.augurBin, err = os.Executable(); err != nil {
			return rep, fmt.Errorf("bench server: find this executable: %w", err)
		}
	}
	if err := checkNotTmpfs(o.dir); err != nil {
		return rep, fmt.Errorf("bench server: %w", err)
	}
	base, err := os.MkdirTemp(o.dir, "augur-bench-server-")
	if err != nil {
		return rep, fmt.Errorf("bench server: %w", err)
	}
	defer os.RemoveAll(base)
	// PostgreSQL's own user must reach its directory inside this one.
	if err := os.Chmod(base, 0o755); err != nil {
		return rep, fmt.Errorf("bench server: %w", err)
	}

	fmt.Fprintf(o.progress, "starting PostgreSQL and Augur in %s\n", base)
	pgPort, err := serverBenchFreePort()
	if err != nil {
		return rep, err
	}
	pg, err := pgref.Start(ctx, pgref.Options{
		Bin: o.pgBin, RunAs: o.pgUser, Parent: base, Port: pgPort, User: serverBenchUser,
		Settings: []string{"shared_buffers=" + o.sharedBuffers, "fsync=on", "synchronous_commit=on", "full_page_writes=on", "max_connections=200"},
	})
	if err != nil {
		return rep, fmt.Errorf("bench server: start postgres: %w", err)
	}
	defer pg.Stop()
	au, err := startServerBenchAugur(ctx, o.augurBin, filepath.Join(base, "augur"))
	if err != nil {
		return rep, fmt.Errorf("bench server: start augur: %w", err)
	}
	defer au.stop()
	targets := []serverBenchTarget{{name: "augur", port: au.port}, {name: "postgres", port: pg.Port}}

	if rep.Setup, err = serverBenchSetup(ctx, o, targets, base); err != nil {
		return rep, err
	}
	for _, t := range targets {
		if err := serverBenchCreateDB(ctx, t); err != nil {
			return rep, err
		}
		fmt.Fprintf(o.progress, "%s: pgbench -i -s %d\n", t.name, o.scale)
		start := time.Now()
		if _, err := serverBenchPgbench(ctx, pgbench, t, "-i", "-q", "-s", strconv.Itoa(o.scale)); err != nil {
			return rep, err
		}
		rep.Setup = append(rep.Setup, fmt.Sprintf("%s: pgbench -i -s %d took %v", t.name, o.scale, time.Since(start).Round(time.Second)))
	}

	secs := max(1, int(math.Ceil(o.duration.Seconds())))
	pair := 0
	for _, w := range []struct {
		name string
		args []string
	}{{"select_only", []string{"-S"}}, {"tpcb", nil}} {
		for _, clients := range o.clients {
			order := targets
			if pair%2 == 1 {
				order = []serverBenchTarget{targets[1], targets[0]}
			}
			pair++
			for _, t := range order {
				args := append([]string{"-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(o.threads, clients)),
					"-T", strconv.Itoa(secs)}, w.args...)
				fmt.Fprintf(o.progress, "%s: pgbench %s\n", t.name, strings.Join(args, " "))
				out, err := serverBenchPgbench(ctx, pgbench, t, args...)
				if err != nil {
					return rep, err
				}
				tps, lat, err := parseServerBenchRun(out)
				if err != nil {
					return rep, fmt.Errorf("bench server: %s, pgbench %s: %w\n%s", t.name, strings.Join(args, " "), err, out)
				}
				rep.Results = append(rep.Results, serverBenchResult{Server: t.name, Scale: o.scale, Workload: w.name, Clients: clients, TPS: tps, LatMs: lat})
			}
		}
	}
	return rep, nil
}

var (
	serverBenchTPSRe     = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	serverBenchLatencyRe = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	serverBenchFailedRe  = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
)

// parseServerBenchRun reads TPS and mean latency from pgbench's summary; a run
// with failed transactions is an error (a benchmark of errors measures nothing).
func parseServerBenchRun(out string) (tps, latMs float64, err error) {
	m := serverBenchTPSRe.FindStringSubmatch(out)
	l := serverBenchLatencyRe.FindStringSubmatch(out)
	f := serverBenchFailedRe.FindStringSubmatch(out)
	if m == nil || l == nil || f == nil {
		return 0, 0, errors.New("no tps, latency or failed-transactions line in pgbench's output")
	}
	if f[1] != "0" {
		return 0, 0, fmt.Errorf("%s failed transactions", f[1])
	}
	tps, _ = strconv.ParseFloat(m[1], 64)
	latMs, _ = strconv.ParseFloat(l[1], 64)
	return tps, latMs, nil
}

// serverBenchPgbench runs pgbench against t's benchmark database.
func serverBenchPgbench(ctx context.Context, pgbench string, t serverBenchTarget, args ...string) (string, error) {
	all := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(t.port), "-U", serverBenchUser}, args...)
	cmd := exec.CommandContext(ctx, pgbench, append(all, serverBenchDB)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=30")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("bench server: %s: pgbench %s: %w\n%s", t.name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// serverBenchCreateDB creates the benchmark database on t.
func serverBenchCreateDB(ctx context.Context, t serverBenchTarget) error {
	c, err := pgx.Connect(ctx, t.url("postgres"))
	if err != nil {
		return fmt.Errorf("bench server: connect to %s: %w", t.name, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+serverBenchDB); err != nil {
		return fmt.Errorf("bench server: %s: create database: %w", t.name, err)
	}
	return nil
}

// serverBenchSetup reads the durability settings back from the servers (and
// refuses to run unless they are the contract's: every commit durable on both)
// and describes the machine.
func serverBenchSetup(ctx context.Context, o serverBenchOptions, targets []serverBenchTarget, dir string) ([]string, error) {
	var setup []string
	for _, t := range targets {
		c, err := pgx.Connect(ctx, t.url("postgres"))
		if err != nil {
			return nil, fmt.Errorf("bench server: connect to %s: %w", t.name, err)
		}
		names := []string{"synchronous_commit"}
		if t.name == "postgres" {
			names = []string{"fsync", "synchronous_commit", "shared_buffers"}
		}
		var parts []string
		for _, name := range names {
			var v string
			err := c.QueryRow(ctx, "SHOW "+name).Scan(&v)
			if err != nil {
				c.Close(ctx)
				return nil, fmt.Errorf("bench server: %s: SHOW %s: %w", t.name, name, err)
			}
			if name != "shared_buffers" && v != "on" {
				c.Close(ctx)
				return nil, fmt.Errorf("bench server: %s runs with %s = %s, not on", t.name, name, v)
			}
			parts = append(parts, name+" = "+v)
		}
		var version string
		if err := c.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
			c.Close(ctx)
			return nil, fmt.Errorf("bench server: %s: SHOW server_version: %w", t.name, err)
		}
		c.Close(ctx)
		setup = append(setup, fmt.Sprintf("%s (server_version %s): %s", t.name, version, strings.Join(parts, ", ")))
	}
	pgVersion, err := pgref.Version(o.pgBin)
	if err != nil {
		return nil, fmt.Errorf("bench server: %w", err)
	}
	_, budget := augurMemoryBudget()
	setup = append(setup,
		fmt.Sprintf("augur memory budget: %s; postgres shared_buffers = %s", budget, o.sharedBuffers),
		fmt.Sprintf("machine: %s, %s; data under %s", machineDescription(), pgVersion, dir))
	return setup, nil
}

// serverBenchTable prints the results a pair of runs to a line.
func serverBenchTable(w io.Writer, o serverBenchOptions, rep serverBenchReport) error {
	fmt.Fprintf(w, "augur bench server: pgbench -M prepared, scale %d, -j %d, %v a run, augur and postgres interleaved\n",
		o.scale, o.threads, o.duration)
	for _, line := range rep.Setup {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tclients\taugur tps\tlat ms\tpostgres tps\tlat ms\taugur/postgres\t")
	byKey := map[string]serverBenchResult{}
	for _, r := range rep.Results {
		byKey[fmt.Sprintf("%s/%d/%s", r.Workload, r.Clients, r.Server)] = r
	}
	for _, workload := range []string{"select_only", "tpcb"} {
		for _, c := range o.clients {
			a, aok := byKey[fmt.Sprintf("%s/%d/augur", workload, c)]
			p, pok := byKey[fmt.Sprintf("%s/%d/postgres", workload, c)]
			if !aok || !pok {
				continue
			}
			ratio := "-"
			if p.TPS > 0 {
				ratio = fmt.Sprintf("%.2fx", a.TPS/p.TPS)
			}
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.3f\t%.0f\t%.3f\t%s\t\n", workload, c, a.TPS, a.LatMs, p.TPS, p.LatMs, ratio)
		}
	}
	return tw.Flush()
}

// serverBenchFreePort returns a loopback TCP port that was free a moment ago.
func serverBenchFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("bench server: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverBenchAugur is the Augur server under test: `augur serve` as a child.
type serverBenchAugur struct {
	cmd    *exec.Cmd
	port   int
	log    string
	exited chan struct{}
}

// startServerBenchAugur starts bin serve on a fresh data directory dir, with
// trust authentication for the benchmark's user from loopback and
// synchronous_commit = on, and waits until it accepts connections.
func startServerBenchAugur(ctx context.Context, bin, dir string) (*serverBenchAugur, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	port, err := serverBenchFreePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "augur.toml")
	err = os.WriteFile(conf, []byte(`[[auth]]
user = "`+serverBenchUser+`"
address = "127.0.0.1/32"
method = "trust"

[session]
synchronous_commit = "on"
`), 0o600)
	if err != nil {
		return nil, err
	}
	a := &serverBenchAugur{port: port, log: filepath.Join(dir, "augur.log"), exited: make(chan struct{})}
	logFile, err := os.Create(a.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	a.cmd = exec.Command(bin, "serve", "--data", filepath.Join(dir, "data"), "--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--config", conf, "--log-format", "json", "--log-level", "warn")
	// Only the settings above: none from this environment's AUGUR_* variables.
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "AUGUR_") {
			env = append(env, e)
		}
	}
	a.cmd.Env = append(env, "AUGUR_PASSWORD=bench-unused-with-trust")
	a.cmd.Stdout, a.cmd.Stderr = logFile, logFile
	if err := a.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		a.cmd.Wait()
		close(a.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return a, nil
		}
		select {
		case <-a.exited:
			log, _ := os.ReadFile(a.log)
			return nil, fmt.Errorf("augur exited during start: %v\n%s", a.cmd.ProcessState, log)
		case <-ctx.Done():
			a.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			a.stop()
			return nil, fmt.Errorf("augur did not listen on port %d within a minute", port)
		}
	}
}

// stop shuts the server down (SIGTERM, then SIGKILL after 30 s).
func (a *serverBenchAugur) stop() {
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		a.cmd.Process.Kill()
		<-a.exited
	}
}
