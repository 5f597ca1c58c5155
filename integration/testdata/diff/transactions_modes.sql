-- Transactions, part 5: modes. BEGIN / START TRANSACTION with ISOLATION LEVEL,
-- READ ONLY / READ WRITE and [NOT] DEFERRABLE; SET TRANSACTION and SET SESSION
-- CHARACTERISTICS; default_transaction_isolation and default_transaction_read_only;
-- SHOW of the transaction's settings; and writes refused in a read-only
-- transaction (25006).

CREATE TABLE m (id int PRIMARY KEY, v int);
INSERT INTO m VALUES (1, 1), (2, 2);
CREATE SEQUENCE m_seq;

-- 128. The defaults: read committed, read write, not deferrable, in and out of a block.
SHOW transaction_isolation;
SHOW transaction_read_only;
SHOW transaction_deferrable;
SHOW default_transaction_isolation;
SHOW default_transaction_read_only;
BEGIN;
SHOW transaction_isolation;
SHOW transaction_read_only;
COMMIT;

-- 129. BEGIN ISOLATION LEVEL sets the level of the block, and only of the block.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
COMMIT;
SHOW transaction_isolation;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SHOW transaction_isolation;
ROLLBACK;
BEGIN ISOLATION LEVEL READ COMMITTED;
SHOW transaction_isolation;
ROLLBACK;

-- 130. READ UNCOMMITTED is accepted and shown as such (it behaves as READ COMMITTED).
BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
SHOW transaction_isolation;
SELECT * FROM m;
ROLLBACK;

-- 131. START TRANSACTION takes the same modes, in any order, with or without commas.
START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SHOW transaction_isolation;
SHOW transaction_read_only;
ROLLBACK;
START TRANSACTION READ ONLY ISOLATION LEVEL SERIALIZABLE DEFERRABLE;
SHOW transaction_isolation;
SHOW transaction_read_only;
SHOW transaction_deferrable;
ROLLBACK;
BEGIN READ WRITE, NOT DEFERRABLE;
SHOW transaction_read_only;
SHOW transaction_deferrable;
ROLLBACK;

-- 132. Repeated modes: the last one wins. An unknown level is a syntax error, outside and inside a block.
BEGIN ISOLATION LEVEL SERIALIZABLE ISOLATION LEVEL READ COMMITTED;
SHOW transaction_isolation;
ROLLBACK;
BEGIN READ ONLY, READ WRITE;
SHOW transaction_read_only;
ROLLBACK;
BEGIN ISOLATION LEVEL CHAOS;
SHOW transaction_isolation;
BEGIN;
SET TRANSACTION ISOLATION LEVEL CHAOS;
SHOW transaction_isolation;
ROLLBACK;

-- 133. SET TRANSACTION before the first query of the block sets its modes.
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
SET TRANSACTION READ ONLY;
SHOW transaction_read_only;
SELECT * FROM m;
COMMIT;
SHOW transaction_isolation;

-- 134. SET TRANSACTION ISOLATION LEVEL after a query of the block: 25001, and the block is aborted.
BEGIN;
SELECT * FROM m;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SHOW transaction_isolation;
ROLLBACK;

-- 135. Setting the level a block already has is fine even after a query.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT 1;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
COMMIT;

-- 136. SET TRANSACTION outside a block is a warning and changes nothing.
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SHOW transaction_isolation;
SET TRANSACTION READ ONLY;
INSERT INTO m VALUES (3, 3);
DELETE FROM m WHERE id = 3;

-- 137. SET transaction_isolation in a block works like SET TRANSACTION.
BEGIN;
SET transaction_isolation = 'repeatable read';
SHOW transaction_isolation;
COMMIT;
BEGIN;
SET LOCAL transaction_isolation TO 'serializable';
SHOW transaction_isolation;
COMMIT;

-- 138. SET TRANSACTION ISOLATION LEVEL in a subtransaction: 25001.
BEGIN;
SAVEPOINT a;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
ROLLBACK;

-- 139. default_transaction_isolation sets the level of later blocks and implicit transactions.
SET default_transaction_isolation = 'repeatable read';
SHOW transaction_isolation;
BEGIN;
SHOW transaction_isolation;
COMMIT;
BEGIN ISOLATION LEVEL READ COMMITTED;
SHOW transaction_isolation;
COMMIT;
SET default_transaction_isolation TO serializable;
SHOW default_transaction_isolation;
BEGIN;
SHOW transaction_isolation;
COMMIT;
SET default_transaction_isolation = 'no such level';
RESET default_transaction_isolation;
SHOW transaction_isolation;

-- 140. SET SESSION CHARACTERISTICS AS TRANSACTION sets the defaults.
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SHOW default_transaction_isolation;
BEGIN;
SHOW transaction_isolation;
COMMIT;
SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;
SHOW default_transaction_read_only;
INSERT INTO m VALUES (4, 4);
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE, ISOLATION LEVEL READ COMMITTED;
SHOW default_transaction_isolation;
SHOW default_transaction_read_only;

-- 141. A default set inside a block that rolls back is undone.
BEGIN;
SET default_transaction_isolation = 'serializable';
ROLLBACK;
SHOW default_transaction_isolation;
BEGIN;
SET default_transaction_isolation = 'serializable';
COMMIT;
SHOW default_transaction_isolation;
RESET default_transaction_isolation;

-- 142. In a READ ONLY block, INSERT, UPDATE, DELETE are refused with 25006, and the block is aborted.
BEGIN READ ONLY;
SELECT * FROM m;
INSERT INTO m VALUES (5, 5);
SELECT 1;
ROLLBACK;
BEGIN READ ONLY;
UPDATE m SET v = 0;
ROLLBACK;
BEGIN READ ONLY;
DELETE FROM m;
ROLLBACK;
SELECT * FROM m;

-- 143. … and so are INSERT … ON CONFLICT, TRUNCATE and UPDATE matching no row.
BEGIN READ ONLY;
INSERT INTO m VALUES (1, 1) ON CONFLICT DO NOTHING;
ROLLBACK;
BEGIN READ ONLY;
TRUNCATE m;
ROLLBACK;
BEGIN READ ONLY;
UPDATE m SET v = 0 WHERE id = 12345;
ROLLBACK;

-- 144. … and DDL: CREATE TABLE, DROP TABLE, ALTER TABLE, CREATE INDEX, CREATE SEQUENCE.
BEGIN READ ONLY;
CREATE TABLE ro_made (a int);
ROLLBACK;
BEGIN READ ONLY;
DROP TABLE m;
ROLLBACK;
BEGIN READ ONLY;
ALTER TABLE m ADD COLUMN w int;
ROLLBACK;
BEGIN READ ONLY;
CREATE INDEX m_v ON m (v);
ROLLBACK;
BEGIN READ ONLY;
CREATE SEQUENCE ro_seq;
ROLLBACK;
SELECT * FROM m;

-- 145. … and nextval and setval.
BEGIN READ ONLY;
SELECT nextval('m_seq');
ROLLBACK;
BEGIN READ ONLY;
SELECT setval('m_seq', 10);
ROLLBACK;
SELECT nextval('m_seq');

-- 146. A read-only block may read, SHOW, SET and use savepoints.
BEGIN READ ONLY;
SELECT count(*) FROM m;
SET LOCAL application_name = 'read-only block';
SHOW transaction_read_only;
SAVEPOINT a;
SELECT v FROM m WHERE id = 1;
RELEASE a;
COMMIT;

-- 147. SET TRANSACTION READ ONLY after writes in the block: later writes are refused.
BEGIN;
INSERT INTO m VALUES (6, 6);
SET TRANSACTION READ ONLY;
INSERT INTO m VALUES (7, 7);
COMMIT;
SELECT * FROM m WHERE id >= 6;

-- 148. SET TRANSACTION READ WRITE in a read-only block after a query: 25001.
BEGIN READ ONLY;
SELECT 1;
SET TRANSACTION READ WRITE;
ROLLBACK;
BEGIN READ ONLY;
SET TRANSACTION READ WRITE;
INSERT INTO m VALUES (8, 8);
SHOW transaction_read_only;
ROLLBACK;

-- 149. SET transaction_read_only in a block works like SET TRANSACTION.
BEGIN;
SET transaction_read_only = on;
INSERT INTO m VALUES (9, 9);
ROLLBACK;
BEGIN;
SET transaction_read_only = off;
SHOW transaction_read_only;
ROLLBACK;

-- 150. default_transaction_read_only refuses writes outside blocks too; a block can still choose READ WRITE.
SET default_transaction_read_only = on;
SHOW transaction_read_only;
INSERT INTO m VALUES (10, 10);
SELECT count(*) FROM m;
BEGIN READ WRITE;
INSERT INTO m VALUES (10, 10);
COMMIT;
BEGIN;
DELETE FROM m WHERE id = 10;
ROLLBACK;
RESET default_transaction_read_only;
DELETE FROM m WHERE id = 10;

-- 151. Temporary tables may be written in a read-only block, but not created.
CREATE TEMP TABLE m_temp (a int);
BEGIN READ ONLY;
INSERT INTO m_temp VALUES (1);
UPDATE m_temp SET a = 2;
SELECT * FROM m_temp;
CREATE TEMP TABLE m_temp2 (a int);
ROLLBACK;
SELECT * FROM m_temp;
DROP TABLE m_temp;

-- 152. A read-only block at each isolation level.
BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY;
SELECT count(*) FROM m;
INSERT INTO m VALUES (11, 11);
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT count(*) FROM m;
COMMIT;

-- 153. SELECT … FOR UPDATE in a read-only block: 25006.
BEGIN READ ONLY;
SELECT * FROM m WHERE id = 1 FOR UPDATE;
ROLLBACK;
BEGIN READ ONLY;
SELECT * FROM m FOR SHARE;
ROLLBACK;

-- 154. SELECT … FOR UPDATE / FOR SHARE / FOR NO KEY UPDATE / FOR KEY SHARE in a block returns the rows.
BEGIN;
SELECT * FROM m WHERE id = 1 FOR UPDATE;
SELECT * FROM m WHERE id = 2 FOR NO KEY UPDATE;
SELECT * FROM m FOR SHARE;
SELECT * FROM m FOR KEY SHARE;
SELECT * FROM m WHERE id = 1 FOR UPDATE NOWAIT;
SELECT * FROM m FOR UPDATE SKIP LOCKED;
COMMIT;

-- 155. SELECT … FOR UPDATE outside a block runs (its locks end with the statement).
SELECT * FROM m WHERE id = 1 FOR UPDATE;
SELECT id FROM m ORDER BY id FOR UPDATE OF m;

-- 156. The isolation level does not change what a lone session reads of its own writes.
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO m VALUES (12, 12);
UPDATE m SET v = 120 WHERE id = 12;
SELECT * FROM m WHERE id = 12;
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO m VALUES (12, 12);
SELECT count(*) FROM m;
COMMIT;
SELECT * FROM m WHERE id = 12;
DELETE FROM m WHERE id = 12;

-- 201. COMMIT/ROLLBACK AND CHAIN begin the next block with the same modes, also after an error.
BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY;
COMMIT AND CHAIN;
SHOW transaction_isolation;
SHOW transaction_read_only;
ROLLBACK AND CHAIN;
SHOW transaction_isolation;
SELECT 1/0;
COMMIT AND CHAIN;
SHOW transaction_isolation;
ROLLBACK;
SHOW transaction_isolation;
COMMIT AND CHAIN;
ROLLBACK AND NO CHAIN;
