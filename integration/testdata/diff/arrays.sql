-- Arrays: types, literals, I/O, constructors, subscripts, operators,
-- functions, array_agg, ANY/ALL, storage in tables. Errors by SQLSTATE.

-- Literals and text I/O
SELECT '{1,2,3}'::int[] AS a, '{}'::int[] AS empty, '{{1,2},{3,4}}'::int[] AS two_d;
SELECT '[0:1]={1,2}'::int[] AS lb, ' [1:2] = { 1 , 2 } '::int[] AS spaced, '[-2:-1][3:4]={{1,2},{3,4}}'::int4[] AS neg;
SELECT '{ a b , "c\\d" , "", NULL, "NULL", nulL}'::text[] AS quoting;
SELECT '{a\ }'::text[] AS escaped_space, '{\NULL}'::text[] AS escaped_null;
SELECT ARRAY['a{', 'b c', 'x"y', '', 'NULL', 'n,o'] AS needs_quotes;
SELECT '{t,false,yes}'::bool[] AS b, '{1.50,2}'::numeric[] AS n, '{1.5,NaN,-Infinity}'::float8[] AS f;
SELECT '{2024-01-02}'::date[] AS d, '{"2024-01-02 03:04:05"}'::timestamp[] AS ts, '{"1 day"}'::interval[] AS iv;
SELECT '{"\\x0102"}'::bytea[] AS by, '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid[] AS u;
SELECT '{"{\"a\": 1}"}'::jsonb[] AS jb, '{abc}'::varchar(2)[] AS vc, '{ab}'::char(3)[] AS bp;
SELECT '{1,2}'::_int4 AS underscore, '{1,2}'::integer[] AS integer_arr, '{1,2}'::int ARRAY AS kw, '{1}'::int[][] AS dims, '{1}'::bigint[3] AS sized;

-- Malformed literals: 22P02, 2202E, 22003, 54000
SELECT '{1,2'::int[];
SELECT '{1,,2}'::int[];
SELECT '{{},{}}'::int[];
SELECT '{{1},2}'::int[];
SELECT '{{1,2},{3}}'::int[];
SELECT '{1}x'::int[];
SELECT '1'::int[];
SELECT '[2:1]={}'::int[];
SELECT '[1:2]={1}'::int[];
SELECT '{"a"b}'::text[];
SELECT '{a}'::int[];
SELECT '{99999999999}'::int[];
SELECT '{{{{{{{1}}}}}}}'::int[];

-- Casts
SELECT '{1,NULL,3}'::text[]::int[] AS t2i, ARRAY[1,2]::text[] AS i2t, ARRAY[1,2]::text AS to_text, ARRAY[1.5, 2.5]::int[] AS rounded;
SELECT ARRAY['abcdef', 'ab']::varchar(3)[] AS truncated, ARRAY[true, false]::text[] AS bools;
SELECT ARRAY[1,2]::uuid[];
SELECT ARRAY[1,2]::int;
SELECT '{x}'::text[]::int[];

-- Constructors
SELECT ARRAY[1,2,3] AS a, ARRAY[1, 2.5] AS mixed, ARRAY['a', 'b'] AS t, ARRAY[NULL, 1] AS with_null;
SELECT ARRAY[ARRAY[1,2], ARRAY[3,4]] AS nested, ARRAY[[1,2],[3,4]] AS brackets, ARRAY[ARRAY[1,2], '{3,4}'] AS mixed_nested;
SELECT ARRAY[]::int[] AS empty_int, ARRAY[]::text[] AS empty_text, ARRAY[ARRAY[]::int[], ARRAY[]::int[]] AS empty_nested;
SELECT ARRAY['1', '2']::int[] AS cast_elems, ARRAY[NULL]::int[] AS null_elem, pg_typeof(ARRAY[1::int2, 2::int2])::text AS t;
SELECT ARRAY[];
SELECT ARRAY[1, 'a'];
SELECT ARRAY[1, true];
SELECT ARRAY[ARRAY[1,2], ARRAY[3]];
SELECT ARRAY[ARRAY[1,2], NULL];
SELECT ARRAY(SELECT 1 WHERE false) AS empty_sub, ARRAY(SELECT x FROM (SELECT 3 AS x UNION ALL SELECT 1) s ORDER BY x) AS sorted;
SELECT ARRAY(SELECT ARRAY[1,2] UNION ALL SELECT ARRAY[3,4]) AS sub_2d;
SELECT ARRAY(SELECT 1, 2);

-- Subscripts and slices
SELECT (ARRAY[10,20,30])[1] AS first, (ARRAY[10,20,30])[3] AS last, (ARRAY[10,20,30])[0] AS zero, (ARRAY[10,20,30])[4] AS past, (ARRAY[10,20,30])[NULL] AS nul;
SELECT (ARRAY[[1,2],[3,4]])[2][1] AS el, (ARRAY[[1,2],[3,4]])[2] AS partial, ('[0:1]={7,8}'::int[])[0] AS lb0;
SELECT (ARRAY[1,2,3,4])[2:3] AS mid, (ARRAY[1,2,3,4])[:2] AS head, (ARRAY[1,2,3,4])[3:] AS tail, (ARRAY[1,2,3,4])[:] AS whole;
SELECT (ARRAY[1,2,3])[0:10] AS clipped, (ARRAY[1,2,3])[3:2] AS empty, (ARRAY[[1,2],[3,4]])[1:1][2] AS mixed_slice, (ARRAY[[1,2],[3,4]])[2:2] AS row2;
SELECT ('[5:7]={1,2,3}'::int[])[6:] AS rebased, (ARRAY[1,2,3])[1.6] AS numeric_sub, (ARRAY[1,2,3])[2::int8] AS bigint_sub;
SELECT (ARRAY[1,2,3])['x'];
SELECT (ARRAY[1,2,3])[true];
SELECT (1)[1];

-- Comparisons and ordering
SELECT ARRAY[1,2] = ARRAY[1,2] AS eq, ARRAY[1,2] <> ARRAY[1,3] AS ne, ARRAY[1,2] < ARRAY[1,3] AS lt, ARRAY[1,2] < ARRAY[1,2,0] AS shorter;
SELECT ARRAY[2] > ARRAY[1,9] AS gt, ARRAY[1,NULL] > ARRAY[1,2] AS null_last, ARRAY[NULL::int] = ARRAY[NULL::int] AS null_eq, '{}'::int[] = '{}'::int[] AS empties;
SELECT '[0:1]={1,2}'::int[] = '{1,2}'::int[] AS lb_eq, '[0:1]={1,2}'::int[] < '{1,2}'::int[] AS lb_lt, '{{1,2},{3,4}}'::int[] < '{{1,2}}'::int[] AS dims;
SELECT ARRAY[1,2] = '{1,2}' AS untyped, ARRAY['a','b'] >= ARRAY['a'] AS text_ge;
SELECT '{1,2}'::int[] = '{1,2}'::bigint[];
SELECT ARRAY[1] = 1;

-- Containment, overlap, concatenation
SELECT ARRAY[1,2,3] @> ARRAY[2,3] AS contains, ARRAY[1,2] <@ ARRAY[1,2,3] AS contained, ARRAY[1,2] && ARRAY[2,5] AS overlap, ARRAY[1,2] && ARRAY[5] AS disjoint;
SELECT ARRAY[1,NULL] @> ARRAY[NULL::int] AS null_contains, ARRAY[[1,2],[3,4]] @> ARRAY[3] AS flat, ARRAY[1] @> '{}' AS empty_contained;
SELECT ARRAY[1,2] || ARRAY[3,4] AS cat, ARRAY[1,2] || 3 AS append, 0 || ARRAY[1,2] AS prepend, ARRAY[1] || '{2}' AS untyped;
SELECT ARRAY[[1,2]] || ARRAY[3,4] AS add_row, ARRAY[1,2] || ARRAY[[3,4]] AS prepend_row, ARRAY[[1,2],[3,4]] || ARRAY[[5,6]] AS cat_2d;
SELECT ARRAY[1,2] || 3::bigint AS widened, pg_typeof(ARRAY[1] || 1.5)::text AS numeric_t, 'x'::text || ARRAY['y'] AS text_elem, NULL::int[] || ARRAY[1] AS null_cat;
SELECT ARRAY['a'] || 'b';
SELECT ARRAY[1,2] || ARRAY[[3],[4]];
SELECT ARRAY[1] @> ARRAY['a'::text];

-- ANY / ALL over arrays
SELECT 2 = ANY(ARRAY[1,2,3]) AS any_t, 5 = ANY(ARRAY[1,2,3]) AS any_f, 2 <> ALL(ARRAY[1,3]) AS all_t, 3 > ALL(ARRAY[1,2]) AS gt_all;
SELECT 1 = ANY(NULL::int[]) AS null_arr, NULL = ANY('{}'::int[]) AS empty_any, 1 = ALL('{}'::int[]) AS empty_all, 2 = ALL('{2,NULL}'::int[]) AS all_null, 2 = ANY('{2,NULL}'::int[]) AS any_hit;
SELECT 1 = ANY('{1,2}') AS untyped, 'b' = ANY(ARRAY['a','b']) AS text_any, 1.0 = ANY(ARRAY[1,2]) AS numeric_any, 2 = SOME(ARRAY[2]) AS some;
SELECT 1 = ANY(1);
SELECT 'x' = ANY(ARRAY[1,2]);

-- Functions
SELECT array_length(ARRAY[1,2,3], 1) AS len, array_length(ARRAY[[1,2],[3,4],[5,6]], 2) AS len2, array_length('{}'::int[], 1) AS len_empty, array_length(ARRAY[1], 2) AS len_nodim;
SELECT array_lower('[2:3]={1,2}'::int[], 1) AS lo, array_upper('[2:3]={1,2}'::int[], 1) AS hi, array_ndims(ARRAY[[1],[2]]) AS nd, array_ndims('{}'::int[]) AS nd_empty;
SELECT array_dims('[2:3]={1,2}'::int[]) AS dims, array_dims(ARRAY[[1,2],[3,4]]) AS dims2, array_dims('{}'::int[]) AS dims_empty, cardinality(ARRAY[[1,2],[3,4]]) AS card, cardinality('{}'::int[]) AS card_empty;
SELECT array_position(ARRAY[1,2,NULL,2], 2) AS pos, array_position(ARRAY[1,2,NULL,2], NULL) AS pos_null, array_position(ARRAY[1,2,3,2], 2, 3) AS pos_from, array_position(ARRAY['a','b'], 'z') AS missing;
SELECT array_positions(ARRAY[1,2,NULL,2], 2) AS positions, array_positions(ARRAY[1], 5) AS none, array_position('[5:6]={a,b}'::text[], 'b') AS lb_pos;
SELECT array_append(ARRAY[1,2], 3) AS app, array_append(NULL::int[], 1) AS app_null, array_prepend(0, ARRAY[1,2]) AS pre, array_prepend(0, '[5:6]={1,2}'::int[]) AS pre_lb, array_append('[5:6]={1,2}'::int[], 3) AS app_lb;
SELECT array_cat(ARRAY[1,2], ARRAY[3]) AS cat, array_cat(NULL, ARRAY[1]) AS cat_null, array_cat('{}'::int[], '{}'::int[]) AS cat_empty;
SELECT array_remove(ARRAY[1,2,NULL,2], 2) AS rem, array_remove(ARRAY[1,NULL], NULL) AS rem_null, array_remove(ARRAY[1], 1) AS rem_all, array_replace(ARRAY[1,2,NULL], NULL, 9) AS rep, array_replace(ARRAY[[1,2],[1,4]], 1, 0) AS rep_2d;
SELECT array_to_string(ARRAY[1,NULL,3], ',') AS a2s, array_to_string(ARRAY[1,NULL,3], ',', '*') AS a2s_null, array_to_string(ARRAY[[1,2],[3,4]], '-') AS a2s_2d, array_to_string('{}'::int[], ',') AS a2s_empty;
SELECT string_to_array('a,b,,c', ',') AS s2a, string_to_array('a,b,,c', ',', '') AS s2a_null, string_to_array('abc', NULL) AS chars, string_to_array('abc', '') AS whole, string_to_array('', ',') AS empty, string_to_array(NULL, ',') AS nul;
SELECT array_fill(7, ARRAY[2,3]) AS fill, array_fill(7, ARRAY[2], ARRAY[0]) AS fill_lb, array_fill('x'::text, ARRAY[0]) AS fill_empty, array_fill(NULL::int, ARRAY[2]) AS fill_null;
SELECT array_position(ARRAY[[1,2]], 1);
SELECT array_remove(ARRAY[[1,2]], 1);
SELECT array_append(ARRAY[[1,2]], 3);
SELECT array_length(1, 1);
SELECT array_fill(1, NULL);
SELECT array_fill(1, ARRAY[2], ARRAY[1,2]);

-- Tables: array columns, storage, typmods, updates, grouping, sorting
CREATE TABLE arr (id int PRIMARY KEY, tags text[], nums int[], codes varchar(3)[], grid int[][], flags bool ARRAY);
INSERT INTO arr VALUES (1, '{a,b}', '{1,2,3}', '{abc}', '{{1,2},{3,4}}', '{t}'), (2, ARRAY['b','c'], ARRAY[4,5], NULL, NULL, NULL), (3, '{}', '{}', '{}', '{}', '{}'), (4, NULL, ARRAY[NULL, 7]::int[], '{x,NULL}', '[0:1]={5,6}', '{f,NULL}');
INSERT INTO arr (id, codes) VALUES (5, '{abcd}');
INSERT INTO arr (id, nums) VALUES (5, '{a}');
INSERT INTO arr (id, nums) VALUES (5, 7);
INSERT INTO arr (id, nums) VALUES (5, ARRAY[1,2]::bigint[]);
-- @ordered
SELECT * FROM arr ORDER BY id;
-- @ordered
SELECT id, tags[1] AS first_tag, nums[2:] AS rest, grid[2][2] AS g22, array_length(nums, 1) AS n FROM arr ORDER BY id;
-- @ordered
SELECT id FROM arr WHERE 'b' = ANY(tags) ORDER BY id;
-- @ordered
SELECT id FROM arr WHERE tags @> ARRAY['b'] ORDER BY id;
-- @ordered
SELECT id FROM arr WHERE nums && '{2,5}' ORDER BY id;
-- @ordered
SELECT nums, count(*) FROM arr GROUP BY nums ORDER BY nums;
-- @ordered
SELECT DISTINCT tags FROM arr ORDER BY tags DESC;
-- @ordered
SELECT id, nums FROM arr ORDER BY nums, id;
UPDATE arr SET nums = nums || 9, tags = array_append(tags, 'z') WHERE id <= 2 RETURNING id, nums, tags;
UPDATE arr SET codes = codes || 'toolong' WHERE id = 1;
-- @ordered
SELECT id, nums, tags FROM arr WHERE id <= 2 ORDER BY id;

-- array_agg
SELECT array_agg(id) AS none FROM arr WHERE false;
SELECT array_agg(x) AS with_nulls FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 1) s;
SELECT array_agg(DISTINCT x) AS distinct_vals FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 1) s;
SELECT array_length(array_agg(id), 1) AS n, cardinality(array_agg(DISTINCT tags)) AS distinct_tags FROM arr;
SELECT array_agg(a) AS stacked FROM (SELECT ARRAY[1,2] AS a UNION ALL SELECT ARRAY[1,2]) s;
SELECT array_agg(a) FROM (SELECT ARRAY[1,2] AS a UNION ALL SELECT ARRAY[3]) s;
SELECT array_agg(a) FROM (SELECT ARRAY[1,2] AS a UNION ALL SELECT NULL::int[]) s;
-- @ordered
SELECT x % 2 AS parity, array_agg(x) AS xs FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) s GROUP BY x % 2 ORDER BY parity;

-- Other array element types stored and read back
CREATE TABLE arr_types (id int PRIMARY KEY, i2 int2[], i8 int8[], f4 float4[], n numeric(5,2)[], d date[], ts timestamptz[], iv interval[], u uuid[], j jsonb[], by bytea[], t time[]);
INSERT INTO arr_types VALUES (1, '{1,-2}', '{9223372036854775807}', '{1.5,NaN}', '{1.234,5}', '{2020-02-29,infinity}', '{"2020-01-01 00:00:00+00"}', '{"1 mon 2 days",-1h}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{"{\"k\": [1, 2]}",null}', '{"\\x00ff"}', '{12:34:56.5}');
SELECT * FROM arr_types;
SELECT i2[1] + 1 AS i2p, i8[1] AS i8, n[1] AS n1, d[2] AS inf, j[1] AS j1, u[1] AS u1 FROM arr_types;
DROP TABLE arr_types;
DROP TABLE arr;

-- array_agg with ORDER BY (ordered aggregates) and DISTINCT
SELECT array_agg(x ORDER BY x DESC) AS desc_order, array_agg(DISTINCT x ORDER BY x) AS distinct_order, string_agg(DISTINCT y, ',' ORDER BY y) AS s FROM (SELECT 3 AS x, 'b' AS y UNION ALL SELECT 1, 'a' UNION ALL SELECT NULL, 'b' UNION ALL SELECT 3, 'a') s;

-- unnest
SELECT * FROM unnest(ARRAY[1,2,3]);
SELECT * FROM unnest(ARRAY[1,2], ARRAY['a','b','c']);
SELECT * FROM unnest(ARRAY[1,2], ARRAY['a']) t;
SELECT u FROM unnest('{{1,2},{3,4}}'::int[]) AS u;
SELECT * FROM unnest('{{1,2},{3,4}}'::int[]) WITH ORDINALITY;
SELECT * FROM unnest(NULL::int[]);
SELECT unnest(ARRAY[1,2]) AS a, unnest('{}'::int[]) AS b;
SELECT unnest(ARRAY['x', NULL, 'z']);
SELECT x, unnest(ARRAY[x, x * 10]) FROM (SELECT 1 AS x UNION ALL SELECT 2) s;
SELECT unnest(1);
