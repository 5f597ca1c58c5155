package planner

import (
	"context"
	"testing"

	"github.com/augurdb/augur/storage/store"
	"github.com/augurdb/augur/storage/types"
)

// benchConn returns an embedded session over a fresh store with table
// kv (k int8 primary key, v text) holding rows 0..999; commits do not wait
// for fsync, so the figures show the statement path (parse aside: the
// statements are prepared once).
func benchConn(b *testing.B) *Conn {
	eng := newLockEngine(b)
	off := false
	c, err := eng.Connect("augur", "augur", store.TxnOptions{SynchronousCommit: &off})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	ctx := context.Background()
	for _, sql := range []string{`CREATE TABLE kv (k int8 PRIMARY KEY, v text)`, `INSERT INTO kv SELECT g, 'value' FROM generate_series(0, 999) AS g`} {
		if _, err := c.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkConnPointSelect is a prepared point SELECT by primary key, each in
// its own (implicit) transaction.
func BenchmarkConnPointSelect(b *testing.B) {
	c := benchConn(b)
	s, err := c.Prepare(`SELECT v FROM kv WHERE k = $1`)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	args := []types.Datum{int64(0)}
	for i := range 2000 { // warm the store's caches and index shards
		args[0] = int64(i % 1000)
		if _, err := s.Query(ctx, args, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		args[0] = int64(i % 1000)
		if _, err := s.Query(ctx, args, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnPointInsert is a prepared single-row INSERT, each in its own
// transaction.
func BenchmarkConnPointInsert(b *testing.B) {
	c := benchConn(b)
	s, err := c.Prepare(`INSERT INTO kv VALUES ($1, 'value')`)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Exec(ctx, int64(1000+i)); err != nil {
			b.Fatal(err)
		}
	}
}
