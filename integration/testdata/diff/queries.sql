-- Queries beyond the basics: joins of several kinds, correlated subqueries,
-- grouping edge cases, set operations with typing, NULL handling, and ordering.
CREATE TABLE a (id int PRIMARY KEY, x int, s text);
CREATE TABLE b (id int PRIMARY KEY, a_id int, y numeric, t text);
CREATE INDEX b_a_id ON b (a_id);
INSERT INTO a VALUES (1, 10, 'one'), (2, 20, 'two'), (3, NULL, 'three'), (4, 10, NULL);
INSERT INTO b VALUES (1, 1, 1.5, 'p'), (2, 1, 2.5, 'q'), (3, 2, NULL, 'r'), (4, 9, 4, 's'), (5, NULL, 5, NULL);
SELECT a.id, b.id FROM a JOIN b ON a.id = b.a_id;
SELECT a.id, b.id FROM a LEFT JOIN b ON a.id = b.a_id AND b.y > 2;
SELECT a.id, b.id FROM a RIGHT JOIN b ON a.id = b.a_id WHERE a.id IS NULL;
SELECT a.id, b.id FROM a FULL JOIN b ON a.id = b.a_id WHERE a.id IS NULL OR b.id IS NULL;
SELECT * FROM a NATURAL JOIN b;
SELECT id, x, a_id FROM a JOIN b USING (id);
SELECT count(*) FROM a CROSS JOIN b;
SELECT a1.id, a2.id FROM a a1 JOIN a a2 ON a1.x = a2.x AND a1.id < a2.id;
SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id);
SELECT id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id);
SELECT id FROM a WHERE x NOT IN (SELECT a_id FROM b);
SELECT id FROM a WHERE x NOT IN (SELECT a_id FROM b WHERE a_id IS NOT NULL);
SELECT id, (SELECT max(y) FROM b WHERE b.a_id = a.id) FROM a;
SELECT id FROM a WHERE x > ALL (SELECT a_id FROM b WHERE a_id IS NOT NULL);
SELECT id FROM a WHERE x = ANY (SELECT a_id * 10 FROM b);
SELECT (SELECT id FROM b);
SELECT x, count(*), count(x), count(DISTINCT s) FROM a GROUP BY x;
SELECT count(*), sum(x), avg(x), min(s), max(s) FROM a WHERE false;
SELECT x FROM a GROUP BY x HAVING x > 5;
SELECT s FROM a GROUP BY x;
SELECT sum(x) FROM a HAVING sum(x) > 100;
SELECT x + 1 AS x1 FROM a GROUP BY x + 1;
SELECT 1 UNION SELECT 2 UNION ALL SELECT 1;
SELECT 1 AS n UNION SELECT 'a';
SELECT NULL UNION SELECT 1;
SELECT 1, 2 UNION SELECT 3;
SELECT x FROM a UNION SELECT a_id FROM b ORDER BY 1;
-- @ordered
SELECT s FROM a ORDER BY s;
-- @ordered
SELECT s FROM a ORDER BY s DESC;
-- @ordered
SELECT x, id FROM a ORDER BY x NULLS FIRST, id DESC;
-- @ordered
SELECT id, x FROM a ORDER BY x + id, 1;
SELECT id FROM a ORDER BY nosuch;
SELECT DISTINCT x FROM a ORDER BY id;
SELECT x IS NULL, x = NULL, NULL AND false, NULL OR true, NOT NULL::bool FROM a WHERE id = 3;
SELECT 'a' LIKE 'A%', 'abc' LIKE '_b%', 'abc' ILIKE 'A%', 'a%c' LIKE 'a\%c', 'ab' NOT LIKE 'a';
SELECT id FROM a WHERE s BETWEEN 'o' AND 'u';
SELECT id FROM a WHERE id IN (1, 3, NULL);
SELECT CASE x WHEN 10 THEN 'ten' WHEN 20 THEN 'twenty' END FROM a;
SELECT id, coalesce(s, 'none') FROM a;
WITH t AS (SELECT id, x FROM a WHERE x IS NOT NULL), u AS (SELECT x, count(*) c FROM t GROUP BY x) SELECT * FROM u;
SELECT * FROM (SELECT id, x * 2 AS dbl FROM a) sub WHERE dbl > 15;
SELECT sub.* FROM (SELECT a_id, sum(y) FROM b GROUP BY a_id) sub;
SELECT id FROM a LIMIT 2 OFFSET 10;
SELECT count(*) FROM (SELECT * FROM a LIMIT 3) s;
UPDATE a SET x = b.a_id FROM b WHERE b.id = a.id AND b.t = 'q';
SELECT * FROM a;
DELETE FROM b USING a WHERE a.id = b.a_id AND a.s = 'one' RETURNING b.id;
SELECT * FROM b;
INSERT INTO a SELECT id + 10, x, s FROM a WHERE id < 3;
SELECT count(*) FROM a;
INSERT INTO a (id) SELECT 11;
UPDATE a SET id = 1 WHERE id = 2;
SELECT a.nosuch FROM a;
SELECT * FROM a, a;
SELECT id FROM a JOIN b USING (id, nosuch);
