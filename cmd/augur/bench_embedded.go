package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dgraph-io/badger/v4"
	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/augurdb/augur/actors/shard"
	"github.com/augurdb/augur/storage/store"
)

// `augur bench embedded` (issue 9) compares Augur's in-process SQL API with
// SQLite (mattn/go-sqlite3 through database/sql) on one schema and four
// workloads, under one contract: prepared statements on both sides, prepared
// outside the timed loops; the same durability (Augur synchronous_commit = off,
// SQLite WAL with synchronous=NORMAL: both survive a process crash, neither a
// power cut); data on a real disk. Each engine runs in a child process of its
// own (`augur bench embedded-run`, hidden), so the anonymous memory it reports
// is its own and nothing one engine left behind slows the other; the parent
// interleaves the children A, B, A, B and reports medians.

// embeddedBenchResult is one object of `augur bench embedded --json`: one
// engine, size, key distribution and operation. OpsPerS counts rows for
// insert, statements for point and mixed, scans for range100. RSSAnonBytes and
// DiskBytes are the process's and the database's after the load (the same on
// every op of a run).
type embeddedBenchResult struct {
	Engine       string  `json:"engine"`
	Size         int     `json:"size"`
	Dist         string  `json:"dist"`
	Op           string  `json:"op"`
	OpsPerS      float64 `json:"ops_per_s"`
	P50ns        int64   `json:"p50_ns"`
	P95ns        int64   `json:"p95_ns"`
	P99ns        int64   `json:"p99_ns"`
	RSSAnonBytes int64   `json:"rss_anon_bytes"`
	DiskBytes    int64   `json:"disk_bytes"`
	// Ops is the number of operations timed (rows for insert, rows returned
	// for range100 are in Rows).
	Ops  int64 `json:"ops"`
	Rows int64 `json:"rows"`
}

// Workload names, in the order they run.
var (
	embeddedOps     = []string{"insert", "point", "range100", "mixed"}
	embeddedDists   = []string{"sequential", "random"}
	embeddedEngines = []string{"augur", "sqlite"}
)

// Workload sizes at --ops-scale 1 (from issue 9; mixed is not fixed there).
const (
	embeddedInsertBatch = 1000
	embeddedPointOps    = 1_000_000
	embeddedRangeOps    = 100_000
	embeddedRangeRows   = 100
	embeddedMixedOps    = 400_000
	embeddedMixedConns  = 4
	embeddedValueSize   = 100
	// embeddedManyRows is the size above which a size runs once, not three times.
	embeddedManyRows = 1_000_000
)

func newBenchEmbeddedCmd() *cobra.Command {
	var (
		sizes    []int
		asJSON   bool
		dir      string
		runs     int
		engines  []string
		dists    []string
		opsScale float64
	)
	cmd := &cobra.Command{
		Use:   "embedded",
		Short: "Augur's in-process SQL API vs SQLite: bulk insert, point, range and mixed workloads",
		Long: `Compares Augur embedded (planner.Conn: prepared statements, the whole path below
the wire) with SQLite (mattn/go-sqlite3 through database/sql, statements prepared
once), on the table (id BIGINT PRIMARY KEY, v BYTEA) with 100-byte values. SQLite's
table is (id INTEGER PRIMARY KEY, v BLOB): its rows live in the rowid b-tree, ordered
by id, as Augur's live in its primary key.

Workloads, with sequential and with random keys, in this order on one database:
  insert    prepared single-row INSERTs in transactions of 1,000 rows
  point     1,000,000 SELECT v FROM t WHERE id = $1 on random existing keys
  range100  100,000 SELECT id, v FROM t WHERE id >= $1 ORDER BY id LIMIT 100
  mixed     400,000 statements from 4 connections: 80% point reads, 20%
            UPDATE t SET v = $2 WHERE id = $1 (each in its own transaction)
Durability: Augur synchronous_commit = off; SQLite journal_mode=WAL,
synchronous=NORMAL (both checked). Latencies are per statement (an insert's
includes its share of the COMMIT: the last row of a transaction carries it).
RssAnon (from /proc/self/status, after a GC that returns free memory to the OS)
and on-disk bytes (allocated blocks) are taken after the load. Each engine runs
in its own process; runs are interleaved A, B, A, B; the figures are medians of
3 runs up to 1M rows, 1 run above.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, e := range engines {
				if !containsString(embeddedEngines, e) {
					return fmt.Errorf("bench embedded: unknown engine %q (want augur or sqlite)", e)
				}
			}
			for _, d := range dists {
				if !containsString(embeddedDists, d) {
					return fmt.Errorf("bench embedded: unknown distribution %q (want sequential or random)", d)
				}
			}
			for _, n := range sizes {
				if n < 2*embeddedRangeRows {
					return fmt.Errorf("bench embedded: size %d: at least %d rows", n, 2*embeddedRangeRows)
				}
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("bench embedded: %w", err)
			}
			if err := checkNotTmpfs(dir); err != nil {
				return err
			}
			base, err := os.MkdirTemp(dir, "augur-bench-embedded-")
			if err != nil {
				return fmt.Errorf("bench embedded: %w", err)
			}
			defer os.RemoveAll(base)
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("bench embedded: find the augur binary: %w", err)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			progress := cmd.ErrOrStderr()
			var all [][]embeddedBenchResult
			for _, n := range sizes {
				nruns := runs
				if nruns <= 0 {
					nruns = 3
					if n > embeddedManyRows {
						nruns = 1
					}
				}
				for r := range nruns {
					for _, d := range dists {
						order := slices.Clone(engines)
						if r%2 == 1 {
							slices.Reverse(order)
						}
						for _, e := range order {
							fmt.Fprintf(progress, "bench embedded: %s, %d rows, %s keys, run %d of %d\n", e, n, d, r+1, nruns)
							sub := filepath.Join(base, fmt.Sprintf("%s-%d-%s-%d", e, n, d, r))
							rs, err := runEmbeddedChild(ctx, exe, sub, e, n, d, opsScale)
							os.RemoveAll(sub)
							if err != nil {
								return err
							}
							all = append(all, rs)
						}
					}
				}
			}
			results := embeddedMedians(all)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(results)
			}
			embeddedBenchHeader(out, dir)
			return embeddedBenchTable(out, results)
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&sizes, "sizes", []int{10_000, 100_000, 1_000_000, 10_000_000}, "table sizes (rows) to run")
	f.BoolVar(&asJSON, "json", false, "print one JSON array of {engine, size, dist, op, ops_per_s, p50_ns, p95_ns, p99_ns, rss_anon_bytes, disk_bytes, ops, rows}")
	f.StringVar(&dir, "dir", "/var/tmp", "directory for the databases (on a real disk, never tmpfs)")
	f.IntVar(&runs, "runs", 0, "runs per size (default 3 up to 1M rows, 1 above); medians are reported")
	f.StringSliceVar(&engines, "engines", embeddedEngines, "engines to run, in the order of the first run")
	f.StringSliceVar(&dists, "dists", embeddedDists, "key distributions to run")
	f.Float64Var(&opsScale, "ops-scale", 1, "scale the number of point, range and mixed operations (0.2: 200,000 point reads, 20,000 scans, 80,000 mixed statements)")
	return cmd
}

// runEmbeddedChild runs one engine, size and distribution in a child process
// (`augur bench embedded-run`) and returns what it printed.
func runEmbeddedChild(ctx context.Context, exe, dir, engine string, size int, dist string, opsScale float64) ([]embeddedBenchResult, error) {
	args := []string{"bench", "embedded-run", "--engine", engine, "--size", strconv.Itoa(size),
		"--dist", dist, "--dir", dir, "--ops-scale", strconv.FormatFloat(opsScale, 'g', -1, 64)}
	c := exec.CommandContext(ctx, exe, args...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("bench embedded: %s %d rows %s: %w: %s", engine, size, dist, err, strings.TrimSpace(stderr.String()))
	}
	var rs []embeddedBenchResult
	if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil {
		return nil, fmt.Errorf("bench embedded: %s %d rows %s: read the results: %w", engine, size, dist, err)
	}
	return rs, nil
}

// embeddedMedians groups the runs' results by engine, size, distribution and
// operation, and takes the median of each figure separately.
func embeddedMedians(runs [][]embeddedBenchResult) []embeddedBenchResult {
	type key struct {
		engine string
		size   int
		dist   string
		op     string
	}
	groups := map[key][]embeddedBenchResult{}
	var order []key
	for _, rs := range runs {
		for _, r := range rs {
			k := key{r.Engine, r.Size, r.Dist, r.Op}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], r)
		}
	}
	slices.SortStableFunc(order, func(a, b key) int {
		if c := a.size - b.size; c != 0 {
			return c
		}
		if c := slices.Index(embeddedDists, a.dist) - slices.Index(embeddedDists, b.dist); c != 0 {
			return c
		}
		if c := slices.Index(embeddedOps, a.op) - slices.Index(embeddedOps, b.op); c != 0 {
			return c
		}
		return slices.Index(embeddedEngines, a.engine) - slices.Index(embeddedEngines, b.engine)
	})
	out := make([]embeddedBenchResult, 0, len(order))
	for _, k := range order {
		g := groups[k]
		r := g[0]
		r.OpsPerS = medianOf(g, func(r embeddedBenchResult) float64 { return r.OpsPerS })
		r.P50ns = int64(medianOf(g, func(r embeddedBenchResult) float64 { return float64(r.P50ns) }))
		r.P95ns = int64(medianOf(g, func(r embeddedBenchResult) float64 { return float64(r.P95ns) }))
		r.P99ns = int64(medianOf(g, func(r embeddedBenchResult) float64 { return float64(r.P99ns) }))
		r.RSSAnonBytes = int64(medianOf(g, func(r embeddedBenchResult) float64 { return float64(r.RSSAnonBytes) }))
		r.DiskBytes = int64(medianOf(g, func(r embeddedBenchResult) float64 { return float64(r.DiskBytes) }))
		out = append(out, r)
	}
	return out
}

// medianOf returns the median of f over rs (the lower middle of an even count).
func medianOf(rs []embeddedBenchResult, f func(embeddedBenchResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// embeddedBenchHeader prints the contract and the machine.
func embeddedBenchHeader(w io.Writer, dir string) {
	sqliteVersion, _, _ := sqlite3.Version()
	budget, parts := augurMemoryBudget()
	fmt.Fprintf(w, "augur bench embedded: Augur (planner.Conn, synchronous_commit = off) vs SQLite %s (mattn/go-sqlite3, journal_mode=WAL, synchronous=NORMAL)\n", sqliteVersion)
	fmt.Fprintf(w, "machine: %s; data in %s\n", machineDescription(), dir)
	fmt.Fprintf(w, "augur memory budget: %s (%s); the index shards' keys come on top\n\n", formatBytes(budget), parts)
}

// embeddedBenchTable prints a row per size, distribution and operation with
// both engines side by side and Augur's ratio (rate: augur/sqlite; latency:
// sqlite/augur, so above 1 means Augur is better in both).
func embeddedBenchTable(w io.Writer, results []embeddedBenchResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "size\tkeys\top\taugur ops/s\tp50 µs\tp95 µs\tp99 µs\tsqlite ops/s\tp50 µs\tp95 µs\tp99 µs\taugur/sqlite\t\n")
	find := func(engine string, like embeddedBenchResult) (embeddedBenchResult, bool) {
		for _, r := range results {
			if r.Engine == engine && r.Size == like.Size && r.Dist == like.Dist && r.Op == like.Op {
				return r, true
			}
		}
		return embeddedBenchResult{}, false
	}
	us := func(ns int64) string { return strconv.FormatFloat(float64(ns)/1000, 'f', 1, 64) }
	type memKey struct {
		size int
		dist string
	}
	var mems []memKey
	for _, r := range results {
		if !slices.Contains(mems, memKey{r.Size, r.Dist}) {
			mems = append(mems, memKey{r.Size, r.Dist})
		}
		if r.Engine != embeddedEngines[0] {
			if _, ok := find(embeddedEngines[0], r); ok {
				continue // printed on augur's line
			}
		}
		a, aok := find("augur", r)
		s, sok := find("sqlite", r)
		fmt.Fprintf(tw, "%d\t%s\t%s\t", r.Size, r.Dist, r.Op)
		for _, x := range []struct {
			r  embeddedBenchResult
			ok bool
		}{{a, aok}, {s, sok}} {
			if x.ok {
				fmt.Fprintf(tw, "%.0f\t%s\t%s\t%s\t", x.r.OpsPerS, us(x.r.P50ns), us(x.r.P95ns), us(x.r.P99ns))
			} else {
				fmt.Fprintf(tw, "-\t-\t-\t-\t")
			}
		}
		if aok && sok && s.OpsPerS > 0 {
			fmt.Fprintf(tw, "%.2fx\t\n", a.OpsPerS/s.OpsPerS)
		} else {
			fmt.Fprintf(tw, "-\t\n")
		}
	}
	fmt.Fprintf(tw, "\t\n")
	fmt.Fprintf(tw, "size\tkeys\taugur RssAnon\tdisk\tsqlite RssAnon\tdisk\traw data\taugur RssAnon/raw\t\n")
	for _, m := range mems {
		like := embeddedBenchResult{Size: m.size, Dist: m.dist, Op: "insert"}
		a, aok := find("augur", like)
		s, sok := find("sqlite", like)
		raw := int64(m.size) * (8 + embeddedValueSize)
		fmt.Fprintf(tw, "%d\t%s\t", m.size, m.dist)
		for _, x := range []struct {
			r  embeddedBenchResult
			ok bool
		}{{a, aok}, {s, sok}} {
			if x.ok {
				fmt.Fprintf(tw, "%s\t%s\t", formatBytes(x.r.RSSAnonBytes), formatBytes(x.r.DiskBytes))
			} else {
				fmt.Fprintf(tw, "-\t-\t")
			}
		}
		fmt.Fprintf(tw, "%s\t", formatBytes(raw))
		if aok {
			fmt.Fprintf(tw, "%.2fx\t\n", float64(a.RSSAnonBytes)/float64(raw))
		} else {
			fmt.Fprintf(tw, "-\t\n")
		}
	}
	return tw.Flush()
}

// augurMemoryBudget returns what Augur's storage may hold in memory by its
// configuration: Badger's memtables and block cache (its defaults, which the
// store keeps), the transaction write-set buffer before it spills, and the
// index shards' row cache (row_cache_size; it holds only the rows there are).
func augurMemoryBudget() (int64, string) {
	bo := badger.DefaultOptions("") // the caches the store leaves at Badger's defaults
	mem := int64(store.DefaultBadgerMemTables) * store.DefaultBadgerMemTableSize
	total := mem + bo.BlockCacheSize + bo.IndexCacheSize + store.DefaultTxnBufferMax + shard.DefaultRowCacheBytes
	parts := fmt.Sprintf("Badger memtables %d × %s, block cache %s, index cache %s; txn_buffer_max %s; row_cache_size %s",
		store.DefaultBadgerMemTables, formatBytes(store.DefaultBadgerMemTableSize), formatBytes(bo.BlockCacheSize),
		formatBytes(bo.IndexCacheSize), formatBytes(store.DefaultTxnBufferMax), formatBytes(shard.DefaultRowCacheBytes))
	return total, parts
}

// checkNotTmpfs refuses a directory in memory: the benchmark is about a real disk.
func checkNotTmpfs(dir string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return fmt.Errorf("bench embedded: statfs %s: %w", dir, err)
	}
	if st.Type == unix.TMPFS_MAGIC || st.Type == unix.RAMFS_MAGIC {
		return fmt.Errorf("bench embedded: %s is in memory (tmpfs); use --dir on a disk", dir)
	}
	return nil
}

// procField returns the value of "name:" in a /proc file of "key: value kB"
// lines, in bytes when the unit is kB (0 when absent).
func procField(path, name string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0
		}
		v, _ := strconv.ParseInt(fields[0], 10, 64)
		if len(fields) > 1 && fields[1] == "kB" {
			v <<= 10
		}
		return v
	}
	return 0
}

// machineDescription is the machine line the bench commands print with their
// results: cores and CPU model, memory, Go version and platform.
func machineDescription() string {
	return fmt.Sprintf("%d cores (%s), %s memory, %s %s/%s", runtime.NumCPU(), cpuModel(),
		formatBytes(memTotal()), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func memTotal() int64 { return procField("/proc/meminfo", "MemTotal") }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// diskBytes returns the bytes allocated on disk under dir (blocks, not
// apparent sizes: preallocated and sparse files count what they occupy).
func diskBytes(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		var st unix.Stat_t
		if unix.Stat(path, &st) == nil {
			total += st.Blocks * 512
		}
		return nil
	})
	return total
}
