-- Transactions, part 2: a block reads its own uncommitted writes through every
-- access path — primary-key lookups and ranges, secondary indexes (equality and
-- ranges, unique and not), joins, aggregates, subqueries — including after an
-- UPDATE moves a row to another key, and after DELETE; and the same reads see
-- the committed state again after ROLLBACK.

CREATE TABLE acc (id int PRIMARY KEY, owner text NOT NULL, balance int, branch int);
CREATE INDEX acc_owner ON acc (owner);
CREATE INDEX acc_branch_balance ON acc (branch, balance);
CREATE TABLE branch (id int PRIMARY KEY, city text UNIQUE);
INSERT INTO branch VALUES (1, 'Oslo'), (2, 'Lima'), (3, 'Pune');
INSERT INTO acc SELECT g, 'owner' || (g % 7), g * 10, 1 + g % 3 FROM generate_series(1, 60) AS g;

-- 39. A row inserted in the block: found by its primary key, and not by a key it does not have.
BEGIN;
INSERT INTO acc VALUES (100, 'zoe', 1000, 2);
SELECT * FROM acc WHERE id = 100;
SELECT * FROM acc WHERE id = 101;
ROLLBACK;
SELECT * FROM acc WHERE id = 100;

-- 40. Inserted rows appear in primary-key ranges, in order, among committed rows.
BEGIN;
INSERT INTO acc VALUES (61, 'new', 1, 1), (0, 'new', 2, 1), (-5, 'new', 3, 1);
-- @ordered
SELECT id FROM acc WHERE id <= 2 ORDER BY id;
-- @ordered
SELECT id FROM acc WHERE id BETWEEN 58 AND 70 ORDER BY id DESC;
SELECT count(*) FROM acc WHERE id > 55;
ROLLBACK;
-- @ordered
SELECT id FROM acc WHERE id <= 2 ORDER BY id;

-- 41. Inserted rows are found through a secondary index, by equality and by range.
BEGIN;
INSERT INTO acc VALUES (200, 'owner3', 5, 2), (201, 'aaa', 6, 2);
SELECT id FROM acc WHERE owner = 'owner3';
SELECT id FROM acc WHERE owner < 'b';
SELECT id, balance FROM acc WHERE branch = 2 AND balance < 20;
ROLLBACK;
SELECT id FROM acc WHERE owner = 'owner3';
SELECT id FROM acc WHERE owner < 'b';

-- 42. An UPDATE of a non-key column is seen by primary key and by scan.
BEGIN;
UPDATE acc SET balance = -1 WHERE id = 7;
SELECT balance FROM acc WHERE id = 7;
SELECT id FROM acc WHERE balance < 0;
ROLLBACK;
SELECT balance FROM acc WHERE id = 7;

-- 43. An UPDATE of an indexed column moves the row in the index: found under the new value, not the old.
BEGIN;
UPDATE acc SET owner = 'moved' WHERE id IN (3, 10);
SELECT id FROM acc WHERE owner = 'moved';
SELECT id FROM acc WHERE owner = 'owner3' AND id IN (3, 10);
SELECT count(*) FROM acc WHERE owner = 'owner3';
ROLLBACK;
SELECT id FROM acc WHERE owner = 'moved';
SELECT count(*) FROM acc WHERE owner = 'owner3';

-- 44. An UPDATE of a composite index's second column moves the row within the range.
BEGIN;
UPDATE acc SET balance = 1 WHERE id = 30;
-- @ordered
SELECT id, balance FROM acc WHERE branch = 1 AND balance < 100 ORDER BY balance, id;
ROLLBACK;
-- @ordered
SELECT id, balance FROM acc WHERE branch = 1 AND balance < 100 ORDER BY balance, id;

-- 45. An UPDATE that changes the primary key: the old key finds nothing, the new key finds the row.
BEGIN;
UPDATE acc SET id = 1000 WHERE id = 5;
SELECT * FROM acc WHERE id = 5;
SELECT * FROM acc WHERE id = 1000;
SELECT id FROM acc WHERE owner = 'owner5' ORDER BY id;
SELECT count(*), sum(id) FROM acc;
ROLLBACK;
SELECT * FROM acc WHERE id = 1000;
SELECT * FROM acc WHERE id = 5;

-- 46. An UPDATE that shifts every key: ranges over old and new keys.
BEGIN;
UPDATE acc SET id = id + 1000;
SELECT count(*) FROM acc WHERE id <= 60;
SELECT count(*) FROM acc WHERE id > 1000;
SELECT min(id), max(id) FROM acc;
ROLLBACK;
SELECT min(id), max(id) FROM acc;

-- 47. Two UPDATEs of one row in a block: the second sees the first.
BEGIN;
UPDATE acc SET balance = balance + 1 WHERE id = 1;
UPDATE acc SET balance = balance * 2 WHERE id = 1;
SELECT balance FROM acc WHERE id = 1;
ROLLBACK;
SELECT balance FROM acc WHERE id = 1;

-- 48. A key moved away and another row moved into it.
BEGIN;
UPDATE acc SET id = 999 WHERE id = 2;
UPDATE acc SET id = 2 WHERE id = 4;
SELECT id, balance FROM acc WHERE id IN (2, 4, 999);
ROLLBACK;
SELECT id, balance FROM acc WHERE id IN (2, 4, 999);

-- 49. A deleted row is gone from every access path.
BEGIN;
DELETE FROM acc WHERE id = 14;
SELECT * FROM acc WHERE id = 14;
SELECT id FROM acc WHERE owner = 'owner0' ORDER BY id;
SELECT id FROM acc WHERE branch = 3 AND balance = 140;
SELECT count(*) FROM acc;
ROLLBACK;
SELECT id FROM acc WHERE owner = 'owner0' ORDER BY id;

-- 50. A row deleted and inserted again under the same key, with other values.
BEGIN;
DELETE FROM acc WHERE id = 20;
INSERT INTO acc VALUES (20, 'again', 0, 3);
SELECT * FROM acc WHERE id = 20;
SELECT id FROM acc WHERE owner = 'again';
SELECT id FROM acc WHERE owner = 'owner6' AND id = 20;
ROLLBACK;
SELECT * FROM acc WHERE id = 20;

-- 51. A row inserted then deleted in the same block leaves nothing.
BEGIN;
INSERT INTO acc VALUES (300, 'brief', 1, 1);
DELETE FROM acc WHERE id = 300;
SELECT * FROM acc WHERE id = 300;
SELECT * FROM acc WHERE owner = 'brief';
COMMIT;
SELECT * FROM acc WHERE id = 300;

-- 52. A row inserted then updated in the same block commits with its last values.
BEGIN;
INSERT INTO acc VALUES (301, 'first', 1, 1);
UPDATE acc SET owner = 'second', balance = 2 WHERE id = 301;
SELECT * FROM acc WHERE owner = 'first';
COMMIT;
SELECT * FROM acc WHERE id = 301;
SELECT id FROM acc WHERE owner = 'second';
DELETE FROM acc WHERE id = 301;

-- 53. Joins see the block's writes on both sides.
BEGIN;
INSERT INTO branch VALUES (4, 'Kyiv');
INSERT INTO acc VALUES (400, 'kyivan', 7, 4);
UPDATE branch SET city = 'Lyon' WHERE id = 1;
SELECT a.id, b.city FROM acc a JOIN branch b ON a.branch = b.id WHERE a.id IN (1, 2, 3, 400);
SELECT b.city, count(a.id) FROM branch b LEFT JOIN acc a ON a.branch = b.id GROUP BY b.city;
SELECT a.id FROM acc a JOIN branch b ON a.branch = b.id WHERE b.city = 'Kyiv';
ROLLBACK;
SELECT b.city, count(a.id) FROM branch b LEFT JOIN acc a ON a.branch = b.id GROUP BY b.city;

-- 54. A join through a unique secondary index after the indexed value changed.
BEGIN;
UPDATE branch SET city = 'Quito' WHERE city = 'Lima';
SELECT id FROM branch WHERE city = 'Lima';
SELECT id FROM branch WHERE city = 'Quito';
SELECT count(*) FROM acc a JOIN branch b ON b.id = a.branch AND b.city = 'Quito';
ROLLBACK;
SELECT id FROM branch WHERE city = 'Quito';

-- 55. Aggregates over the block's writes: count, sum, min, max, grouped, with HAVING.
BEGIN;
INSERT INTO acc SELECT g, 'bulk', 1, 1 FROM generate_series(1001, 1100) AS g;
DELETE FROM acc WHERE id <= 10;
UPDATE acc SET balance = balance + 5 WHERE branch = 2;
SELECT count(*), sum(balance), min(id), max(id) FROM acc;
SELECT branch, count(*), sum(balance) FROM acc GROUP BY branch;
SELECT owner FROM acc GROUP BY owner HAVING count(*) > 50;
ROLLBACK;
SELECT count(*), sum(balance), min(id), max(id) FROM acc;
SELECT branch, count(*), sum(balance) FROM acc GROUP BY branch;

-- 56. Subqueries (IN, EXISTS, scalar, correlated) see the block's writes.
BEGIN;
INSERT INTO branch VALUES (5, 'Bern');
INSERT INTO acc VALUES (500, 'bernese', 99, 5);
SELECT id FROM acc WHERE branch IN (SELECT id FROM branch WHERE city = 'Bern');
SELECT city FROM branch b WHERE EXISTS (SELECT 1 FROM acc a WHERE a.branch = b.id AND a.balance = 99);
SELECT (SELECT max(balance) FROM acc WHERE branch = 5), (SELECT count(*) FROM branch);
SELECT city FROM branch b WHERE NOT EXISTS (SELECT 1 FROM acc a WHERE a.branch = b.id);
SELECT id, (SELECT city FROM branch WHERE id = acc.branch) FROM acc WHERE id = 500;
ROLLBACK;
SELECT city FROM branch b WHERE NOT EXISTS (SELECT 1 FROM acc a WHERE a.branch = b.id);

-- 57. WITH queries, UNION and DISTINCT over the block's writes.
BEGIN;
INSERT INTO acc VALUES (600, 'owner1', 0, 1);
WITH mine AS (SELECT * FROM acc WHERE owner = 'owner1') SELECT count(*), min(balance) FROM mine;
SELECT id FROM acc WHERE id = 600 UNION SELECT id FROM acc WHERE id = 1;
SELECT DISTINCT owner FROM acc WHERE balance = 0;
ROLLBACK;
SELECT DISTINCT owner FROM acc WHERE balance = 0;

-- 58. A statement does not see its own writes: INSERT … SELECT from the same table reads it as it was.
BEGIN;
INSERT INTO acc SELECT id + 2000, owner, balance, branch FROM acc WHERE id > 55 OR id > 2000;
SELECT count(*) FROM acc WHERE id > 2000;
INSERT INTO acc SELECT id + 2000, owner, balance, branch FROM acc WHERE id > 2000;
SELECT count(*) FROM acc WHERE id > 2000;
ROLLBACK;

-- 59. UPDATE … FROM and DELETE … USING read the block's earlier writes.
BEGIN;
INSERT INTO branch VALUES (6, 'Baku');
UPDATE acc SET branch = 6 FROM branch WHERE branch.city = 'Baku' AND acc.id <= 3;
SELECT id, branch FROM acc WHERE id <= 3;
DELETE FROM acc USING branch WHERE acc.branch = branch.id AND branch.city = 'Baku';
SELECT count(*) FROM acc WHERE id <= 3;
ROLLBACK;
SELECT id, branch FROM acc WHERE id <= 3;

-- 60. INSERT … ON CONFLICT sees a row inserted earlier in the block.
BEGIN;
INSERT INTO acc VALUES (800, 'x', 1, 1);
INSERT INTO acc VALUES (800, 'y', 2, 2) ON CONFLICT (id) DO UPDATE SET balance = acc.balance + excluded.balance;
SELECT * FROM acc WHERE id = 800;
INSERT INTO acc VALUES (800, 'z', 3, 3) ON CONFLICT DO NOTHING;
SELECT * FROM acc WHERE id = 800;
ROLLBACK;

-- 61. A unique violation against a row inserted earlier in the same block.
BEGIN;
INSERT INTO branch VALUES (7, 'Rome');
INSERT INTO branch VALUES (8, 'Rome');
ROLLBACK;
SELECT * FROM branch WHERE city = 'Rome';

-- 62. A key freed by DELETE in the block can be reused by INSERT in it.
BEGIN;
DELETE FROM branch WHERE city = 'Pune';
INSERT INTO branch VALUES (9, 'Pune');
SELECT * FROM branch WHERE city = 'Pune';
COMMIT;
SELECT * FROM branch;
UPDATE branch SET id = 3 WHERE id = 9;

-- 63. A table created in the block, filled, indexed and queried through the index.
BEGIN;
CREATE TABLE fresh (a int PRIMARY KEY, b int);
INSERT INTO fresh SELECT g, g % 10 FROM generate_series(1, 100) AS g;
CREATE INDEX fresh_b ON fresh (b);
SELECT count(*) FROM fresh WHERE b = 3;
INSERT INTO fresh VALUES (101, 3);
SELECT count(*) FROM fresh WHERE b = 3;
-- @ordered
SELECT a FROM fresh WHERE a > 95 ORDER BY a;
ROLLBACK;
SELECT * FROM fresh;

-- 64. A column added in the block is read and written in it.
BEGIN;
ALTER TABLE branch ADD COLUMN country text;
UPDATE branch SET country = 'NO' WHERE city = 'Oslo';
SELECT city, country FROM branch WHERE country IS NOT NULL;
ROLLBACK;
SELECT * FROM branch;

-- 65. ORDER BY, LIMIT and OFFSET over a mix of committed and uncommitted rows.
BEGIN;
INSERT INTO acc VALUES (-1, 'neg', 5, 1), (61, 'top', 5, 1);
UPDATE acc SET balance = 5 WHERE id = 30;
-- @ordered
SELECT id FROM acc WHERE balance = 5 ORDER BY id;
-- @ordered
SELECT id FROM acc ORDER BY id LIMIT 3;
-- @ordered
SELECT id FROM acc ORDER BY id DESC LIMIT 2 OFFSET 1;
ROLLBACK;
-- @ordered
SELECT id FROM acc ORDER BY id LIMIT 3;

-- 66. Writes of an implicit transaction (no block) are seen by the next statement.
INSERT INTO acc VALUES (900, 'auto', 1, 1);
SELECT owner FROM acc WHERE id = 900;
UPDATE acc SET owner = 'auto2' WHERE id = 900;
SELECT id FROM acc WHERE owner = 'auto2';
DELETE FROM acc WHERE id = 900;
SELECT count(*) FROM acc WHERE id = 900;

-- 67. Several statements in one Query message see each other's writes.
INSERT INTO acc VALUES (901, 'multi', 1, 1); UPDATE acc SET balance = 2 WHERE id = 901; SELECT balance FROM acc WHERE id = 901;
DELETE FROM acc WHERE id = 901;
