-- Window functions: ranking, offsets, frames, named windows, errors.
CREATE TABLE emp (id int PRIMARY KEY, dept text, salary int, hired date, bonus numeric(8,2), score float8);
INSERT INTO emp VALUES
  (1, 'eng', 100, '2020-01-01', 10.5, 1.5),
  (2, 'eng', 120, '2020-03-15', NULL, 2.5),
  (3, 'eng', 120, '2020-03-20', 7.25, NULL),
  (4, 'ops', 90, '2021-06-01', 3.00, 0.5),
  (5, 'ops', NULL, '2021-06-02', 1.00, 4.0),
  (6, 'ops', 90, NULL, NULL, 4.0),
  (7, NULL, 80, '2019-12-31', 2.50, -1.0),
  (8, NULL, NULL, '2022-02-02', NULL, NULL),
  (9, 'hr', 70, '2020-01-05', 0.00, 3.25);

-- ranking functions
SELECT id, row_number() OVER (ORDER BY id) FROM emp;
SELECT id, dept, salary, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM emp;
SELECT id, dept, salary, dense_rank() OVER (PARTITION BY dept ORDER BY salary) FROM emp;
SELECT id, salary, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w FROM emp WINDOW w AS (ORDER BY salary);
SELECT id, salary, rank() OVER (ORDER BY salary NULLS FIRST), rank() OVER (ORDER BY salary DESC NULLS LAST) FROM emp;
SELECT id, ntile(2) OVER (ORDER BY id), ntile(4) OVER (ORDER BY id), ntile(20) OVER (ORDER BY id) FROM emp;
SELECT id, dept, ntile(2) OVER (PARTITION BY dept ORDER BY id) FROM emp;
SELECT id, ntile(NULL) OVER (ORDER BY id) FROM emp;
SELECT row_number() OVER (), rank() OVER (), dense_rank() OVER (), percent_rank() OVER (), cume_dist() OVER () FROM emp WHERE id < 3;
-- @ordered
SELECT id, row_number() OVER (ORDER BY id DESC) AS rn FROM emp ORDER BY rn;
-- @ordered
SELECT id, dept FROM emp ORDER BY row_number() OVER (ORDER BY id DESC);
SELECT row_number() OVER ();
SELECT count(*) OVER () FROM emp WHERE false;

-- lag, lead, first_value, last_value, nth_value
SELECT id, lag(id) OVER (ORDER BY id), lead(id) OVER (ORDER BY id) FROM emp;
SELECT id, lag(salary, 2) OVER (ORDER BY id), lead(salary, 2, -1) OVER (ORDER BY id) FROM emp;
SELECT id, lag(salary, 0) OVER (ORDER BY id), lag(salary, -1) OVER (ORDER BY id), lead(salary, NULL) OVER (ORDER BY id) FROM emp;
SELECT id, lag(bonus, 1, 0) OVER (ORDER BY id), lead(salary, 1, 1.5) OVER (ORDER BY id) FROM emp;
SELECT id, lag(dept, 1, 'none') OVER (PARTITION BY dept ORDER BY id) FROM emp;
SELECT id, lag(id, id % 3) OVER (ORDER BY id) FROM emp;
SELECT id, first_value(id) OVER (PARTITION BY dept ORDER BY salary, id), last_value(id) OVER (PARTITION BY dept ORDER BY salary, id) FROM emp;
SELECT id, nth_value(id, 2) OVER (ORDER BY id), nth_value(id, 3) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp;
SELECT id, first_value(salary) OVER w, last_value(salary) OVER w, nth_value(salary, 2) OVER w FROM emp WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING);
SELECT id, first_value(id) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) FROM emp;
SELECT id, nth_value(id, NULL) OVER (ORDER BY id) FROM emp;

-- aggregates as window functions, default frames
SELECT id, dept, sum(salary) OVER (PARTITION BY dept) FROM emp;
SELECT id, salary, sum(salary) OVER (ORDER BY salary), count(*) OVER (ORDER BY salary), count(salary) OVER (ORDER BY salary) FROM emp;
SELECT id, avg(salary) OVER (PARTITION BY dept), min(salary) OVER (PARTITION BY dept), max(salary) OVER (PARTITION BY dept) FROM emp;
SELECT id, sum(bonus) OVER (ORDER BY id), avg(bonus) OVER (ORDER BY id), sum(score) OVER (ORDER BY id), avg(score) OVER (ORDER BY id) FROM emp;
SELECT id, bool_and(salary > 85) OVER (ORDER BY id), bool_or(salary > 110) OVER (ORDER BY id), every(salary > 0) OVER () FROM emp;
SELECT id, string_agg(dept, ',') OVER (ORDER BY id) FROM emp;
SELECT id, count(*) FILTER (WHERE salary > 90) OVER (PARTITION BY dept), sum(salary) FILTER (WHERE id % 2 = 0) OVER (ORDER BY id) FROM emp;
SELECT id, sum(salary) OVER (), sum(salary) OVER (PARTITION BY dept), sum(salary) OVER (ORDER BY id), sum(salary) OVER (PARTITION BY dept ORDER BY id) FROM emp;

-- ROWS frames
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS 2 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM emp;
SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN 100 PRECEDING AND 100 FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 5 FOLLOWING AND 2 FOLLOWING) FROM emp;

-- RANGE frames with peers and offsets
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary DESC RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary NULLS FIRST RANGE BETWEEN 20 PRECEDING AND 5 FOLLOWING) FROM emp;
SELECT id, salary, count(*) OVER (ORDER BY salary DESC NULLS LAST RANGE BETWEEN 30 FOLLOWING AND 50 FOLLOWING) FROM emp;
SELECT id, salary, count(*) OVER (ORDER BY salary RANGE 15 PRECEDING) FROM emp;
SELECT id, salary, count(*) OVER (ORDER BY salary RANGE BETWEEN 10::int8 PRECEDING AND 10::int2 FOLLOWING) FROM emp;
SELECT id, bonus, sum(id) OVER (ORDER BY bonus RANGE BETWEEN 3 PRECEDING AND 1.5 FOLLOWING) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN '5' PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, score, count(*) OVER (ORDER BY score RANGE BETWEEN 1.5 PRECEDING AND 1 FOLLOWING) FROM emp;
SELECT id, hired, count(*) OVER (ORDER BY hired RANGE BETWEEN '30 days' PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, hired, count(*) OVER (ORDER BY hired RANGE BETWEEN interval '1 year' PRECEDING AND interval '1 month' FOLLOWING) FROM emp;
SELECT id, hired, string_agg(id::text, ',') OVER (ORDER BY hired::timestamp DESC RANGE BETWEEN '100 days'::interval PRECEDING AND CURRENT ROW) FROM emp;

-- GROUPS frames
SELECT id, salary, sum(id) OVER (ORDER BY salary GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary GROUPS CURRENT ROW) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary GROUPS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING) FROM emp;
SELECT id, dept, salary, count(*) OVER (PARTITION BY dept ORDER BY salary GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM emp;

-- EXCLUDE
SELECT id, salary, sum(id) OVER (ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE GROUP) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS) FROM emp;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM emp;
SELECT id, salary, first_value(id) OVER (ORDER BY salary, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW), last_value(id) OVER (ORDER BY salary GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE GROUP) FROM emp;
SELECT id, salary, nth_value(id, 2) OVER (ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES) FROM emp;
SELECT id, count(*) OVER (ROWS BETWEEN CURRENT ROW AND CURRENT ROW EXCLUDE CURRENT ROW) FROM emp;

-- named windows
SELECT id, sum(salary) OVER w, count(*) OVER w FROM emp WINDOW w AS (PARTITION BY dept);
SELECT id, sum(salary) OVER (w ORDER BY id) FROM emp WINDOW w AS (PARTITION BY dept);
SELECT id, sum(salary) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp WINDOW w AS (PARTITION BY dept ORDER BY id);
SELECT id, rank() OVER w2 FROM emp WINDOW w1 AS (PARTITION BY dept), w2 AS (w1 ORDER BY salary);
SELECT id, sum(id) OVER w FROM emp WINDOW w AS (ORDER BY id ROWS 1 PRECEDING);
SELECT id FROM emp WINDOW w AS (ORDER BY id);

-- windows over grouped queries
SELECT dept, count(*), sum(count(*)) OVER (), rank() OVER (ORDER BY count(*) DESC) FROM emp GROUP BY dept;
SELECT dept, sum(salary), sum(sum(salary)) OVER (ORDER BY dept) FROM emp GROUP BY dept HAVING count(*) > 1;
SELECT dept, avg(salary), row_number() OVER (ORDER BY avg(salary) DESC NULLS LAST) FROM emp GROUP BY dept;
SELECT count(*), sum(count(*)) OVER () FROM emp;
SELECT dept, max(salary) - lag(max(salary)) OVER (ORDER BY dept) FROM emp GROUP BY dept;
SELECT DISTINCT dept, count(*) OVER (PARTITION BY dept) FROM emp;
-- @ordered
SELECT id, salary, rank() OVER (ORDER BY salary) FROM emp ORDER BY 3, 1 LIMIT 4;

-- windows with joins and subqueries
SELECT e.id, d.n, row_number() OVER (PARTITION BY d.n ORDER BY e.id) FROM emp e JOIN (SELECT dept, count(*) AS n FROM emp GROUP BY dept) d ON d.dept = e.dept;
SELECT * FROM (SELECT id, dept, rank() OVER (PARTITION BY dept ORDER BY salary DESC) AS r FROM emp) s WHERE r = 1;
SELECT id, (SELECT count(*) FROM emp e2 WHERE e2.dept = emp.dept), sum(id) OVER (PARTITION BY dept) FROM emp;
SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM generate_series(1, 6) AS x;

-- errors
SELECT id FROM emp WHERE row_number() OVER () > 1;
SELECT dept FROM emp GROUP BY row_number() OVER ();
SELECT dept FROM emp GROUP BY dept HAVING rank() OVER () > 1;
SELECT sum(row_number() OVER ()) FROM emp;
SELECT sum(id) OVER (ORDER BY sum(salary) OVER ()) FROM emp;
SELECT count(*) FILTER (WHERE row_number() OVER () > 1) FROM emp;
SELECT ntile(0) OVER () FROM emp;
SELECT ntile(-1) OVER (ORDER BY id) FROM emp;
SELECT nth_value(id, 0) OVER () FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN CURRENT ROW AND -2 FOLLOWING) FROM emp;
SELECT sum(id) OVER (GROUPS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY id GROUPS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY id RANGE BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY hired RANGE BETWEEN '-1 day'::interval PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN NULL PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN id PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY id, salary RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY dept RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY hired RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ORDER BY id RANGE BETWEEN '1 day'::interval PRECEDING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM emp;
SELECT sum(id) OVER (ROWS 1 FOLLOWING) FROM emp;
SELECT sum(id) OVER (ROWS UNBOUNDED FOLLOWING) FROM emp;
SELECT sum(id) OVER w FROM emp;
SELECT sum(id) OVER (w ORDER BY id) FROM emp WINDOW w AS (ORDER BY salary);
SELECT sum(id) OVER (w PARTITION BY dept) FROM emp WINDOW w AS (ORDER BY salary);
SELECT sum(id) OVER (w) FROM emp WINDOW w AS (ORDER BY salary ROWS UNBOUNDED PRECEDING);
SELECT sum(id) OVER w FROM emp WINDOW w AS (ORDER BY id), w AS (ORDER BY salary);
SELECT count(DISTINCT id) OVER () FROM emp;
SELECT string_agg(DISTINCT dept, ',') OVER () FROM emp;
SELECT string_agg(dept, ',' ORDER BY id) OVER () FROM emp;
SELECT lag(id, 1, 'x') OVER () FROM emp;
SELECT lower(dept) OVER () FROM emp;
SELECT nosuchfunc(id) OVER () FROM emp;
SELECT rank(id) OVER () FROM emp;
SELECT row_number(id) OVER () FROM emp;
SELECT row_number() FROM emp;
SELECT rank() FILTER (WHERE id > 1) OVER () FROM emp;
SELECT lag() OVER () FROM emp;
SELECT sum(id) OVER (ORDER BY nosuchcol) FROM emp;
SELECT sum(id) OVER (ROWS BETWEEN 1 PRECEDING) FROM emp;
SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE SOMETHING) FROM emp;
SELECT salary, sum(id) OVER () FROM emp GROUP BY dept;
