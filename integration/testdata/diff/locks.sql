-- LOCK TABLE and the advisory lock functions: what one session sees (errors,
-- command tags, try-lock and unlock results), and NOWAIT / try-lock conflicts
-- between two connections.
create table t (id int primary key, v int);
create table u (id int references t);
create sequence s;
create index t_v on t (v);
create view v as select * from t;
create schema sch;
create table sch.w (id int);
insert into t values (1, 10), (2, 20);
lock t;
lock table t in share mode;
begin;
lock table t;
lock table only t, u * in share row exclusive mode nowait;
lock t in access share mode;
lock t in row share mode;
lock t in row exclusive mode;
lock t in share update exclusive mode;
lock t in share mode;
lock t in share row exclusive mode;
lock t in exclusive mode;
lock t in access exclusive mode;
lock sch.w;
lock table only (sch.w);
lock v in share mode;
select * from t;
insert into t values (3, 30);
commit;
begin;
lock nosuch;
rollback;
begin;
lock sch.nosuch;
rollback;
begin;
lock w;
rollback;
begin;
lock table s;
rollback;
begin;
lock table t_v;
rollback;
begin;
lock table t in update mode;
rollback;
begin;
lock table only t *;
rollback;
begin;
lock table t in exclusive mode nowait;
select count(*) from t;
rollback;

-- Advisory locks: session level, re-entrant (each lock needs its unlock).
select pg_advisory_lock(1);
select pg_try_advisory_lock(1);
select pg_advisory_unlock(1), pg_advisory_unlock(1), pg_advisory_unlock(1);
select pg_advisory_lock_shared(2), pg_try_advisory_lock_shared(2), pg_try_advisory_lock(2);
select pg_advisory_unlock(2), pg_advisory_unlock_shared(2), pg_advisory_unlock_shared(2), pg_advisory_unlock_shared(2), pg_advisory_unlock(2);
select pg_advisory_lock(3, 4), pg_advisory_unlock(3, 4), pg_advisory_unlock(3, 4);
select pg_advisory_lock(3, 4), pg_advisory_unlock(3::bigint), pg_advisory_unlock(3, 4);
select pg_try_advisory_lock(5), pg_try_advisory_lock_shared(6, 7);
select pg_advisory_unlock_all();
select pg_advisory_unlock(5), pg_advisory_unlock_shared(6, 7);
select pg_advisory_lock(null), pg_try_advisory_lock(null), pg_advisory_unlock(null, 1);
select pg_advisory_lock(1.5);
select pg_advisory_lock('x');
select pg_advisory_lock(2147483648), pg_advisory_unlock(2147483648);
select pg_advisory_lock(1, 2147483648);
-- Transaction level: gone when the transaction ends; pg_advisory_unlock does
-- not release them.
select pg_advisory_xact_lock(6), pg_try_advisory_xact_lock(6), pg_try_advisory_xact_lock_shared(6, 6);
select pg_advisory_unlock(6);
begin;
select pg_advisory_xact_lock(7);
select pg_try_advisory_xact_lock_shared(7);
select pg_advisory_unlock(7);
commit;
select pg_try_advisory_lock(7), pg_advisory_unlock(7);
select id from t where pg_try_advisory_xact_lock(id) order by id;

-- Two connections: NOWAIT and try-locks meet the other's locks.
begin;
lock table t in share mode;
select pg_advisory_lock(20), pg_advisory_lock_shared(21), pg_advisory_xact_lock(22);
-- @conn other
begin;
lock table t in access share mode nowait;
lock table t in share mode nowait;
lock table t in row exclusive mode nowait;
rollback;
begin;
lock table v in exclusive mode nowait;
rollback;
select pg_try_advisory_lock(20), pg_try_advisory_lock_shared(21), pg_try_advisory_lock(21), pg_try_advisory_xact_lock(22);
select pg_advisory_unlock_all();
select pg_advisory_unlock(20);
-- @conn main
commit;
-- @conn other
select pg_try_advisory_xact_lock(22), pg_try_advisory_lock(20);
begin;
lock table t nowait;
rollback;
-- @conn main
select pg_advisory_unlock(20), pg_advisory_unlock_shared(21);
-- @conn other
select pg_try_advisory_lock(20), pg_advisory_unlock(20);
