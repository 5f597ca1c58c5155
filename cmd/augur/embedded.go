package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/augurdb/augur/actors/shard"
	walactor "github.com/augurdb/augur/actors/wal"
	"github.com/augurdb/augur/planner"
	"github.com/augurdb/augur/storage/catalog"
	"github.com/augurdb/augur/storage/store"
)

// embeddedAugur is Augur opened in-process, as the benchmarks use it: the store
// with the WAL actor as its committer, the learned-index shards fed by every
// applied group and asked first by point reads, and the SQL engine over them —
// the server's storage stack without the wire.
type embeddedAugur struct {
	Engine *planner.Engine
	Store  *store.Store
	shards *shard.Manager
	sys    *actor.ActorSystem
	// Startup is how the open's time was spent.
	Startup embeddedStartup
}

// embeddedStartup is the breakdown of an open: the store's (Badger open, WAL
// replay, the checkpoint after it), the index shards' rebuild, the SQL engine.
type embeddedStartup struct {
	Recovery store.RecoveryStats
	Store    time.Duration // all of store.Open
	Rebuild  shard.RebuildStats
	Engine   time.Duration
}

// openEmbeddedAugur opens (or creates) a database in dir with the database
// "augur" owned by "augur". opts.NewCommitter, OnApply and OnApplyStart are
// set here.
func openEmbeddedAugur(ctx context.Context, dir string, opts store.Options) (*embeddedAugur, error) {
	e := &embeddedAugur{sys: walactor.NewSystem(zerolog.Nop())}
	var opened atomic.Pointer[store.Store]
	shards, err := shard.NewManager(shard.Options{
		System: e.sys,
		Horizon: func() uint64 {
			if st := opened.Load(); st != nil {
				return st.OldestSnapshot()
			}
			return 0
		},
		Log: zerolog.Nop(),
	})
	if err != nil {
		e.sys.Shutdown()
		return nil, fmt.Errorf("open embedded augur: start index shards: %w", err)
	}
	e.shards = shards
	opts.NewCommitter = walactor.New(e.sys, 0)
	opts.OnApply = shards.Defer
	opts.OnApplyStart = shards.StartFlush
	began := time.Now()
	if e.Store, e.Startup.Recovery, err = store.OpenWithStats(ctx, dir, opts, zerolog.Nop()); err != nil {
		e.Close(ctx)
		return nil, fmt.Errorf("open embedded augur: %w", err)
	}
	e.Startup.Store = time.Since(began)
	opened.Store(e.Store)
	if e.Startup.Rebuild, err = shards.Rebuild(ctx, e.Store); err != nil {
		e.Close(ctx)
		return nil, fmt.Errorf("open embedded augur: rebuild index shards: %w", err)
	}
	e.Store.SetIndex(shards)
	began = time.Now()
	if e.Engine, err = planner.NewEngine(ctx, e.Store, map[string]string{"augur": "augur"}); err != nil {
		e.Close(ctx)
		return nil, fmt.Errorf("open embedded augur: %w", err)
	}
	e.Startup.Engine = time.Since(began)
	e.Engine.Rows = func(tableID uint32) (int64, bool) {
		return int64(shards.KeyCount(tableID, catalog.PrimaryIndexID)), true
	}
	return e, nil
}

// Close closes the store (which checkpoints), the shards and the actor system.
func (e *embeddedAugur) Close(ctx context.Context) error {
	var err error
	if e.Store != nil {
		err = e.Store.Close(ctx)
	}
	if e.shards != nil {
		err = errors.Join(err, e.shards.Close())
	}
	e.sys.Shutdown()
	return err
}
