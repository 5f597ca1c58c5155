package catalog

import (
	"context"
	"sync/atomic"
)

// Catalog publishes the committed Schema and serializes DDL transactions.
type Catalog struct {
	cur     atomic.Pointer[Schema]
	version atomic.Uint64
	ddl     chan struct{} // a token: held by the one transaction running DDL
}

// New returns a catalog whose committed schema is s.
func New(s *Schema) *Catalog {
	c := &Catalog{ddl: make(chan struct{}, 1)}
	c.version.Store(s.Version)
	c.cur.Store(s)
	return c
}

// Current returns the committed schema.
func (c *Catalog) Current() *Schema { return c.cur.Load() }

// LockDDL takes the DDL lock, waiting until ctx ends. The holder is the only
// transaction that may change the schema until UnlockDDL.
func (c *Catalog) LockDDL(ctx context.Context) error {
	select {
	case c.ddl <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// UnlockDDL releases the DDL lock.
func (c *Catalog) UnlockDDL() { <-c.ddl }

// Publish makes s (a changed copy of the current schema, committed to the store)
// the current schema. The caller holds the DDL lock.
func (c *Catalog) Publish(s *Schema) { c.cur.Store(s) }

// Changed gives s (a private copy being changed) a new version, so plans bound
// against an earlier version are re-planned.
func (c *Catalog) Changed(s *Schema) { s.Version = c.version.Add(1) }
