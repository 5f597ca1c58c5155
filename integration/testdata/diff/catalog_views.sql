-- pg_tables, pg_views and pg_indexes, the size functions and the privilege
-- inquiry functions (issue 8). Sizes of empty relations are PostgreSQL's
-- exactly; of relations with rows they are Augur's estimates (see
-- docs/architecture.md, "System catalogs"), so only their presence is checked.
CREATE SCHEMA cv;
CREATE TABLE cv.t (id int PRIMARY KEY, name text, n int);
CREATE INDEX t_n ON cv.t (n);
CREATE UNIQUE INDEX t_name_n ON cv.t (name, n);
CREATE TABLE cv.narrow (a int, b varchar(10));
CREATE VIEW cv.v AS SELECT id, n FROM cv.t;
CREATE SEQUENCE cv.s;
SELECT schemaname, tablename, tableowner = current_user AS own, tablespace, hasindexes, hasrules, hastriggers, rowsecurity FROM pg_tables WHERE schemaname = 'cv' ORDER BY tablename;
SELECT schemaname, viewname, viewowner = current_user AS own FROM pg_views WHERE schemaname = 'cv';
SELECT * FROM pg_indexes WHERE schemaname = 'cv' ORDER BY indexname;
SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'no_such';
SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'cv' AND tablename = 't');
SELECT pg_relation_size('cv.t'), pg_table_size('cv.t'), pg_indexes_size('cv.t'), pg_total_relation_size('cv.t');
SELECT pg_relation_size('cv.narrow'), pg_table_size('cv.narrow'), pg_indexes_size('cv.narrow'), pg_total_relation_size('cv.narrow');
SELECT pg_relation_size('cv.t_n'), pg_table_size('cv.t_pkey'), pg_relation_size('cv.s'), pg_table_size('cv.v');
SELECT pg_relation_size('cv.t', 'main'), pg_relation_size('cv.t', 'fsm'), pg_relation_size('cv.t', 'vm');
SELECT pg_relation_size('cv.t', 'nope');
SELECT pg_table_size(0), pg_total_relation_size(0), pg_relation_size(NULL);
SELECT pg_size_pretty(pg_table_size('cv.t'));
INSERT INTO cv.t SELECT g, 'name ' || g, g % 10 FROM generate_series(1, 1000) g;
ANALYZE cv.t;
SELECT pg_relation_size('cv.t') > 0, pg_total_relation_size('cv.t') > pg_relation_size('cv.t'), pg_indexes_size('cv.t') > 3 * 8192;
SELECT pg_database_size(current_database()) > 0;
SELECT pg_database_size('no_such_db');
SELECT pg_size_pretty(0::bigint), pg_size_pretty(1::bigint), pg_size_pretty(10239::bigint), pg_size_pretty(10240::bigint), pg_size_pretty(10751::bigint);
SELECT pg_size_pretty(10752::bigint), pg_size_pretty(20971519::bigint), pg_size_pretty(20971520::bigint), pg_size_pretty(21474836479::bigint);
SELECT pg_size_pretty(21474836480::bigint), pg_size_pretty(1099511627776::bigint), pg_size_pretty(9223372036854775807);
SELECT pg_size_pretty(-1::bigint), pg_size_pretty(-10240::bigint), pg_size_pretty(-10752::bigint), pg_size_pretty(-20971520::bigint), pg_size_pretty(-9223372036854775808);
SELECT has_database_privilege(current_database(), 'CONNECT'), has_database_privilege(current_database(), 'create, temp');
SELECT has_database_privilege('no_such_db', 'CONNECT');
SELECT has_database_privilege(current_database(), 'SELECT');
SELECT has_schema_privilege('cv', 'USAGE'), has_schema_privilege('public', 'CREATE'), has_schema_privilege('pg_catalog', 'usage');
SELECT has_schema_privilege('no_such_schema', 'USAGE');
SELECT has_table_privilege('cv.t', 'SELECT'), has_table_privilege('cv.v', 'insert, update'), has_table_privilege('pg_class', 'SELECT');
SELECT has_table_privilege('cv.no_such', 'SELECT');
SELECT has_table_privilege('cv.t', 'USAGE');
SELECT has_table_privilege('cv.t'::regclass, 'SELECT WITH GRANT OPTION');
SELECT nspname, array_to_string(nspacl, ',') FROM pg_namespace WHERE nspname IN ('public', 'cv') ORDER BY 1;
SELECT obj_description('public'::regnamespace, 'pg_namespace');
SELECT has_table_privilege(current_user, 'cv.t', 'SELECT'), has_schema_privilege(current_user, 'cv', 'USAGE'), has_database_privilege(current_user, current_database(), 'CONNECT');
SELECT has_table_privilege(current_user, 'cv.t'::regclass, 'UPDATE');
SELECT has_table_privilege('no_such_role', 'cv.t', 'SELECT');
