package catalog

import (
	"math"
	"testing"
	"time"
)

func TestRoleExpires(t *testing.T) {
	ts := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		v    *int64
		want time.Time
		ok   bool
	}{
		{nil, time.Time{}, false},
		{ts(math.MaxInt64), time.Time{}, false},
		{ts(math.MinInt64), time.Unix(0, 0).UTC(), true},
		{ts(0), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{ts(86400e6 + 1), time.Date(2000, 1, 2, 0, 0, 0, 1000, time.UTC), true},
		{ts(-1e6), time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), true},
		// Past the range of time.Duration from 2000.
		{ts(400 * 366 * 86400e6), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 400*366), true},
	} {
		got, ok := (&Role{ValidUntil: c.v}).Expires()
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("Expires(%v) = %v, %v; want %v, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

func TestIsMember(t *testing.T) {
	s := &Schema{Roles: map[string]*Role{
		"a": {ID: 1, Name: "a"},
		"b": {ID: 2, Name: "b", MemberOf: []Membership{{Role: 1}}},
		"c": {ID: 3, Name: "c", MemberOf: []Membership{{Role: 2}}},
		// a cycle must not loop
		"x": {ID: 4, Name: "x", MemberOf: []Membership{{Role: 5}}},
		"y": {ID: 5, Name: "y", MemberOf: []Membership{{Role: 4}}},
	}}
	for _, c := range []struct {
		member, role uint32
		want         bool
	}{
		{3, 1, true}, {3, 2, true}, {2, 1, true}, {1, 2, false}, {1, 1, true}, {4, 1, false}, {4, 5, true},
	} {
		if got := s.IsMember(c.member, c.role); got != c.want {
			t.Errorf("IsMember(%d, %d) = %v", c.member, c.role, got)
		}
	}
}
