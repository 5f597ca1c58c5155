-- SQL-level prepared statements: PREPARE, EXECUTE, DEALLOCATE, DISCARD.
CREATE TABLE prep_t (id int PRIMARY KEY, name text);

PREPARE p1 AS SELECT $1;
EXECUTE p1('x');
PREPARE p2(int, text) AS SELECT $1 + 1 AS n, $2 AS s;
EXECUTE p2(1, 'a');
EXECUTE p2 (41, NULL);
EXECUTE p2(1.5, 'b');
EXECUTE p2('7', 8);
EXECUTE p2(1);
EXECUTE p2(1, 2, 3);
EXECUTE p2('a', 'b');
EXECUTE p2(true, 'b');
EXECUTE p2(now(), 'b');
EXECUTE p2;
PREPARE p2 AS SELECT 1;
PREPARE P2 AS SELECT 1;
PREPARE "P2" AS SELECT 2;
EXECUTE "P2";
PREPARE p3(nosuchtype) AS SELECT 1;
PREPARE p3 AS SHOW search_path;
PREPARE p3 AS EXPLAIN SELECT 1;
PREPARE p3 AS SELECT * FROM prep_nosuch;
PREPARE p3 AS SELECT nosuch FROM prep_t;
EXECUTE p3;
PREPARE p4 AS SELECT $1, $2;
EXECUTE p4(1, 'x');
PREPARE p5(int) AS SELECT $2;
EXECUTE p5(1, 'x');
PREPARE p6(int) AS SELECT $1 / 0;
EXECUTE p6(1);
PREPARE p7(int) AS SELECT 1 WHERE false;
EXECUTE p7(3);
PREPARE p8(int, int) AS SELECT $1;
EXECUTE p8(1, 'x');
EXECUTE p8(1, NULL);
EXECUTE p8(1 + 1, 2 * 3);
EXECUTE p8(1/0, 1);
EXECUTE nosuch;
EXECUTE nosuch(1);
PREPARE vals AS VALUES (1, 'a'), (2, 'b');
EXECUTE vals;
PREPARE cte(int) AS WITH c AS (SELECT $1 AS x) SELECT x * 2 AS y FROM c;
EXECUTE cte(21);

-- DML: EXECUTE returns the statement's tag and rows
PREPARE ins(int, text) AS INSERT INTO prep_t VALUES ($1, $2);
EXECUTE ins(1, 'one');
EXECUTE ins(2, 'two');
EXECUTE ins(1, 'again');
PREPARE ins_ret(int, text) AS INSERT INTO prep_t VALUES ($1, $2) RETURNING id, upper(name);
EXECUTE ins_ret(3, 'three');
PREPARE upd(text, int) AS UPDATE prep_t SET name = $1 WHERE id >= $2;
EXECUTE upd('big', 2);
PREPARE del(int) AS DELETE FROM prep_t WHERE id = $1;
EXECUTE del(3);
EXECUTE del(3);
PREPARE sel(int) AS SELECT id, name FROM prep_t WHERE id <= $1 ORDER BY id;
-- @ordered
EXECUTE sel(10);
EXECUTE sel(0);
-- the statement sees the table as it is when executed
ALTER TABLE prep_t ADD COLUMN extra int;
PREPARE star AS SELECT * FROM prep_t ORDER BY id;
-- @ordered
EXECUTE star;
ALTER TABLE prep_t DROP COLUMN extra;
EXECUTE star;
-- @ordered
EXECUTE sel(10);

-- EXPLAIN EXECUTE
PREPARE all_rows AS SELECT name FROM prep_t;
EXPLAIN (COSTS OFF) EXECUTE all_rows;
EXPLAIN EXECUTE nosuch;

-- in transactions: PREPARE is not transactional
BEGIN;
PREPARE in_tx AS SELECT 'tx' AS v;
ROLLBACK;
EXECUTE in_tx;
BEGIN;
EXECUTE ins(5, 'five');
EXECUTE ins(5, 'five');
EXECUTE ins(6, 'six');
ROLLBACK;
EXECUTE sel(10);

-- DEALLOCATE and DISCARD
DEALLOCATE nosuch;
DEALLOCATE p1;
EXECUTE p1('x');
DEALLOCATE PREPARE p2;
DEALLOCATE ALL;
EXECUTE p4(1, 2);
DEALLOCATE PREPARE ALL;
PREPARE again AS SELECT 1 AS one;
DISCARD PLANS;
EXECUTE again;
DISCARD SEQUENCES;
DISCARD TEMP;
DISCARD TEMPORARY;
DISCARD ALL;
EXECUTE again;
BEGIN;
DISCARD ALL;
ROLLBACK;
DISCARD nothing;
DEALLOCATE;
PREPARE;
PREPARE p9;
PREPARE p9 AS;
PREPARE p9() AS SELECT 1;
EXECUTE p9();
-- SET ROLE and settings are reset by DISCARD ALL
SET application_name = 'prep';
DISCARD ALL;
SHOW application_name;

-- the namespace is the session's
PREPARE mine AS SELECT 'main' AS who;
-- @conn other
EXECUTE mine;
PREPARE mine AS SELECT 'other' AS who;
EXECUTE mine;
-- @conn main
EXECUTE mine;
