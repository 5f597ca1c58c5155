package lockmgr

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

func relTag(rel uint32) Tag { return Tag{Space: SpaceRelation, DB: "augur", Rel: rel} }

func rowTag(rel uint32, key string) Tag {
	return Tag{Space: SpaceRow, DB: "augur", Rel: rel, Key: key}
}

func advTag(key int64) Tag {
	return Tag{Space: SpaceAdvisory, DB: "augur", Key: AdvisoryKey(key)}
}

var tableModes = []Mode{AccessShare, RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive}
var rowModes = []Mode{ForKeyShare, ForShare, ForNoKeyUpdate, ForUpdate}

// entries is the number of tags in the lock table.
func (m *Manager) entries() int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		for _, lk := range sh.locks {
			for ; lk != nil; lk = lk.next {
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// waiters is the number of requests waiting now.
func (m *Manager) waiters() int {
	m.waitMu.Lock()
	defer m.waitMu.Unlock()
	return len(m.waiting)
}

// checkInvariants verifies the lock table's bookkeeping under every shard's
// mutex. withOwners also checks the owners' lists, which only their own
// goroutines may read: pass it only when no request is in flight.
func (m *Manager) checkInvariants(withOwners bool) error {
	for i := range m.shards {
		m.shards[i].mu.Lock()
	}
	defer func() {
		for i := range m.shards {
			m.shards[i].mu.Unlock()
		}
	}()
	for i := range m.shards {
		sh := &m.shards[i]
		var all []*lock
		for h, head := range sh.locks {
			for lk := head; lk != nil; lk = lk.next {
				if lk.key != h {
					return fmt.Errorf("%v with key %x chained under %x", lk.tag, lk.key, h)
				}
				all = append(all, lk)
			}
		}
		seen := map[Tag]bool{}
		for _, lk := range all {
			tag := lk.tag
			if seen[tag] {
				return fmt.Errorf("%v twice in the table", tag)
			}
			seen[tag] = true
			if h, s := m.hash(&tag); s != sh || h != lk.key || &m.shards[lk.shard] != sh {
				return fmt.Errorf("%v in the wrong shard or with the wrong hash", tag)
			}
			nw := 0
			if lk.wait != nil {
				nw = len(lk.wait.waiters)
				if nw == 0 {
					return fmt.Errorf("%v: empty wait state kept", tag)
				}
			}
			if len(lk.holders) == 0 && nw == 0 {
				return fmt.Errorf("%v: unused lock kept in the table", tag)
			}
			var granted [8]uint32
			var mask modeMask
			for j, h := range lk.holders {
				if h.lk != lk || int(h.lidx) != j {
					return fmt.Errorf("%v: holder %d has lk/lidx wrong", tag, j)
				}
				var hm modeMask
				gs := append([]grant{h.first}, h.rest()...)
				for _, g := range gs {
					if g.n == 0 {
						return fmt.Errorf("%v: pid %d has an empty grant %+v", tag, h.owner.PID, gs)
					}
					hm |= g.mode.bit()
				}
				if hm != h.mask {
					return fmt.Errorf("%v: pid %d mask %b, grants say %b", tag, h.owner.PID, h.mask, hm)
				}
				for md := AccessShare; md <= ForUpdate; md++ {
					if hm&md.bit() != 0 {
						granted[md.slot()]++
						mask |= md.bit()
					}
				}
				for _, h2 := range lk.holders[j+1:] {
					if h2.owner == h.owner {
						return fmt.Errorf("%v: pid %d has two holdings", tag, h.owner.PID)
					}
					for a := AccessShare; a <= ForUpdate; a++ {
						for b := AccessShare; b <= ForUpdate; b++ {
							if h.mask&a.bit() != 0 && h2.mask&b.bit() != 0 && Conflicts(a, b) {
								return fmt.Errorf("%v: pid %d holds %v and pid %d holds %v", tag, h.owner.PID, a, h2.owner.PID, b)
							}
						}
					}
				}
				if withOwners {
					o := h.owner
					if int(h.oidx) >= len(o.held) || o.held[h.oidx] != h {
						return fmt.Errorf("%v: pid %d's list does not have the holding at %d", tag, o.PID, h.oidx)
					}
				}
			}
			if granted != lk.granted || mask != lk.mask {
				return fmt.Errorf("%v: granted %v mask %b, holders say %v %b", tag, lk.granted, lk.mask, granted, mask)
			}
		}
	}
	return nil
}

func mustInvariants(t *testing.T, m *Manager) {
	t.Helper()
	if err := m.checkInvariants(true); err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls cond, yielding, until it holds. The minute is a guard
// against a hang, not a measurement.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for i := 0; !cond(); i++ {
		if i > 1000 {
			time.Sleep(100 * time.Microsecond)
		} else {
			runtime.Gosched()
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

// waitUntilBlocked waits until the owner with pid waits for a lock.
func waitUntilBlocked(t *testing.T, m *Manager, pid uint32) {
	t.Helper()
	waitUntil(t, fmt.Sprintf("pid %d waits", pid), func() bool { return m.BlockingPIDs(pid) != nil })
}
