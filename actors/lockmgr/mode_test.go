package lockmgr

import (
	"strings"
	"testing"
)

// The matrices as PostgreSQL 15's documentation draws them (explicit-locking,
// tables 13.2 and 13.3): row = requested mode, column = held mode, X = conflict.
const (
	tableMatrix = `
                     AS RS RE SUE S SRE E AE
AccessShare          .  .  .  .   . .   . X
RowShare             .  .  .  .   . .   X X
RowExclusive         .  .  .  .   X X   X X
ShareUpdateExclusive .  .  .  X   X X   X X
Share                .  .  X  X   . X   X X
ShareRowExclusive    .  .  X  X   X X   X X
Exclusive            .  X  X  X   X X   X X
AccessExclusive      X  X  X  X   X X   X X
`
	rowMatrix = `
               FKS FS FNKU FU
ForKeyShare    .   .  .    X
ForShare       .   .  X    X
ForNoKeyUpdate .   X  X    X
ForUpdate      X   X  X    X
`
)

// parseMatrix returns want[requested][held] from a drawn matrix.
func parseMatrix(t *testing.T, drawn string, modes []Mode) map[[2]Mode]bool {
	t.Helper()
	want := map[[2]Mode]bool{}
	lines := strings.Split(strings.TrimSpace(drawn), "\n")[1:]
	if len(lines) != len(modes) {
		t.Fatalf("matrix has %d rows, want %d", len(lines), len(modes))
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != len(modes)+1 {
			t.Fatalf("matrix row %q: %d cells", line, len(f)-1)
		}
		if f[0] != strings.TrimSuffix(modes[i].String(), "Lock") {
			t.Fatalf("matrix row %d is %s, want %s", i, f[0], modes[i])
		}
		for j, cell := range f[1:] {
			want[[2]Mode{modes[i], modes[j]}] = cell == "X"
		}
	}
	return want
}

func TestConflicts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		drawn string
		modes []Mode
	}{
		{"table", tableMatrix, tableModes},
		{"row", rowMatrix, rowModes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := parseMatrix(t, tc.drawn, tc.modes)
			for pair, conflict := range want {
				if got := Conflicts(pair[0], pair[1]); got != conflict {
					t.Errorf("Conflicts(%v, %v) = %v, want %v", pair[0], pair[1], got, conflict)
				}
			}
		})
	}
	t.Run("table and row modes never meet", func(t *testing.T) {
		for _, a := range tableModes {
			for _, b := range rowModes {
				if Conflicts(a, b) || Conflicts(b, a) {
					t.Errorf("%v and %v conflict", a, b)
				}
			}
		}
	})
	t.Run("invalid modes", func(t *testing.T) {
		for _, m := range []Mode{0, ForUpdate + 1, 255} {
			if Conflicts(m, AccessExclusive) || Conflicts(ForUpdate, m) {
				t.Errorf("invalid mode %d conflicts", m)
			}
		}
	})
}

func TestModeString(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		want string
	}{
		{AccessShare, "AccessShareLock"},
		{RowShare, "RowShareLock"},
		{RowExclusive, "RowExclusiveLock"},
		{ShareUpdateExclusive, "ShareUpdateExclusiveLock"},
		{Share, "ShareLock"},
		{ShareRowExclusive, "ShareRowExclusiveLock"},
		{Exclusive, "ExclusiveLock"},
		{AccessExclusive, "AccessExclusiveLock"},
		{ForKeyShare, "ForKeyShare"},
		{ForShare, "ForShare"},
		{ForNoKeyUpdate, "ForNoKeyUpdate"},
		{ForUpdate, "ForUpdate"},
		{0, "Mode(0)"},
		{13, "Mode(13)"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("Mode(%d).String() = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestAdvisoryKeys(t *testing.T) {
	keys := map[string]string{}
	for _, tc := range []struct {
		name, key string
	}{
		{"int8 0", AdvisoryKey(0)},
		{"int8 1", AdvisoryKey(1)},
		{"int8 -1", AdvisoryKey(-1)},
		{"int8 1<<32", AdvisoryKey(1 << 32)},
		{"int4 0,1", AdvisoryKey2(0, 1)},
		{"int4 1,0", AdvisoryKey2(1, 0)},
		{"int4 0,-1", AdvisoryKey2(0, -1)},
		{"int4 1,1", AdvisoryKey2(1, 1)},
	} {
		if other, dup := keys[tc.key]; dup {
			t.Errorf("%s and %s share the key %q", tc.name, other, tc.key)
		}
		keys[tc.key] = tc.name
	}
	// The same key from two sessions is one lock; the two key spaces are not.
	m := New()
	a, b := m.NewOwner(1), m.NewOwner(2)
	tag := func(key string) Tag { return Tag{Space: SpaceAdvisory, DB: "augur", Key: key} }
	if ok, err := m.Acquire(bg, a, Request{Tag: tag(AdvisoryKey(1)), Mode: Exclusive, Session: true}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := m.Acquire(bg, b, Request{Tag: tag(AdvisoryKey(1)), Mode: Exclusive, Session: true, Wait: NoWait}); err != ErrWouldBlock {
		t.Errorf("the same bigint key from another owner: %v, want ErrWouldBlock", err)
	}
	if ok, err := m.Acquire(bg, b, Request{Tag: tag(AdvisoryKey2(0, 1)), Mode: Exclusive, Session: true, Wait: NoWait}); !ok || err != nil {
		t.Errorf("the (0, 1) int pair while bigint 1 is held: %v, %v", ok, err)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		tag  Tag
		want string
	}{
		{relTag(16384), "relation 16384 of database augur"},
		{rowTag(16384, "k1"), "tuple (k1) of relation 16384 of database augur"},
		{rowTag(7, "\x01\xff"), `tuple (\x01ff) of relation 7 of database augur`},
		{advTag(42), "advisory lock [augur,42]"},
		{Tag{Space: SpaceAdvisory, DB: "d", Key: AdvisoryKey2(1, 2)}, "advisory lock [d,1,2]"},
	} {
		if got := tc.tag.describe(); got != tc.want {
			t.Errorf("describe(%+v) = %q, want %q", tc.tag, got, tc.want)
		}
	}
}
