package shard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/augurdb/augur/storage/keycodec"
	"github.com/augurdb/augur/storage/learned"
	"github.com/augurdb/augur/storage/store"
)

// RebuildStats describes what Rebuild loaded.
type RebuildStats struct {
	Tables   int
	Shards   int
	Keys     int
	Duration time.Duration
}

// Rebuild attaches the store and builds every table's shards from it: it finds
// the table prefixes present, scans each table at the visible timestamp and
// bulk-loads runs of MaxKeys/2 keys into shards (so that a rebuilt shard has room
// to grow before it splits), tables in parallel and, within a table, the
// building of each run in parallel with the scan of the next. Call it after the
// store is opened and before any commit; shards of tables found in the store
// replace the ones registered for them before.
func (m *Manager) Rebuild(ctx context.Context, st *store.Store) (RebuildStats, error) {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	began := time.Now()
	m.store.Store(st)
	prefixes, err := discoverTables(st)
	if err != nil {
		return RebuildStats{}, fmt.Errorf("shard: rebuild: %w", err)
	}
	chunk := int(max(m.opts.MaxKeys/2, 1))
	workers := runtime.GOMAXPROCS(0)
	var (
		tables, builds sync.WaitGroup
		mu             sync.Mutex
		refs           []*shardRef
		errs           []error
		keys           int
		tableSem       = make(chan struct{}, workers)
		buildSem       = make(chan struct{}, workers)
	)
	emit := func(prefix, start, end []byte, b *learned.Builder, rows *rowArena, since uint64) {
		buildSem <- struct{}{}
		builds.Add(1)
		go func() {
			defer builds.Done()
			ref := m.newRef(prefix, start, end, b.Build(), rows, since)
			<-buildSem
			mu.Lock()
			refs = append(refs, ref)
			keys += ref.initial.Len()
			mu.Unlock()
		}()
	}
	for _, p := range prefixes {
		tableSem <- struct{}{}
		tables.Add(1)
		go func() {
			defer tables.Done()
			defer func() { <-tableSem }()
			if err := loadTable(ctx, st, p, chunk, &m.budget, emit); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("shard: rebuild table prefix %x: %w", p, err))
				mu.Unlock()
			}
		}()
	}
	tables.Wait()
	builds.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, ref := range refs {
			ref.rows.release()
		}
		return RebuildStats{}, err
	}
	for _, ref := range refs {
		m.start(ref)
	}
	m.mu.Lock()
	r := m.routes.Load()
	var drop []*shardRef
	for _, s := range r.shards {
		for _, p := range prefixes {
			if bytes.Equal(s.prefix, p) {
				drop = append(drop, s)
			}
		}
	}
	m.publishRoutes(r, drop, refs)
	m.retired = append(m.retired, drop...)
	for _, d := range drop {
		// No batch is in flight (applyMu): the replaced shards' actors are idle.
		d.rows.release()
	}
	m.mu.Unlock()
	stats := RebuildStats{Tables: len(prefixes), Shards: len(refs), Keys: keys, Duration: time.Since(began)}
	m.log.Info().Int("tables", stats.Tables).Int("shards", stats.Shards).Int("keys", stats.Keys).
		Float64("duration_ms", float64(stats.Duration.Microseconds())/1000).Msg("index shards rebuilt from storage")
	return stats, nil
}

// discoverTables returns the table prefixes that have at least one visible key,
// in order, seeking from one prefix to the end of it.
func discoverTables(st *store.Store) ([][]byte, error) {
	txn := st.Begin(store.TxnOptions{BypassIndex: true})
	defer txn.Abort()
	var out [][]byte
	from := []byte{keycodec.TablePrefixByte}
	limit := []byte{keycodec.TablePrefixByte + 1}
	for from != nil {
		it := txn.Scan(from, limit)
		var k []byte
		if it.Valid() {
			k = bytes.Clone(it.Key())
		}
		err := it.Err()
		it.Close()
		if err != nil {
			return nil, fmt.Errorf("discover tables: %w", err)
		}
		if k == nil {
			break
		}
		p := tableKey(k)
		if p == nil { // shorter than a table prefix: not a table key
			from = append(k, 0)
			continue
		}
		out = append(out, p)
		from = keycodec.PrefixEnd(p)
	}
	return out, nil
}

// loadTable scans one table at the visible timestamp and hands runs of chunk
// keys, with their values in a row arena charged to budget, to emit, each with
// its range: the first starts at the prefix, each next one at its first key,
// the last ends at the prefix's end.
func loadTable(ctx context.Context, st *store.Store, prefix []byte, chunk int, budget *rowBudget,
	emit func(prefix, start, end []byte, b *learned.Builder, rows *rowArena, since uint64)) error {
	txn := st.Begin(store.TxnOptions{BypassIndex: true})
	defer txn.Abort()
	since := txn.Snapshot()
	end := keycodec.PrefixEnd(prefix)
	it := txn.Scan(prefix, end)
	defer it.Close()
	b, rows, start, n := learned.NewBuilder(), newRowArena(budget), prefix, 0
	for ; it.Valid(); it.Next() {
		if n == chunk {
			if err := ctx.Err(); err != nil {
				rows.release()
				return err
			}
			k := bytes.Clone(it.Key())
			emit(prefix, start, k, b, rows, since)
			b, rows, start, n = learned.NewBuilder(), newRowArena(budget), k, 0
		}
		if err := addRow(b, rows, it, since); err != nil {
			rows.release()
			return err
		}
		n++
	}
	if err := it.Err(); err != nil {
		rows.release()
		return fmt.Errorf("scan: %w", err)
	}
	emit(prefix, start, end, b, rows, since)
	return nil
}
