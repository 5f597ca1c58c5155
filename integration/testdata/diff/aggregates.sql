-- Aggregate FILTER, ordered aggregates, GROUPING SETS / ROLLUP / CUBE, GROUPING().
CREATE TABLE sales (id int PRIMARY KEY, region text, product text, qty int, price numeric(10,2), ok boolean);
INSERT INTO sales VALUES
  (1, 'north', 'apple', 10, 1.50, true),
  (2, 'north', 'pear', 5, 2.00, false),
  (3, 'north', 'apple', 7, 1.60, true),
  (4, 'south', 'apple', 3, 1.40, NULL),
  (5, 'south', 'plum', NULL, 3.00, true),
  (6, 'south', 'plum', 8, NULL, false),
  (7, NULL, 'pear', 2, 2.10, true),
  (8, 'east', NULL, 4, 0.90, true);

-- FILTER
SELECT count(*) FILTER (WHERE qty > 4), count(qty) FILTER (WHERE region = 'north'), sum(qty) FILTER (WHERE ok) FROM sales;
SELECT region, count(*) FILTER (WHERE product = 'apple') AS apples, avg(price) FILTER (WHERE qty IS NOT NULL) FROM sales GROUP BY region;
SELECT sum(qty) FILTER (WHERE false), count(*) FILTER (WHERE NULL), max(product) FILTER (WHERE id > 6) FROM sales;
SELECT count(DISTINCT product) FILTER (WHERE ok), bool_and(ok) FILTER (WHERE qty > 2), string_agg(product, '|') FILTER (WHERE region = 'south') FROM sales;
SELECT region FROM sales GROUP BY region HAVING count(*) FILTER (WHERE ok) > 1;
SELECT count(*) FILTER (WHERE qty > 4) FROM sales WHERE false;
SELECT count(*) FILTER (WHERE id > 3) AS a, count(*) FILTER (WHERE id > 3) AS b, count(*) FILTER (WHERE id > 5) AS c FROM sales;

-- ordered aggregates
SELECT string_agg(product, ',' ORDER BY product) FROM sales;
SELECT string_agg(product, ',' ORDER BY product DESC) FROM sales;
SELECT string_agg(product, ',' ORDER BY qty DESC NULLS LAST, id) FROM sales;
SELECT string_agg(product, ',' ORDER BY qty NULLS FIRST, id DESC) FROM sales;
SELECT region, string_agg(product, ',' ORDER BY price DESC) FROM sales GROUP BY region;
SELECT string_agg(DISTINCT product, ',' ORDER BY product) FROM sales;
SELECT count(DISTINCT product ORDER BY product) FROM sales;
SELECT string_agg(product, ',' ORDER BY id) FILTER (WHERE ok) FROM sales;
SELECT sum(qty ORDER BY id), min(price ORDER BY qty) FROM sales;
SELECT count(* ORDER BY id) FROM sales;
SELECT string_agg(DISTINCT product, ','), bool_and(DISTINCT ok), count(DISTINCT region) FROM sales;
SELECT string_agg(DISTINCT product, ',' ORDER BY product DESC) FILTER (WHERE id > 1) FROM sales;
SELECT region, string_agg(DISTINCT product, ';') FROM sales GROUP BY region;
SELECT string_agg(id::text, '-' ORDER BY region, product DESC, id) FROM sales;
SELECT string_agg(product, ',' ORDER BY 1) FROM sales;

-- GROUPING SETS, ROLLUP, CUBE
SELECT region, product, sum(qty), count(*) FROM sales GROUP BY ROLLUP (region, product);
SELECT region, product, sum(qty) FROM sales GROUP BY CUBE (region, product);
SELECT region, product, sum(qty) FROM sales GROUP BY GROUPING SETS ((region), (product), ());
SELECT region, product, sum(qty) FROM sales GROUP BY GROUPING SETS ((region, product), region);
SELECT region, product, ok, count(*) FROM sales GROUP BY region, ROLLUP (product, ok);
SELECT region, product, ok, count(*) FROM sales GROUP BY ROLLUP (region), CUBE (product, ok);
SELECT region, product, count(*) FROM sales GROUP BY ROLLUP ((region, product));
SELECT region, product, count(*) FROM sales GROUP BY GROUPING SETS (ROLLUP (region), CUBE (product));
SELECT region, count(*) FROM sales GROUP BY GROUPING SETS (region, region);
SELECT count(*), sum(qty) FROM sales GROUP BY ();
SELECT count(*) FROM sales GROUP BY GROUPING SETS ((), ());
SELECT count(*) FROM sales WHERE false GROUP BY ROLLUP (region);
SELECT region, count(*) FROM sales WHERE false GROUP BY CUBE (region);
SELECT region, count(*) FROM sales WHERE false GROUP BY GROUPING SETS ((), region, ());
SELECT region, product, sum(qty) FROM sales GROUP BY ROLLUP (region, product) HAVING sum(qty) > 10;
-- @ordered
SELECT region, product, sum(qty) FROM sales GROUP BY ROLLUP (region, product) ORDER BY region NULLS FIRST, product NULLS FIRST, 3;
SELECT upper(region), sum(qty) FROM sales GROUP BY ROLLUP (upper(region));
SELECT region, sum(qty), sum(sum(qty)) OVER (PARTITION BY grouping(region)) FROM sales GROUP BY ROLLUP (region);

-- GROUPING()
SELECT region, product, grouping(region), grouping(product), grouping(region, product), count(*) FROM sales GROUP BY ROLLUP (region, product);
SELECT region, product, grouping(product, region), count(*) FROM sales GROUP BY CUBE (region, product);
SELECT region, grouping(region) FROM sales GROUP BY region;
SELECT CASE WHEN grouping(region) = 1 THEN 'all' ELSE region END, sum(qty) FROM sales GROUP BY ROLLUP (region);
SELECT region, count(*) FROM sales GROUP BY ROLLUP (region) HAVING grouping(region) = 0;

-- errors
SELECT lower(product) FILTER (WHERE qty > 1) FROM sales;
SELECT sum(qty) FILTER (WHERE sum(qty) > 1) FROM sales;
SELECT sum(qty) FILTER (WHERE qty) FROM sales;
SELECT count(DISTINCT product ORDER BY qty) FROM sales;
SELECT lower(product ORDER BY id) FROM sales;
SELECT grouping(region) FROM sales;
SELECT grouping(qty) FROM sales GROUP BY region;
SELECT region, product FROM sales GROUP BY ROLLUP (region);
SELECT string_agg(product, ',' ORDER BY nosuch) FROM sales;

-- array_agg with the generic ORDER BY, DISTINCT and FILTER, and as a window function
SELECT array_agg(qty ORDER BY qty DESC NULLS LAST), array_agg(DISTINCT region ORDER BY region) FROM sales;
SELECT region, array_agg(product ORDER BY id) FILTER (WHERE ok) FROM sales GROUP BY region;
SELECT id, array_agg(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM sales;
SELECT id, array_agg(qty) OVER (PARTITION BY region ORDER BY id) FROM sales;
