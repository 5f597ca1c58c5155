package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgerrcode"
	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/spf13/cobra"

	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/pgerr"
	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// embeddedRunConfig is one child run of `augur bench embedded`: one engine,
// one size, one key distribution, every workload.
type embeddedRunConfig struct {
	engine   string
	size     int
	dist     string
	dir      string
	opsScale float64
	// ops are the workloads to run after the load (nil: all of them).
	ops []string
	// profileOp names the workload the profiles cover ("" = all of them).
	profileOp  string
	cpuProfile string
	memProfile string
}

// newBenchEmbeddedRunCmd is the hidden child of `augur bench embedded`: it runs
// one engine in this process and prints its results as a JSON array. Run by
// hand with --cpuprofile/--memprofile and --profile-op to profile a workload.
func newBenchEmbeddedRunCmd() *cobra.Command {
	var cfg embeddedRunConfig
	cmd := &cobra.Command{
		Use:    "embedded-run",
		Short:  "One engine's run of `augur bench embedded` (prints JSON)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if cfg.dir == "" {
				return fmt.Errorf("bench embedded-run: --dir is required")
			}
			rs, err := runEmbedded(ctx, cfg)
			if err != nil {
				return err
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(rs)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.engine, "engine", "augur", "augur or sqlite")
	f.IntVar(&cfg.size, "size", 10_000, "rows to load")
	f.StringVar(&cfg.dist, "dist", "sequential", "key distribution: sequential or random")
	f.StringVar(&cfg.dir, "dir", "", "directory of the database (created)")
	f.Float64Var(&cfg.opsScale, "ops-scale", 1, "scale the number of point, range and mixed operations")
	f.StringSliceVar(&cfg.ops, "ops", nil, "workloads to run after the load (default all: point, range100, mixed)")
	f.StringVar(&cfg.profileOp, "profile-op", "", "profile only this workload (insert, point, range100, mixed)")
	f.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the workloads to this file")
	f.StringVar(&cfg.memProfile, "memprofile", "", "write an allocation profile of the workloads to this file")
	return cmd
}

// embeddedSession is one connection of an engine with the benchmark's
// statements prepared on it.
type embeddedSession interface {
	Begin(ctx context.Context) error
	Commit(ctx context.Context) error
	Insert(ctx context.Context, id int64, v []byte) error
	// Point reads v of id and reports whether it found a 100-byte value.
	Point(ctx context.Context, id int64) (bool, error)
	// Range reads up to 100 rows from id on and returns how many it read.
	Range(ctx context.Context, from int64) (int, error)
	// Update sets v of id; a serialization failure or busy database is
	// retried inside.
	Update(ctx context.Context, id int64, v []byte) error
	Close() error
}

// embeddedDB is an open database of one engine.
type embeddedDB interface {
	Session(ctx context.Context) (embeddedSession, error)
	Close(ctx context.Context) error
}

const (
	embeddedInsertSQL = "INSERT INTO t (id, v) VALUES ($1, $2)"
	embeddedPointSQL  = "SELECT v FROM t WHERE id = $1"
	embeddedRangeSQL  = "SELECT id, v FROM t WHERE id >= $1 ORDER BY id LIMIT 100"
	embeddedUpdateSQL = "UPDATE t SET v = $2 WHERE id = $1"
)

// embeddedKeys maps the i-th row (0 ≤ i < size) to its key. Sequential keys
// are i; random keys are a bijection of i onto [0, 2^63), so they are distinct,
// spread over the whole key space, and need no table of their own (which would
// count in the memory measured).
func embeddedKeys(dist string) func(i int) int64 {
	if dist == "random" {
		return func(i int) int64 { return int64(mix63(uint64(i))) }
	}
	return func(i int) int64 { return int64(i) }
}

// mix63 is a bijection of [0, 2^63): xor-shifts and odd multipliers modulo
// 2^63 are each invertible there.
func mix63(x uint64) uint64 {
	const mask = 1<<63 - 1
	x &= mask
	x ^= x >> 31
	x = (x * 0x7fb5d329728ea185) & mask
	x ^= x >> 27
	x = (x * 0x81dadef4bc2dd44d) & mask
	x ^= x >> 33
	return x
}

// embeddedValue returns a fresh 100-byte value for key id (a new slice each
// time: Augur keeps a bytea datum it is given, as the contract of Datum says).
func embeddedValue(id int64, version uint64) []byte {
	v := make([]byte, embeddedValueSize)
	x := uint64(id)*0x9e3779b97f4a7c15 + version
	for i := 0; i < len(v); i += 8 {
		x ^= x >> 29
		x *= 0xbf58476d1ce4e5b9
		for j := 0; j < 8 && i+j < len(v); j++ {
			v[i+j] = byte(x >> (8 * j))
		}
	}
	return v
}

func openEmbeddedDB(ctx context.Context, engine, dir string) (embeddedDB, error) {
	switch engine {
	case "augur":
		return openAugurBenchDB(ctx, dir)
	case "sqlite":
		return openSQLiteBenchDB(ctx, dir)
	}
	return nil, fmt.Errorf("unknown engine %q (want augur or sqlite)", engine)
}

// runEmbedded loads the table and runs every workload on one engine.
func runEmbedded(ctx context.Context, cfg embeddedRunConfig) (_ []embeddedBenchResult, err error) {
	if cfg.dist != "sequential" && cfg.dist != "random" {
		return nil, fmt.Errorf("bench embedded-run: unknown distribution %q", cfg.dist)
	}
	if cfg.size < 2*embeddedRangeRows {
		return nil, fmt.Errorf("bench embedded-run: size %d: at least %d rows", cfg.size, 2*embeddedRangeRows)
	}
	if cfg.memProfile != "" {
		runtime.MemProfileRate = 0 // sampling starts with the profiled workload
	}
	if err := os.MkdirAll(cfg.dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench embedded-run: %w", err)
	}
	db, err := openEmbeddedDB(ctx, cfg.engine, cfg.dir)
	if err != nil {
		return nil, fmt.Errorf("bench embedded-run: open %s: %w", cfg.engine, err)
	}
	defer func() {
		if cerr := db.Close(ctx); cerr != nil && err == nil {
			err = fmt.Errorf("bench embedded-run: close %s: %w", cfg.engine, cerr)
		}
	}()
	sess, err := db.Session(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench embedded-run: %s: %w", cfg.engine, err)
	}
	defer sess.Close()

	key := embeddedKeys(cfg.dist)
	scaled := func(n int) int { return max(1, int(float64(n)*cfg.opsScale)) }
	var results []embeddedBenchResult
	var rss, disk int64
	var run []string // the workloads this run runs, the load first
	for _, op := range embeddedOps {
		if op == "insert" || cfg.ops == nil || containsString(cfg.ops, op) {
			run = append(run, op)
		}
	}
	profiles := &workloadProfiles{cfg: cfg}
	for i, op := range run {
		if err := profiles.begin(op, i == 0); err != nil {
			return nil, err
		}
		var (
			h       latencyHist
			rows    int64
			elapsed time.Duration
		)
		rng := rand.New(rand.NewPCG(uint64(cfg.size), uint64(len(op))))
		switch op {
		case "insert":
			elapsed, err = embeddedInsert(ctx, sess, key, cfg.size, &h)
			rows = int64(cfg.size)
		case "point":
			elapsed, err = embeddedPoint(ctx, sess, key, cfg.size, scaled(embeddedPointOps), rng, &h)
			rows = int64(h.Count())
		case "range100":
			elapsed, rows, err = embeddedRange(ctx, sess, key, cfg.size, scaled(embeddedRangeOps), rng, &h)
		case "mixed":
			elapsed, err = embeddedMixed(ctx, db, key, cfg.size, scaled(embeddedMixedOps), &h)
			rows = int64(h.Count())
		}
		if perr := profiles.end(op, i == len(run)-1); err == nil {
			err = perr
		}
		if err != nil {
			return nil, fmt.Errorf("bench embedded-run: %s %d rows %s keys, %s: %w", cfg.engine, cfg.size, cfg.dist, op, err)
		}
		if op == "insert" {
			rss, disk = embeddedSteadyState(cfg.dir)
		}
		results = append(results, embeddedBenchResult{
			Engine: cfg.engine, Size: cfg.size, Dist: cfg.dist, Op: op,
			OpsPerS: float64(h.Count()) / elapsed.Seconds(),
			P50ns:   int64(h.Percentile(0.50)), P95ns: int64(h.Percentile(0.95)), P99ns: int64(h.Percentile(0.99)),
			Ops: int64(h.Count()), Rows: rows,
		})
	}
	for i := range results {
		results[i].RSSAnonBytes, results[i].DiskBytes = rss, disk
	}
	return results, nil
}

// embeddedSteadyState waits for the background work of the load to settle,
// collects garbage and returns free memory to the OS, then reads the process's
// anonymous resident memory and the database's bytes on disk.
func embeddedSteadyState(dir string) (rssAnon, disk int64) {
	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	debug.FreeOSMemory()
	return procField("/proc/self/status", "RssAnon"), diskBytes(dir)
}

// workloadProfiles writes the profiles --cpuprofile and --memprofile ask for,
// over --profile-op's workload or, without it, over every workload of the run:
// then the CPU profile begins with the first workload and ends with the last.
type workloadProfiles struct {
	cfg     embeddedRunConfig
	stopCPU func() // set while the CPU profile runs
}

// begin starts profiling before op, the run's first workload when first.
func (p *workloadProfiles) begin(op string, first bool) error {
	if !p.covers(op, first) {
		return nil
	}
	if p.cfg.cpuProfile != "" {
		stop, err := startCPUProfile(p.cfg.cpuProfile)
		if err != nil {
			return fmt.Errorf("bench embedded-run: %w", err)
		}
		p.stopCPU = stop
	}
	if p.cfg.memProfile != "" {
		runtime.MemProfileRate = 512 << 10
	}
	return nil
}

// end stops profiling after op, the run's last workload when last, and writes
// the profiles.
func (p *workloadProfiles) end(op string, last bool) error {
	if !p.covers(op, last) {
		return nil
	}
	if p.stopCPU != nil {
		p.stopCPU()
		p.stopCPU = nil
	}
	if p.cfg.memProfile != "" {
		runtime.GC()
		runtime.MemProfileRate = 0
		if err := writeProfile("allocs", p.cfg.memProfile); err != nil {
			return fmt.Errorf("bench embedded-run: %w", err)
		}
	}
	return nil
}

// covers reports whether profiling begins or ends at op: at --profile-op's
// workload, or without it at the first or last workload (edge).
func (p *workloadProfiles) covers(op string, edge bool) bool {
	if p.cfg.profileOp != "" {
		return p.cfg.profileOp == op
	}
	return edge
}

// embeddedInsert loads size rows in transactions of 1,000 single-row INSERTs.
// A statement's latency is its Exec; the last of a transaction carries the
// COMMIT as well.
func embeddedInsert(ctx context.Context, s embeddedSession, key func(int) int64, size int, h *latencyHist) (time.Duration, error) {
	began := time.Now()
	for i := 0; i < size; i += embeddedInsertBatch {
		t0 := time.Now()
		if err := s.Begin(ctx); err != nil {
			return 0, err
		}
		end := min(size, i+embeddedInsertBatch)
		for j := i; j < end; j++ {
			id := key(j)
			if err := s.Insert(ctx, id, embeddedValue(id, 0)); err != nil {
				return 0, fmt.Errorf("insert %d: %w", id, err)
			}
			if j == end-1 {
				if err := s.Commit(ctx); err != nil {
					return 0, err
				}
			}
			h.Record(time.Since(t0))
			t0 = time.Now()
		}
	}
	return time.Since(began), nil
}

// embeddedPoint reads ops random existing keys, one statement each.
func embeddedPoint(ctx context.Context, s embeddedSession, key func(int) int64, size, ops int, rng *rand.Rand, h *latencyHist) (time.Duration, error) {
	began := time.Now()
	for range ops {
		id := key(rng.IntN(size))
		t0 := time.Now()
		found, err := s.Point(ctx, id)
		h.Record(time.Since(t0))
		if err != nil {
			return 0, err
		}
		if !found {
			return 0, fmt.Errorf("key %d: not found", id)
		}
	}
	return time.Since(began), nil
}

// embeddedRange runs ops scans of 100 rows from random positions: a number
// for sequential keys (never within 100 rows of the end), an existing key for
// random ones. It returns the rows read.
func embeddedRange(ctx context.Context, s embeddedSession, key func(int) int64, size, ops int, rng *rand.Rand, h *latencyHist) (time.Duration, int64, error) {
	var rows int64
	began := time.Now()
	for range ops {
		from := key(rng.IntN(size - embeddedRangeRows))
		t0 := time.Now()
		n, err := s.Range(ctx, from)
		h.Record(time.Since(t0))
		if err != nil {
			return 0, 0, err
		}
		if n == 0 {
			return 0, 0, fmt.Errorf("range from %d: no rows", from)
		}
		rows += int64(n)
	}
	return time.Since(began), rows, nil
}

// embeddedMixed runs ops statements from embeddedMixedConns sessions at once:
// 80% point reads, 20% updates of random existing keys.
func embeddedMixed(ctx context.Context, db embeddedDB, key func(int) int64, size, ops int, h *latencyHist) (time.Duration, error) {
	sessions := make([]embeddedSession, embeddedMixedConns)
	for i := range sessions {
		s, err := db.Session(ctx)
		if err != nil {
			return 0, err
		}
		defer s.Close()
		sessions[i] = s
	}
	hists := make([]latencyHist, len(sessions))
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	began := time.Now()
	for w, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(size), uint64(100+w)))
			n := ops / len(sessions)
			if w < ops%len(sessions) {
				n++
			}
			for i := range n {
				id := key(rng.IntN(size))
				t0 := time.Now()
				if rng.IntN(5) == 0 {
					if err := s.Update(ctx, id, embeddedValue(id, uint64(i+1))); err != nil {
						errs[w] = fmt.Errorf("update %d: %w", id, err)
						return
					}
				} else {
					found, err := s.Point(ctx, id)
					if err == nil && !found {
						err = errors.New("not found")
					}
					if err != nil {
						errs[w] = fmt.Errorf("read %d: %w", id, err)
						return
					}
				}
				hists[w].Record(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	for w := range hists {
		h.Merge(&hists[w])
	}
	return elapsed, errors.Join(errs...)
}

// augurBenchDB is Augur embedded with synchronous_commit = off.
type augurBenchDB struct{ emb *embeddedAugur }

func openAugurBenchDB(ctx context.Context, dir string) (*augurBenchDB, error) {
	emb, err := openEmbeddedAugur(ctx, filepath.Join(dir, "augur"), store.Options{AsyncCommit: true})
	if err != nil {
		return nil, err
	}
	c, err := emb.Engine.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		emb.Close(ctx)
		return nil, err
	}
	defer c.Close()
	if _, err := c.Exec(ctx, "CREATE TABLE t (id BIGINT PRIMARY KEY, v BYTEA)"); err != nil {
		emb.Close(ctx)
		return nil, err
	}
	return &augurBenchDB{emb: emb}, nil
}

func (d *augurBenchDB) Close(ctx context.Context) error { return d.emb.Close(ctx) }

func (d *augurBenchDB) Session(ctx context.Context) (embeddedSession, error) {
	off := false // synchronous_commit = off (the store's default here too)
	c, err := d.emb.Engine.Connect("augur", "augur", store.TxnOptions{SynchronousCommit: &off})
	if err != nil {
		return nil, err
	}
	s := &augurBenchSession{c: c}
	for _, p := range []struct {
		stmt **planner.Stmt
		sql  string
	}{{&s.insert, embeddedInsertSQL}, {&s.point, embeddedPointSQL}, {&s.rng, embeddedRangeSQL}, {&s.update, embeddedUpdateSQL}} {
		if *p.stmt, err = c.Prepare(p.sql); err != nil {
			c.Close()
			return nil, fmt.Errorf("prepare %s: %w", p.sql, err)
		}
	}
	return s, nil
}

type augurBenchSession struct {
	c                          *planner.Conn
	insert, point, rng, update *planner.Stmt
	args                       [2]types.Datum
	found                      bool
	rows                       int
}

func (s *augurBenchSession) Begin(context.Context) error { s.c.Begin(); return nil }

func (s *augurBenchSession) Commit(ctx context.Context) error { return s.c.Commit(ctx) }

func (s *augurBenchSession) Insert(ctx context.Context, id int64, v []byte) error {
	s.args[0], s.args[1] = id, v
	_, err := s.insert.Query(ctx, s.args[:2], nil)
	return err
}

func (s *augurBenchSession) Point(ctx context.Context, id int64) (bool, error) {
	s.args[0] = id
	s.found = false
	_, err := s.point.Query(ctx, s.args[:1], s.onPointRow)
	return s.found, err
}

func (s *augurBenchSession) onPointRow(row []types.Datum) error {
	v, _ := row[0].([]byte)
	s.found = len(v) == embeddedValueSize
	return nil
}

func (s *augurBenchSession) Range(ctx context.Context, from int64) (int, error) {
	s.args[0] = from
	s.rows = 0
	_, err := s.rng.Query(ctx, s.args[:1], s.onRangeRow)
	return s.rows, err
}

func (s *augurBenchSession) onRangeRow(row []types.Datum) error {
	if v, _ := row[1].([]byte); len(v) != embeddedValueSize {
		return fmt.Errorf("range: value of %d bytes", len(v))
	}
	s.rows++
	return nil
}

func (s *augurBenchSession) Update(ctx context.Context, id int64, v []byte) error {
	for {
		s.args[0], s.args[1] = id, v
		tag, err := s.update.Query(ctx, s.args[:2], nil)
		if code := pgerr.Code(err); code == pgerrcode.SerializationFailure || code == pgerrcode.DeadlockDetected {
			continue
		}
		if err == nil && tag != "UPDATE 1" {
			err = fmt.Errorf("update: %s", tag)
		}
		return err
	}
}

func (s *augurBenchSession) Close() error { s.c.Close(); return nil }

// sqliteBenchDB is SQLite in WAL mode with synchronous=NORMAL.
type sqliteBenchDB struct{ db *sql.DB }

func openSQLiteBenchDB(ctx context.Context, dir string) (*sqliteBenchDB, error) {
	dsn := "file:" + filepath.Join(dir, "bench.db") + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=60000"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(embeddedMixedConns + 1)
	db.SetMaxIdleConns(embeddedMixedConns + 1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"); err != nil {
		db.Close()
		return nil, err
	}
	return &sqliteBenchDB{db: db}, nil
}

func (d *sqliteBenchDB) Close(context.Context) error { return d.db.Close() }

func (d *sqliteBenchDB) Session(ctx context.Context) (embeddedSession, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var mode string
	var syncMode int
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		conn.Close()
		return nil, fmt.Errorf("sqlite journal_mode %q, want wal: %v", mode, err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode); err != nil || syncMode != 1 {
		conn.Close()
		return nil, fmt.Errorf("sqlite synchronous = %d, want 1 (NORMAL): %v", syncMode, err)
	}
	s := &sqliteBenchSession{conn: conn}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.insert, "INSERT INTO t (id, v) VALUES (?1, ?2)"},
		{&s.point, "SELECT v FROM t WHERE id = ?1"},
		{&s.rng, "SELECT id, v FROM t WHERE id >= ?1 ORDER BY id LIMIT 100"},
		{&s.update, "UPDATE t SET v = ?2 WHERE id = ?1"},
	} {
		if *p.stmt, err = conn.PrepareContext(ctx, p.sql); err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare %s: %w", p.sql, err)
		}
	}
	return s, nil
}

type sqliteBenchSession struct {
	conn                       *sql.Conn
	tx                         *sql.Tx
	insert, point, rng, update *sql.Stmt
	txInsert                   *sql.Stmt
	v                          []byte
}

func (s *sqliteBenchSession) Begin(ctx context.Context) error {
	tx, err := s.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	s.tx = tx
	s.txInsert = tx.StmtContext(ctx, s.insert)
	return nil
}

func (s *sqliteBenchSession) Commit(context.Context) error {
	err := s.tx.Commit()
	s.tx, s.txInsert = nil, nil
	return err
}

func (s *sqliteBenchSession) Insert(ctx context.Context, id int64, v []byte) error {
	st := s.insert
	if s.txInsert != nil {
		st = s.txInsert
	}
	_, err := st.ExecContext(ctx, id, v)
	return err
}

func (s *sqliteBenchSession) Point(ctx context.Context, id int64) (bool, error) {
	s.v = s.v[:0]
	err := s.point.QueryRowContext(ctx, id).Scan(&s.v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return len(s.v) == embeddedValueSize, err
}

func (s *sqliteBenchSession) Range(ctx context.Context, from int64) (int, error) {
	rows, err := s.rng.QueryContext(ctx, from)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var id int64
	var v sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &v); err != nil {
			return n, err
		}
		if len(v) != embeddedValueSize {
			return n, fmt.Errorf("range: value of %d bytes", len(v))
		}
		n++
	}
	return n, rows.Err()
}

func (s *sqliteBenchSession) Update(ctx context.Context, id int64, v []byte) error {
	for {
		res, err := s.update.ExecContext(ctx, id, v)
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
			continue
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("update: %d rows", n)
		}
		return nil
	}
}

func (s *sqliteBenchSession) Close() error {
	for _, st := range []*sql.Stmt{s.insert, s.point, s.rng, s.update} {
		if st != nil {
			st.Close()
		}
	}
	return s.conn.Close()
}
