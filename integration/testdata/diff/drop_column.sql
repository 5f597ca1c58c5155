-- ALTER TABLE ... DROP COLUMN of an indexed column drops the indexes that use
-- it (multi-column ones too), the PRIMARY KEY and UNIQUE constraints they
-- back, and the check constraints that read the column; a foreign key of
-- another table that reads the column's unique index needs CASCADE.
CREATE TABLE dc (a int PRIMARY KEY, b int UNIQUE, c int, d int, e text, CHECK (c > d));
CREATE TABLE dc_child (x int REFERENCES dc (b));
CREATE INDEX dc_cd ON dc (c, d);
CREATE INDEX dc_e ON dc (e);
CREATE UNIQUE INDEX dc_de ON dc (d, e);
INSERT INTO dc VALUES (1, 10, 3, 1, 'one'), (2, 20, 4, 2, 'two');
INSERT INTO dc_child VALUES (10);
ALTER TABLE dc DROP COLUMN b;
ALTER TABLE dc DROP COLUMN b RESTRICT;
ALTER TABLE dc DROP COLUMN b CASCADE;
INSERT INTO dc_child VALUES (99);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dc' ORDER BY indexname;
SELECT conname, contype::text FROM pg_constraint WHERE conrelid = 'dc'::regclass ORDER BY conname;
ALTER TABLE dc DROP COLUMN c;
SELECT indexname FROM pg_indexes WHERE tablename = 'dc' ORDER BY indexname;
SELECT conname FROM pg_constraint WHERE conrelid = 'dc'::regclass ORDER BY conname;
INSERT INTO dc VALUES (3, 1, 'three');
ALTER TABLE dc DROP COLUMN a;
SELECT indexname FROM pg_indexes WHERE tablename = 'dc' ORDER BY indexname;
INSERT INTO dc VALUES (1, 'again');
INSERT INTO dc VALUES (1, 'again');
SELECT * FROM dc ORDER BY d, e;
ALTER TABLE dc DROP COLUMN e;
SELECT indexname FROM pg_indexes WHERE tablename = 'dc' ORDER BY indexname;
SELECT * FROM dc ORDER BY d;

-- A composite primary key goes with any of its columns; the rows stay.
CREATE TABLE dc2 (a int, b int, c text, PRIMARY KEY (a, b));
INSERT INTO dc2 VALUES (1, 1, 'x'), (1, 2, 'y');
ALTER TABLE dc2 DROP COLUMN b;
SELECT * FROM dc2 ORDER BY c;
INSERT INTO dc2 VALUES (1, 'z');
SELECT count(*) FROM dc2;
SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'dc2'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;

-- In a transaction that rolls back, the indexes come back.
CREATE TABLE dc3 (a int PRIMARY KEY, b int);
CREATE INDEX dc3_b ON dc3 (b);
BEGIN;
ALTER TABLE dc3 DROP COLUMN b;
ROLLBACK;
SELECT indexname FROM pg_indexes WHERE tablename = 'dc3' ORDER BY indexname;
INSERT INTO dc3 VALUES (1, 1);
SELECT * FROM dc3 WHERE b = 1;
