-- Transactions, part 6: what sessions see of each other. Uncommitted writes are
-- invisible to other sessions; READ COMMITTED takes a snapshot per statement and
-- sees what committed between its statements; REPEATABLE READ and SERIALIZABLE
-- take one snapshot at the first query of the block and keep it — through
-- primary-key and secondary-index reads alike — and refuse (40001) to update a
-- row that changed after it. Sequences are shared and not transactional.
--
-- Nothing here waits for a lock: where a session asks for a lock another holds,
-- it asks with NOWAIT or SKIP LOCKED. Scenarios that wait are in TestAnomalies.

CREATE TABLE vis (id int PRIMARY KEY, owner text, v int);
CREATE INDEX vis_owner ON vis (owner);
INSERT INTO vis VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cat', 30);

-- 157. Uncommitted writes are invisible to another session; after COMMIT they are visible.
BEGIN;
INSERT INTO vis VALUES (4, 'dan', 40);
UPDATE vis SET v = 11 WHERE id = 1;
DELETE FROM vis WHERE id = 2;
-- @conn other
SELECT * FROM vis;
SELECT * FROM vis WHERE owner = 'dan';
SELECT * FROM vis WHERE id = 2;
-- @conn main
COMMIT;
-- @conn other
SELECT * FROM vis;
SELECT id FROM vis WHERE owner = 'dan';

-- 158. Rolled-back writes are never visible to another session.
-- @conn main
BEGIN;
INSERT INTO vis VALUES (5, 'eve', 50);
UPDATE vis SET owner = 'zed' WHERE id = 1;
ROLLBACK;
-- @conn other
SELECT * FROM vis WHERE id IN (1, 5);
SELECT * FROM vis WHERE owner = 'zed';
INSERT INTO vis VALUES (2, 'bob', 20);

-- 159. READ COMMITTED: each statement sees what committed before it began.
-- @conn main
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (6, 'fay', 60);
-- @conn main
SELECT count(*) FROM vis;
-- @conn other
UPDATE vis SET v = 61 WHERE id = 6;
-- @conn main
SELECT v FROM vis WHERE id = 6;
-- @conn other
DELETE FROM vis WHERE id = 6;
-- @conn main
SELECT * FROM vis WHERE id = 6;
COMMIT;

-- 160. REPEATABLE READ: the block keeps the snapshot of its first query.
-- @conn main
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (7, 'gus', 70);
UPDATE vis SET v = 31 WHERE id = 3;
-- @conn main
SELECT count(*) FROM vis;
SELECT v FROM vis WHERE id = 3;
SELECT * FROM vis WHERE id = 7;
COMMIT;
SELECT count(*) FROM vis;
SELECT v FROM vis WHERE id = 3;

-- 161. SERIALIZABLE keeps its snapshot like REPEATABLE READ.
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT sum(v) FROM vis;
-- @conn other
UPDATE vis SET v = v + 1000 WHERE id = 7;
-- @conn main
SELECT sum(v) FROM vis;
COMMIT;
SELECT sum(v) FROM vis;

-- 162. The snapshot is taken at the block's first query, not at BEGIN.
BEGIN ISOLATION LEVEL REPEATABLE READ;
-- @conn other
INSERT INTO vis VALUES (8, 'hal', 80);
-- @conn main
SELECT id FROM vis WHERE id = 8;
-- @conn other
DELETE FROM vis WHERE id = 8;
-- @conn main
SELECT id FROM vis WHERE id = 8;
COMMIT;

-- 163. A query without tables takes the snapshot too.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT 1;
-- @conn other
INSERT INTO vis VALUES (9, 'ivy', 90);
-- @conn main
SELECT id FROM vis WHERE id = 9;
COMMIT;
SELECT id FROM vis WHERE id = 9;

-- 164. REPEATABLE READ through a secondary index: the old value is found, the new one is not.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT id FROM vis WHERE owner = 'ann';
-- @conn other
UPDATE vis SET owner = 'amy' WHERE id = 1;
-- @conn main
SELECT id, owner FROM vis WHERE owner = 'ann';
SELECT id FROM vis WHERE owner = 'amy';
SELECT id FROM vis WHERE owner >= 'a' AND owner < 'b';
COMMIT;
SELECT id FROM vis WHERE owner = 'ann';
SELECT id FROM vis WHERE owner = 'amy';

-- 165. REPEATABLE READ after another session moved a row to another key: the old key still finds it.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
UPDATE vis SET id = 100 WHERE id = 3;
-- @conn main
SELECT id, owner FROM vis WHERE id = 3;
SELECT id FROM vis WHERE id = 100;
SELECT id FROM vis WHERE id BETWEEN 2 AND 200;
COMMIT;
SELECT id FROM vis WHERE id BETWEEN 2 AND 200;
UPDATE vis SET id = 3 WHERE id = 100;

-- 166. READ COMMITTED after another session moved a row: the next statement finds it under the new key only.
BEGIN;
SELECT owner FROM vis WHERE id = 3;
-- @conn other
UPDATE vis SET id = 300 WHERE id = 3;
-- @conn main
SELECT owner FROM vis WHERE id = 3;
SELECT owner FROM vis WHERE id = 300;
COMMIT;
UPDATE vis SET id = 3 WHERE id = 300;

-- 167. REPEATABLE READ: updating a row another session changed and committed after the snapshot fails with 40001.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT v FROM vis WHERE id = 1;
-- @conn other
UPDATE vis SET v = v + 1 WHERE id = 1;
-- @conn main
UPDATE vis SET v = v + 100 WHERE id = 1;
SELECT 1;
ROLLBACK;
SELECT v FROM vis WHERE id = 1;

-- 168. … and deleting it.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT v FROM vis WHERE id = 1;
-- @conn other
UPDATE vis SET v = v + 1 WHERE id = 1;
-- @conn main
DELETE FROM vis WHERE id = 1;
ROLLBACK;

-- 169. … and updating a row another session deleted.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
DELETE FROM vis WHERE id = 9;
-- @conn main
SELECT id FROM vis WHERE id = 9;
UPDATE vis SET v = 0 WHERE id = 9;
ROLLBACK;

-- 170. SERIALIZABLE refuses the same way.
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT v FROM vis WHERE id = 2;
SELECT v FROM vis WHERE id = 4;
-- @conn other
UPDATE vis SET v = v + 1 WHERE id = 4;
-- @conn main
UPDATE vis SET v = 0 WHERE id = 4;
ROLLBACK;

-- 171. REPEATABLE READ may update rows nobody else changed, and a change by another session to other rows does not matter.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
UPDATE vis SET v = v + 1 WHERE id = 4;
-- @conn main
UPDATE vis SET v = v + 1 WHERE id = 1;
COMMIT;
SELECT id, v FROM vis WHERE id IN (1, 4);

-- 172. READ COMMITTED updates the latest committed version of a row another session changed.
BEGIN;
SELECT v FROM vis WHERE id = 1;
-- @conn other
UPDATE vis SET v = 500 WHERE id = 1;
-- @conn main
UPDATE vis SET v = v + 1 WHERE id = 1 RETURNING v;
COMMIT;
SELECT v FROM vis WHERE id = 1;

-- 173. READ COMMITTED: an UPDATE without WHERE changes rows another session inserted and committed during the block.
BEGIN;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (10, 'jon', 100);
-- @conn main
UPDATE vis SET v = 0;
COMMIT;
SELECT count(*) FROM vis WHERE v = 0;

-- 174. REPEATABLE READ: rows inserted after the snapshot are not updated.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (11, 'kim', 110);
-- @conn main
UPDATE vis SET v = 1 WHERE v = 0;
COMMIT;
SELECT id, v FROM vis WHERE id >= 10;

-- 175. REPEATABLE READ: inserting a key another session inserted and committed after the snapshot is a unique violation.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (12, 'lea', 120);
-- @conn main
SELECT id FROM vis WHERE id = 12;
INSERT INTO vis VALUES (12, 'mine', 0);
ROLLBACK;
SELECT owner FROM vis WHERE id = 12;

-- 176. … and INSERT … ON CONFLICT DO NOTHING on such a key.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (13, 'max', 130);
-- @conn main
INSERT INTO vis VALUES (13, 'mine', 0) ON CONFLICT DO NOTHING;
ROLLBACK;

-- 177. … and at READ COMMITTED, where the row is visible to the statement.
BEGIN;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (14, 'ned', 140);
-- @conn main
INSERT INTO vis VALUES (14, 'mine', 0) ON CONFLICT (id) DO UPDATE SET owner = vis.owner || '+' || excluded.owner;
INSERT INTO vis VALUES (14, 'again', 0);
ROLLBACK;
SELECT owner FROM vis WHERE id = 14;

-- 178. A REPEATABLE READ block sees its own writes over its snapshot, not the other session's later commits.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
INSERT INTO vis VALUES (15, 'oli', 150);
-- @conn main
INSERT INTO vis VALUES (16, 'mine', 160);
SELECT id FROM vis WHERE id >= 15;
COMMIT;
SELECT id FROM vis WHERE id >= 15;

-- 179. Two sessions write different rows at the same time; both commit; both see everything.
BEGIN;
INSERT INTO vis VALUES (17, 'main', 1);
UPDATE vis SET v = -1 WHERE id = 2;
-- @conn other
BEGIN;
INSERT INTO vis VALUES (18, 'other', 1);
UPDATE vis SET v = -1 WHERE id = 4;
SELECT id FROM vis WHERE v = -1 OR id >= 17;
-- @conn main
SELECT id FROM vis WHERE v = -1 OR id >= 17;
COMMIT;
-- @conn other
SELECT id FROM vis WHERE v = -1 OR id >= 17;
COMMIT;
SELECT id FROM vis WHERE v = -1 OR id >= 17;

-- 180. A REPEATABLE READ block in each session: each keeps its own snapshot.
-- @conn main
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
BEGIN ISOLATION LEVEL REPEATABLE READ;
DELETE FROM vis WHERE id = 18;
SELECT count(*) FROM vis;
-- @conn main
DELETE FROM vis WHERE id = 17;
SELECT count(*) FROM vis;
-- @conn other
COMMIT;
-- @conn main
SELECT count(*) FROM vis;
COMMIT;
SELECT count(*) FROM vis;

-- 181. A third session's commit is seen by a READ COMMITTED block and not by a REPEATABLE READ one.
-- @conn main
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT count(*) FROM vis;
-- @conn other
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn third
INSERT INTO vis VALUES (19, 'pat', 190);
-- @conn main
SELECT count(*) FROM vis;
-- @conn other
SELECT count(*) FROM vis;
COMMIT;
-- @conn main
COMMIT;

-- 182. A REPEATABLE READ block's savepoints keep its snapshot.
-- @conn main
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
SAVEPOINT a;
-- @conn other
INSERT INTO vis VALUES (20, 'quin', 200);
-- @conn main
ROLLBACK TO a;
SELECT count(*) FROM vis;
COMMIT;
SELECT count(*) FROM vis;

-- 183. Sequences are shared and not transactional: values taken in a rolled-back block stay taken; currval is per session.
CREATE SEQUENCE shared_seq;
BEGIN;
SELECT nextval('shared_seq');
-- @conn other
SELECT nextval('shared_seq');
-- @conn main
ROLLBACK;
SELECT currval('shared_seq');
-- @conn other
SELECT nextval('shared_seq');
SELECT currval('shared_seq');
-- @conn third
SELECT currval('shared_seq');

-- 184. A REPEATABLE READ block sees sequence values others took after its snapshot.
-- @conn main
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
SELECT nextval('shared_seq');
-- @conn main
SELECT nextval('shared_seq');
COMMIT;

-- 185. A table created in an open block is invisible to another session until it commits.
-- @conn main
BEGIN;
CREATE TABLE made_here (a int);
INSERT INTO made_here VALUES (1);
-- @conn other
SELECT * FROM made_here;
-- @conn main
COMMIT;
-- @conn other
SELECT * FROM made_here;

-- 186. A table created and filled by another session after a REPEATABLE READ snapshot.
-- @conn main
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vis;
-- @conn other
CREATE TABLE made_later (a int);
INSERT INTO made_later VALUES (1);
-- @conn main
SELECT * FROM made_later;
COMMIT;
SELECT * FROM made_later;

-- 187. A table created in a block that rolls back never appears to another session.
-- @conn other
BEGIN;
CREATE TABLE never_seen (a int);
-- @conn main
SELECT * FROM never_seen;
-- @conn other
ROLLBACK;
-- @conn main
SELECT * FROM never_seen;

-- 188. A temporary table belongs to its session.
-- @conn other
CREATE TEMP TABLE private_t (a int);
INSERT INTO private_t VALUES (1);
SELECT * FROM private_t;
-- @conn main
SELECT * FROM private_t;
CREATE TEMP TABLE private_t (b text);
SELECT * FROM private_t;
-- @conn other
SELECT * FROM private_t;
DROP TABLE private_t;
-- @conn main
DROP TABLE private_t;

-- 189. Settings of one session do not reach another.
-- @conn other
SET default_transaction_isolation = 'serializable';
SET default_transaction_read_only = on;
-- @conn main
SHOW default_transaction_isolation;
BEGIN;
SHOW transaction_isolation;
SHOW transaction_read_only;
COMMIT;
-- @conn other
SHOW transaction_isolation;
RESET default_transaction_isolation;
RESET default_transaction_read_only;

-- 190. A session that waits for nothing has no blocking pids, whatever the others hold.
-- @conn main
BEGIN;
UPDATE vis SET v = v + 1 WHERE id = 1;
-- @conn other
SELECT pg_blocking_pids(pg_backend_pid());
-- @conn main
ROLLBACK;

-- 191. SELECT … FOR UPDATE NOWAIT on a row another session locked: 55P03 at once.
BEGIN;
SELECT id FROM vis WHERE id = 1 FOR UPDATE;
-- @conn other
SELECT id FROM vis WHERE id = 1 FOR UPDATE NOWAIT;
SELECT id FROM vis WHERE id = 2 FOR UPDATE NOWAIT;
-- @conn main
COMMIT;

-- 192. A row another session updated is locked too: FOR UPDATE NOWAIT and FOR SHARE NOWAIT fail, a plain read does not wait.
BEGIN;
UPDATE vis SET v = 1 WHERE id = 1;
-- @conn other
SELECT v FROM vis WHERE id = 1;
SELECT v FROM vis WHERE id = 1 FOR UPDATE NOWAIT;
SELECT v FROM vis WHERE id = 1 FOR SHARE NOWAIT;
-- @conn main
ROLLBACK;

-- 193. In a block, the failed NOWAIT aborts the block.
BEGIN;
SELECT id FROM vis WHERE id = 2 FOR UPDATE;
-- @conn other
BEGIN;
SELECT id FROM vis WHERE id = 2 FOR UPDATE NOWAIT;
SELECT 1;
ROLLBACK;
-- @conn main
ROLLBACK;

-- 194. SKIP LOCKED passes over rows other sessions locked.
BEGIN;
SELECT id FROM vis WHERE id IN (1, 2) FOR UPDATE;
-- @conn other
SELECT id FROM vis WHERE id <= 4 FOR UPDATE SKIP LOCKED;
SELECT id FROM vis WHERE id <= 4 FOR SHARE SKIP LOCKED;
-- @conn main
COMMIT;
-- @conn other
SELECT id FROM vis WHERE id <= 4 FOR UPDATE SKIP LOCKED;

-- 195. Share locks are compatible with each other; FOR KEY SHARE is compatible with FOR NO KEY UPDATE.
-- @conn main
BEGIN;
SELECT id FROM vis WHERE id = 1 FOR SHARE;
SELECT id FROM vis WHERE id = 2 FOR NO KEY UPDATE;
-- @conn other
BEGIN;
SELECT id FROM vis WHERE id = 1 FOR SHARE NOWAIT;
SELECT id FROM vis WHERE id = 1 FOR KEY SHARE NOWAIT;
SELECT id FROM vis WHERE id = 2 FOR KEY SHARE NOWAIT;
SELECT id FROM vis WHERE id = 2 FOR SHARE NOWAIT;
ROLLBACK;
-- @conn main
COMMIT;

-- 196. Locks end with the block: after COMMIT or ROLLBACK another session takes them at once.
BEGIN;
SELECT id FROM vis WHERE id = 1 FOR UPDATE;
ROLLBACK;
-- @conn other
SELECT id FROM vis WHERE id = 1 FOR UPDATE NOWAIT;
-- @conn main
BEGIN;
UPDATE vis SET v = v WHERE id = 3;
COMMIT;
-- @conn other
SELECT id FROM vis WHERE id = 3 FOR UPDATE NOWAIT;

-- 197. A row lock taken in a savepoint that rolls back is given back.
-- @conn main
BEGIN;
SAVEPOINT a;
SELECT id FROM vis WHERE id = 4 FOR UPDATE;
ROLLBACK TO a;
-- @conn other
SELECT id FROM vis WHERE id = 4 FOR UPDATE NOWAIT;
-- @conn main
COMMIT;

-- 198. Rows inserted by an open block cannot be locked by another session: they are not visible to it.
BEGIN;
INSERT INTO vis VALUES (21, 'new', 0);
-- @conn other
SELECT id FROM vis WHERE id = 21 FOR UPDATE NOWAIT;
SELECT count(*) FROM vis WHERE id >= 21;
-- @conn main
ROLLBACK;

-- 199. READ COMMITTED: one session's block commits in between the statements of another's block: the other sees each step.
BEGIN;
SELECT v FROM vis WHERE id = 2;
-- @conn other
BEGIN;
UPDATE vis SET v = 222 WHERE id = 2;
-- @conn main
SELECT v FROM vis WHERE id = 2;
-- @conn other
COMMIT;
-- @conn main
SELECT v FROM vis WHERE id = 2;
COMMIT;

-- 200. The final state, as every session sees it.
SELECT * FROM vis;
-- @conn other
SELECT * FROM vis;
-- @conn third
SELECT * FROM vis;
