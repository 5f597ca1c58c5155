package integration

import "testing"

// TestSQLCoreErrors checks SQLSTATEs, messages, details and positions against what
// PostgreSQL 15 sends, and that the session goes on after each error.
func TestSQLCoreErrors(t *testing.T) {
	runSQLCases(t, errorCases)
}

var errorCases = []sqlCase{
	{name: "undefined objects", steps: []step{
		{sql: `CREATE TABLE t (a int, b text)`, tag: "CREATE TABLE"},
		{sql: `SELECT * FROM nosuch`, err: `42P01: relation "nosuch" does not exist`, pos: 15},
		{sql: `SELECT a FROM t JOIN nosuch ON true`, err: `42P01: relation "nosuch" does not exist`, pos: 22},
		{sql: `SELECT nosuch FROM t`, err: `42703: column "nosuch" does not exist`, pos: 8},
		{sql: `SELECT t.nosuch FROM t`, err: `42703: column t.nosuch does not exist`, pos: 8},
		{sql: `SELECT a FROM t WHERE c = 1`, err: `42703: column "c" does not exist`, pos: 23},
		{sql: `SELECT x.a FROM t`, err: `42P01: missing FROM-clause entry for table "x"`, pos: 8},
		{sql: `SELECT nosuchfn(a) FROM t`, err: `42883: function nosuchfn(integer) does not exist`, pos: 8},
		{sql: `SELECT upper(a) FROM t`, err: `42883: function upper(integer) does not exist`, pos: 8},
		{sql: `SELECT a + b FROM t`, err: `42883: operator does not exist: integer + text`, pos: 10},
		{sql: `SELECT 1`, rows: []string{"1"}},
	}},
	{name: "ambiguous column", steps: []step{
		{sql: `CREATE TABLE t (id int, a int)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE u (id int, b int)`, tag: "CREATE TABLE"},
		{sql: `SELECT id FROM t, u`, err: `42702: column reference "id" is ambiguous`, pos: 8},
		{sql: `SELECT a FROM t JOIN u ON id = b`, err: `42702: column reference "id" is ambiguous`, pos: 27},
		{sql: `SELECT id FROM t JOIN u USING (id)`, tag: "SELECT 0"},
		{sql: `SELECT t.id, u.id FROM t, u`, tag: "SELECT 0"},
	}},
	{name: "datatype mismatch", steps: []step{
		{sql: `CREATE TABLE t (a int, b text, c bool)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t (a) VALUES (true)`, err: `42804: column "a" is of type integer but expression is of type boolean`},
		{sql: `SELECT a FROM t WHERE a`, err: `42804: argument of WHERE must be type boolean, not type integer`},
		{sql: `SELECT CASE WHEN true THEN 1 ELSE 'x'::text END`, err: `42804: CASE types text and integer cannot be matched`, pos: 28},
		{sql: `SELECT 1 FROM t HAVING 1`, err: `42804: argument of HAVING must be type boolean, not type integer`},
	}},
	{name: "constraint violations", steps: []step{
		{sql: `CREATE TABLE t (a int PRIMARY KEY, b int NOT NULL, c int CHECK (c <> 0))`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1, 1, 1)`, tag: "INSERT 0 1"},
		{sql: `INSERT INTO t VALUES (1, 2, 2)`, err: `23505: duplicate key value violates unique constraint "t_pkey"`, detail: "Key (a)=(1) already exists."},
		{sql: `INSERT INTO t VALUES ($1, $2, $3)`, args: []any{1, 2, 2}, err: `23505: duplicate key value violates unique constraint "t_pkey"`, detail: "Key (a)=(1) already exists."},
		{sql: `INSERT INTO t VALUES (2, NULL, 2)`, err: `23502: null value in column "b" of relation "t" violates not-null constraint`, detail: "Failing row contains (2, null, 2)."},
		{sql: `INSERT INTO t VALUES (2, 2, 0)`, err: `23514: new row for relation "t" violates check constraint "t_c_check"`, detail: "Failing row contains (2, 2, 0)."},
		{sql: `SELECT count(*) FROM t`, rows: []string{"1"}},
	}},
	{name: "data exceptions", steps: []step{
		{sql: `SELECT 1 / 0`, err: `22012: division by zero`},
		{sql: `SELECT $1::int / $2::int`, args: []any{1, 0}, err: `22012: division by zero`},
		{sql: `SELECT 1.5 / 0.0`, err: `22012: division by zero`},
		{sql: `SELECT 2147483647 + 1`, err: `22003: integer out of range`},
		{sql: `SELECT 2147483647 * 2`, err: `22003: integer out of range`},
		{sql: `SELECT -32768::int2 * -1::int2`, err: `22003: smallint out of range`},
		{sql: `SELECT 3000000000::int4`, err: `22003: integer out of range`},
		{sql: `SELECT 'abc'::int`, err: `22P02: invalid input syntax for type integer: "abc"`, pos: 8},
		{sql: `SELECT 'x'::numeric`, err: `22P02: invalid input syntax for type numeric: "x"`, pos: 8},
		{sql: `SELECT 'maybe'::bool`, err: `22P02: invalid input syntax for type boolean: "maybe"`, pos: 8},
		{sql: `SELECT 'nope'::uuid`, err: `22P02: invalid input syntax for type uuid: "nope"`, pos: 8},
		{sql: `SELECT '{bad'::json`, err: `22P02: invalid input syntax for type json`, pos: 8},
		{sql: `SELECT '2024-13-01'::date`, err: `22008: date/time field value out of range: "2024-13-01"`, pos: 8},
		{sql: `SELECT 'soon'::date`, err: `22007: invalid input syntax for type date: "soon"`, pos: 8},
		{sql: `SELECT 2`, rows: []string{"2"}},
	}},
	{name: "duplicate objects", steps: []step{
		{sql: `CREATE TABLE t (a int)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE t (a int)`, err: `42P07: relation "t" already exists`},
		{sql: `CREATE INDEX t ON t (a)`, err: `42P07: relation "t" already exists`},
		{sql: `CREATE SEQUENCE t`, err: `42P07: relation "t" already exists`},
		{sql: `CREATE VIEW t AS SELECT 1`, err: `42P07: relation "t" already exists`},
		{sql: `CREATE INDEX i ON t (a)`, tag: "CREATE INDEX"},
		{sql: `CREATE TABLE i (a int)`, err: `42P07: relation "i" already exists`},
	}},
	{name: "syntax errors carry a position", steps: []step{
		{sql: `SELEC 1`, err: `42601: syntax error at or near "SELEC"`, pos: 1},
		{sql: `SELECT * FROM`, err: `42601: syntax error at end of input`, pos: 14},
		{sql: `SELECT 1 +`, err: `42601: syntax error at end of input`, pos: 11},
		{sql: `SELECT (1`, err: `42601: syntax error at end of input`, pos: 10},
		{sql: `SELECT 1 FROM t WHERE`, err: `42601: syntax error at end of input`, pos: 22},
		{sql: `CREATE TABLE t (a int,)`, err: `42601: syntax error at or near ")"`, pos: 23},
		{sql: `INSERT INTO t VALUES (1,,2)`, err: `42601: syntax error at or near ","`, pos: 25},
		{sql: `SELECT 'unterminated`, err: `42601: unterminated quoted string at or near "'unterminated"`, pos: 8},
		{sql: `SELECT 1 2`, err: `42601: syntax error at or near "2"`, pos: 10},
		{sql: `UPDATE t SET = 1`, err: `42601: syntax error at or near "="`, pos: 14},
		{sql: `SELECT a FROM t ORDER a`, err: `42601: syntax error at or near "a"`, pos: 23},
		{sql: `CREATE TABLE (a int)`, err: `42601: syntax error at or near "("`, pos: 14},
	}},
	{name: "error then the session goes on", steps: []step{
		{sql: `CREATE TABLE t (a int PRIMARY KEY)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t VALUES (1)`, tag: "INSERT 0 1"},
		{sql: `INSERT INTO t VALUES (1)`, err: `23505: duplicate key value violates unique constraint "t_pkey"`, detail: "Key (a)=(1) already exists."},
		{sql: `INSERT INTO t VALUES (2)`, tag: "INSERT 0 1"},
		{sql: `SELEC`, err: `42601: syntax error at or near "SELEC"`, pos: 1},
		{sql: `SELECT count(*) FROM t`, rows: []string{"2"}},
	}},
	{name: "position of a non-boolean WHERE or HAVING", bug: "42804 argument of WHERE/HAVING must be type boolean carries no position; PostgreSQL points at the expression", steps: []step{
		{sql: `CREATE TABLE t (a int)`, tag: "CREATE TABLE"},
		{sql: `SELECT a FROM t WHERE a`, err: `42804: argument of WHERE must be type boolean, not type integer`, pos: 23},
		{sql: `SELECT 1 FROM t HAVING 1`, err: `42804: argument of HAVING must be type boolean, not type integer`, pos: 24},
	}},
	{name: "syntax error in DELETE without FROM", bug: "DELETE t reports syntax error at end of input (position 9); PostgreSQL: at or near \"t\" (position 8)", steps: []step{
		{sql: `DELETE t`, err: `42601: syntax error at or near "t"`, pos: 8},
	}},
}
