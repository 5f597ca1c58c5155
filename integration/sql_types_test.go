package integration

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestSQLCoreTypes stores and reads back every supported type, in text form over both
// protocols and with typed parameters over the extended one.
func TestSQLCoreTypes(t *testing.T) {
	runSQLCases(t, typeCases)
}

var typeCases = []sqlCase{
	{name: "integers and bool", steps: []step{
		{sql: `CREATE TABLE t (id int PRIMARY KEY, b bool, s int2, i int4, l int8)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, true, -32768, -2147483648, -9223372036854775808), (2, false, 32767, 2147483647, 9223372036854775807), (3, NULL, NULL, NULL, NULL)`, tag: "INSERT 0 3"},
		{sql: `INSERT INTO t VALUES ($1, $2, $3, $4, $5)`, args: []any{4, true, int16(7), int32(-8), int64(1) << 40}, tag: "INSERT 0 1"},
		{sql: `SELECT * FROM t ORDER BY id`, rows: []string{"1|t|-32768|-2147483648|-9223372036854775808", "2|f|32767|2147483647|9223372036854775807", "3|NULL|NULL|NULL|NULL", "4|t|7|-8|1099511627776"}},
		{sql: `SELECT id FROM t WHERE l = $1`, args: []any{int64(1) << 40}, rows: []string{"4"}},
		{sql: `SELECT id FROM t WHERE b ORDER BY id`, rows: []string{"1", "4"}},
		{sql: `SELECT s + 1::int2 FROM t WHERE id = 2`, err: `22003: smallint out of range`},
		{sql: `SELECT l + 1 FROM t WHERE id = 2`, err: `22003: bigint out of range`},
		{sql: `SELECT i::int8 + 1, s::int4 * 2 FROM t WHERE id = 2`, rows: []string{"2147483648|65534"}},
		{sql: `SELECT pg_typeof(s + s), pg_typeof(s + i), pg_typeof(i + l), pg_typeof(i * 1.5) FROM t WHERE id = 4`, rows: []string{"smallint|integer|bigint|numeric"}, tag: "SELECT 1"},
	}},
	{name: "floats and numeric", steps: []step{
		{sql: `CREATE TABLE t (id int PRIMARY KEY, r float4, d float8, n numeric, p numeric(10, 3))`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, 1.5, 0.1, 123456789012345678901234567890.123456789, 1.2345), (2, -0.25, 1e300, -0.000001, -9999999.9994), (3, 'NaN', 'Infinity', 'NaN', 0)`, tag: "INSERT 0 3"},
		{sql: `INSERT INTO t VALUES ($1, $2, $3, $4, $5)`, args: []any{4, float32(2.5), 3.25, "12.50", "7"}, tag: "INSERT 0 1"},
		{sql: `SELECT * FROM t ORDER BY id`, rows: []string{"1|1.5|0.1|123456789012345678901234567890.123456789|1.235", "2|-0.25|1e+300|-0.000001|-9999999.999", "3|NaN|Infinity|NaN|0.000", "4|2.5|3.25|12.50|7.000"}},
		{sql: `SELECT d * 10, n + 1, p * 2 FROM t WHERE id = 1`, rows: []string{"1|123456789012345678901234567891.123456789|2.470"}},
		{sql: `SELECT 0.1::float8 + 0.2::float8, 0.1 + 0.2, 1 / 3.0, 10::numeric / 4`, rows: []string{"0.30000000000000004|0.3|0.33333333333333333333|2.5000000000000000"}},
		{sql: `SELECT round(2.5), round(-2.5), round(2.5::float8), trunc(2.7), floor(-2.5), ceil(2.1)`, rows: []string{"3|-3|2|2|-3|3"}},
		{sql: `INSERT INTO t (id, p) VALUES (9, 12345678.9)`, err: `22003: numeric field overflow`},
		{sql: `SELECT 1e308::float8 * 10`, err: `22003: value out of range: overflow`},
	}},
	{name: "text types", steps: []step{
		{sql: `CREATE TABLE t (id int PRIMARY KEY, t text, v varchar(5), c char(4))`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, 'it''s', 'abc', 'ab'), (2, '', '', ''), (3, 'ünï', 'ünïcö', 'ü'), (4, NULL, NULL, NULL)`, tag: "INSERT 0 4"},
		{sql: `INSERT INTO t VALUES ($1, $2, $3, $4)`, args: []any{5, "tab\there", "x", "yz"}, tag: "INSERT 0 1"},
		{sql: `SELECT id, t, v, c, length(c), octet_length(t) FROM t ORDER BY id`, rows: []string{"1|it's|abc|ab  |2|4", "2|||    |0|0", "3|ünï|ünïcö|ü   |1|5", "4|NULL|NULL|NULL|NULL|NULL", "5|tab\there|x|yz  |2|8"}},
		{sql: `SELECT id FROM t WHERE c = 'ab' AND v = 'abc'`, rows: []string{"1"}},
		{sql: `SELECT id FROM t WHERE t = '' ORDER BY id`, rows: []string{"2"}},
		{sql: `SELECT t || v, v || 1 FROM t WHERE id = 1`, rows: []string{"it'sabc|abc1"}},
		{sql: `INSERT INTO t (id, v) VALUES (6, 'abcdef')`, err: `22001: value too long for type character varying(5)`},
		{sql: `INSERT INTO t (id, c) VALUES (6, 'abcde')`, err: `22001: value too long for type character(4)`},
		{sql: `INSERT INTO t (id, v, c) VALUES (6, 'abc  ', 'abc  ')`, tag: "INSERT 0 1"},
		{sql: `SELECT 'abcdef'::varchar(3), 'ab'::char(3)`, rows: []string{"abc|ab "}},
	}},
	{name: "bytea", steps: []step{
		{sql: `CREATE TABLE t (id int PRIMARY KEY, b bytea)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, '\xdeadbeef'), (2, ''), (3, 'abc'), (4, NULL)`, tag: "INSERT 0 4"},
		{sql: `INSERT INTO t VALUES ($1, $2)`, args: []any{5, []byte{0, 1, 255}}, tag: "INSERT 0 1"},
		{sql: `SELECT id, b, length(b) FROM t ORDER BY id`, rows: []string{`1|\xdeadbeef|4`, `2|\x|0`, `3|\x616263|3`, "4|NULL|NULL", `5|\x0001ff|3`}},
		{sql: `SELECT id FROM t WHERE b = '\x616263'::bytea`, rows: []string{"3"}},
		{sql: `SELECT id FROM t WHERE b = $1`, args: []any{[]byte{0, 1, 255}}, rows: []string{"5"}},
		{sql: `SELECT '\xzz'::bytea`, err: `22023: invalid hexadecimal digit: "z"`},
	}},
	{name: "date and time", steps: []step{
		{sql: `SET TimeZone = 'UTC'`, tag: "SET"},
		{sql: `CREATE TABLE t (id int PRIMARY KEY, d date, tm time, ts timestamp, tz timestamptz, iv interval)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, '2024-02-29', '13:45:07.25', '2024-02-29 13:45:07.123456', '2024-02-29 13:45:07+02', '1 day 02:03:04'), (2, '1999-12-31', '00:00', '2000-01-01', '2000-01-01 00:00:00Z', '-3 months'), (3, NULL, NULL, NULL, NULL, NULL)`, tag: "INSERT 0 3"},
		{sql: `INSERT INTO t VALUES ($1, $2, NULL, $3, $4, NULL)`, args: []any{4, time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 7, 1, 8, 30, 0, 0, time.UTC), time.Date(2023, 7, 1, 8, 30, 0, 0, time.FixedZone("x", 3600))}, tag: "INSERT 0 1"},
		{sql: `SELECT * FROM t ORDER BY id`, rows: []string{
			"1|2024-02-29|13:45:07.25|2024-02-29 13:45:07.123456|2024-02-29 11:45:07+00|1 day 02:03:04",
			"2|1999-12-31|00:00:00|2000-01-01 00:00:00|2000-01-01 00:00:00+00|-3 mons",
			"3|NULL|NULL|NULL|NULL|NULL",
			"4|2023-07-01|NULL|2023-07-01 08:30:00|2023-07-01 07:30:00+00|NULL"}},
		{sql: `SELECT id FROM t WHERE ts > '2020-01-01' AND tz < now() AND d <= $1 ORDER BY id`, args: []any{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}, rows: []string{"1", "4"}},
		{sql: `SELECT id FROM t WHERE iv < '1 day' ORDER BY id`, rows: []string{"2"}},
		{sql: `SELECT count(*) FROM t WHERE tz = '2024-02-29 14:45:07+03'`, rows: []string{"1"}},
		{sql: `SELECT max(d), min(ts), max(tm) FROM t`, rows: []string{"2024-02-29|2000-01-01 00:00:00|13:45:07.25"}},
	}},
	{name: "date and time arithmetic", steps: []step{
		{sql: `SET TimeZone = 'UTC'`, tag: "SET"},
		{sql: `SELECT '2024-02-29'::date + 1, '2024-02-29'::date - '2024-01-01'::date, '2024-02-29 13:45:07'::timestamp + '1 day 02:03:04'::interval, '2024-02-29 13:45:07+02'::timestamptz - interval '1 hour'`, rows: []string{"2024-03-01|59|2024-03-01 15:48:11|2024-02-29 10:45:07+00"}},
		{sql: `SELECT date '2024-01-31' + interval '1 month', interval '90 minutes', '2024-03-10 12:00'::timestamp - '2024-03-09'::timestamp`, rows: []string{"2024-02-29 00:00:00|01:30:00|1 day 12:00:00"}},
	}},
	{name: "uuid and json", steps: []step{
		{sql: `CREATE TABLE t (id uuid PRIMARY KEY, j json, jb jsonb)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1, "a": [1, 2]}', '{"b": 1, "a": [1, 2]}'), ('{00000000-0000-0000-0000-000000000001}', 'null', '"s"')`, tag: "INSERT 0 2"},
		{sql: `INSERT INTO t VALUES ($1, $2, $3)`, args: []any{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", `[1, "x"]`, `{"k": {"n": null}}`}, tag: "INSERT 0 1"},
		{sql: `SELECT * FROM t ORDER BY id`, rows: []string{
			`00000000-0000-0000-0000-000000000001|null|"s"`,
			`6ba7b810-9dad-11d1-80b4-00c04fd430c8|[1, "x"]|{"k": {"n": null}}`,
			`a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{"b": 1, "a": [1, 2]}|{"a": [1, 2], "b": 1}`}},
		{sql: `SELECT j::text, jb::text FROM t WHERE id = $1`, args: []any{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, rows: []string{`{"b": 1, "a": [1, 2]}|{"a": [1, 2], "b": 1}`}},
		{sql: `SELECT count(*) FROM t WHERE jb = '{"a":[1,2],"b":1}'::jsonb`, rows: []string{"1"}},
		{sql: `INSERT INTO t VALUES ('6ba7b810-9dad-11d1-80b4-00c04fd430c8', NULL, NULL)`, err: `23505: duplicate key value violates unique constraint "t_pkey"`, detail: "Key (id)=(6ba7b810-9dad-11d1-80b4-00c04fd430c8) already exists."},
	}},
	{name: "timestamptz follows the session time zone", bug: "SET TimeZone = 'America/New_York' does not change how timestamptz is read or shown (still +00)", steps: []step{
		{sql: `SET TimeZone = 'America/New_York'`, tag: "SET"},
		{sql: `SELECT '2024-02-29 11:45:07+00'::timestamptz`, rows: []string{"2024-02-29 06:45:07-05"}},
		{sql: `SELECT '2024-07-01 12:00'::timestamptz`, rows: []string{"2024-07-01 12:00:00-04"}},
	}},
	{name: "char padding is not significant", steps: []step{
		{sql: `SELECT 'ab'::char(3) || '|', length('ab '::char(3)), 'ab'::char(3) = 'ab  '::char(4)`, rows: []string{"ab||2|t"}},
	}},
	{name: "json operators", steps: []step{
		{sql: `SELECT '{"a": [1, 2], "b": 1}'::jsonb -> 'a', '{"a": [1, 2], "b": 1}'::jsonb ->> 'b', '{"a": [1, 2]}'::json -> 'a' -> 1`, rows: []string{"[1, 2]|1|2"}},
	}},
}

// TestSQLCoreBinaryResults reads every type in binary format, the extended protocol's
// default in pgx, and scans it into Go values.
func TestSQLCoreBinaryResults(t *testing.T) {
	for _, tg := range sqlTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c := sqlConnect(t, ctx, tg.url)
			if _, err := c.Exec(ctx, `CREATE TABLE bin (b bool, s int2, i int4, l int8, r float4, d float8, n numeric, t text, v varchar(4), ch char(3),
				by bytea, dt date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)`); err != nil {
				t.Fatal(err)
			}
			defer c.Exec(context.Background(), `DROP TABLE bin`)
			_, err := c.Exec(ctx, `INSERT INTO bin VALUES (true, -2, 40000, 5000000000, 1.25, -2.5, 12.345, 'txt', 'vc', 'ab',
				'\x0102', '2024-02-29', '10:11:12.5', '2024-02-29 10:11:12', '2024-02-29 10:11:12+00', '1 day 2 hours', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a":1}', '{"b": [true]}')`)
			if err != nil {
				t.Fatal(err)
			}
			var (
				b      bool
				s      int16
				i      int32
				l      int64
				r      float32
				d      float64
				n      pgtype.Numeric
				txt, v string
				ch     string
				by     []byte
				dt     time.Time
				tm     pgtype.Time
				ts, tz time.Time
				iv     pgtype.Interval
				u      pgtype.UUID
				j, jb  map[string]any
			)
			rows, err := c.Query(ctx, `SELECT * FROM bin`, pgx.QueryResultFormats{pgx.BinaryFormatCode})
			if err != nil {
				t.Fatal(err)
			}
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			for i, fd := range rows.FieldDescriptions() {
				if fd.Format != pgx.BinaryFormatCode {
					t.Fatalf("column %d format %d", i, fd.Format)
				}
			}
			if err := rows.Scan(&b, &s, &i, &l, &r, &d, &n, &txt, &v, &ch, &by, &dt, &tm, &ts, &tz, &iv, &u, &j, &jb); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if !b || s != -2 || i != 40000 || l != 5000000000 || r != 1.25 || d != -2.5 {
				t.Errorf("numbers: %v %v %v %v %v %v", b, s, i, l, r, d)
			}
			if n.Int.Cmp(big.NewInt(12345)) != 0 || n.Exp != -3 {
				t.Errorf("numeric: %v e%d", n.Int, n.Exp)
			}
			if txt != "txt" || v != "vc" || ch != "ab " || string(by) != "\x01\x02" {
				t.Errorf("strings: %q %q %q %q", txt, v, ch, by)
			}
			if !dt.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) || tm.Microseconds != (10*3600+11*60+12)*1e6+5e5 {
				t.Errorf("date, time: %v %v", dt, tm)
			}
			if !ts.Equal(time.Date(2024, 2, 29, 10, 11, 12, 0, time.UTC)) || !tz.Equal(time.Date(2024, 2, 29, 10, 11, 12, 0, time.UTC)) {
				t.Errorf("timestamps: %v %v", ts, tz)
			}
			if iv.Days != 1 || iv.Microseconds != 2*3600*1e6 || iv.Months != 0 {
				t.Errorf("interval: %+v", iv)
			}
			if u.Bytes != [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11} {
				t.Errorf("uuid: %x", u.Bytes)
			}
			if j["a"] != float64(1) || len(jb["b"].([]any)) != 1 {
				t.Errorf("json: %v %v", j, jb)
			}
		})
	}
}
