-- Transactions, part 4: errors. An error inside a block aborts it: every later
-- statement answers 25P02 until the block ends, and COMMIT of a failed block
-- answers ROLLBACK. BEGIN inside a block and COMMIT or ROLLBACK outside one
-- are warnings, not errors. Several statements in one Query message form one
-- implicit transaction, which an error discards whole.

CREATE TABLE e (id int PRIMARY KEY, v int CHECK (v >= 0), s text NOT NULL DEFAULT 'x');
INSERT INTO e VALUES (1, 1, 'a'), (2, 2, 'b');

-- 101. A failed statement aborts the block: reads, writes and SHOW are refused with 25P02; COMMIT answers ROLLBACK.
BEGIN;
INSERT INTO e VALUES (3, 3, 'c');
INSERT INTO e VALUES (1, 1, 'dup');
SELECT * FROM e;
INSERT INTO e VALUES (4, 4, 'd');
SELECT 1;
SHOW transaction_isolation;
COMMIT;
SELECT * FROM e;

-- 102. Each kind of error aborts the block the same way: a check violation.
BEGIN;
UPDATE e SET v = -1 WHERE id = 1;
SELECT 1;
ROLLBACK;

-- 103. A not-null violation.
BEGIN;
INSERT INTO e (id, v, s) VALUES (5, 5, NULL);
UPDATE e SET v = 0;
COMMIT;
SELECT * FROM e;

-- 104. An error in an expression, division by zero.
BEGIN;
UPDATE e SET v = 100;
SELECT v / 0 FROM e;
COMMIT;
SELECT v FROM e;

-- 105. A bad cast.
BEGIN;
SELECT 'x'::int;
SELECT 1;
END;

-- 106. A syntax error aborts the block too.
BEGIN;
SELEC 1;
SELECT 1;
ROLLBACK;

-- 107. An unknown table or column.
BEGIN;
SELECT * FROM no_such_table;
SELECT 1;
ROLLBACK;
BEGIN;
SELECT no_such_column FROM e;
ROLLBACK;

-- 108. A failed DDL statement (the table exists already).
BEGIN;
CREATE TABLE e (x int);
CREATE TABLE other_e (x int);
COMMIT;
SELECT * FROM other_e;

-- 109. A foreign key violation.
CREATE TABLE e_child (id int PRIMARY KEY, e_id int REFERENCES e);
BEGIN;
INSERT INTO e_child VALUES (1, 1);
INSERT INTO e_child VALUES (2, 99);
COMMIT;
SELECT * FROM e_child;

-- 110. An error in a statement that had already written rows undoes those rows too.
BEGIN;
INSERT INTO e VALUES (10, 10, 'p'), (11, -1, 'q');
ROLLBACK;
SELECT count(*) FROM e;

-- 111. In a failed block, ROLLBACK and ABORT end it; END and COMMIT answer ROLLBACK.
BEGIN;
SELECT 1 / 0;
ABORT;
BEGIN;
SELECT 1 / 0;
END;
BEGIN;
SELECT 1 / 0;
COMMIT AND NO CHAIN;
SELECT 'usable again';

-- 112. BEGIN inside a block is a warning: the block goes on and its writes are still one transaction.
BEGIN;
INSERT INTO e VALUES (20, 20, 'w');
BEGIN;
START TRANSACTION;
INSERT INTO e VALUES (21, 21, 'w');
ROLLBACK;
SELECT * FROM e WHERE id >= 20;

-- 113. BEGIN inside a failed block is refused with 25P02.
BEGIN;
SELECT 1 / 0;
BEGIN;
ROLLBACK;

-- 114. COMMIT, END, ROLLBACK and ABORT outside a block are warnings.
COMMIT;
END;
ROLLBACK;
ABORT;
SELECT 'still fine';

-- 115. The statements of one Query message are one transaction: a later error discards the earlier writes.
INSERT INTO e VALUES (30, 30, 'm'); INSERT INTO e VALUES (31, -1, 'm');
SELECT * FROM e WHERE id >= 30;

-- 116. … and without an error they all commit.
INSERT INTO e VALUES (30, 30, 'm'); INSERT INTO e VALUES (31, 31, 'm');
SELECT * FROM e WHERE id >= 30;
DELETE FROM e WHERE id >= 30;

-- 117. COMMIT inside a Query message ends the implicit transaction: what came before it stays.
INSERT INTO e VALUES (40, 40, 'c'); COMMIT; INSERT INTO e VALUES (41, -1, 'c');
SELECT * FROM e WHERE id >= 40;
DELETE FROM e WHERE id >= 40;

-- 118. BEGIN inside a Query message opens a block that outlives the message.
BEGIN; INSERT INTO e VALUES (50, 50, 'b');
SELECT * FROM e WHERE id = 50;
ROLLBACK;
SELECT * FROM e WHERE id = 50;

-- 119. An error inside a Query message that began a block leaves the block failed.
BEGIN; INSERT INTO e VALUES (51, 51, 'b'); SELECT 1 / 0;
SELECT 1;
ROLLBACK;
SELECT * FROM e WHERE id = 51;

-- 120. A whole block in one Query message.
BEGIN; INSERT INTO e VALUES (52, 52, 'b'); COMMIT;
SELECT * FROM e WHERE id = 52;
BEGIN; DELETE FROM e WHERE id = 52; ROLLBACK;
SELECT * FROM e WHERE id = 52;
DELETE FROM e WHERE id = 52;

-- 121. A failed statement outside a block leaves nothing and the session goes on.
INSERT INTO e VALUES (60, 60, 'o'), (1, 1, 'dup');
SELECT * FROM e WHERE id = 60;
UPDATE e SET v = v - 2;
SELECT id, v FROM e;

-- 122. An error in a block after DDL undoes the DDL.
BEGIN;
CREATE TABLE e_ddl (a int);
ALTER TABLE e ADD COLUMN w int;
SELECT 1 / 0;
COMMIT;
SELECT * FROM e_ddl;
SELECT w FROM e;

-- 123. A failed block with writes to several tables: none of them stays.
BEGIN;
INSERT INTO e VALUES (70, 70, 'x');
INSERT INTO e_child VALUES (70, 1);
UPDATE e SET v = v + 1;
INSERT INTO e_child VALUES (71, 12345);
COMMIT;
SELECT count(*) FROM e WHERE id = 70;
SELECT count(*) FROM e_child WHERE id = 70;

-- 124. A unique violation on a secondary unique index in a block.
CREATE UNIQUE INDEX e_s_key ON e (s);
BEGIN;
INSERT INTO e VALUES (80, 80, 'a');
SELECT 1;
ROLLBACK;
DROP INDEX e_s_key;

-- 125. An error after RETURNING had produced rows.
BEGIN;
UPDATE e SET v = v + 1 RETURNING id, v;
UPDATE e SET v = -v RETURNING id, v;
COMMIT;
SELECT id, v FROM e;

-- 126. Errors do not consume the block's earlier nextval: they stay taken.
CREATE SEQUENCE e_seq;
BEGIN;
SELECT nextval('e_seq');
SELECT 1 / 0;
COMMIT;
SELECT nextval('e_seq');

-- 127. A prepared statement run in a failed block answers 25P02 like any other.
PREPARE e_ins(int) AS INSERT INTO e VALUES ($1, $1, 'prep');
BEGIN;
SELECT 1 / 0;
EXECUTE e_ins(90);
ROLLBACK;
EXECUTE e_ins(90);
SELECT * FROM e WHERE id = 90;
DEALLOCATE e_ins;
