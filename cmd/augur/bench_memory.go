package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

const benchMemoryLong = `Measure Augur's memory per row (issue 9) in-process.

"load" creates t (id BIGINT PRIMARY KEY, v BYTEA) in --dir and inserts --rows rows
with 100-byte random values, 10,000 rows a transaction (synchronous_commit off),
then waits for Badger's background work to settle (RssAnon, after a GC that
returns free memory to the OS, the same twice a second apart) and reports RssAnon and the Go heap as JSON: the raw data is rows × 108 bytes.
--heap-profile writes the heap profile there. With --kill the process then
kills itself with SIGKILL (kill -9: no checkpoint, no clean close).

"open" opens --dir as the server does after a crash (WAL recovery, index shard
rebuild, SQL engine) and reports how long until the first query answered, and
RssAnon after it.

  augur bench memory load --dir /tmp/m --rows 1000000 --heap-profile heap.pb.gz
  augur bench memory load --dir /tmp/m10 --rows 10000000 --kill
  augur bench memory open --dir /tmp/m10`

func newBenchMemoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "memory (load|open)",
		Short: "Memory per row of a loaded table, and the restart after kill -9 (in-process)",
		Long:  benchMemoryLong,
		Args:  cobra.ExactArgs(1),
	}
	dir := cmd.Flags().String("dir", "", "database directory (required)")
	rows := cmd.Flags().Int64("rows", 1_000_000, "rows to load")
	heapProfile := cmd.Flags().String("heap-profile", "", "write the heap profile after the load here")
	kill := cmd.Flags().Bool("kill", false, "after the load, kill the process with SIGKILL")
	cpuProfile := cmd.Flags().String("cpu-profile", "", "write a CPU profile of the open (open only) here")
	var opts store.Options
	cmd.Flags().Int64Var(&opts.BadgerMemTableSize, "badger-memtable-size", 0, "Badger memtable size in bytes (0: the store's default)")
	cmd.Flags().IntVar(&opts.BadgerMemTables, "badger-memtables", 0, "Badger memtables (0: the store's default)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *dir == "" {
			return fmt.Errorf("bench memory: --dir is required")
		}
		var (
			rep any
			err error
		)
		switch args[0] {
		case "load":
			rep, err = benchMemoryLoad(cmd.Context(), *dir, opts, *rows, *heapProfile, *kill)
		case "open":
			rep, err = benchMemoryOpen(cmd.Context(), *dir, opts, *cpuProfile)
		default:
			return fmt.Errorf("bench memory: unknown phase %q (load or open)", args[0])
		}
		if err != nil {
			return err
		}
		return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
	}
	return cmd
}

// memoryLoadReport is what "bench memory load" prints.
type memoryLoadReport struct {
	Rows            int64   `json:"rows"`
	LoadSeconds     float64 `json:"load_s"`
	RssAnonBytes    int64   `json:"rss_anon_bytes"`
	RssAnonIdle     int64   `json:"rss_anon_idle_bytes"` // after open, before the load
	HeapAllocBytes  uint64  `json:"heap_alloc_bytes"`
	RawBytes        int64   `json:"raw_bytes"`
	RssAnonPerRow   float64 `json:"rss_anon_per_row"`
	RssAnonOverRaw  float64 `json:"rss_anon_over_raw"`
	HeapAllocPerRow float64 `json:"heap_alloc_per_row"`
	RowCacheBytes   int64   `json:"row_cache_bytes"` // the index shards' row arenas
}

func benchMemoryLoad(ctx context.Context, dir string, opts store.Options, rows int64, heapProfile string, kill bool) (*memoryLoadReport, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	opts.AsyncCommit = true
	emb, err := openEmbeddedAugur(ctx, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("bench memory: %w", err)
	}
	if !kill {
		defer emb.Close(ctx)
	}
	c, err := emb.Engine.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		return nil, fmt.Errorf("bench memory: connect: %w", err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE t (id BIGINT PRIMARY KEY, v BYTEA)"); err != nil {
		return nil, fmt.Errorf("bench memory: create table: %w", err)
	}
	idle, _ := embeddedSteadyState(dir)
	ins, err := c.Prepare("INSERT INTO t (id, v) VALUES ($1, $2)")
	if err != nil {
		return nil, fmt.Errorf("bench memory: prepare: %w", err)
	}
	const perTxn = 10_000
	rng := rand.New(rand.NewPCG(1, 2))
	args := make([]types.Datum, 2)
	began := time.Now()
	for id := int64(1); id <= rows; {
		c.Begin()
		for end := min(id+perTxn, rows+1); id < end; id++ {
			v := make([]byte, 100)
			for i := 0; i < len(v); i += 8 {
				u := rng.Uint64()
				for j := i; j < min(i+8, len(v)); j++ {
					v[j], u = byte(u), u>>8
				}
			}
			args[0], args[1] = id, v
			if _, err := ins.Query(ctx, args, nil); err != nil {
				return nil, fmt.Errorf("bench memory: insert %d: %w", id, err)
			}
		}
		if err := c.Commit(ctx); err != nil {
			return nil, fmt.Errorf("bench memory: commit: %w", err)
		}
	}
	load := time.Since(began)
	rss := settledRSSAnon(dir)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if heapProfile != "" {
		if err := writeProfile("heap", heapProfile); err != nil {
			return nil, fmt.Errorf("bench memory: %w", err)
		}
	}
	raw := rows * 108
	rep := &memoryLoadReport{
		Rows: rows, LoadSeconds: load.Seconds(), RssAnonBytes: rss, RssAnonIdle: idle,
		HeapAllocBytes: ms.HeapAlloc, RawBytes: raw,
		RssAnonPerRow:   float64(rss-idle) / float64(rows),
		RssAnonOverRaw:  float64(rss) / float64(raw),
		HeapAllocPerRow: float64(ms.HeapAlloc) / float64(rows),
		RowCacheBytes:   emb.shards.RowCacheBytes(),
	}
	if kill {
		// Print first: nothing after SIGKILL runs.
		json.NewEncoder(os.Stdout).Encode(rep)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return rep, nil
}

// settledRSSAnon is embeddedSteadyState's RssAnon once Badger's flushes and
// compactions after the load are over: it is read every second (after a GC)
// until two readings agree within 1 MiB, for up to a minute.
func settledRSSAnon(dir string) int64 {
	prev, _ := embeddedSteadyState(dir)
	for range 60 {
		time.Sleep(time.Second)
		cur, _ := embeddedSteadyState(dir)
		if d := cur - prev; d > -1<<20 && d < 1<<20 {
			return cur
		}
		prev = cur
	}
	return prev
}

// memoryOpenReport is what "bench memory open" prints.
type memoryOpenReport struct {
	OpenSeconds       float64 `json:"open_s"`        // recovery, shard rebuild, engine
	FirstQuerySeconds float64 `json:"first_query_s"` // from the start until the first answer
	IndexKeys         int64   `json:"index_keys"`    // in the index shards, every table
	RowCacheBytes     int64   `json:"row_cache_bytes"`
	RssAnonBytes      int64   `json:"rss_anon_bytes"`
	// The open's parts: Badger's open, the WAL replay (and how much of the log it
	// read), the checkpoint after it, the rest of store.Open, the shards' rebuild,
	// the SQL engine.
	BadgerOpenSeconds   float64 `json:"badger_open_s"`
	WALReplaySeconds    float64 `json:"wal_replay_s"`
	WALReplayBytes      int64   `json:"wal_replay_bytes"`
	WALInBadgerBytes    int64   `json:"wal_in_badger_bytes"` // read, not applied: the replay mark covered it
	CheckpointSeconds   float64 `json:"checkpoint_s"`
	StoreOpenSeconds    float64 `json:"store_open_s"`
	ShardRebuildSeconds float64 `json:"shard_rebuild_s"`
	EngineSeconds       float64 `json:"engine_s"`
}

func benchMemoryOpen(ctx context.Context, dir string, opts store.Options, cpuProfile string) (*memoryOpenReport, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if cpuProfile != "" {
		stop, err := startCPUProfile(cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("bench memory: %w", err)
		}
		defer stop()
	}
	began := time.Now()
	opts.AsyncCommit = true
	emb, err := openEmbeddedAugur(ctx, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("bench memory: %w", err)
	}
	defer emb.Close(ctx)
	opened := time.Since(began)
	c, err := emb.Engine.Connect("augur", "augur", store.TxnOptions{})
	if err != nil {
		return nil, fmt.Errorf("bench memory: connect: %w", err)
	}
	st, err := c.Prepare("SELECT v FROM t WHERE id = $1")
	if err != nil {
		return nil, fmt.Errorf("bench memory: prepare: %w", err)
	}
	found := false
	if _, err := st.Query(ctx, []types.Datum{int64(1)}, func([]types.Datum) error { found = true; return nil }); err != nil || !found {
		return nil, fmt.Errorf("bench memory: first query: found %v, %v", found, err)
	}
	first := time.Since(began)
	su := emb.Startup
	rep := &memoryOpenReport{
		OpenSeconds: opened.Seconds(), FirstQuerySeconds: first.Seconds(),
		BadgerOpenSeconds: su.Recovery.BadgerOpen.Seconds(), WALReplaySeconds: su.Recovery.Duration.Seconds(),
		WALReplayBytes: su.Recovery.Bytes, WALInBadgerBytes: su.Recovery.AlreadyAppliedBytes,
		CheckpointSeconds: su.Recovery.Checkpoint.Seconds(),
		StoreOpenSeconds:  su.Store.Seconds(), ShardRebuildSeconds: su.Rebuild.Duration.Seconds(),
		EngineSeconds: su.Engine.Seconds(),
	}
	for _, sh := range emb.shards.Shards() {
		rep.IndexKeys += int64(sh.Keys)
	}
	rep.RowCacheBytes = emb.shards.RowCacheBytes()
	rep.RssAnonBytes, _ = embeddedSteadyState(dir)
	return rep, nil
}
