-- json and jsonb operators and functions (engineer funcs).
CREATE TABLE docs (id int PRIMARY KEY, j jsonb, js json);
INSERT INTO docs VALUES
  (1, '{"a": 1, "b": {"c": [1, 2, 3]}, "tags": ["x", "y"]}', '{"a": 1, "b": {"c": [1, 2, 3]}, "tags": ["x", "y"]}'),
  (2, '{"a": 2, "b": {"c": []}, "tags": ["y"]}', '{"a":2,"b":{"c":[]},"tags":["y"]}'),
  (3, '[1, "two", null, {"three": 3}]', '[1, "two", null, {"three": 3}]'),
  (4, '"scalar"', '"scalar"'),
  (5, '{"a": null, "n": 1.50}', '{"a": null, "n": 1.50, "a": 5}'),
  (6, NULL, NULL);

-- -> and ->>
SELECT '{"a":1,"b":[1,2]}'::jsonb -> 'a', '{"a":1,"b":[1,2]}'::jsonb ->> 'b', '[1,2,3]'::jsonb -> 1, '[1,2,3]'::jsonb ->> -1, '{"a":1}'::json -> 'a', '{"a":"x"}'::json ->> 'a';
SELECT '{"a":1}'::jsonb -> 'a' -> 'b', '{"a":1}'::jsonb ->> 1, '[1]'::jsonb -> 'a', '{"a":null}'::jsonb ->> 'a', '{"a":null}'::jsonb -> 'a';
SELECT id, j -> 'a', j ->> 'a', js -> 'a', js ->> 'a', j -> 'b' -> 'c' -> 0 FROM docs;
SELECT id FROM docs WHERE j ->> 'a' = '1';
SELECT id, j -> 3 -> 'three', js -> 1 FROM docs WHERE id = 3;

-- #> and #>>
SELECT '{"a":{"b":[1,2]}}'::jsonb #> '{a,b,1}', '{"a":{"b":[1,2]}}'::jsonb #>> '{a,b}', '{"a":{"b":[1,2]}}'::json #> '{a,b}';
SELECT '{"a":[1,{"b":"x"}]}'::json #>> '{a,1,b}', '{"a":[1,2]}'::jsonb #> '{a,5}', '{"a":[1,2]}'::jsonb #> '{}', '[1,2]'::jsonb #> '{-1}', '{"a":1}'::jsonb #> '{a,b}';
SELECT id, j #> '{b,c}', j #>> '{b,c,2}', js #> '{tags,0}', js #>> '{tags}' FROM docs;
SELECT '{"a":{"b":1}}'::jsonb #> '{a,NULL}', '{"a":1}'::jsonb #>> '{a}';

-- containment and existence
SELECT '{"a":1,"b":2}'::jsonb @> '{"a":1}', '{"a":1}'::jsonb <@ '{"a":1,"b":2}', '{"a":1}'::jsonb ? 'a', '{"a":1}'::jsonb ?| '{b,a}', '{"a":1}'::jsonb ?& '{a,b}';
SELECT '["a","b"]'::jsonb ? 'a', '"a"'::jsonb ? 'a', '{"a":1}'::jsonb ? 'b', '[["a"]]'::jsonb ? 'a', '[1,2]'::jsonb @> '1', '1'::jsonb @> '[1]';
SELECT '[1,[2,3]]'::jsonb @> '[[3]]', '{"a":[1,2,3]}'::jsonb @> '{"a":[3,1]}', '[1,2,2]'::jsonb <@ '[1,2]', '{"a":{"b":1,"c":2}}'::jsonb @> '{"a":{"c":2}}', '[{"a":1}]'::jsonb @> '{"a":1}';
SELECT '{}'::jsonb @> '{}', '[]'::jsonb @> '[]', '[1]'::jsonb @> '[]', '{"a":[1]}'::jsonb @> '{"a":1}', '"a"'::jsonb @> '"a"', 'null'::jsonb @> 'null';
SELECT id FROM docs WHERE j @> '{"tags": ["y"]}';
SELECT id FROM docs WHERE j ? 'tags';
SELECT id FROM docs WHERE j ?| '{n,tags}';
SELECT id FROM docs WHERE j ?& '{a,b}';
SELECT id FROM docs WHERE '{"a": 2}' <@ j;

-- ||, -, #-
SELECT '{"a":1}'::jsonb || '{"b":2}', '[1]'::jsonb || '[2]', '[1]'::jsonb || '3', '{"a":1}'::jsonb || '{"a":2}';
SELECT '{"a":1}'::jsonb || '1', '1'::jsonb || '[2]', '1'::jsonb || '2', '{"a":1}'::jsonb || '[2]', '[]'::jsonb || '{"a":1}';
SELECT '{"a":1,"b":2}'::jsonb - 'a', '[1,2,3]'::jsonb - 1, '[1,2,3]'::jsonb - -1, '[1,2,3]'::jsonb - 5, '["a","b","a"]'::jsonb - 'a';
SELECT '{"a":{"b":1,"c":2}}'::jsonb #- '{a,b}', '[1,2]'::jsonb #- '{0}', '{"a":[1,2]}'::jsonb #- '{a,-1}', '{"a":1}'::jsonb #- '{}';
SELECT '{"a":1}'::jsonb - 1;
SELECT '1'::jsonb - 'a';
SELECT '1'::jsonb - 0;
SELECT '1'::jsonb #- '{a}';
SELECT '[1,2]'::jsonb #- '{x}';
SELECT id, j - 'a', j || '{"z": true}' FROM docs;

-- construction
SELECT jsonb_build_object('a', 1, 'b', 'x', 'c', null), jsonb_build_array(1, 'x', null, true), json_build_object('a', 1, 'b', 2.50), json_build_array(1, 'a');
SELECT json_build_object('a', 1, 'b', '{"x":1}'::jsonb), json_build_array(), json_build_object(), jsonb_build_object(), jsonb_build_array();
SELECT json_build_object(1, 2, true, 'x'), jsonb_build_object('b', 1, 'a', 2, 'b', 3), json_build_object('b', 1, 'a', 2, 'b', 3), jsonb_build_array(1.50, '{"a":1}'::json, date '2024-01-02');
SELECT jsonb_build_object('a');
SELECT jsonb_build_object(null, 1);
SELECT json_build_object('{"a":1}'::json, 1);
SELECT id, jsonb_build_object('id', id, 'doc', j), json_build_array(id, js) FROM docs;
SELECT to_json(1.5::float8), to_json('NaN'::float8), to_json('Infinity'::numeric), to_json(timestamp '2024-01-01 10:00:00.5'), to_json(timestamptz '2024-01-01 10:00'), to_json(time '10:00');
SELECT to_json(interval '1 day'), to_json('a"b'::text), to_json('{"a":1}'::json), to_json('\x01'::bytea), to_json(null::text), to_json(date '2024-01-01'), to_json(true), to_json(42);
SELECT to_jsonb(1.50), to_jsonb('x'::text), to_jsonb(true), to_jsonb('{"b":1, "a":2}'::json), to_jsonb(timestamp '2024-01-01 10:00'), to_jsonb(null::int);
SELECT to_json('x');
SELECT id, to_json(j), to_jsonb(js) FROM docs;

-- jsonb_set, jsonb_insert
SELECT jsonb_set('{"a":{"b":1}}', '{a,b}', '2'), jsonb_set('[1,2]', '{5}', '3'), jsonb_insert('{"a":[0,1]}', '{a,1}', '"x"'), jsonb_insert('{"a":[0,1]}', '{a,1}', '"x"', true);
SELECT jsonb_set('{"a":1}', '{b}', '2', false), jsonb_set('{"a":[1,2]}', '{a,-1}', '9'), jsonb_set('{"a":[1,2]}', '{a,-5}', '9'), jsonb_set('{"a":{"b":1}}', '{a,b,c}', '2'), jsonb_set('{"a":1}', '{b}', '2');
SELECT jsonb_insert('{"a":[1,2]}', '{a,-1}', '9'), jsonb_insert('{"a":[1,2]}', '{a,10}', '9'), jsonb_insert('{"a":{}}', '{a,new}', '9'), jsonb_set('{}', '{}', '1');
SELECT jsonb_set('1', '{a}', '2');
SELECT jsonb_insert('{"a":1}', '{a}', '2');
SELECT jsonb_set('[1]', '{x}', '2');
SELECT jsonb_set('{"a":1}', '{NULL}', '2');
SELECT id, jsonb_set(j, '{a}', '100') FROM docs WHERE id IN (1, 2, 5);

-- strip_nulls, pretty, typeof, array_length, extract_path
SELECT jsonb_strip_nulls('{"a":null,"b":{"c":null,"d":1}}'), json_strip_nulls('{"a":null,"b":[null,{"c":null}]}'), jsonb_strip_nulls('[null]'), jsonb_strip_nulls('null');
SELECT jsonb_pretty('{"a":[1,{"b":2}]}');
SELECT jsonb_pretty('[]'), jsonb_pretty('1'), jsonb_pretty('{}'), jsonb_pretty('{"a":{}, "b":[[]]}');
SELECT jsonb_typeof('1'), json_typeof('"x"'), jsonb_typeof('null'), jsonb_typeof('[]'), json_typeof('{}'), jsonb_typeof('true');
SELECT jsonb_array_length('[1,2,3]'), json_array_length('[1]'), jsonb_array_length('[]'), json_array_length('[[1,2],[3]]');
SELECT jsonb_array_length('{}');
SELECT jsonb_array_length('1');
SELECT json_array_length('{}');
SELECT jsonb_extract_path('{"a":{"b":1}}', 'a', 'b'), jsonb_extract_path_text('{"a":{"b":"x"}}', 'a', 'b'), json_extract_path('{"a":[1,2]}', 'a', '1'), json_extract_path_text('{"a":"x"}', 'a'), jsonb_extract_path('{"a":1}', 'z');
SELECT id, jsonb_typeof(j), json_typeof(js), jsonb_extract_path_text(j, 'b', 'c', '0') FROM docs;

-- comparison, ordering, grouping
SELECT '{"a":1}'::jsonb = '{"a":1.0}'::jsonb, '[1]'::jsonb < '{}'::jsonb, '1'::jsonb < '"a"'::jsonb, '[]'::jsonb < 'null'::jsonb, '{"b":1}'::jsonb > '{"aa":1}'::jsonb;
SELECT '[1,2]'::jsonb > '[3]'::jsonb, 'true'::jsonb > 'false'::jsonb, '"b"'::jsonb > '"a"'::jsonb, '10'::jsonb > '9'::jsonb, '[1]'::jsonb > 'true'::jsonb, '{"a":1}'::jsonb <> '{"a":2}'::jsonb;
CREATE TABLE jv (j jsonb);
INSERT INTO jv VALUES ('{"a":1}'), ('[1]'), ('null'), ('"a"'), ('1'), ('true'), ('{}'), ('[]'), ('[1, 2]'), ('{"a": 1, "b": 2}'), ('false'), ('"b"'), ('-5'), ('[[1]]'), ('[{"a":1}]');
-- @ordered
SELECT j FROM jv ORDER BY j;
-- @ordered
SELECT j FROM jv ORDER BY j DESC;
SELECT DISTINCT j FROM jv;
SELECT j, count(*) FROM jv GROUP BY j;
INSERT INTO jv VALUES ('1.0'), ('[1.00]');
SELECT DISTINCT j FROM jv WHERE j < '"z"' OR j @> '[1]';
SELECT j, count(*) FROM jv GROUP BY j;
SELECT min(j) FROM jv;
CREATE TABLE ju (j jsonb PRIMARY KEY);
INSERT INTO ju VALUES ('{"a": 1}'), ('[1, 2]');
INSERT INTO ju VALUES ('{"a": 1.0}');
SELECT * FROM ju WHERE j = '[1.0, 2]';

-- set-returning functions
SELECT * FROM jsonb_each('{"a":1,"b":"x"}');
SELECT * FROM jsonb_each_text('{"a":1,"b":"x","c":null}');
SELECT * FROM json_each('{"a":1, "a" : [1, 2]}');
SELECT * FROM json_each_text('{"a":"x\"y"}');
SELECT jsonb_array_elements('[1,"a",null]');
SELECT * FROM jsonb_array_elements_text('[1,"a",null]');
SELECT * FROM json_array_elements('[1, {"a" : 2}]') AS e;
SELECT json_array_elements_text('["x", 2, null]');
SELECT jsonb_object_keys('{"b":1,"a":2}');
SELECT json_object_keys('{"b":1,"a":2,"b":3}');
SELECT e.key, e.value FROM jsonb_each('{"a":1}') e;
SELECT k FROM jsonb_object_keys('{"x":1}') k;
SELECT d.id, e.key, e.value FROM docs d, jsonb_each(d.j) e WHERE jsonb_typeof(d.j) = 'object';
SELECT d.id, t.value FROM docs d, jsonb_array_elements_text(d.j -> 'tags') t;
SELECT id, jsonb_array_elements(j -> 'tags') FROM docs;
SELECT id, jsonb_object_keys(j) FROM docs WHERE jsonb_typeof(j) = 'object';
SELECT * FROM jsonb_each(NULL);
SELECT * FROM jsonb_each('[1]');
SELECT * FROM jsonb_each('1');
SELECT * FROM json_each('[1]');
SELECT * FROM json_each_text('1');
SELECT * FROM jsonb_array_elements('{}');
SELECT * FROM jsonb_array_elements('1');
SELECT * FROM json_array_elements_text('{"a":1}');
SELECT * FROM json_array_elements('1');
SELECT jsonb_object_keys('[1]');
SELECT jsonb_object_keys('1');
SELECT json_object_keys('1');

-- aggregates
SELECT json_agg(x), jsonb_agg(x), json_object_agg(x, x*2), jsonb_object_agg(x, null::int) FROM generate_series(1,3) x;
SELECT json_agg(x), jsonb_agg(x), json_object_agg(x, x), jsonb_object_agg(x, x) FROM generate_series(1,0) x;
SELECT json_agg(v), jsonb_agg(v), json_object_agg(k, v), jsonb_object_agg(k, v) FROM (VALUES ('a', 1), ('b', null), ('a', 3)) t(k,v);
-- @ordered
SELECT k, json_agg(v ORDER BY v DESC), jsonb_agg(v) FILTER (WHERE v > 1) FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) t(k,v) GROUP BY k ORDER BY k;
SELECT jsonb_agg(j ORDER BY id), json_agg(js ORDER BY id) FROM docs;
SELECT jsonb_object_agg(id, j -> 'a'), json_object_agg(id, js -> 'a') FROM docs WHERE id < 4;
SELECT jsonb_object_agg(k, v) FROM (VALUES (true, 'x'), (false, 'y')) t(k, v);
SELECT json_object_agg(k, v) FROM (VALUES (null, 1)) t(k,v);
SELECT jsonb_object_agg(k, v) FROM (VALUES (null::text, 1)) t(k,v);
SELECT json_agg('x');
SELECT json_object_agg('k', 'v');

-- with arrays
SELECT '{"a":1,"b":2,"c":3}'::jsonb - '{a,c}'::text[], '{"a":1}'::jsonb ?| array['b','a'], '{"a":1}'::jsonb ?& array['a','b'], '{"a":{"b":1}}'::jsonb #> array['a','b'];
SELECT to_json(array[1,2]), to_json(array['a',null]), to_jsonb(array[[1,2],[3,4]]), json_build_array(array[1,2]), jsonb_build_object('arr', array['x']);
SELECT '{"a":1}'::jsonb - array['a', NULL], '{"a":[1,2]}'::jsonb #>> array['a', '0'];
