-- regtype: an oid that names a type, printed as the type's name; pg_typeof's
-- result type; what pgx's LoadType sends ($1::text::regtype::oid).
SELECT 'int4'::regtype, 'int4'::regtype::oid, pg_typeof(1), pg_typeof('int4'::regtype);
SELECT '_int4'::text::regtype, '_int4'::text::regtype::oid, 'integer[]'::text::regtype, 'character varying(10)'::regtype;
SELECT 23::regtype, 23::oid::regtype, 'pg_catalog.int8'::regtype, '"int4"'::regtype, 'regtype'::regtype;
SELECT 'double precision'::regtype, 'timestamp with time zone'::regtype, 'bool'::regtype, '_text'::regtype;
SELECT 'nope'::text::regtype;
SELECT 'int4'::regtype = 'int4'::regtype, 'int4'::regtype = 23, 'int4'::regtype = 'int4', 'int4'::regtype <> 'int8'::regtype;
SELECT typname, typtype::text, typelem::regtype, typarray::regtype FROM pg_type WHERE oid = 'int4'::regtype;
SELECT typname, typtype::text, typcategory::text, typelem::regtype, typdelim::text, typbasetype FROM pg_type WHERE oid = '_int4'::regtype;
SELECT 'int4'::regtype::text, pg_typeof(pg_typeof(1)), pg_typeof(1)::text;
SELECT count(*) FROM pg_type WHERE oid = 'regtype'::regtype;
SELECT format_type('int4'::regtype, NULL), format_type('_text'::regtype, NULL);
SELECT 99999::regtype;
SELECT pg_typeof(NULL), pg_typeof(ARRAY[1]), pg_typeof('x'::varchar(3)), pg_typeof(1.5), pg_typeof(now()), pg_typeof('{}'::jsonb);
SELECT typname::regtype FROM pg_type WHERE typname IN ('int4', 'text') ORDER BY 1;
SELECT '-'::regtype::oid, 0::regtype;
CREATE TABLE rt (a int, b text[], c numeric(5,2));
SELECT attname, atttypid::regtype, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'rt'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_typeof(a), pg_typeof(b), pg_typeof(c) FROM (VALUES (1, ARRAY['x'], 1.5::numeric(5,2))) v(a, b, c);
SELECT ARRAY['int4'::regtype, 'text'::regtype];
SELECT oid::regtype FROM pg_type WHERE typname = '_int8';
-- regtype columns: CREATE TABLE AS, literals and integers assigned, indexed, compared.
CREATE TABLE rtc AS SELECT pg_typeof(1) AS t, 1 AS n;
INSERT INTO rtc VALUES ('text', 2), ('_int4', 3), (20, 4);
INSERT INTO rtc VALUES ('nope', 5);
SELECT * FROM rtc ORDER BY t;
SELECT t, pg_typeof(t) FROM rtc WHERE t = 'integer'::regtype;
SELECT array_agg(t ORDER BY n) FROM rtc;
CREATE INDEX rtc_t ON rtc (t);
SELECT n FROM rtc WHERE t = 'text'::regtype;
UPDATE rtc SET t = 'bool' WHERE n = 1;
SELECT t::text, t::oid FROM rtc ORDER BY n;
SELECT '{int4,text}'::regtype[] AS r, pg_typeof('{int4,text}'::regtype[]);
CREATE TABLE rtc2 (r regtype PRIMARY KEY, a regtype[]);
INSERT INTO rtc2 VALUES ('int4', '{text,bool}'), ('int8', NULL);
INSERT INTO rtc2 VALUES (23, NULL);
SELECT * FROM rtc2 ORDER BY r;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'rtc2'::regclass AND attnum > 0 ORDER BY attnum;
