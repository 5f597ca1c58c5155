-- Transactions, part 3: savepoints. SAVEPOINT, ROLLBACK TO [SAVEPOINT] and
-- RELEASE [SAVEPOINT], nested; reusing a name; RELEASE of an outer savepoint
-- releasing the inner ones; ROLLBACK TO after an error; the errors 3B001
-- (no such savepoint) and 25P01 (outside a block); and what each undoes: rows,
-- keys moved by UPDATE, index entries, DDL — but not sequence values.

CREATE TABLE sp (id int PRIMARY KEY, v int, tag text);
CREATE INDEX sp_tag ON sp (tag);
INSERT INTO sp VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, 'three');

-- 68. ROLLBACK TO undoes the writes after the savepoint and keeps those before it.
BEGIN;
INSERT INTO sp VALUES (4, 40, 'four');
SAVEPOINT a;
INSERT INTO sp VALUES (5, 50, 'five');
UPDATE sp SET v = 0 WHERE id = 1;
SELECT * FROM sp;
ROLLBACK TO SAVEPOINT a;
SELECT * FROM sp;
COMMIT;
SELECT * FROM sp;
DELETE FROM sp WHERE id = 4;

-- 69. RELEASE keeps the savepoint's writes; COMMIT makes them durable.
BEGIN;
SAVEPOINT a;
UPDATE sp SET v = v + 1 WHERE id = 2;
RELEASE SAVEPOINT a;
SELECT v FROM sp WHERE id = 2;
COMMIT;
SELECT v FROM sp WHERE id = 2;
UPDATE sp SET v = 20 WHERE id = 2;

-- 70. Nested savepoints: ROLLBACK TO the middle one undoes it and the inner one, which is gone (3B001).
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (10, 1, 'a');
SAVEPOINT b;
INSERT INTO sp VALUES (11, 1, 'b');
SAVEPOINT c;
INSERT INTO sp VALUES (12, 1, 'c');
ROLLBACK TO b;
SELECT id FROM sp WHERE id >= 10;
ROLLBACK TO c;
SELECT id FROM sp WHERE id >= 10;
ROLLBACK;
SELECT id FROM sp WHERE id >= 10;

-- 71. ROLLBACK TO keeps the savepoint: it can be rolled back to again.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (20, 1, 'x');
ROLLBACK TO a;
INSERT INTO sp VALUES (21, 1, 'y');
ROLLBACK TO a;
INSERT INTO sp VALUES (22, 1, 'z');
COMMIT;
SELECT id FROM sp WHERE id >= 20;
DELETE FROM sp WHERE id >= 20;

-- 72. RELEASE of an outer savepoint releases the inner ones too.
BEGIN;
SAVEPOINT outer_sp;
INSERT INTO sp VALUES (30, 1, 'o');
SAVEPOINT inner_sp;
INSERT INTO sp VALUES (31, 1, 'i');
RELEASE outer_sp;
ROLLBACK TO inner_sp;
ROLLBACK;
BEGIN;
SAVEPOINT outer_sp;
SAVEPOINT inner_sp;
INSERT INTO sp VALUES (31, 1, 'i');
RELEASE outer_sp;
RELEASE inner_sp;
ROLLBACK;
SELECT * FROM sp WHERE id >= 30;

-- 73. After RELEASE of the inner savepoint, ROLLBACK TO the outer one undoes the inner one's writes too.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (40, 1, 'a');
SAVEPOINT b;
INSERT INTO sp VALUES (41, 1, 'b');
RELEASE b;
ROLLBACK TO a;
SELECT * FROM sp WHERE id >= 40;
COMMIT;
SELECT * FROM sp WHERE id >= 40;

-- 74. ROLLBACK TO after an error: the block works again, and keeps what came before the savepoint.
BEGIN;
INSERT INTO sp VALUES (50, 1, 'before');
SAVEPOINT a;
INSERT INTO sp VALUES (51, 1, 'lost');
INSERT INTO sp VALUES (1, 1, 'duplicate');
SELECT count(*) FROM sp;
INSERT INTO sp VALUES (52, 1, 'refused');
ROLLBACK TO a;
SELECT id FROM sp WHERE id >= 50;
INSERT INTO sp VALUES (53, 1, 'after');
COMMIT;
SELECT id FROM sp WHERE id >= 50;
DELETE FROM sp WHERE id >= 50;

-- 75. An error before any savepoint: SAVEPOINT is refused (25P02), ROLLBACK TO finds nothing, COMMIT rolls back.
BEGIN;
INSERT INTO sp VALUES (60, 1, 'x');
SELECT 1 / 0;
SAVEPOINT a;
ROLLBACK TO a;
COMMIT;
SELECT * FROM sp WHERE id = 60;

-- 76. An error in a nested savepoint: ROLLBACK TO the inner one, go on, commit.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (61, 1, 'a');
SAVEPOINT b;
UPDATE sp SET v = 1 / 0 WHERE id = 61;
ROLLBACK TO b;
UPDATE sp SET v = 2 WHERE id = 61;
RELEASE a;
COMMIT;
SELECT * FROM sp WHERE id = 61;
DELETE FROM sp WHERE id = 61;

-- 77. An error after a savepoint, then ROLLBACK TO an outer savepoint.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (62, 1, 'a');
SAVEPOINT b;
INSERT INTO sp VALUES (63, 1, 'b');
INSERT INTO sp VALUES (62, 1, 'again');
ROLLBACK TO a;
SELECT * FROM sp WHERE id >= 62;
ROLLBACK TO b;
ROLLBACK;

-- 78. A savepoint name used twice: ROLLBACK TO and RELEASE find the newest; then the older one.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (70, 1, 'first');
SAVEPOINT a;
INSERT INTO sp VALUES (71, 1, 'second');
ROLLBACK TO a;
SELECT id FROM sp WHERE id >= 70;
INSERT INTO sp VALUES (72, 1, 'third');
RELEASE a;
SELECT id FROM sp WHERE id >= 70;
ROLLBACK TO a;
SELECT id FROM sp WHERE id >= 70;
RELEASE a;
RELEASE a;
ROLLBACK;

-- 79. Unknown savepoints: 3B001 for ROLLBACK TO and for RELEASE, and the block is aborted.
BEGIN;
ROLLBACK TO nosuch;
SELECT 1;
ROLLBACK;
BEGIN;
INSERT INTO sp VALUES (80, 1, 'x');
RELEASE SAVEPOINT nosuch;
SELECT 1;
COMMIT;
SELECT * FROM sp WHERE id = 80;

-- 80. Savepoint commands outside a block: 25P01.
SAVEPOINT a;
ROLLBACK TO SAVEPOINT a;
RELEASE SAVEPOINT a;
SELECT count(*) FROM sp;

-- 81. In one Query message without BEGIN (an implicit transaction), SAVEPOINT is refused too.
SELECT 1; SAVEPOINT a; SELECT 2;

-- 82. The spellings: ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT], RELEASE [SAVEPOINT].
BEGIN;
SAVEPOINT s1;
ROLLBACK WORK TO SAVEPOINT s1;
ROLLBACK TRANSACTION TO s1;
ROLLBACK TO s1;
RELEASE s1;
SAVEPOINT s2;
RELEASE SAVEPOINT s2;
COMMIT;

-- 83. Savepoint names are identifiers: folded to lower case unless quoted.
BEGIN;
SAVEPOINT Upper_Name;
ROLLBACK TO upper_name;
SAVEPOINT "Quoted";
ROLLBACK TO "Quoted";
ROLLBACK TO quoted;
ROLLBACK;

-- 84. ROLLBACK TO undoes an UPDATE that moved a row to another key.
BEGIN;
SAVEPOINT a;
UPDATE sp SET id = 100 WHERE id = 1;
SELECT * FROM sp WHERE id = 1;
ROLLBACK TO a;
SELECT * FROM sp WHERE id = 1;
SELECT * FROM sp WHERE id = 100;
COMMIT;

-- 85. ROLLBACK TO restores index entries: a secondary index finds the old value, not the new.
BEGIN;
SAVEPOINT a;
UPDATE sp SET tag = 'changed' WHERE id = 2;
DELETE FROM sp WHERE id = 3;
ROLLBACK TO a;
SELECT id FROM sp WHERE tag = 'changed';
SELECT id FROM sp WHERE tag = 'two';
SELECT id FROM sp WHERE tag = 'three';
COMMIT;

-- 86. A key deleted after a savepoint and inserted again: ROLLBACK TO brings the old row back.
BEGIN;
SAVEPOINT a;
DELETE FROM sp WHERE id = 2;
INSERT INTO sp VALUES (2, 222, 'replacement');
SELECT * FROM sp WHERE id = 2;
ROLLBACK TO a;
SELECT * FROM sp WHERE id = 2;
COMMIT;

-- 87. Writes to the same row before and after a savepoint: ROLLBACK TO returns the row to its state at the savepoint.
BEGIN;
UPDATE sp SET v = 11 WHERE id = 1;
SAVEPOINT a;
UPDATE sp SET v = 12 WHERE id = 1;
SAVEPOINT b;
UPDATE sp SET v = 13 WHERE id = 1;
ROLLBACK TO b;
SELECT v FROM sp WHERE id = 1;
ROLLBACK TO a;
SELECT v FROM sp WHERE id = 1;
ROLLBACK;
SELECT v FROM sp WHERE id = 1;

-- 88. ROLLBACK TO undoes INSERT … ON CONFLICT DO UPDATE.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (1, 99, 'upsert'), (90, 90, 'new') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
ROLLBACK TO a;
SELECT * FROM sp WHERE id IN (1, 90);
COMMIT;

-- 89. ROLLBACK TO undoes CREATE TABLE.
BEGIN;
SAVEPOINT a;
CREATE TABLE sp_made (x int);
INSERT INTO sp_made VALUES (1);
ROLLBACK TO a;
SELECT * FROM sp_made;
ROLLBACK;
BEGIN;
SAVEPOINT a;
CREATE TABLE sp_made (x int);
ROLLBACK TO a;
CREATE TABLE sp_made (y text);
INSERT INTO sp_made VALUES ('kept');
COMMIT;
SELECT * FROM sp_made;
DROP TABLE sp_made;

-- 90. ROLLBACK TO undoes DROP TABLE and TRUNCATE.
BEGIN;
SAVEPOINT a;
DROP TABLE sp;
ROLLBACK TO a;
SELECT count(*) FROM sp;
SAVEPOINT b;
TRUNCATE sp;
SELECT count(*) FROM sp;
ROLLBACK TO b;
SELECT count(*) FROM sp;
COMMIT;
SELECT count(*) FROM sp;

-- 91. ROLLBACK TO undoes ALTER TABLE.
BEGIN;
SAVEPOINT a;
ALTER TABLE sp ADD COLUMN w int DEFAULT 7;
SELECT w FROM sp WHERE id = 1;
ROLLBACK TO a;
SELECT * FROM sp WHERE id = 1;
ALTER TABLE sp RENAME COLUMN tag TO label;
SAVEPOINT b;
ALTER TABLE sp RENAME COLUMN label TO name;
ROLLBACK TO b;
SELECT label FROM sp WHERE id = 1;
ROLLBACK;
SELECT tag FROM sp WHERE id = 1;

-- 92. ROLLBACK TO undoes CREATE INDEX (the name is free again).
BEGIN;
SAVEPOINT a;
CREATE INDEX sp_v ON sp (v);
ROLLBACK TO a;
CREATE INDEX sp_v ON sp (v);
SELECT id FROM sp WHERE v = 20;
ROLLBACK;

-- 93. nextval in a rolled-back savepoint stays consumed.
CREATE SEQUENCE sp_seq;
BEGIN;
SAVEPOINT a;
SELECT nextval('sp_seq');
ROLLBACK TO a;
SELECT nextval('sp_seq');
COMMIT;
SELECT nextval('sp_seq');

-- 94. A unique violation in a savepoint does not keep the key: after ROLLBACK TO it can be inserted.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (95, 1, 'x'), (95, 2, 'y');
ROLLBACK TO a;
INSERT INTO sp VALUES (95, 3, 'z');
COMMIT;
SELECT * FROM sp WHERE id = 95;
DELETE FROM sp WHERE id = 95;

-- 95. ROLLBACK after RELEASE undoes everything, released savepoints included.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (96, 1, 'x');
RELEASE a;
SAVEPOINT b;
INSERT INTO sp VALUES (97, 1, 'y');
ROLLBACK;
SELECT * FROM sp WHERE id >= 96;

-- 96. COMMIT with savepoints still open commits what was not rolled back.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (98, 1, 'x');
SAVEPOINT b;
INSERT INTO sp VALUES (99, 1, 'y');
SAVEPOINT c;
COMMIT;
SELECT id FROM sp WHERE id >= 98;
DELETE FROM sp WHERE id >= 98;

-- 97. ROLLBACK TO, then RELEASE the same savepoint, then go on.
BEGIN;
SAVEPOINT a;
INSERT INTO sp VALUES (100, 1, 'x');
ROLLBACK TO a;
RELEASE a;
INSERT INTO sp VALUES (101, 1, 'y');
ROLLBACK TO a;
ROLLBACK;

-- 98. Five levels deep, rolled back one level at a time.
BEGIN;
SAVEPOINT l1;
INSERT INTO sp VALUES (201, 1, 'l1');
SAVEPOINT l2;
INSERT INTO sp VALUES (202, 1, 'l2');
SAVEPOINT l3;
INSERT INTO sp VALUES (203, 1, 'l3');
SAVEPOINT l4;
INSERT INTO sp VALUES (204, 1, 'l4');
SAVEPOINT l5;
INSERT INTO sp VALUES (205, 1, 'l5');
SELECT count(*) FROM sp WHERE id > 200;
ROLLBACK TO l4;
SELECT count(*) FROM sp WHERE id > 200;
ROLLBACK TO l2;
SELECT count(*) FROM sp WHERE id > 200;
RELEASE l1;
SELECT count(*) FROM sp WHERE id > 200;
COMMIT;
SELECT id FROM sp WHERE id > 200;
DELETE FROM sp WHERE id > 200;

-- 99. ROLLBACK TO a savepoint set before a failed statement of a temporary table.
CREATE TEMP TABLE sp_temp (a int PRIMARY KEY);
BEGIN;
INSERT INTO sp_temp VALUES (1);
SAVEPOINT a;
INSERT INTO sp_temp VALUES (1);
ROLLBACK TO a;
INSERT INTO sp_temp VALUES (2);
COMMIT;
SELECT * FROM sp_temp;
DROP TABLE sp_temp;

-- 100. A foreign key violation inside a savepoint, rolled back.
CREATE TABLE sp_parent (id int PRIMARY KEY);
CREATE TABLE sp_child (id int PRIMARY KEY, p int REFERENCES sp_parent);
BEGIN;
INSERT INTO sp_parent VALUES (1);
SAVEPOINT a;
INSERT INTO sp_child VALUES (1, 2);
ROLLBACK TO a;
INSERT INTO sp_child VALUES (1, 1);
COMMIT;
SELECT * FROM sp_child;
