package integration

import "testing"

// TestSQLCoreQuery covers SELECT: joins, grouping, aggregates, DISTINCT, ORDER BY,
// LIMIT/OFFSET, set operations and subqueries.
func TestSQLCoreQuery(t *testing.T) {
	runSQLCases(t, queryCases)
}

// withFixture prefixes steps with the creation of two small tables:
//
//	dept(id, name): 1 eng, 2 ops, 3 sales, 4 empty
//	emp(id, name, dept, salary, boss, active): eight people, one without a department
func withFixture(steps ...step) []step {
	fixture := []step{
		{sql: `CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE emp (id int PRIMARY KEY, name text NOT NULL, dept int, salary numeric(8,2), boss int, active bool DEFAULT true)`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'sales'), (4, 'empty')`, tag: "INSERT 0 4"},
		{sql: `INSERT INTO emp VALUES
			(1, 'ada', 1, 300.00, NULL, true),
			(2, 'bob', 1, 200.00, 1, true),
			(3, 'cyd', 1, 200.00, 1, false),
			(4, 'dan', 2, 150.00, 1, true),
			(5, 'eve', 2, 120.50, 4, true),
			(6, 'fay', 3, 100.00, 1, false),
			(7, 'gus', NULL, 90.00, 6, true),
			(8, 'hal', 3, NULL, 6, true)`, tag: "INSERT 0 8"},
	}
	return append(fixture, steps...)
}

var queryCases = []sqlCase{
	{name: "select basics", steps: withFixture(
		step{sql: `SELECT 1, 'a', NULL, 2.50, true`, rows: []string{"1|a|NULL|2.50|t"}},
		step{sql: `SELECT id, name FROM emp WHERE id = 3`, rows: []string{"3|cyd"}},
		step{sql: `SELECT id, name FROM emp WHERE id = $1`, args: []any{5}, rows: []string{"5|eve"}},
		step{sql: `SELECT name FROM emp WHERE salary > $1 AND active ORDER BY name`, args: []any{150}, rows: []string{"ada", "bob"}},
		step{sql: `SELECT name FROM emp WHERE dept IS NULL OR salary IS NULL ORDER BY id`, rows: []string{"gus", "hal"}},
		step{sql: `SELECT name FROM emp WHERE name LIKE '_a%' ORDER BY 1`, rows: []string{"dan", "fay", "hal"}},
		step{sql: `SELECT name FROM emp WHERE id BETWEEN 2 AND 4 AND name <> 'cyd' ORDER BY id`, rows: []string{"bob", "dan"}},
		step{sql: `SELECT name FROM emp WHERE id IN (1, 3, 99) ORDER BY id`, rows: []string{"ada", "cyd"}},
		step{sql: `SELECT e.name AS who, e.salary * 2 AS twice FROM emp e WHERE e.id = 1`, rows: []string{"ada|600.00"}},
		step{sql: `SELECT * FROM dept WHERE id = 99`, tag: "SELECT 0"},
		step{sql: `SELECT count(*) FROM emp WHERE salary > 100 AND NOT active`, rows: []string{"1"}},
		step{sql: `SELECT name, CASE WHEN salary >= 200 THEN 'high' WHEN salary IS NULL THEN 'unknown' ELSE 'low' END FROM emp WHERE id IN (1, 5, 8) ORDER BY id`, rows: []string{"ada|high", "eve|low", "hal|unknown"}},
		step{sql: `SELECT coalesce(dept, -1), coalesce(salary, 0) FROM emp WHERE id = 7`, rows: []string{"-1|90.00"}},
		step{sql: `SELECT count(*), sum(id), 1, id + 1, upper('x'), e.name, CASE WHEN true THEN 1 END, id::text, (SELECT 1), id AS "Renamed", 'lit' FROM emp e WHERE id = 1 GROUP BY id, e.name`,
			cols: "count|sum|?column?|?column?|upper|name|case|id|?column?|Renamed|?column?", rows: []string{"1|1|1|2|X|ada|1|1|1|1|lit"}},
		step{sql: "SELECT 1 AS one -- a comment\n, /* another */ 2 AS two;", cols: "one|two", rows: []string{"1|2"}},
		step{sql: `WITH rich AS (SELECT * FROM emp WHERE salary >= 200) SELECT count(*) FROM rich WHERE active`, rows: []string{"2"}},
	)},
	{name: "inner joins", steps: withFixture(
		step{sql: `SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept = d.id ORDER BY e.id`, rows: []string{"ada|eng", "bob|eng", "cyd|eng", "dan|ops", "eve|ops", "fay|sales", "hal|sales"}},
		step{sql: `SELECT e.name, d.name FROM emp e, dept d WHERE e.dept = d.id AND d.name = $1 ORDER BY e.id`, args: []any{"ops"}, rows: []string{"dan|ops", "eve|ops"}},
		step{sql: `SELECT e.name, b.name FROM emp e INNER JOIN emp b ON e.boss = b.id WHERE b.name = 'fay' ORDER BY 1`, rows: []string{"gus|fay", "hal|fay"}},
		step{sql: `SELECT count(*) FROM emp e JOIN dept d ON e.dept = d.id AND e.salary > 150`, rows: []string{"3"}},
		step{sql: `SELECT e.name, d.name, b.name FROM emp e JOIN dept d ON d.id = e.dept JOIN emp b ON b.id = e.boss WHERE e.id IN (2, 5) ORDER BY e.id`, rows: []string{"bob|eng|ada", "eve|ops|dan"}},
		step{sql: `SELECT e.name FROM emp e JOIN dept d ON e.dept < d.id WHERE d.id = 2 ORDER BY e.id`, rows: []string{"ada", "bob", "cyd"}},
	)},
	{name: "outer joins", steps: withFixture(
		step{sql: `SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept = d.id AND e.salary >= 200 ORDER BY d.id, e.id`, rows: []string{"eng|ada", "eng|bob", "eng|cyd", "ops|NULL", "sales|NULL", "empty|NULL"}},
		step{sql: `SELECT e.name, d.name FROM emp e LEFT OUTER JOIN dept d ON e.dept = d.id WHERE d.id IS NULL`, rows: []string{"gus|NULL"}},
		step{sql: `SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept = d.id WHERE e.id IS NULL OR e.id = 1 ORDER BY d.id`, rows: []string{"ada|eng", "NULL|empty"}},
		step{sql: `SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.name ORDER BY d.name`, rows: []string{"empty|0", "eng|3", "ops|2", "sales|2"}},
	)},
	{name: "cross join using natural", steps: withFixture(
		step{sql: `SELECT count(*) FROM emp CROSS JOIN dept`, rows: []string{"32"}},
		step{sql: `SELECT d1.id, d2.id FROM dept d1 CROSS JOIN dept d2 WHERE d1.id < 3 AND d2.id > 3 ORDER BY 1`, rows: []string{"1|4", "2|4"}},
		step{sql: `CREATE TABLE loc (dept int, city text)`, tag: "CREATE TABLE"},
		step{sql: `INSERT INTO loc VALUES (1, 'oslo'), (2, 'rome'), (9, 'nowhere')`, tag: "INSERT 0 3"},
		step{sql: `SELECT dept, name, city FROM emp JOIN loc USING (dept) WHERE salary >= 150 ORDER BY name`, rows: []string{"1|ada|oslo", "1|bob|oslo", "1|cyd|oslo", "2|dan|rome"}},
		step{sql: `SELECT * FROM loc LEFT JOIN emp USING (dept) WHERE emp.id IS NULL`, rows: []string{"9|nowhere|NULL|NULL|NULL|NULL|NULL"}},
		step{sql: `CREATE TABLE boss (boss int, title text)`, tag: "CREATE TABLE"},
		step{sql: `INSERT INTO boss VALUES (1, 'ceo'), (6, 'lead')`, tag: "INSERT 0 2"},
		step{sql: `SELECT name, title FROM emp NATURAL JOIN boss WHERE dept IS NOT NULL ORDER BY id`, rows: []string{"bob|ceo", "cyd|ceo", "dan|ceo", "fay|ceo", "hal|lead"}},
		step{sql: `SELECT * FROM boss NATURAL JOIN boss b2 ORDER BY 1`, rows: []string{"1|ceo", "6|lead"}},
	)},
	{name: "group by and having", steps: withFixture(
		step{sql: `SELECT dept, count(*), sum(salary), min(salary), max(salary) FROM emp GROUP BY dept ORDER BY dept`, rows: []string{"1|3|700.00|200.00|300.00", "2|2|270.50|120.50|150.00", "3|2|100.00|100.00|100.00", "NULL|1|90.00|90.00|90.00"}},
		step{sql: `SELECT dept, count(*) AS n FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY n DESC, dept`, rows: []string{"1|3", "2|2", "3|2"}},
		step{sql: `SELECT dept, avg(salary) FROM emp WHERE dept IS NOT NULL GROUP BY 1 HAVING sum(salary) > $1 ORDER BY 1`, args: []any{200}, rows: []string{"1|233.3333333333333333", "2|135.2500000000000000"}},
		step{sql: `SELECT active, count(*) FROM emp GROUP BY active ORDER BY active`, rows: []string{"f|2", "t|6"}},
		step{sql: `SELECT d.name, count(*) FROM emp e JOIN dept d ON d.id = e.dept GROUP BY d.name HAVING max(e.salary) < 200 ORDER BY 1`, rows: []string{"ops|2", "sales|2"}},
		step{sql: `SELECT dept % 2, count(*) FROM emp WHERE dept IS NOT NULL GROUP BY dept % 2 ORDER BY 1`, rows: []string{"0|2", "1|5"}},
		step{sql: `SELECT count(*) FROM emp HAVING count(*) > 100`, tag: "SELECT 0"},
		step{sql: `SELECT dept AS d, count(*) FROM emp GROUP BY d ORDER BY d`, rows: []string{"1|3", "2|2", "3|2", "NULL|1"}},
		step{sql: `SELECT name, count(*) FROM emp`, err: `42803: column "emp.name" must appear in the GROUP BY clause or be used in an aggregate function`, pos: 8},
		step{sql: `SELECT dept FROM emp GROUP BY dept HAVING salary > 1`, err: `42803: column "emp.salary" must appear in the GROUP BY clause or be used in an aggregate function`},
	)},
	{name: "aggregates", steps: withFixture(
		step{sql: `SELECT count(*), count(salary), count(dept), sum(salary), min(name), max(name) FROM emp`, rows: []string{"8|7|7|1160.50|ada|hal"}},
		step{sql: `SELECT avg(salary), avg(id), sum(id), avg(id::float8) FROM emp`, rows: []string{"165.7857142857142857|4.5000000000000000|36|4.5"}},
		step{sql: `SELECT count(DISTINCT salary), sum(DISTINCT salary), count(DISTINCT dept), count(DISTINCT boss) FROM emp`, rows: []string{"6|960.50|3|3"}},
		step{sql: `SELECT count(*), sum(salary), avg(salary), min(id), max(id) FROM emp WHERE id < 0`, rows: []string{"0|NULL|NULL|NULL|NULL"}},
		step{sql: `SELECT max(salary) - min(salary), sum(salary) / count(salary) FROM emp WHERE dept = 2`, rows: []string{"29.50|135.2500000000000000"}},
		step{sql: `SELECT sum(id::int8 * 1000000000000) FROM emp`, rows: []string{"36000000000000"}},
		step{sql: `SELECT sum(name) FROM emp`, err: `42883: function sum(text) does not exist`, pos: 8},
	)},
	{name: "distinct", steps: withFixture(
		step{sql: `SELECT DISTINCT dept FROM emp ORDER BY dept`, rows: []string{"1", "2", "3", "NULL"}},
		step{sql: `SELECT DISTINCT salary, active FROM emp WHERE dept = 1 ORDER BY salary, active`, rows: []string{"200.00|f", "200.00|t", "300.00|t"}},
		step{sql: `SELECT DISTINCT boss FROM emp WHERE boss IS NOT NULL`, rows: []string{"1", "4", "6"}, unordered: true},
		step{sql: `SELECT count(*) FROM (SELECT DISTINCT active FROM emp) x`, rows: []string{"2"}},
	)},
	{name: "order by", steps: withFixture(
		step{sql: `SELECT name, salary FROM emp ORDER BY salary, name`, rows: []string{"gus|90.00", "fay|100.00", "eve|120.50", "dan|150.00", "bob|200.00", "cyd|200.00", "ada|300.00", "hal|NULL"}},
		step{sql: `SELECT name FROM emp ORDER BY salary DESC, name`, rows: []string{"hal", "ada", "bob", "cyd", "dan", "eve", "fay", "gus"}},
		step{sql: `SELECT name, salary * 2 AS s2 FROM emp WHERE salary >= 150 ORDER BY s2 DESC, 1`, rows: []string{"ada|600.00", "bob|400.00", "cyd|400.00", "dan|300.00"}},
		step{sql: `SELECT name AS n FROM emp WHERE dept = 1 ORDER BY n DESC`, rows: []string{"cyd", "bob", "ada"}},
		step{sql: `SELECT name FROM emp ORDER BY 1 DESC`, rows: []string{"hal", "gus", "fay", "eve", "dan", "cyd", "bob", "ada"}},
		step{sql: `SELECT name FROM emp ORDER BY length(name) + id DESC, name`, rows: []string{"hal", "gus", "fay", "eve", "dan", "cyd", "bob", "ada"}},
		step{sql: `SELECT name FROM emp WHERE dept = 1 ORDER BY -id`, rows: []string{"cyd", "bob", "ada"}},
		step{sql: `SELECT name FROM emp WHERE dept = 2 ORDER BY salary + $1`, args: []any{1}, rows: []string{"eve", "dan"}},
		step{sql: `SELECT id FROM emp WHERE id > 4 ORDER BY id DESC`, rows: []string{"8", "7", "6", "5"}},
		step{sql: `SELECT e.name FROM emp e JOIN dept d ON d.id = e.dept ORDER BY d.name DESC, e.name`, rows: []string{"fay", "hal", "dan", "eve", "ada", "bob", "cyd"}},
		step{sql: `SELECT dept, count(*) FROM emp GROUP BY dept ORDER BY count(*) DESC, dept`, rows: []string{"1|3", "2|2", "3|2", "NULL|1"}},
		step{sql: `SELECT name FROM emp ORDER BY 3`, err: `42P10: ORDER BY position 3 is not in select list`},
		step{sql: `SELECT name FROM emp ORDER BY nope`, err: `42703: column "nope" does not exist`, pos: 31},
	)},
	{name: "set operations", steps: withFixture(
		step{sql: `SELECT dept FROM emp WHERE dept IS NOT NULL UNION SELECT id FROM dept ORDER BY 1`, rows: []string{"1", "2", "3", "4"}},
		step{sql: `SELECT dept FROM emp WHERE dept = 2 UNION ALL SELECT id FROM dept WHERE id = 2`, rows: []string{"2", "2", "2"}},
		step{sql: `SELECT id FROM dept INTERSECT SELECT dept FROM emp ORDER BY 1`, rows: []string{"1", "2", "3"}},
		step{sql: `SELECT boss FROM emp INTERSECT ALL SELECT boss FROM emp WHERE id > 3 ORDER BY 1`, rows: []string{"1", "1", "4", "6", "6"}},
		step{sql: `SELECT id FROM dept EXCEPT SELECT dept FROM emp`, rows: []string{"4"}},
		step{sql: `SELECT boss FROM emp WHERE boss IS NOT NULL EXCEPT ALL SELECT id FROM emp WHERE id IN (1, 6) ORDER BY 1`, rows: []string{"1", "1", "1", "4", "6"}},
		step{sql: `SELECT name FROM dept UNION SELECT name FROM emp WHERE id < 3 ORDER BY name DESC`, rows: []string{"sales", "ops", "eng", "empty", "bob", "ada"}},
		step{sql: `SELECT 1, 'a' UNION SELECT 2`, err: `42601: each UNION query must have the same number of columns`},
	)},
	{name: "subqueries", steps: withFixture(
		step{sql: `SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp)`, rows: []string{"ada"}},
		step{sql: `SELECT name, (SELECT name FROM dept WHERE id = emp.dept) FROM emp WHERE id IN (1, 7) ORDER BY id`, rows: []string{"ada|eng", "gus|NULL"}},
		step{sql: `SELECT name FROM emp WHERE dept IN (SELECT id FROM dept WHERE name LIKE 's%') ORDER BY id`, rows: []string{"fay", "hal"}},
		step{sql: `SELECT name FROM dept WHERE id NOT IN (SELECT dept FROM emp WHERE dept IS NOT NULL)`, rows: []string{"empty"}},
		step{sql: `SELECT count(*) FROM dept WHERE id NOT IN (SELECT dept FROM emp)`, rows: []string{"0"}},
		step{sql: `SELECT d.name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id AND NOT e.active) ORDER BY 1`, rows: []string{"eng", "sales"}},
		step{sql: `SELECT d.name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept = d.id)`, rows: []string{"empty"}},
		step{sql: `SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept = 2) ORDER BY id`, rows: []string{"ada", "bob", "cyd"}},
		step{sql: `SELECT name FROM emp WHERE salary < ANY (SELECT salary FROM emp WHERE dept = 3) ORDER BY id`, rows: []string{"gus"}},
		step{sql: `SELECT e.name FROM emp e WHERE e.salary > (SELECT avg(salary) FROM emp x WHERE x.dept = e.dept) ORDER BY 1`, rows: []string{"ada", "dan"}},
		step{sql: `SELECT x.dept, x.total FROM (SELECT dept, sum(salary) AS total FROM emp GROUP BY dept) AS x WHERE x.total > 200 ORDER BY 1`, rows: []string{"1|700.00", "2|270.50"}},
		step{sql: `SELECT t.n, d.name FROM (SELECT dept AS n FROM emp WHERE id = $1) t JOIN dept d ON d.id = t.n`, args: []any{4}, rows: []string{"2|ops"}},
		step{sql: `SELECT (SELECT count(*) FROM emp) + (SELECT count(*) FROM dept)`, rows: []string{"12"}},
		step{sql: `SELECT name FROM emp WHERE salary = (SELECT salary FROM emp WHERE dept = 1)`, err: `21000: more than one row returned by a subquery used as an expression`},
		step{sql: `SELECT (SELECT 1 WHERE false) IS NULL`, rows: []string{"t"}},
		step{sql: `SELECT name FROM emp WHERE id IN (SELECT id, name FROM dept)`, err: `42601: subquery has too many columns`},
		step{sql: `SELECT * FROM (SELECT 1 AS a) AS s, (SELECT 2 AS b) AS u WHERE s.a < u.b`, rows: []string{"1|2"}},
	)},
	{name: "expressions and functions", steps: []step{
		{sql: `SELECT 7 / 2, 7 % 3, -7 / 2, 7.0 / 2, 2 ^ 10, abs(-3), round(2.567, 2), 10 - 2 * 3`, rows: []string{"3|1|-3|3.5000000000000000|1024|3|2.57|4"}},
		{sql: `SELECT 'ab' || 'cd', length('héllo'), upper('x'), lower('Y'), substr('abcdef', 2, 3), position('c' in 'abc'), trim('  x  '), replace('aXa', 'X', 'b')`, rows: []string{"abcd|5|X|y|bcd|3|x|aba"}},
		{sql: `SELECT NULL = NULL, NULL IS NULL, 1 IS DISTINCT FROM NULL, true AND NULL, false AND NULL, true OR NULL`, rows: []string{"NULL|t|t|NULL|f|t"}},
		{sql: `SELECT 1::text || $1::text, $2::int * 2, $3::bool`, args: []any{"x", 21, true}, rows: []string{"1x|42|t"}},
		{sql: `SELECT coalesce(NULL, NULL, 3), coalesce($1::text, 'dflt')`, args: []any{nil}, rows: []string{"3|dflt"}},
		{sql: `SELECT CAST('42' AS int) + 1, '3.5'::numeric * 2, 5::float8 / 2, '1e3'::float8`, rows: []string{"43|7.0|2.5|1000"}},
		{sql: `SELECT 9223372036854775807::int8 + 1`, err: `22003: bigint out of range`},
		{sql: `SELECT 32767::int2 + 1::int2`, err: `22003: smallint out of range`},
		{sql: `SELECT 1.0 / 0`, err: `22012: division by zero`},
		{sql: `SELECT 5 % 0`, err: `22012: division by zero`},
		{sql: `SELECT 'x' LIKE 'X', 'x' ILIKE 'X', 'abc' NOT LIKE 'a%'`, rows: []string{"f|t|f"}},
	}},
	{name: "bool_and and bool_or", steps: withFixture(
		step{sql: `SELECT bool_and(active), bool_or(active), bool_and(salary > 50), bool_or(salary > 1000) FROM emp`, rows: []string{"f|t|t|f"}},
		step{sql: `SELECT dept, bool_and(active) FROM emp WHERE dept IS NOT NULL GROUP BY dept ORDER BY dept`, rows: []string{"1|f", "2|t", "3|f"}},
		step{sql: `SELECT bool_or(active) FROM emp WHERE id < 0`, rows: []string{"NULL"}},
	)},
	{name: "order by nulls first and last", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY salary DESC NULLS LAST, name`, rows: []string{"ada", "bob", "cyd", "dan", "eve", "fay", "gus", "hal"}},
		step{sql: `SELECT name FROM emp ORDER BY salary NULLS FIRST, id`, rows: []string{"hal", "gus", "fay", "eve", "dan", "bob", "cyd", "ada"}},
	)},
	{name: "aggregate in WHERE", bug: `an aggregate in WHERE says "aggregate functions are not allowed here"; PostgreSQL: aggregate functions are not allowed in WHERE`, steps: []step{
		{sql: `SELECT 1 WHERE sum(1) > 1`, err: `42803: aggregate functions are not allowed in WHERE`, pos: 16},
	}},
	{name: "full join", steps: withFixture(
		step{sql: `SELECT count(*), count(e.id), count(d.id) FROM emp e FULL JOIN dept d ON e.dept = d.id`, rows: []string{"9|8|8"}},
	)},
	{name: "distinct on", bug: "SELECT DISTINCT ON (...) fails with 0A000 not supported yet (documented as not supported)", steps: withFixture(
		step{sql: `SELECT DISTINCT ON (dept) dept, name FROM emp ORDER BY dept, salary DESC, name`, rows: []string{"1|ada", "2|dan", "3|hal", "NULL|gus"}},
	)},
	{name: "distinct with order by outside the select list", steps: withFixture(
		step{sql: `SELECT DISTINCT dept FROM emp ORDER BY id`, err: `42P10: for SELECT DISTINCT, ORDER BY expressions must appear in select list`, pos: 40},
	)},
	{name: "select with an empty target list", bug: "SELECT FROM t (no columns, as in EXISTS (SELECT FROM ...)) is a syntax error", steps: withFixture(
		step{sql: `SELECT d.name FROM dept d WHERE NOT EXISTS (SELECT FROM emp e WHERE e.dept = d.id)`, rows: []string{"empty"}},
	)},
	{name: "nullif greatest least", steps: []step{
		{sql: `SELECT nullif('a', 'a'), nullif(1, 2), greatest(1, 5, 3), least('b', 'a')`, rows: []string{"NULL|1|5|a"}},
	}},
	{name: "limit and offset", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY salary DESC LIMIT 2`, rows: []string{"hal", "ada"}},
		step{sql: `SELECT name, salary * 2 AS s2 FROM emp WHERE salary IS NOT NULL ORDER BY s2 DESC, 1 LIMIT 2 OFFSET 1`, rows: []string{"bob|400.00", "cyd|400.00"}},
		step{sql: `SELECT name FROM emp ORDER BY length(name) + id DESC, name LIMIT 2`, rows: []string{"hal", "gus"}},
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT 0`, tag: "SELECT 0"},
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT 5 OFFSET 100`, tag: "SELECT 0"},
		step{sql: `SELECT name FROM emp ORDER BY id FETCH FIRST 1 ROWS ONLY`, rows: []string{"ada"}},
		step{sql: `SELECT name FROM dept UNION SELECT name FROM emp WHERE id = 1 ORDER BY name DESC LIMIT 2`, rows: []string{"sales", "ops"}},
		step{sql: `SELECT count(*) FROM (SELECT id FROM emp ORDER BY id LIMIT 3) x`, rows: []string{"3"}},
		step{sql: `SELECT name FROM emp WHERE id IN (SELECT id FROM emp ORDER BY salary LIMIT 1)`, rows: []string{"gus"}},
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT 1 OFFSET 7`, rows: []string{"hal"}},
	)},
	{name: "negative limit", bug: "LIMIT -1 is a syntax error at or near \"-\"; PostgreSQL: 2201W LIMIT must not be negative", steps: []step{
		{sql: `SELECT 1 LIMIT -1`, err: `2201W: LIMIT must not be negative`},
	}},
	{name: "offset without limit", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY 1 DESC OFFSET 6`, rows: []string{"bob", "ada"}},
	)},
	{name: "limit all and limit null", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT ALL`, rows: []string{"ada", "bob", "cyd", "dan", "eve", "fay", "gus", "hal"}},
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT NULL OFFSET 6`, rows: []string{"gus", "hal"}},
	)},
	{name: "limit and offset parameters", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY id LIMIT $1 OFFSET $2`, args: []any{2, 3}, rows: []string{"dan", "eve"}},
	)},
	{name: "string_agg", steps: withFixture(
		step{sql: `SELECT string_agg(name, ',') FROM emp WHERE id = 2`, rows: []string{"bob"}},
		step{sql: `SELECT dept, string_agg(name, '-'), length(string_agg(name, '')) FROM emp WHERE id IN (1, 4, 5, 7) GROUP BY dept ORDER BY dept`, rows: []string{"1|ada|3", "2|dan-eve|6", "NULL|gus|3"}},
		step{sql: `SELECT count(*), string_agg(name, $1) FROM emp WHERE id < 0`, args: []any{","}, rows: []string{"0|NULL"}},
	)},
	{name: "string_agg with order by", bug: "string_agg(x, ',' ORDER BY y) is a syntax error at or near \"ORDER\"", steps: withFixture(
		step{sql: `SELECT string_agg(name, ',' ORDER BY name DESC) FROM emp WHERE dept = 1`, rows: []string{"cyd,bob,ada"}},
		step{sql: `SELECT dept, string_agg(name, '-' ORDER BY id) FROM emp GROUP BY dept ORDER BY dept`, rows: []string{"1|ada-bob-cyd", "2|dan-eve", "3|fay-hal", "NULL|gus"}},
		step{sql: `SELECT string_agg(DISTINCT boss::text, ',' ORDER BY boss::text) FROM emp`, rows: []string{"1,4,6"}},
	)},
	{name: "parenthesized set operation", steps: []step{
		{sql: `(SELECT 1 AS x UNION SELECT 2) EXCEPT SELECT 1`, rows: []string{"2"}},
	}},
	{name: "error positions in ORDER BY, IN and UNION", bug: "ORDER BY 3 (42P10) reports position 1 instead of 31; subquery has too many columns reports 34 instead of 31; UNION column count mismatch has no position (28)", steps: withFixture(
		step{sql: `SELECT name FROM emp ORDER BY 3`, err: `42P10: ORDER BY position 3 is not in select list`, pos: 31},
		step{sql: `SELECT name FROM emp WHERE id IN (SELECT id, name FROM dept)`, err: `42601: subquery has too many columns`, pos: 31},
		step{sql: `SELECT 1, 'a' UNION SELECT 2`, err: `42601: each UNION query must have the same number of columns`, pos: 28},
	)},
	{name: "column aliases on a subquery in FROM", bug: "SELECT * FROM (SELECT 1) AS s(a) is a syntax error at or near \"(\"", steps: []step{
		{sql: `SELECT s.a, u.b FROM (SELECT 1) AS s(a), (SELECT 2) AS u(b)`, rows: []string{"1|2"}},
	}},
	{name: "union resolves unknown literals to the other branch's type", bug: "SELECT 1 UNION SELECT '2' (or SELECT NULL UNION SELECT 1.5) fails with 42804 UNION types integer and text cannot be matched; PostgreSQL resolves the unknown literal to the other branch's type", steps: []step{
		{sql: `SELECT 1 UNION SELECT '2' ORDER BY 1`, rows: []string{"1", "2"}},
		{sql: `SELECT NULL UNION SELECT 1.5 UNION SELECT 2`, rows: []string{"NULL", "1.5", "2"}, unordered: true},
		{sql: `SELECT 1 UNION SELECT 'a'`, err: `22P02: invalid input syntax for type integer: "a"`, pos: 23},
	}},
}
