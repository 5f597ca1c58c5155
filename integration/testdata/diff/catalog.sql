-- System catalogs: pg_catalog's relations and functions describe the objects the
-- case creates (names, types, nullability, defaults, indexes, constraints,
-- comments) as PostgreSQL's do; oids are compared only with each other.
CREATE SCHEMA cat_s;
CREATE TABLE cat_parent (id int PRIMARY KEY, code text UNIQUE, born date);
CREATE TABLE cat_orders (id serial PRIMARY KEY, parent_id int REFERENCES cat_parent(id) ON DELETE CASCADE, qty int NOT NULL DEFAULT 1 CHECK (qty > 0), note varchar(20), price numeric(10,2), tags text[], at timestamptz);
CREATE INDEX cat_orders_qty_idx ON cat_orders (qty);
CREATE UNIQUE INDEX cat_orders_note_idx ON cat_orders (note, qty);
CREATE VIEW cat_big AS SELECT id, qty FROM cat_orders WHERE qty > 10;
CREATE SEQUENCE cat_s.cat_seq;
CREATE TABLE cat_s.cat_hidden (x int NOT NULL, y bigint);
COMMENT ON TABLE cat_orders IS 'the orders';
COMMENT ON COLUMN cat_orders.qty IS 'how many';
COMMENT ON SCHEMA cat_s IS 'a schema';
-- @ordered
SELECT n.nspname, c.relname, c.relkind::text, c.relnatts, c.relchecks, c.relhasindex, c.relpersistence::text
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname LIKE 'cat%' ORDER BY 1, 2;
-- @ordered
SELECT c.relname, pg_catalog.pg_table_is_visible(c.oid) FROM pg_class c WHERE c.relname LIKE 'cat%' ORDER BY 1;
-- @ordered
SELECT a.attname, a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, a.attlen, a.attisdropped
FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'cat_orders'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- @ordered
SELECT a.attname, (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
  WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef)
FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'cat_orders'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- @ordered
SELECT t.typname, pg_catalog.format_type(t.oid, NULL), t.typlen, t.typbyval
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = 'cat_orders'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- @ordered
SELECT conname, contype::text, pg_catalog.pg_get_constraintdef(oid, true), condeferrable, condeferred, convalidated, conkey
FROM pg_catalog.pg_constraint WHERE conrelid = 'cat_orders'::regclass ORDER BY 1;
-- @ordered
SELECT conname, contype::text, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint
WHERE conrelid = 'cat_parent'::pg_catalog.regclass ORDER BY 1;
-- @ordered
SELECT conname, conrelid::pg_catalog.regclass::text AS ontable, confupdtype::text, confdeltype::text, confmatchtype::text
FROM pg_catalog.pg_constraint c WHERE confrelid = 'cat_parent'::regclass AND contype = 'f' ORDER BY conname;
-- @ordered
SELECT c2.relname, i.indisprimary, i.indisunique, i.indisvalid, i.indnatts, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
WHERE c.oid = 'cat_orders'::regclass AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;
SELECT pg_catalog.pg_get_indexdef('cat_parent_code_key'::regclass);
-- @ordered
SELECT c2.relname, con.conname, con.contype::text
FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid
LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE i.indrelid = 'cat_orders'::regclass ORDER BY 1;
SELECT pg_catalog.obj_description('cat_orders'::regclass, 'pg_class'), pg_catalog.obj_description('cat_parent'::regclass, 'pg_class');
-- @ordered
SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) FROM pg_catalog.pg_attribute a
WHERE a.attrelid = 'cat_orders'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT d.description FROM pg_catalog.pg_description d JOIN pg_catalog.pg_class c ON c.oid = d.objoid AND d.objsubid = 0 WHERE c.relname = 'cat_orders';
SELECT pg_catalog.obj_description(n.oid, 'pg_namespace') FROM pg_catalog.pg_namespace n WHERE n.nspname = 'cat_s';
-- @ordered
SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' ORDER BY 1;
SELECT n.nspname = 'pg_catalog', n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname IN ('pg_catalog', 'public') ORDER BY 2;
SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(cat_orders)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid);
SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(cat_hidden)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid);
SET search_path TO cat_s, public;
-- @ordered
SELECT c.relname, pg_catalog.pg_table_is_visible(c.oid) FROM pg_class c WHERE c.relname LIKE 'cat%' ORDER BY 1;
RESET search_path;
SELECT ('cat_s.cat_seq'::regclass)::regclass::text, 'cat_orders'::regclass::regclass::text, 'int4'::regtype::oid, 'varchar'::regtype::oid;
SELECT 23::regtype::text, 1043::pg_catalog.regtype::pg_catalog.text, 'cat_s'::regnamespace::oid = (SELECT oid FROM pg_namespace WHERE nspname = 'cat_s');
SELECT 'no_such'::regclass;
SELECT 'no_such'::regtype;
SELECT * FROM pg_catalog.no_such;
SELECT pg_catalog.format_type(1700, 655366), pg_catalog.format_type(1043, -1), pg_catalog.format_type(1184, NULL), pg_catalog.format_type(1007, NULL);
SELECT pg_catalog.pg_encoding_to_char(6);
SELECT d.datname, pg_catalog.pg_encoding_to_char(d.encoding), d.datallowconn FROM pg_catalog.pg_database d WHERE d.datname = current_database();
SELECT count(*) FROM pg_catalog.pg_inherits WHERE inhrelid = 'cat_orders'::regclass;
SELECT count(*) FROM pg_catalog.pg_policy WHERE polrelid = 'cat_orders'::regclass;
SELECT c.relname, c.relkind::text FROM pg_class c WHERE c.oid = 'cat_big'::regclass;
SELECT r.rolname, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;
SELECT pg_catalog.pg_get_userbyid(r.oid) = r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;
CREATE TABLE cat_parent2 (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE cat_child2 (x int, y int, FOREIGN KEY (x, y) REFERENCES cat_parent2 MATCH FULL ON UPDATE RESTRICT ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);
-- @ordered
SELECT conname, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE conrelid IN ('cat_parent2'::regclass, 'cat_child2'::regclass) ORDER BY 1;
-- information_schema
-- @ordered
SELECT table_schema, table_name, table_type, is_insertable_into, is_typed, commit_action
FROM information_schema.tables WHERE table_name LIKE 'cat%' AND table_type = 'BASE TABLE' ORDER BY 1, 2;
SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_name = 'cat_big';
-- @ordered
SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length,
  character_octet_length, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision, udt_name,
  is_identity, identity_generation, is_generated, is_updatable
FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('cat_orders', 'cat_parent') ORDER BY 1, 3;
-- @ordered
SELECT schema_name, schema_owner = current_user FROM information_schema.schemata WHERE schema_name IN ('cat_s', 'public', 'information_schema', 'pg_catalog') ORDER BY 1;
-- @ordered
SELECT constraint_schema, constraint_name, table_name, constraint_type, is_deferrable, initially_deferred, enforced, nulls_distinct
FROM information_schema.table_constraints WHERE table_name LIKE 'cat%' AND constraint_name NOT LIKE '%_not_null' ORDER BY 2;
SELECT count(*) FROM information_schema.table_constraints WHERE table_name = 'cat_orders' AND constraint_name LIKE '%_not_null';
-- @ordered
SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint
FROM information_schema.key_column_usage WHERE table_name LIKE 'cat%' ORDER BY 1, 4;
CREATE TABLE cat_ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, b bigint GENERATED BY DEFAULT AS IDENTITY, t time(3), c char(5));
-- @ordered
SELECT column_name, column_default, is_nullable, data_type, is_identity, identity_generation, datetime_precision, character_maximum_length
FROM information_schema.columns WHERE table_name = 'cat_ident' ORDER BY ordinal_position;
