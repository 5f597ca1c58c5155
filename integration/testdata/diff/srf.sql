-- Set-returning functions: generate_series over int4, int8, numeric, timestamp
-- and timestamptz; functions in FROM (aliases, column lists, WITH ORDINALITY,
-- ROWS FROM, implicitly LATERAL); SRFs in the select list (ProjectSet); errors.
CREATE TABLE t (a int, b text);
INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three'), (NULL, 'none');
SELECT * FROM generate_series(1, 3);
-- @ordered
SELECT * FROM generate_series(1, 10, 4) AS g;
-- @ordered
SELECT * FROM generate_series(5, 1, -2);
SELECT * FROM generate_series(3, 1);
SELECT * FROM generate_series(1, 3::bigint);
SELECT * FROM generate_series(9223372036854775806, 9223372036854775807);
SELECT * FROM generate_series(2147483646, 2147483647);
SELECT * FROM generate_series(-2147483647, -2147483648, -1);
-- @ordered
SELECT * FROM generate_series(1.0, 2, 0.3);
-- @ordered
SELECT generate_series(1, 2, 0.5);
SELECT * FROM generate_series(0.1, 0.3, 0.1) AS x(v);
-- @ordered
SELECT * FROM generate_series('2020-01-31'::timestamp, '2020-05-01', '1 month');
-- @ordered
SELECT * FROM generate_series('2020-01-01 00:00'::timestamptz, '2020-01-01 03:00', '90 minutes') g;
-- @ordered
SELECT * FROM generate_series('2020-01-03'::timestamp, '2020-01-01', '-1 day');
SELECT * FROM generate_series('2020-01-01', '2020-01-03', '1 day'::interval) g;
SELECT * FROM generate_series(1, NULL::int);
SELECT * FROM generate_series(NULL::numeric, 3);
-- @ordered
SELECT * FROM generate_series(1, 3) WITH ORDINALITY;
-- @ordered
SELECT g.x, g.n FROM generate_series(5, 1, -2) WITH ORDINALITY AS g(x, n);
SELECT * FROM generate_series(1, 2) WITH ORDINALITY AS g(x);
SELECT * FROM generate_series(1, 2) AS x(a);
SELECT generate_series.generate_series FROM generate_series(1, 2);
SELECT g.g FROM generate_series(1, 2) g;
SELECT * FROM generate_series(1, 5) WHERE generate_series > 3;
SELECT * FROM generate_series(1, 5) g WHERE g % 2 = 0;
SELECT count(*), sum(g), max(g) FROM generate_series(1, 100) g;
SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(5, 7));
SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(5, 7)) WITH ORDINALITY AS r(a, b, i);
SELECT * FROM ROWS FROM (generate_series(1, 3)) AS x;
-- Implicitly LATERAL: the function reads the FROM items before it.
SELECT t.b, g FROM t, generate_series(1, t.a) g;
SELECT t.b, g FROM t CROSS JOIN generate_series(1, t.a) AS g;
SELECT t.b, g FROM t JOIN generate_series(1, 3) g ON g = t.a;
SELECT t.b, g FROM t LEFT JOIN generate_series(1, t.a - 1) g ON true;
SELECT t.b, g.x, g.i FROM t, generate_series(t.a, 3) WITH ORDINALITY g(x, i) WHERE t.a > 1;
SELECT a, x, y FROM t, generate_series(1, 2) x, generate_series(x, a) y;
SELECT * FROM generate_series(1, 3) g JOIN t ON t.a = g;
SELECT g, (SELECT count(*) FROM t WHERE t.a <= g) FROM generate_series(0, 4) g;
SELECT * FROM t WHERE a IN (SELECT * FROM generate_series(2, 5));
-- In the select list: several SRFs run in lockstep, the shorter padded with NULLs.
SELECT generate_series(1, 3);
SELECT generate_series(1, 3), generate_series(1, 2);
SELECT generate_series(1, 2) AS a, generate_series(1, 2) + 10 AS b, 'x' AS c;
SELECT a, generate_series(1, a) FROM t;
SELECT b, generate_series(a, 2) FROM t;
SELECT count(*), generate_series(1, 2) FROM t;
SELECT a % 2 AS k, count(*), generate_series(1, 2) FROM t GROUP BY 1;
-- @ordered
SELECT a, generate_series(1, a) AS g FROM t ORDER BY a DESC, g;
SELECT DISTINCT generate_series(1, a) FROM t;
SELECT generate_series(1, 0);
SELECT generate_series(1, 10) LIMIT 3;
SELECT * FROM (SELECT generate_series(1, 3) AS x) s WHERE x > 1;
-- Errors.
SELECT generate_series(1, 3, 0);
SELECT * FROM generate_series(1, 3, 0);
SELECT * FROM generate_series(1.0, 3, 0);
SELECT * FROM generate_series(1, 'NaN'::numeric);
SELECT * FROM generate_series('NaN'::numeric, 1);
SELECT * FROM generate_series(1, 2, 'NaN'::numeric);
SELECT * FROM generate_series(1, 'Infinity'::numeric);
SELECT * FROM generate_series('2020-01-01'::timestamp, '2020-01-02', '0 days');
SELECT * FROM generate_series(1, 2) AS x(a, b);
SELECT * FROM generate_series(1, 2) WITH ORDINALITY AS x(a, b, c);
SELECT sum(generate_series(1, 3));
SELECT 1 WHERE generate_series(1, 2) > 1;
SELECT * FROM t JOIN t u ON generate_series(1, 2) = t.a;
SELECT a FROM t GROUP BY a HAVING generate_series(1, 2) > 1;
SELECT * FROM generate_series(1, 2) g, generate_series(1, 2) g;
SELECT * FROM generate_series(1, 'a');
SELECT * FROM generate_series(1);
SELECT * FROM generate_series('a', 'b');
SELECT * FROM nosuchfunc(1);
SELECT * FROM generate_series(1, t.a);
SELECT * FROM generate_series(1, nosuch);
SELECT CASE WHEN true THEN generate_series(1, 2) END;
SELECT coalesce(generate_series(1, 2), 0);
SELECT * FROM generate_series(1, generate_series(1, 3));
SELECT generate_series(1, generate_series(1, 3));
SELECT generate_series(1, 2) a, generate_series(1, generate_series(1, 2)) b, generate_series(5, 5) + generate_series(1, 3) c;
SELECT a, generate_series(a, generate_series(2, 3)) FROM t;
SELECT (SELECT generate_series(1, 1)), CASE WHEN (SELECT generate_series(1, 1)) = 1 THEN 'yes' END;
SELECT (SELECT max(x) FROM generate_series(1, t.a) x) FROM t;
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM generate_series(1, 3) g WHERE g = t.a * 2);
SELECT * FROM generate_series(1, 3) AS g(x int);
