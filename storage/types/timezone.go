package types

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names resolve on hosts without a zoneinfo database

	"github.com/augurdb/augur/storage/pgerr"
	"github.com/jackc/pgerrcode"
)

// Zone is a time zone named in AT TIME ZONE, timezone(), date_trunc's and
// make_timestamptz's zone argument. Sessions run in UTC; a Zone converts between
// UTC instants (timestamptz) and the zone's wall-clock times (timestamp).
type Zone struct {
	loc *time.Location
}

func zoneNotRecognized(name string) error {
	return pgerr.New(pgerrcode.InvalidParameterValue, "time zone \"%s\" not recognized", name)
}

// LookupZone resolves a time zone as PostgreSQL does for AT TIME ZONE: an
// abbreviation (EST: a fixed offset), a zone name of the tz database (any case:
// america/new_york), or a POSIX-style offset, whose sign is west of Greenwich:
// '+05:00' and 'UTC+5' are five hours behind UTC.
func LookupZone(name string) (Zone, error) {
	if tok, ok := zoneAbbrevs[strings.ToLower(name)]; ok {
		return Zone{time.FixedZone(name, tok.val)}, nil
	}
	if off, ok := posixOffset(name); ok {
		return Zone{time.FixedZone(name, off)}, nil
	}
	if loc, ok := loadZone(name); ok {
		return Zone{loc}, nil
	}
	return Zone{}, zoneNotRecognized(name)
}

// posixOffset reads [+-]hh[:mm[:ss]], a POSIX TZ offset without a name
// (positive west of Greenwich), and returns seconds east of UTC.
func posixOffset(rest string) (int, bool) {
	if rest == "" {
		return 0, false
	}
	sign := 1
	switch rest[0] {
	case '+':
		rest = rest[1:]
	case '-':
		sign, rest = -1, rest[1:]
	}
	fields := strings.Split(rest, ":")
	if len(fields) > 3 {
		return 0, false
	}
	secs := 0
	for k, f := range fields {
		if f == "" || len(f) > 2 && k > 0 {
			return 0, false
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return 0, false
		}
		secs += v * []int{3600, 60, 1}[k]
	}
	if secs > 24*3600 {
		return 0, false
	}
	return -sign * secs, true
}

// IntervalZone is the fixed zone of AT TIME ZONE INTERVAL '...': its offset is
// east of UTC (ISO 8601 sign).
func IntervalZone(iv Interval) (Zone, error) {
	if iv.Months != 0 || iv.Days != 0 {
		return Zone{}, pgerr.New(pgerrcode.InvalidParameterValue, "interval time zone \"%s\" must not include months or days",
			string(AppendInterval(nil, iv)))
	}
	return Zone{time.FixedZone("", int(iv.Micros/usecsPerSec))}, nil
}

// Local is the wall-clock time in z of the instant utc (timestamptz AT TIME ZONE
// z). Infinities stay as they are.
func (z Zone) Local(utc int64) (int64, error) {
	if !Timestamp(utc).IsFinite() {
		return utc, nil
	}
	t := Timestamp(utc).Time().In(z.loc)
	_, off := t.Zone()
	v, ok := addInt64(utc, int64(off)*usecsPerSec)
	if !ok || !validTimestamp(v) {
		return 0, ErrTimestampOutOfRange()
	}
	return v, nil
}

// UTC is the instant at which the wall clock of z shows local (timestamp AT TIME
// ZONE z).
func (z Zone) UTC(local int64) (int64, error) {
	if !Timestamp(local).IsFinite() {
		return local, nil
	}
	t := Timestamp(local).Time()
	// The offsets in force a day before and a day after (no zone changes its
	// offset twice in two days): an ambiguous local time (the hour repeated when
	// daylight saving time ends) takes the later offset, a skipped one the
	// earlier, as PostgreSQL's DetermineTimeZoneOffset does.
	_, before := t.Add(-24 * time.Hour).In(z.loc).Zone()
	_, after := t.Add(24 * time.Hour).In(z.loc).Zone()
	off := before
	for _, o := range []int{after, before} {
		if _, at := t.Add(-time.Duration(o) * time.Second).In(z.loc).Zone(); at == o {
			off = o
			break
		}
	}
	v, ok := addInt64(local, -int64(off)*usecsPerSec)
	if !ok || !validTimestamp(v) {
		return 0, ErrTimestampOutOfRange()
	}
	return v, nil
}
