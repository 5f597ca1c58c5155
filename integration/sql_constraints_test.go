package integration

import "testing"

// TestSQLCoreConstraints covers foreign keys, ALTER TABLE's constraint actions and
// sequences through the wire, with the DETAIL and HINT texts clients show (the
// differential cases in testdata/diff compare everything else with PostgreSQL).
func TestSQLCoreConstraints(t *testing.T) {
	runSQLCases(t, constraintCases)
}

var constraintCases = []sqlCase{
	{name: "foreign key violations name the key", steps: []step{
		{sql: `CREATE TABLE p (id int PRIMARY KEY, u int UNIQUE)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE c (a int REFERENCES p, b int, c int, FOREIGN KEY (b, c) REFERENCES p2 (x, y))`, err: `42P01: relation "p2" does not exist`},
		{sql: `CREATE TABLE c (a int REFERENCES p ON DELETE CASCADE, b int REFERENCES p (u))`, tag: "CREATE TABLE"},
		{sql: `INSERT INTO p VALUES (1, 10), (2, 20)`, tag: "INSERT 0 2"},
		{sql: `INSERT INTO c VALUES (3, NULL)`, err: `23503: insert or update on table "c" violates foreign key constraint "c_a_fkey"`, detail: `Key (a)=(3) is not present in table "p".`},
		{sql: `INSERT INTO c VALUES (1, 20), (2, NULL)`, tag: "INSERT 0 2"},
		{sql: `DELETE FROM p WHERE id = 2`, err: `23503: update or delete on table "p" violates foreign key constraint "c_b_fkey" on table "c"`, detail: `Key (u)=(20) is still referenced from table "c".`},
		{sql: `UPDATE p SET u = 21 WHERE u = 20`, err: `23503: update or delete on table "p" violates foreign key constraint "c_b_fkey" on table "c"`, detail: `Key (u)=(20) is still referenced from table "c".`},
		{sql: `DELETE FROM p WHERE id = 1`, tag: "DELETE 1"},
		{sql: `SELECT a, b FROM c`, rows: []string{"2|NULL"}},
		{sql: `DROP TABLE p`, err: `2BP01: cannot drop table p because other objects depend on it`, detail: "constraint c_a_fkey on table c depends on table p\nconstraint c_b_fkey on table c depends on table p"},
		{sql: `TRUNCATE p`, err: `0A000: cannot truncate a table referenced in a foreign key constraint`, detail: `Table "c" references "p".`},
		{sql: `DROP TABLE p CASCADE`, tag: "DROP TABLE"},
		{sql: `INSERT INTO c VALUES (9, 9)`, tag: "INSERT 0 1"},
	}},
	{name: "foreign key type mismatch", steps: []step{
		{sql: `CREATE TABLE p (id int PRIMARY KEY)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE c (a text REFERENCES p)`, err: `42804: foreign key constraint "c_a_fkey" cannot be implemented`, detail: `Key columns "a" and "id" are of incompatible types: text and integer.`},
	}},
	{name: "deferred foreign key fails the commit", steps: []step{
		{sql: `CREATE TABLE p (id int PRIMARY KEY)`, tag: "CREATE TABLE"},
		{sql: `CREATE TABLE c (a int REFERENCES p DEFERRABLE INITIALLY DEFERRED)`, tag: "CREATE TABLE"},
		{sql: `BEGIN`, tag: "BEGIN"},
		{sql: `INSERT INTO c VALUES (1)`, tag: "INSERT 0 1"},
		{sql: `COMMIT`, err: `23503: insert or update on table "c" violates foreign key constraint "c_a_fkey"`, detail: `Key (a)=(1) is not present in table "p".`},
		{sql: `SELECT count(*) FROM c`, rows: []string{"0"}},
	}},
}
