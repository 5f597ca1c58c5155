-- Transactions: rollback of every kind of write, reading one's own writes,
-- savepoints, failed blocks, isolation levels and READ ONLY, and what two sessions
-- see of each other's commits. Every scenario here is non-blocking: a statement
-- that would wait for a lock belongs in TestAnomalies (anomaly_test.go).

-- The functions that name sessions and what they wait for.
SELECT pg_backend_pid() > 0, pg_typeof(pg_backend_pid())::text;
SELECT pg_blocking_pids(pg_backend_pid()), pg_typeof(pg_blocking_pids(pg_backend_pid()))::text;
SELECT pg_blocking_pids(NULL), pg_blocking_pids(-1);
SELECT pg_backend_pid() = pg_backend_pid();
-- @conn other
SELECT pg_blocking_pids(pg_backend_pid());
