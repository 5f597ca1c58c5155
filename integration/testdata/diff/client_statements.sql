-- Statements that drivers, poolers and pgbench send on their own (issue 8).

-- pgbench -i: tables with storage parameters, TRUNCATE of several tables,
-- VACUUM ANALYZE, primary keys added afterwards.
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
begin;
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
insert into pgbench_branches(bid,bbalance) values(1,0);
insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0);
insert into pgbench_tellers(tid,bid,tbalance) values (2,1,0);
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100 + 1, 0, '' from generate_series(1, 300) as aid;
commit;
vacuum analyze pgbench_branches;
vacuum analyze pgbench_tellers;
vacuum analyze pgbench_accounts;
vacuum analyze pgbench_history;
alter table pgbench_branches add primary key (bid);
alter table pgbench_tellers add primary key (tid);
alter table pgbench_accounts add primary key (aid);
alter table pgbench_accounts add primary key (aid);
vacuum pgbench_branches;
vacuum pgbench_tellers;
vacuum;
vacuum analyze;
vacuum (analyze, verbose false) pgbench_accounts;
vacuum full pgbench_history;
vacuum verbose pgbench_tellers;
vacuum analyze pgbench_accounts (aid, bid);
vacuum no_such_table;
analyze;
analyze pgbench_branches;
analyze verbose pgbench_tellers;
analyze no_such_table;
vacuum (nonsense) pgbench_accounts;
vacuum pgbench_accounts (aid);
analyze pgbench_accounts (nope);
vacuum analyze pgbench_accounts (nope);
analyze public.pgbench_accounts (aid, bid);
begin;
vacuum pgbench_branches;
rollback;
begin;
analyze pgbench_branches;
rollback;
truncate pgbench_history;
truncate pgbench_history, pgbench_tellers;
truncate table pgbench_history, no_such_table;
select count(*) from pgbench_accounts;
select count(*) from pgbench_tellers;
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + -2788 WHERE aid = 30;
SELECT abalance FROM pgbench_accounts WHERE aid = 30;
UPDATE pgbench_branches SET bbalance = bbalance + -2788 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (10, 1, 30, -2788, CURRENT_TIMESTAMP);
END;
select count(*) from pgbench_history;

-- Storage parameters: accepted and ignored.
create table ff (a int primary key, b text) with (fillfactor=70);
create table ff2 (a int) with (fillfactor=70, autovacuum_enabled=false);
alter table ff set (fillfactor=80);
alter table ff reset (fillfactor);
alter table ff set (fillfactor=80, autovacuum_enabled=off);
insert into ff values (1, 'x');
select * from ff;

-- Poolers (PgBouncer's server_reset_query and friends).
prepare q as select 1;
DISCARD ALL;
execute q;
DEALLOCATE ALL;
RESET ALL;
SET SESSION AUTHORIZATION DEFAULT;
RESET SESSION AUTHORIZATION;
begin;
DISCARD ALL;
rollback;

-- LISTEN/NOTIFY are not supported: refused with 0A000 (listed in differences.txt).
LISTEN chan;
NOTIFY chan;
NOTIFY chan, 'payload';
UNLISTEN chan;
UNLISTEN *;

-- Assignment casts between date/time types (pgbench inserts CURRENT_TIMESTAMP
-- into a timestamp column).
create table dt (ts timestamp, d date, t time);
insert into dt values (timestamptz '2024-03-01 12:34:56+00', timestamptz '2024-03-01 12:34:56+00', timestamptz '2024-03-01 12:34:56+00');
insert into dt values (null, timestamp '2024-03-02 01:02:03', timestamp '2024-03-02 01:02:03');
insert into dt (t) values (interval '3 hours 4 minutes');
update dt set ts = timestamptz '2025-01-01 00:00:00+00' where ts is null;
insert into dt (d) values (interval '1 day');
select * from dt;

-- current_setting, as drivers ask for settings.
SELECT current_setting('application_name');
SELECT current_setting('search_path'), current_setting('client_encoding'), current_setting('DateStyle');
SELECT current_setting('no_such_setting');
SELECT current_setting('no_such_setting', true);
SELECT current_setting('no_such_setting', false);
SELECT current_setting(NULL);
SET application_name = 'augur-test';
SELECT current_setting('application_name') AS a;
SELECT set_config('application_name', 'other', false), current_setting('application_name');
