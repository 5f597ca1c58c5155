package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	walactor "github.com/augurdb/augur/actors/wal"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/wal"
)

// commitBenchResult is one line of `augur bench commit --json`.
type commitBenchResult struct {
	Engine      string  `json:"engine"`
	Committers  int     `json:"committers"`
	CommitsPerS float64 `json:"commits_per_s"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
}

// commitRecoveryResult is the output of `augur bench commit --recovery-mib N`.
type commitRecoveryResult struct {
	WALBytes      int64   `json:"wal_bytes"`
	Records       int     `json:"records"`
	Seconds       float64 `json:"seconds"`
	SecondsPerGiB float64 `json:"seconds_per_gib"`
}

func newBenchCommitCmd() *cobra.Command {
	var (
		asJSON      bool
		duration    time.Duration
		committers  []int
		dir         string
		recoveryMiB int
		engines     []string
		slice       time.Duration
		cpuProfile  string
		blockProf   string
	)
	cmd := &cobra.Command{
		Use:   "commit",
		Short: "Commit throughput and latency: Augur's storage vs SQLite (WAL, synchronous=FULL)",
		Long: `Measures durable commits: each commit inserts one 100-byte row and is acknowledged
only after fsync (Augur: synchronous_commit = on, group commit through the WAL actor;
SQLite: journal_mode=WAL, synchronous=FULL, one connection and one prepared INSERT per
committer). Both run side by side in the same process, on the same disk.

With --recovery-mib N it instead writes N MiB of WAL, and times a recovery that replays
all of it into an empty Badger (reported per GiB).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			base := dir
			if base == "" {
				d, err := os.MkdirTemp("", "augur-bench-commit-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(d)
				base = d
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			out := cmd.OutOrStdout()
			stopProfiles, err := commitBenchProfiles(cpuProfile, blockProf)
			if err != nil {
				return err
			}
			defer stopProfiles()
			if recoveryMiB > 0 {
				res, err := commitBenchRecovery(ctx, base, int64(recoveryMiB)<<20)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(out).Encode(res)
				}
				fmt.Fprintf(out, "recovery: replayed %d records, %.1f MiB of WAL in %.2f s = %.1f s/GiB\n",
					res.Records, float64(res.WALBytes)/(1<<20), res.Seconds, res.SecondsPerGiB)
				return nil
			}
			var results []commitBenchResult
			for _, n := range committers {
				sub := filepath.Join(base, fmt.Sprintf("c%d", n))
				rs, err := commitBenchPair(ctx, sub, engines, n, duration, slice)
				if err != nil {
					return fmt.Errorf("bench commit with %d committers: %w", n, err)
				}
				results = append(results, rs...)
				os.RemoveAll(sub)
			}
			if asJSON {
				return json.NewEncoder(out).Encode(results)
			}
			return commitBenchTable(out, results)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print results as one JSON array")
	cmd.Flags().DurationVar(&duration, "duration", 3*time.Second, "time per engine and committer count")
	cmd.Flags().IntSliceVar(&committers, "committers", []int{1, 8, 64}, "concurrent committer counts to run")
	cmd.Flags().StringVar(&dir, "dir", "", "directory for the databases (default: a temporary directory on the default temp disk)")
	cmd.Flags().DurationVar(&slice, "slice", 250*time.Millisecond, "engines take turns in slices of this length, so both see the same disk and machine load")
	cmd.Flags().StringSliceVar(&engines, "engines", []string{"augur", "sqlite"}, "engines to run, in this order: augur (SQL, prepared INSERT), augur-kv (the storage API underneath), sqlite")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	cmd.Flags().StringVar(&blockProf, "blockprofile", "", "write a blocking profile of the whole run to this file")
	cmd.Flags().IntVar(&recoveryMiB, "recovery-mib", 0, "measure recovery time instead: write this many MiB of WAL, then replay it")
	return cmd
}

// commitBenchProfiles starts the requested profiles and returns the function that
// stops them and writes them out.
func commitBenchProfiles(cpu, block string) (stop func(), err error) {
	stopCPU := func() {}
	if cpu != "" {
		if stopCPU, err = startCPUProfile(cpu); err != nil {
			return nil, fmt.Errorf("bench commit: %w", err)
		}
	}
	if block != "" {
		runtime.SetBlockProfileRate(1000) // one sample per µs blocked
	}
	return func() {
		stopCPU()
		if block != "" {
			writeProfile("block", block)
			runtime.SetBlockProfileRate(0)
		}
	}, nil
}

func commitBenchTable(w io.Writer, results []commitBenchResult) error {
	fmt.Fprintf(w, "%-7s %10s %12s %10s %10s %9s\n", "engine", "committers", "commits/s", "p50 µs", "p99 µs", "vs sqlite")
	for _, r := range results {
		ratio := ""
		for _, o := range results {
			if r.Engine != "sqlite" && o.Engine == "sqlite" && o.Committers == r.Committers && o.CommitsPerS > 0 {
				ratio = fmt.Sprintf("%.2fx", r.CommitsPerS/o.CommitsPerS)
			}
		}
		fmt.Fprintf(w, "%-7s %10d %12.0f %10.0f %10.0f %9s\n", r.Engine, r.Committers, r.CommitsPerS, r.P50us, r.P99us, ratio)
	}
	return nil
}

// commitBenchRow is the 100-byte row every commit inserts.
var commitBenchRow = []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzAB")

// commitBenchEngine is one side of the comparison, open for a committer count.
type commitBenchEngine struct {
	name   string
	commit func(worker, seq int) error
	close  func() error

	seq     []int // next sequence number per committer (keys stay unique across slices)
	lat     []time.Duration
	elapsed time.Duration
}

// commitBenchPair opens every engine for n committers and lets them take turns in
// slices until each has run for d. Commit latency on a shared machine swings with
// what else uses the disk; slicing the time gives every engine the same mix of
// quiet and busy moments, so the ratio of one run means something. The order of
// the engines alternates from one round to the next.
func commitBenchPair(ctx context.Context, dir string, names []string, n int, d, slice time.Duration) ([]commitBenchResult, error) {
	if slice <= 0 || slice > d {
		slice = d
	}
	var engines []*commitBenchEngine
	defer func() {
		for _, e := range engines {
			e.close()
		}
	}()
	for _, name := range names {
		sub := filepath.Join(dir, name)
		var e *commitBenchEngine
		var err error
		switch name {
		case "augur":
			e, err = commitBenchAugurSQL(ctx, sub, n)
		case "augur-kv":
			e, err = commitBenchAugur(ctx, sub)
		case "sqlite":
			e, err = commitBenchSQLite(ctx, sub, n)
		default:
			return nil, fmt.Errorf("unknown engine %q (want augur, augur-kv or sqlite)", name)
		}
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		e.seq = make([]int, n)
		engines = append(engines, e)
	}
	for round := 0; ; round++ {
		ran := false
		for i := range engines {
			e := engines[i]
			if round%2 == 1 {
				e = engines[len(engines)-1-i]
			}
			if e.elapsed >= d {
				continue
			}
			ran = true
			if err := e.runSlice(n, min(slice, d-e.elapsed)); err != nil {
				return nil, fmt.Errorf("%s: %w", e.name, err)
			}
		}
		if !ran {
			break
		}
	}
	var results []commitBenchResult
	for _, e := range engines {
		results = append(results, e.result(n))
	}
	return results, nil
}

// runSlice runs n committers for d, adding to the engine's latencies and time.
func (e *commitBenchEngine) runSlice(n int, d time.Duration) error {
	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	began := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			for !stop.Load() {
				t0 := time.Now()
				err := e.commit(w, e.seq[w])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					stop.Store(true)
					break
				}
				local = append(local, time.Since(t0))
				e.seq[w]++
			}
			mu.Lock()
			e.lat = append(e.lat, local...)
			mu.Unlock()
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	e.elapsed += time.Since(began)
	return firstErr
}

func (e *commitBenchEngine) result(n int) commitBenchResult {
	slices.Sort(e.lat)
	pct := func(p float64) float64 {
		if len(e.lat) == 0 {
			return 0
		}
		return float64(e.lat[int(p*float64(len(e.lat)-1))].Nanoseconds()) / 1000
	}
	return commitBenchResult{
		Engine: e.name, Committers: n,
		CommitsPerS: float64(len(e.lat)) / e.elapsed.Seconds(),
		P50us:       pct(0.50), P99us: pct(0.99),
	}
}

func commitBenchKey(worker, seq int) []byte {
	k := keycodec.AppendTablePrefix(nil, 1, 0)
	k = keycodec.AppendInt(k, int64(worker), keycodec.Asc)
	return keycodec.AppendInt(k, int64(seq), keycodec.Asc)
}

// commitBenchAugurSQL runs the commits through Augur's in-process SQL API (the
// path below the wire: dialect, planner, executor, transactions, WAL actor, index
// shards), one connection and one prepared INSERT per committer, as SQLite's side.
func commitBenchAugurSQL(ctx context.Context, dir string, n int) (*commitBenchEngine, error) {
	emb, err := openEmbeddedAugur(ctx, dir, store.Options{})
	if err != nil {
		return nil, err
	}
	closeAll := func() error { return emb.Close(ctx) }
	eng := emb.Engine
	setup, err := eng.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		closeAll()
		return nil, err
	}
	if _, err := setup.Exec(ctx, "CREATE TABLE t (worker int, seq int, v bytea, PRIMARY KEY (worker, seq))"); err != nil {
		closeAll()
		return nil, err
	}
	stmts := make([]*planner.Stmt, n)
	for w := range n {
		c, err := eng.Connect("augur", "augur", store.TxnOptions{})
		if err != nil {
			closeAll()
			return nil, err
		}
		if stmts[w], err = c.Prepare("INSERT INTO t (worker, seq, v) VALUES ($1, $2, $3)"); err != nil {
			closeAll()
			return nil, err
		}
	}
	return &commitBenchEngine{
		name: "augur",
		commit: func(w, seq int) error {
			_, err := stmts[w].Exec(ctx, int64(w), int64(seq), commitBenchRow)
			return err
		},
		close: closeAll,
	}, nil
}

func commitBenchAugur(ctx context.Context, dir string) (*commitBenchEngine, error) {
	sys := walactor.NewSystem(zerolog.Nop())
	s, err := store.Open(ctx, dir, store.Options{NewCommitter: walactor.New(sys, 0)}, zerolog.Nop())
	if err != nil {
		sys.Shutdown()
		return nil, err
	}
	return &commitBenchEngine{
		name: "augur-kv",
		commit: func(w, seq int) error {
			tx := s.Begin(store.TxnOptions{})
			if err := tx.Put(commitBenchKey(w, seq), commitBenchRow); err != nil {
				tx.Abort()
				return err
			}
			_, err := tx.Commit(ctx)
			return err
		},
		close: func() error {
			err := s.Close(ctx)
			sys.Shutdown()
			return err
		},
	}, nil
}

func commitBenchSQLite(ctx context.Context, dir string, n int) (e *commitBenchEngine, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dsn := "file:" + filepath.Join(dir, "bench.db") + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=60000"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	var closers []io.Closer
	closeAll := func() error {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
		return db.Close()
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t (worker INTEGER, seq INTEGER, v BLOB, PRIMARY KEY (worker, seq))"); err != nil {
		return nil, err
	}
	// One connection and one prepared statement per committer, prepared outside the
	// timed loop.
	stmts := make([]*sql.Stmt, n)
	for w := range n {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		closers = append(closers, conn)
		var mode string
		var syncMode int
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			return nil, fmt.Errorf("sqlite journal_mode %q: %v", mode, err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil || syncMode != 2 {
			return nil, fmt.Errorf("sqlite synchronous = %d, want 2 (FULL): %v", syncMode, err)
		}
		if stmts[w], err = conn.PrepareContext(ctx, "INSERT INTO t (worker, seq, v) VALUES (?, ?, ?)"); err != nil {
			return nil, err
		}
		closers = append(closers, stmts[w])
	}
	return &commitBenchEngine{
		name: "sqlite",
		commit: func(w, seq int) error {
			_, err := stmts[w].ExecContext(ctx, w, seq, commitBenchRow)
			return err
		},
		close: closeAll,
	}, nil
}

// commitBenchRecovery writes about walBytes of WAL (commits of 1,000 100-byte rows),
// keeps a copy of the WAL, then times a store open that replays all of it into an
// empty Badger.
func commitBenchRecovery(ctx context.Context, dir string, walBytes int64) (commitRecoveryResult, error) {
	var res commitRecoveryResult
	src := filepath.Join(dir, "src")
	s, err := store.Open(ctx, src, store.Options{AsyncCommit: true, CheckpointTimeout: -1}, zerolog.Nop())
	if err != nil {
		return res, err
	}
	walDir := filepath.Join(src, "wal")
	seq := 0
	for written := int64(0); written < walBytes; {
		tx := s.Begin(store.TxnOptions{})
		for range 1000 {
			k := commitBenchKey(0, seq)
			seq++
			tx.Put(k, commitBenchRow)
			written += int64(len(k) + len(commitBenchRow) + 3)
		}
		if _, err := tx.Commit(ctx); err != nil {
			s.Close(ctx)
			return res, err
		}
	}
	// Copy the WAL (all of it: no checkpoint has run) before Close checkpoints it away.
	dst := filepath.Join(dir, "replay")
	if err := commitBenchCopyDir(walDir, filepath.Join(dst, "wal")); err != nil {
		s.Close(ctx)
		return res, err
	}
	if err := s.Close(ctx); err != nil {
		return res, err
	}
	os.RemoveAll(src)
	s, rs, err := store.OpenWithStats(ctx, dst, store.Options{CheckpointTimeout: -1}, zerolog.Nop())
	if err != nil {
		return res, err
	}
	defer s.Close(ctx)
	res = commitRecoveryResult{WALBytes: rs.Bytes, Records: rs.Records, Seconds: rs.Duration.Seconds()}
	if rs.Bytes > 0 {
		res.SecondsPerGiB = rs.Duration.Seconds() * float64(1<<30) / float64(rs.Bytes)
	}
	return res, nil
}

func commitBenchCopyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	names, err := wal.OSFS{}.ReadDir(from)
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(from, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, n), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
