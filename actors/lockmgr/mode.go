package lockmgr

import (
	"strconv"
	"strings"
)

// modeMask is a set of modes: bit m is Mode m.
type modeMask uint16

func (m Mode) bit() modeMask { return 1 << m }

// valid reports whether m is one of the twelve modes.
func (m Mode) valid() bool { return m >= AccessShare && m <= ForUpdate }

// slot is m's index among the modes of its set (table modes 0–7, row modes
// 0–3), so per-lock counters need room for eight modes, not twelve.
func (m Mode) slot() int {
	if m >= ForKeyShare {
		return int(m - ForKeyShare)
	}
	return int(m - AccessShare)
}

var modeNames = [...]string{
	AccessShare:          "AccessShareLock",
	RowShare:             "RowShareLock",
	RowExclusive:         "RowExclusiveLock",
	ShareUpdateExclusive: "ShareUpdateExclusiveLock",
	Share:                "ShareLock",
	ShareRowExclusive:    "ShareRowExclusiveLock",
	Exclusive:            "ExclusiveLock",
	AccessExclusive:      "AccessExclusiveLock",
	ForKeyShare:          "ForKeyShare",
	ForShare:             "ForShare",
	ForNoKeyUpdate:       "ForNoKeyUpdate",
	ForUpdate:            "ForUpdate",
}

// String returns PostgreSQL's name of the mode, as pg_locks shows table modes
// ("AccessShareLock", …) and the row-locking documentation names row modes
// ("ForKeyShare", …).
func (m Mode) String() string {
	if m.valid() {
		return modeNames[m]
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// conflictTable is PostgreSQL 15's "Conflicting Lock Modes" (table 13.2) and
// "Conflicting Row-Level Locks" (table 13.3): each mode with the modes it
// conflicts with. Both tables are symmetric; init checks that.
var conflictTable = map[Mode][]Mode{
	AccessShare:          {AccessExclusive},
	RowShare:             {Exclusive, AccessExclusive},
	RowExclusive:         {Share, ShareRowExclusive, Exclusive, AccessExclusive},
	ShareUpdateExclusive: {ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive},
	Share:                {RowExclusive, ShareUpdateExclusive, ShareRowExclusive, Exclusive, AccessExclusive},
	ShareRowExclusive:    {RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive},
	Exclusive:            {RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive},
	AccessExclusive:      {AccessShare, RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive},

	ForKeyShare:    {ForUpdate},
	ForShare:       {ForNoKeyUpdate, ForUpdate},
	ForNoKeyUpdate: {ForShare, ForNoKeyUpdate, ForUpdate},
	ForUpdate:      {ForKeyShare, ForShare, ForNoKeyUpdate, ForUpdate},
}

// conflictMasks[m] is the set of modes m conflicts with, derived from
// conflictTable once.
var conflictMasks = func() (masks [ForUpdate + 1]modeMask) {
	for m, others := range conflictTable {
		for _, o := range others {
			masks[m] |= o.bit()
		}
	}
	for a := AccessShare; a <= ForUpdate; a++ {
		for b := AccessShare; b <= ForUpdate; b++ {
			if (masks[a]&b.bit() != 0) != (masks[b]&a.bit() != 0) {
				panic("lockmgr: conflict table is not symmetric at " + a.String() + "/" + b.String())
			}
		}
	}
	return masks
}()

// Conflicts reports whether a lock in mode a held by one owner blocks a request
// for mode b by another. Table modes never conflict with row modes (they are
// never taken on the same tag).
func Conflicts(a, b Mode) bool {
	if !a.valid() || !b.valid() {
		return false
	}
	return conflictMasks[a]&b.bit() != 0
}

// AdvisoryKey is the Tag.Key of the advisory lock on one bigint key
// (pg_advisory_lock(bigint)).
func AdvisoryKey(key int64) string { return strconv.FormatInt(key, 10) }

// AdvisoryKey2 is the Tag.Key of the advisory lock on two int keys
// (pg_advisory_lock(int, int)). PostgreSQL keeps the two key spaces apart, so
// (0, 1) is not the same lock as 1; the comma keeps the strings apart.
func AdvisoryKey2(a, b int32) string {
	return strconv.FormatInt(int64(a), 10) + "," + strconv.FormatInt(int64(b), 10)
}

// describe names the object a tag locks, for the detail of a deadlock error.
func (t Tag) describe() string {
	switch t.Space {
	case SpaceRelation:
		return "relation " + strconv.FormatUint(uint64(t.Rel), 10) + " of database " + t.DB
	case SpaceRow:
		return "tuple (" + printableKey(t.Key) + ") of relation " + strconv.FormatUint(uint64(t.Rel), 10) + " of database " + t.DB
	case SpaceAdvisory:
		return "advisory lock [" + t.DB + "," + t.Key + "]"
	}
	return "object " + strconv.Quote(t.Key) + " in space " + strconv.Itoa(int(t.Space)) + " of database " + t.DB
}

// printableKey shows a key as itself when it is printable ASCII and in hex
// (\x…, as bytea prints) when it is an encoded binary key.
func printableKey(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			const hex = "0123456789abcdef"
			var b strings.Builder
			b.Grow(2 + 2*len(k))
			b.WriteString(`\x`)
			for j := 0; j < len(k); j++ {
				b.WriteByte(hex[k[j]>>4])
				b.WriteByte(hex[k[j]&0xf])
			}
			return b.String()
		}
	}
	return k
}
