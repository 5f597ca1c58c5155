-- Transactions, part 1: the functions that name sessions, and the rollback of
-- every kind of write. Each numbered scenario leaves no transaction open, so a
-- difference in one does not spill into the next.
--
-- The transactions_*.sql files continue: reading one's own writes through every
-- access path, savepoints, errors in blocks, isolation levels and READ ONLY, and
-- what two sessions see of each other. Every scenario is non-blocking: a
-- statement that would wait for a lock belongs in TestAnomalies
-- (anomaly_test.go), which waits for it properly.

-- 1. pg_backend_pid names the session; pg_blocking_pids lists what it waits for.
SELECT pg_backend_pid() > 0, pg_typeof(pg_backend_pid())::text;
SELECT pg_blocking_pids(pg_backend_pid()), pg_typeof(pg_blocking_pids(pg_backend_pid()))::text;
SELECT pg_blocking_pids(NULL), pg_blocking_pids(-1);
SELECT pg_backend_pid() = pg_backend_pid();
-- @conn other
SELECT pg_blocking_pids(pg_backend_pid());

-- 2. Two sessions have different pids; a session keeps its pid across transactions.
CREATE TABLE pids (who text PRIMARY KEY, pid int);
INSERT INTO pids VALUES ('other', pg_backend_pid());
-- @conn main
INSERT INTO pids VALUES ('main', pg_backend_pid());
SELECT count(DISTINCT pid) FROM pids;
BEGIN;
SELECT pid = pg_backend_pid() FROM pids WHERE who = 'main';
COMMIT;
DROP TABLE pids;

CREATE TABLE t (id int PRIMARY KEY, v int, s text);
INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c');

-- 3. ROLLBACK undoes an INSERT.
BEGIN;
INSERT INTO t VALUES (4, 40, 'd');
SELECT count(*) FROM t;
ROLLBACK;
SELECT count(*) FROM t;
SELECT * FROM t WHERE id = 4;

-- 4. ROLLBACK undoes a multi-row INSERT … SELECT.
BEGIN;
INSERT INTO t SELECT id + 10, v + 100, s || s FROM t;
SELECT count(*), sum(v) FROM t;
ROLLBACK;
SELECT count(*), sum(v) FROM t;

-- 5. ROLLBACK undoes an UPDATE of a non-key column.
BEGIN;
UPDATE t SET v = v * 2 WHERE id >= 2;
SELECT id, v FROM t;
ROLLBACK;
SELECT id, v FROM t;

-- 6. ROLLBACK undoes an UPDATE of the primary key.
BEGIN;
UPDATE t SET id = id + 100;
SELECT id FROM t;
ROLLBACK;
SELECT id FROM t;
SELECT * FROM t WHERE id = 101;

-- 7. ROLLBACK undoes a DELETE.
BEGIN;
DELETE FROM t WHERE v > 10;
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 8. ROLLBACK undoes DELETE of every row.
BEGIN;
DELETE FROM t;
SELECT count(*) FROM t;
ROLLBACK;
SELECT count(*) FROM t;

-- 9. ROLLBACK undoes INSERT … ON CONFLICT DO UPDATE, both the inserted and the updated rows.
BEGIN;
INSERT INTO t VALUES (1, 11, 'x'), (5, 50, 'e') ON CONFLICT (id) DO UPDATE SET v = excluded.v, s = excluded.s;
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 10. ROLLBACK undoes INSERT … ON CONFLICT DO NOTHING.
BEGIN;
INSERT INTO t VALUES (1, 99, 'z'), (6, 60, 'f') ON CONFLICT DO NOTHING;
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 11. ROLLBACK undoes writes with RETURNING, whose rows the client already saw.
BEGIN;
INSERT INTO t VALUES (7, 70, 'g') RETURNING *;
UPDATE t SET v = v + 1 WHERE id = 1 RETURNING id, v;
DELETE FROM t WHERE id = 2 RETURNING s;
ROLLBACK;
SELECT * FROM t;

-- 12. ROLLBACK undoes a TRUNCATE.
BEGIN;
TRUNCATE t;
SELECT count(*) FROM t;
INSERT INTO t VALUES (1, 1, 'new');
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 13. ROLLBACK undoes CREATE TABLE: the name is free again.
BEGIN;
CREATE TABLE made_in_txn (a int PRIMARY KEY);
INSERT INTO made_in_txn VALUES (1);
SELECT * FROM made_in_txn;
ROLLBACK;
SELECT * FROM made_in_txn;
CREATE TABLE made_in_txn (b text);
SELECT * FROM made_in_txn;
DROP TABLE made_in_txn;

-- 14. ROLLBACK undoes DROP TABLE: the table and its rows come back.
BEGIN;
DROP TABLE t;
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 15. ROLLBACK undoes DROP TABLE after the same block wrote to the table.
BEGIN;
INSERT INTO t VALUES (8, 80, 'h');
DROP TABLE t;
ROLLBACK;
SELECT * FROM t;

-- 16. ROLLBACK undoes ALTER TABLE ADD COLUMN, with its default filled in.
BEGIN;
ALTER TABLE t ADD COLUMN extra int DEFAULT 5;
SELECT id, extra FROM t;
ROLLBACK;
SELECT * FROM t;
SELECT extra FROM t;

-- 17. ROLLBACK undoes ALTER TABLE DROP COLUMN.
BEGIN;
ALTER TABLE t DROP COLUMN s;
SELECT * FROM t;
ROLLBACK;
SELECT * FROM t;

-- 18. ROLLBACK undoes ALTER TABLE RENAME COLUMN and RENAME TO.
BEGIN;
ALTER TABLE t RENAME COLUMN v TO value;
ALTER TABLE t RENAME TO t_renamed;
SELECT id, value FROM t_renamed;
ROLLBACK;
SELECT id, v FROM t;
SELECT * FROM t_renamed;

-- 19. ROLLBACK undoes ALTER TABLE ADD CONSTRAINT: the rows it would refuse go in afterwards.
BEGIN;
ALTER TABLE t ADD CONSTRAINT v_small CHECK (v < 100);
INSERT INTO t VALUES (9, 900, 'i');
ROLLBACK;
INSERT INTO t VALUES (9, 900, 'i');
DELETE FROM t WHERE id = 9;

-- 20. ROLLBACK undoes ALTER COLUMN SET NOT NULL and TYPE.
BEGIN;
ALTER TABLE t ALTER COLUMN s SET NOT NULL;
ALTER TABLE t ALTER COLUMN v TYPE bigint;
ROLLBACK;
INSERT INTO t VALUES (9, 9, NULL);
SELECT pg_typeof(v)::text FROM t WHERE id = 9;
DELETE FROM t WHERE id = 9;

-- 21. ROLLBACK undoes CREATE INDEX: the name is free again and the index does not enforce anything.
BEGIN;
CREATE UNIQUE INDEX t_v_idx ON t (v);
INSERT INTO t VALUES (10, 10, 'dup');
ROLLBACK;
BEGIN;
CREATE INDEX t_v_idx ON t (v);
INSERT INTO t VALUES (10, 10, 'dup');
SELECT id FROM t WHERE v = 10;
ROLLBACK;

-- 22. ROLLBACK undoes DROP INDEX.
CREATE UNIQUE INDEX t_s_key ON t (s);
BEGIN;
DROP INDEX t_s_key;
INSERT INTO t VALUES (11, 11, 'a');
ROLLBACK;
INSERT INTO t VALUES (11, 11, 'a');
DROP INDEX t_s_key;

-- 23. A CREATE TABLE and its rows committed in one block stay.
BEGIN;
CREATE TABLE kept (a int PRIMARY KEY, b text);
INSERT INTO kept VALUES (1, 'one'), (2, 'two');
COMMIT;
SELECT * FROM kept;

-- 24. ROLLBACK undoes every write of a block at once: DML on two tables and DDL.
BEGIN;
INSERT INTO kept VALUES (3, 'three');
UPDATE t SET s = upper(s);
DELETE FROM kept WHERE a = 1;
CREATE TABLE gone (x int);
INSERT INTO gone VALUES (1);
ROLLBACK;
SELECT * FROM kept;
SELECT s FROM t;
SELECT * FROM gone;

-- 25. nextval is not rolled back: the values a rolled-back block took stay taken.
CREATE SEQUENCE seq;
BEGIN;
SELECT nextval('seq'), nextval('seq');
ROLLBACK;
SELECT nextval('seq');
SELECT currval('seq');

-- 26. A serial column's values taken by rolled-back INSERTs leave a gap.
CREATE TABLE serials (id serial PRIMARY KEY, note text);
BEGIN;
INSERT INTO serials (note) VALUES ('rolled back'), ('rolled back too');
ROLLBACK;
INSERT INTO serials (note) VALUES ('kept');
SELECT * FROM serials;

-- 27. setval is not rolled back either.
BEGIN;
SELECT setval('seq', 100);
ROLLBACK;
SELECT nextval('seq');

-- 28. A sequence created in a rolled-back block is gone, and its name is free.
BEGIN;
CREATE SEQUENCE seq2 START 50;
SELECT nextval('seq2');
ROLLBACK;
SELECT nextval('seq2');
CREATE SEQUENCE seq2 START 7;
SELECT nextval('seq2');

-- 29. ROLLBACK undoes DROP SEQUENCE; the sequence goes on from where it was.
BEGIN;
DROP SEQUENCE seq;
ROLLBACK;
SELECT nextval('seq');

-- 30. ROLLBACK undoes ALTER SEQUENCE … RESTART.
BEGIN;
ALTER SEQUENCE seq RESTART WITH 1000;
SELECT nextval('seq');
ROLLBACK;
SELECT nextval('seq');

-- 31. ROLLBACK undoes CREATE SCHEMA and the tables in it.
BEGIN;
CREATE SCHEMA txn_schema;
CREATE TABLE txn_schema.inner_t (a int);
INSERT INTO txn_schema.inner_t VALUES (1);
ROLLBACK;
SELECT * FROM txn_schema.inner_t;
CREATE SCHEMA txn_schema;
DROP SCHEMA txn_schema;

-- 32. ROLLBACK undoes CREATE VIEW and DROP VIEW.
BEGIN;
CREATE VIEW big AS SELECT * FROM t WHERE v >= 20;
SELECT id FROM big;
ROLLBACK;
SELECT id FROM big;
CREATE VIEW big AS SELECT * FROM t WHERE v >= 20;
BEGIN;
DROP VIEW big;
ROLLBACK;
SELECT id FROM big;
DROP VIEW big;

-- 33. ROLLBACK undoes a temporary table created in the block.
BEGIN;
CREATE TEMP TABLE scratch (a int);
INSERT INTO scratch VALUES (1);
SELECT * FROM scratch;
ROLLBACK;
SELECT * FROM scratch;

-- 34. ROLLBACK undoes writes to a temporary table created before the block.
CREATE TEMP TABLE scratch (a int PRIMARY KEY);
INSERT INTO scratch VALUES (1);
BEGIN;
INSERT INTO scratch VALUES (2);
DELETE FROM scratch WHERE a = 1;
ROLLBACK;
SELECT * FROM scratch;
DROP TABLE scratch;

-- 35. ROLLBACK undoes a foreign key's cascade.
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE);
INSERT INTO parent VALUES (1), (2);
INSERT INTO child VALUES (10, 1), (20, 2);
BEGIN;
DELETE FROM parent WHERE id = 1;
SELECT * FROM child;
ROLLBACK;
SELECT * FROM child;

-- 36. ROLLBACK undoes CREATE TABLE AS and SELECT INTO.
BEGIN;
CREATE TABLE t_copy AS SELECT * FROM t WHERE v > 10;
SELECT * INTO t_copy2 FROM t;
SELECT count(*) FROM t_copy;
ROLLBACK;
SELECT * FROM t_copy;
SELECT * FROM t_copy2;

-- 37. ROLLBACK after nothing happened, and an empty block that commits.
BEGIN;
ROLLBACK;
BEGIN;
COMMIT;
START TRANSACTION;
END;
BEGIN WORK;
ABORT WORK;
BEGIN TRANSACTION;
COMMIT TRANSACTION;
SELECT count(*) FROM t;

-- 38. Writes committed by one block and undone by the next.
BEGIN;
UPDATE t SET v = v + 1000 WHERE id = 1;
COMMIT;
BEGIN;
UPDATE t SET v = v - 1000 WHERE id = 1;
DELETE FROM t WHERE id = 1;
ROLLBACK;
SELECT * FROM t WHERE id = 1;
UPDATE t SET v = 10 WHERE id = 1;
