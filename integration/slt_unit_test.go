// Unit tests of the sqllogictest parser, renderer, hasher and ratchet, without a
// server. The MD5 sums below were computed with md5sum(1), not with sltHash.

package integration

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSLTParse(t *testing.T) {
	text := strings.Join([]string{
		"# a comment",
		"hash-threshold 4",
		"",
		"statement ok\r", // CRLF line ends
		"CREATE TABLE t1(a INTEGER,\r",
		"  b TEXT)\r",
		"\r",
		"   ", // whitespace-only lines separate records too
		"skipif mysql # a comment after the engine",
		"onlyif postgresql",
		"statement error",
		"INSERT INTO t1 VALUES(1, 'x'); DROP TABLE t1;",
		"",
		"query IT rowsort label-1",
		"SELECT a, b",
		"# comments inside a record are dropped",
		"  FROM t1",
		"----",
		"1",
		"x",
		"",
		"",
		"query I nosort",
		"SELECT a FROM t1 WHERE a > 5",
		"",
		"query R",
		"SELECT 1.5",
		"----",
		"1.500",
		"",
		"onlyif sqlite",
		"query T valuesort",
		"SELECT 'a'",
		"----",
		"a",
		"",
		"skipif postgresql",
		"halt",
		"",
		"halt",
	}, "\n")
	got, err := parseSLT(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []sltRecord{
		{line: 2, kind: sltHashThreshold, threshold: 4},
		{line: 4, kind: sltStatement, sql: "CREATE TABLE t1(a INTEGER,\n  b TEXT)"},
		{line: 9, kind: sltStatement, conds: []sltCond{{true, "mysql"}, {false, "postgresql"}}, wantError: true,
			sql: "INSERT INTO t1 VALUES(1, 'x'); DROP TABLE t1;"},
		{line: 14, kind: sltQuery, types: "IT", sort: sltRowSort, label: "label-1", sql: "SELECT a, b\n  FROM t1",
			hasResults: true, expected: []string{"1", "x"}},
		{line: 23, kind: sltQuery, types: "I", sort: sltNoSort, sql: "SELECT a FROM t1 WHERE a > 5"},
		{line: 26, kind: sltQuery, types: "R", sql: "SELECT 1.5", hasResults: true, expected: []string{"1.500"}},
		{line: 31, kind: sltQuery, conds: []sltCond{{false, "sqlite"}}, types: "T", sort: sltValueSort, sql: "SELECT 'a'",
			hasResults: true, expected: []string{"a"}},
		{line: 37, kind: sltHalt, conds: []sltCond{{true, "postgresql"}}},
		{line: 40, kind: sltHalt},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.line != w.line || g.kind != w.kind || !slices.Equal(g.conds, w.conds) || g.sql != w.sql || g.wantError != w.wantError ||
			g.types != w.types || g.sort != w.sort || g.label != w.label || g.hasResults != w.hasResults ||
			!slices.Equal(g.expected, w.expected) || g.threshold != w.threshold {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	applies := []bool{true, true, true, true, true, true, false, false, true}
	for i, r := range got {
		if r.applies(sltEngine) != applies[i] {
			t.Errorf("record %d (line %d): applies = %v, want %v", i, r.line, !applies[i], applies[i])
		}
	}
}

func TestSLTParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, err string }{
		{"statement maybe\nSELECT 1", "want statement ok or statement error"},
		{"statement ok", "statement without SQL"},
		{"query IX\nSELECT 1", "column types"},
		{"query\nSELECT 1", "column types"},
		{"query I sideways\nSELECT 1", "unknown sort mode"},
		{"query I\n----\n1", "query without SQL"},
		{"skipif\nstatement ok\nSELECT 1", "without an engine name"},
		{"skipif mysql\nonlyif sqlite", "conditions without a statement or query"},
		{"hash-threshold many", "bad hash-threshold"},
		{"hash-threshold 8\nstatement ok", "unexpected line after hash-threshold"},
		{"halt\nSELECT 1", "unexpected line after halt"},
		{"select 1", "unknown record"},
	} {
		_, err := parseSLT(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("parseSLT(%q) = %v, want an error containing %q", tc.text, err, tc.err)
		}
	}
}

func TestSLTRender(t *testing.T) {
	for _, tc := range []struct {
		typ  byte
		v    []byte // nil is NULL
		want string
	}{
		{'I', nil, "NULL"},
		{'T', nil, "NULL"},
		{'R', nil, "NULL"},
		{'I', []byte("42"), "42"},
		{'I', []byte("-7"), "-7"},
		{'I', []byte("-7.9"), "-7"},       // reals truncate toward zero
		{'I', []byte("12.5000000"), "12"}, // numeric
		{'I', []byte("1e3"), "1000"},
		{'I', []byte("9223372036854775807"), "9223372036854775807"},
		{'I', []byte("1e30"), "9223372036854775807"},
		{'I', []byte("abc"), "0"}, // non-numeric text is 0, as sqlite3_column_int
		{'I', []byte("12abc"), "12"},
		{'I', []byte(" -3 apples"), "-3"},
		{'I', []byte(""), "0"},
		{'I', []byte("NaN"), "0"},
		{'R', []byte("1.25"), "1.250"},
		{'R', []byte("2"), "2.000"},
		{'R', []byte("-0.5"), "-0.500"},
		{'R', []byte("0"), "0.000"},
		{'R', []byte("0.0005"), "0.001"}, // 0.000500000000000000010408… rounds up
		{'R', []byte("99.9995"), "99.999"},
		{'R', []byte("2.0005"), "2.001"},
		{'R', []byte("99.9996"), "100.000"},
		{'R', []byte("-0.0001"), "-0.000"},
		{'R', []byte("123456789012.3456"), "123456789012.346"},
		// At most 16 significant digits, as SQLite's printf (slt_lang_aggfunc.test).
		{'R', []byte("-9223372036854775808"), "-9223372036854776000.000"},
		{'R', []byte("-18446744073709551616"), "-18446744073709550000.000"},
		{'R', []byte("12345678901234567890"), "12345678901234570000.000"},
		{'R', []byte("abc"), "0.000"},
		{'R', []byte("3.5kg"), "3.500"},
		{'T', []byte("hello world"), "hello world"},
		{'T', []byte(""), "(empty)"},
		{'T', []byte("a\tb\x7f"), "a@b@"},
		{'T', []byte("h\xc3\xa9"), "h@@"}, // every byte outside 0x20–0x7e
		{'T', []byte("42"), "42"},
	} {
		if got := sltRender(tc.typ, tc.v); got != tc.want {
			t.Errorf("sltRender(%c, %q) = %q, want %q", tc.typ, tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    []byte
		want string
	}{{[]byte("t"), "1"}, {[]byte("f"), "0"}, {nil, "NULL"}} {
		if got := sltRender('I', sltBoolValue(tc.v)); got != tc.want {
			t.Errorf("boolean %q rendered as I = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestSLTSortAndHash(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		ncols  int
		mode   sltSortMode
		want   []string
	}{
		{"nosort", []string{"b", "a", "c"}, 1, sltNoSort, []string{"b", "a", "c"}},
		{"valuesort compares strings", []string{"10", "9", "100", "NULL", "2"}, 1, sltValueSort, []string{"10", "100", "2", "9", "NULL"}},
		{"valuesort ignores rows", []string{"3", "1", "2", "0"}, 2, sltValueSort, []string{"0", "1", "2", "3"}},
		{"rowsort column by column", []string{"9", "a", "10", "b", "10", "a"}, 2, sltRowSort, []string{"10", "a", "10", "b", "9", "a"}},
		// By columns, not by concatenation: "1"+"0b" < "10"+"a" as strings, but "1" < "10".
		{"rowsort is not concatenation", []string{"10", "a", "1", "0b"}, 2, sltRowSort, []string{"1", "0b", "10", "a"}},
		{"rowsort single column", []string{"b", "NULL", "a"}, 1, sltRowSort, []string{"NULL", "a", "b"}},
	} {
		got := slices.Clone(tc.values)
		sltSort(got, tc.ncols, tc.mode)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, "d41d8cd98f00b204e9800998ecf8427e"},
		{[]string{"1", "a", "2", "b", "3", "c"}, "c84f8aeceada6a51da4b3bb1000ecc8b"},
		{[]string{"10", "100", "2", "9", "NULL"}, "7c6f6f202309680055727f0e6d4a5bcc"},
	} {
		if got := sltHash(tc.values); got != tc.want {
			t.Errorf("sltHash(%q) = %s, want %s", tc.values, got, tc.want)
		}
	}
	nine := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}
	for _, tc := range []struct {
		values    []string
		threshold int
		want      []string
	}{
		{nine[:8], 8, nine[:8]},
		{nine, 8, []string{"9 values hashing to 22e400a2ddbb013acf2a5852d6ab69fc"}},
		{nine, 0, nine}, // 0 turns hashing off
		{nine, 9, nine},
		{nil, 8, nil},
	} {
		if got := sltOutput(tc.values, tc.threshold); !slices.Equal(got, tc.want) {
			t.Errorf("sltOutput(%d values, %d) = %q, want %q", len(tc.values), tc.threshold, got, tc.want)
		}
	}
}

// TestSLTCheckQuery runs the queries of a small .test text against canned results,
// the way TestSQLLogic does against a server.
func TestSLTCheckQuery(t *testing.T) {
	text := `hash-threshold 4

query IT rowsort
SELECT a, b FROM t
----
6 values hashing to c84f8aeceada6a51da4b3bb1000ecc8b

query I valuesort
SELECT x FROM u
----
5 values hashing to 7c6f6f202309680055727f0e6d4a5bcc

query IR nosort
SELECT 1, 2.5
----
1
2.500

query T
SELECT 'nothing' WHERE false
`
	records, err := parseSLT(text)
	if err != nil {
		t.Fatal(err)
	}
	threshold := records[0].threshold
	q1, q2, q3, q4 := &records[1], &records[2], &records[3], &records[4]
	for _, tc := range []struct {
		name string
		rec  *sltRecord
		out  sltOutcome
		pass bool
	}{
		{"rowsort hashed", q1, sltOutcome{ncols: 2, values: []string{"3", "c", "1", "a", "2", "b"}}, true},
		{"rowsort hashed, wrong order kept", q1, sltOutcome{ncols: 2, values: []string{"3", "a", "1", "c", "2", "b"}}, false},
		{"rowsort hashed, a row missing", q1, sltOutcome{ncols: 2, values: []string{"3", "c", "1", "a"}}, false},
		{"valuesort hashed", q2, sltOutcome{ncols: 1, values: []string{"9", "NULL", "100", "2", "10"}}, true},
		{"nosort", q3, sltOutcome{ncols: 2, values: []string{"1", "2.500"}}, true},
		{"wrong column count", q3, sltOutcome{ncols: 3, values: nil}, false},
		{"error", q3, sltOutcome{err: errors.New("boom")}, false},
		{"empty result", q4, sltOutcome{ncols: 1}, true},
		{"empty result wanted", q4, sltOutcome{ncols: 1, values: []string{"(empty)"}}, false},
		{"no row description", q4, sltOutcome{ncols: 0}, false},
	} {
		_, why := sltCheckQuery(tc.rec, tc.out, threshold)
		if (why == "") != tc.pass {
			t.Errorf("%s: pass = %v (%s), want %v", tc.name, why == "", why, tc.pass)
		}
	}
}

func TestSLTRatchet(t *testing.T) {
	old := map[string]int{"a.test": 10, "b.test": 20, "c.test": 30}
	results := []sltFileResult{{path: "a.test", passed: 15}, {path: "b.test", passed: 5}, {path: "d.test", passed: 1}}
	for _, tc := range []struct {
		lower bool
		want  map[string]int
	}{
		{false, map[string]int{"a.test": 15, "b.test": 20, "c.test": 30, "d.test": 1}},
		{true, map[string]int{"a.test": 15, "b.test": 5, "c.test": 30, "d.test": 1}},
	} {
		if got := sltNextRatchet(old, results, tc.lower); !maps.Equal(got, tc.want) {
			t.Errorf("lower=%v: got %v, want %v", tc.lower, got, tc.want)
		}
	}
	if old["a.test"] != 10 {
		t.Error("sltNextRatchet changed its input")
	}

	path := filepath.Join(t.TempDir(), "sub", "ratchet.txt")
	if m, err := sltReadRatchet(path); err != nil || len(m) != 0 {
		t.Fatalf("missing ratchet file: %v, %v", m, err)
	}
	if err := sltWriteRatchet(path, old); err != nil {
		t.Fatal(err)
	}
	if m, err := sltReadRatchet(path); err != nil || !maps.Equal(m, old) {
		t.Fatalf("read back %v, %v; want %v", m, err, old)
	}

	table := sltTable([]sltFileResult{{path: "x.test", run: 4, passed: 3, elapsed: time.Second}, {path: "y.test"}})
	for _, want := range []string{"x.test", "75.0%", "total", " 4 ", " 3 "} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
