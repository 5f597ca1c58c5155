package integration

import "testing"

// TestSQLCoreExplain checks the structure of EXPLAIN and EXPLAIN ANALYZE output: which
// scans and joins are chosen, not their costs.
func TestSQLCoreExplain(t *testing.T) {
	runSQLCases(t, explainCases)
}

var explainCases = []sqlCase{
	{name: "explain", steps: []step{
		// t has 1,000 rows with primary key id and index t_a on a (10 rows per
		// value); u has 1,000 rows referring to t by tid.
		{sql: `CREATE TABLE digits (v int)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)`, tag: "INSERT 0 10"},
		{sql: `CREATE TABLE t (id int PRIMARY KEY, a int, b text)`, tag: "CREATE TABLE"},
		{sql: `CREATE INDEX t_a ON t (a)`, tag: "CREATE INDEX"},
		{sql: `CREATE TABLE u (id int PRIMARY KEY, tid int)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO t SELECT d1.v * 100 + d2.v * 10 + d3.v, d2.v * 10 + d3.v, 'b' || d1.v FROM digits d1, digits d2, digits d3`, tag: "INSERT 0 1000"},
		{sql: `INSERT INTO u SELECT id, 999 - id FROM t`, tag: "INSERT 0 1000"},
		{sql: `ANALYZE`, tag: "ANALYZE", onlyOn: "postgres"}, // Augur's estimates come from its index shards

		{sql: `EXPLAIN SELECT * FROM t WHERE id = 1`, tag: "EXPLAIN", contains: []string{"Index Scan using t_pkey on t", "Index Cond: (id = 1)", "cost="}},
		{sql: `EXPLAIN SELECT * FROM t WHERE id = $1`, args: []any{42}, tag: "EXPLAIN", contains: []string{"Index Scan using t_pkey on t", "Index Cond: (id = "}},
		{sql: `EXPLAIN SELECT b FROM t WHERE a = 7`, tag: "EXPLAIN", contains: []string{"Index Scan", "t_a", "Index Cond: (a = 7)"}, excludes: []string{"Seq Scan"}},
		{sql: `EXPLAIN SELECT * FROM t WHERE id BETWEEN 10 AND 12`, tag: "EXPLAIN", contains: []string{"t_pkey", "Index Cond: ", "(id >= 10)", "(id <= 12)"}, excludes: []string{"Seq Scan"}},
		{sql: `EXPLAIN SELECT * FROM t WHERE id >= 990 AND id < 995`, tag: "EXPLAIN", contains: []string{"t_pkey", "Index Cond: ", "(id >= 990)", "(id < 995)"}, excludes: []string{"Seq Scan"}},
		{sql: `EXPLAIN SELECT * FROM t WHERE b = 'b1'`, tag: "EXPLAIN", contains: []string{"Seq Scan on t", "Filter: (b = 'b1'"}},
		// Neither side of the join has an index on its key.
		{sql: `EXPLAIN SELECT * FROM u JOIN u AS v ON v.tid = u.tid + 1`, tag: "EXPLAIN", contains: []string{"Hash Join", "Hash Cond: ", "tid", "Seq Scan on u", "Seq Scan on u v"}},
		{sql: `EXPLAIN SELECT a, count(*) FROM t GROUP BY a`, tag: "EXPLAIN", contains: []string{"Aggregate", "Seq Scan on t"}},
		{sql: `EXPLAIN SELECT * FROM t ORDER BY b`, tag: "EXPLAIN", contains: []string{"Sort", "Seq Scan on t"}},
		{sql: `EXPLAIN (COSTS OFF) SELECT * FROM t WHERE id = 1`, tag: "EXPLAIN", contains: []string{"Index Scan using t_pkey on t"}, excludes: []string{"cost="}},

		{sql: `EXPLAIN ANALYZE SELECT * FROM t WHERE id = 1`, tag: "EXPLAIN", contains: []string{"Index Scan using t_pkey on t", "actual time=", "rows=1 loops=1", "Execution Time:"}},
		{sql: `EXPLAIN ANALYZE SELECT * FROM t WHERE a = 7`, tag: "EXPLAIN", contains: []string{"t_a", "rows=10 loops=1"}},
		{sql: `EXPLAIN ANALYZE SELECT count(*) FROM t JOIN u ON u.tid = t.id WHERE t.b = 'b3'`, tag: "EXPLAIN", contains: []string{"Aggregate", "actual time=", "rows=100 loops=1"}},
		// EXPLAIN alone does not run the statement; EXPLAIN ANALYZE does.
		{sql: `EXPLAIN INSERT INTO t VALUES (-1, 0, 'x')`, tag: "EXPLAIN", contains: []string{"Insert on t"}},
		{sql: `SELECT count(*) FROM t WHERE id = -1`, rows: []string{"0"}},
		{sql: `EXPLAIN ANALYZE INSERT INTO t VALUES (-1, 0, 'x')`, tag: "EXPLAIN", contains: []string{"Insert on t", "actual time="}},
		{sql: `SELECT count(*) FROM t WHERE id = -1`, rows: []string{"1"}},
		{sql: `EXPLAIN ANALYZE DELETE FROM t WHERE id = -1`, tag: "EXPLAIN", contains: []string{"Delete on t", "actual time="}},
		{sql: `SELECT count(*) FROM t WHERE id = -1`, rows: []string{"0"}},
		{sql: `EXPLAIN SELECT * FROM nosuch`, err: `42P01: relation "nosuch" does not exist`, pos: 23},
		// A one-row table still updates through its primary key: a scan would step
		// over every version of the row (pgbench's branches at scale 1).
		{sql: `CREATE TABLE one (id int PRIMARY KEY, v int)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO one VALUES (1, 0)`, tag: "INSERT 0 1"},
		{sql: `EXPLAIN UPDATE one SET v = v + 1 WHERE id = 1`, tag: "EXPLAIN", contains: []string{"Update on one", "Index Scan using one_pkey on one", "Index Cond: (id = 1)"}},
	}},
}
