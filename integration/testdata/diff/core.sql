-- The SQL core (issue 5) as the differential harness sees it: tables, keys,
-- defaults, DML with RETURNING and ON CONFLICT, joins, grouping, set operations,
-- subqueries, and the errors of each.
CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL UNIQUE, budget numeric(10,2) DEFAULT 1000);
CREATE TABLE emp (
  id serial PRIMARY KEY,
  name varchar(20) NOT NULL,
  dept_id int,
  salary int CHECK (salary > 0),
  hired date DEFAULT '2020-01-01'
);
INSERT INTO dept VALUES (1, 'eng', 5000), (2, 'ops', DEFAULT), (3, 'empty', NULL);
INSERT INTO dept VALUES (1, 'dup', 1);
INSERT INTO dept (id) VALUES (4);
INSERT INTO emp (name, dept_id, salary) VALUES ('ann', 1, 100), ('bob', 1, 200), ('cid', 2, 150), ('dan', NULL, 50) RETURNING id, name;
INSERT INTO emp (name, dept_id, salary) VALUES ('eve', 1, -5);
INSERT INTO emp (name, dept_id, salary) VALUES ('a name that is far too long', 1, 5);
SELECT * FROM dept;
-- @ordered
SELECT * FROM emp ORDER BY id;
SELECT d.name, count(e.id), sum(e.salary), avg(e.salary) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name;
SELECT d.name, e.name FROM dept d FULL JOIN emp e ON e.dept_id = d.id;
SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE budget > 2000);
SELECT name, (SELECT name FROM dept WHERE id = emp.dept_id) AS dept FROM emp;
SELECT dept_id, max(salary) FROM emp GROUP BY dept_id HAVING count(*) > 1;
SELECT name FROM emp UNION SELECT name FROM dept;
SELECT dept_id FROM emp INTERSECT ALL SELECT id FROM dept;
SELECT dept_id FROM emp EXCEPT SELECT id FROM dept;
-- @ordered
SELECT name, salary FROM emp ORDER BY salary DESC NULLS LAST LIMIT 2 OFFSET 1;
UPDATE emp SET salary = salary + 10 WHERE dept_id = 1 RETURNING name, salary;
UPDATE emp SET salary = 0 WHERE name = 'ann';
DELETE FROM emp WHERE dept_id IS NULL;
INSERT INTO dept VALUES (2, 'ops2', 1) ON CONFLICT (id) DO UPDATE SET budget = excluded.budget RETURNING *;
INSERT INTO dept VALUES (2, 'ops3', 1) ON CONFLICT DO NOTHING;
SELECT * FROM dept;
SELECT 1/0;
SELECT nosuch FROM emp;
SELECT * FROM nosuch;
SELECT 'abc'::int;
SELECT 2147483647::int + 1;
CREATE TABLE dept (id int);
DROP TABLE nosuch;
WITH big AS (SELECT * FROM emp WHERE salary > 100) SELECT count(*) FROM big;
SELECT CASE WHEN salary > 150 THEN 'high' ELSE 'low' END AS band, count(*) FROM emp GROUP BY 1;
SELECT coalesce(NULL, 2), nullif(1, 1), greatest(1, 5, 3), least('b', 'a');
SELECT 1.5::numeric * 2, 7 / 2, 7 % 3, 2 ^ 10, 'a' || 'b', length('héllo');
SELECT DISTINCT dept_id FROM emp;
CREATE VIEW v_emp AS SELECT name, salary FROM emp WHERE salary > 100;
SELECT * FROM v_emp;
DROP TABLE emp;
DROP VIEW v_emp;
DROP TABLE emp;
TRUNCATE dept;
SELECT count(*) FROM dept;
