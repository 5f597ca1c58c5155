-- LATERAL subqueries in FROM, column alias lists on FROM items, and the errors
-- of references to earlier FROM items without LATERAL.
CREATE TABLE t (a int, b text);
CREATE TABLE u (a int, c int);
INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three'), (NULL, 'none');
INSERT INTO u VALUES (1, 10), (1, 11), (2, 20), (4, 40);
SELECT * FROM t, LATERAL (SELECT t.a * 10 AS x) s;
SELECT t.b, s.c FROM t, LATERAL (SELECT c FROM u WHERE u.a = t.a) s;
SELECT t.b, s.c FROM t CROSS JOIN LATERAL (SELECT c FROM u WHERE u.a = t.a) s;
SELECT t.b, s.c FROM t JOIN LATERAL (SELECT c FROM u WHERE u.a = t.a) s ON s.c > 10;
SELECT t.b, s.c FROM t LEFT JOIN LATERAL (SELECT c FROM u WHERE u.a = t.a) s ON true;
SELECT t.b, s.c FROM t LEFT JOIN LATERAL (SELECT c FROM u WHERE u.a = t.a) s ON s.c > 10;
SELECT t.b, s.m FROM t, LATERAL (SELECT max(c) AS m FROM u WHERE u.a = t.a) s;
SELECT t.b, s.c FROM t, LATERAL (SELECT c FROM u WHERE u.a = t.a ORDER BY c DESC LIMIT 1) s;
SELECT t.b, s.n FROM t, LATERAL (SELECT count(*) AS n FROM u WHERE u.a <= t.a) s;
SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.a = t.a) AS s(x, y);
SELECT t.b, s.x FROM t, LATERAL (SELECT g AS x FROM generate_series(1, t.a) g) s;
SELECT * FROM t, LATERAL (VALUES (t.a), (t.a + 100)) AS v(x);
SELECT * FROM u, LATERAL (SELECT * FROM t WHERE t.a = u.a) s, LATERAL (SELECT s.b || '!' AS e) e;
SELECT * FROM LATERAL (SELECT 1 AS one) s;
SELECT x.b FROM t x, LATERAL (SELECT x.a) s(y) WHERE y = 2;
SELECT (SELECT string_agg(s.b, ',') FROM (SELECT t.b FROM t WHERE t.a <= u.a) s) FROM u;
SELECT u.c, s.* FROM u, LATERAL (SELECT t.b FROM t WHERE t.a = u.a UNION ALL SELECT 'extra') s;
-- Column alias lists.
SELECT * FROM (SELECT a, b FROM t) AS s(x, y);
SELECT x FROM (SELECT a, b FROM t) AS s(x) WHERE b = 'one';
SELECT * FROM t AS x(p);
SELECT x.p, x.b FROM t x(p, q) WHERE x.q = 'two';
SELECT p FROM t AS x(p) JOIN u ON u.a = x.p;
SELECT * FROM (SELECT 1, 2) AS s(a, b, c);
SELECT * FROM t AS x(p, q, r);
SELECT t.a FROM t AS x(p);
SELECT a FROM t AS x(p);
-- References to earlier FROM items need LATERAL.
SELECT * FROM t, (SELECT * FROM u WHERE u.a = t.a) s;
SELECT * FROM t, (SELECT t.a) s;
SELECT * FROM t, (SELECT * FROM u WHERE u.a = a) s;
SELECT * FROM t RIGHT JOIN LATERAL (SELECT t.a) s ON true;
SELECT * FROM t FULL JOIN LATERAL (SELECT t.a) s ON true;
SELECT * FROM (SELECT 1) s;
SELECT * FROM LATERAL (SELECT s2.x) s1, (SELECT 1 AS x) s2;
