-- String functions and pattern matching (engineer funcs).
CREATE TABLE words (id int PRIMARY KEY, w text);
INSERT INTO words VALUES (1, 'apple'), (2, 'Banana'), (3, 'cherry pie'), (4, 'date_2024'), (5, NULL), (6, 'foo bar baz');

-- POSIX regular expressions
SELECT 'abc' ~ 'b', 'abc' ~* 'B', 'abc' !~ 'b', 'abc' !~* 'B';
SELECT 'abc' ~ '^a.c$', 'abc' ~ '^b', 'ABC' ~ 'abc', 'ABC' ~* 'abc';
SELECT id, w ~ '^[[:upper:]]' AS upper_start, w ~* 'an' AS has_an, w !~ 'e' AS no_e FROM words;
SELECT id FROM words WHERE w ~ '[[:digit:]]+';
SELECT id FROM words WHERE w ~* '^b' OR w ~ 'pie$';
SELECT 'Abc' ~ '^[[:upper:]][[:lower:]]+$', 'x1' ~ '\d', 'a b' ~ 'a\sb', 'ab' ~ '\w+', 'a.b' ~ 'a\.b';
SELECT 'foo bar' ~ '\mbar', 'foobar' ~ '\mbar', 'foobar' ~ 'foo\M', 'foo bar' ~ 'foo\M';
SELECT 'abc' ~ 'a{1,2}b', 'aaa' ~ '^a{2}$', 'xyz' ~ '(x|y)+z', 'xyz' ~ 'x(?:y)z';
SELECT 'abc' ~ NULL, NULL ~ 'a', 'abc'::varchar ~ 'b', 'abc'::char(5) ~ 'c';
SELECT 'abc' ~ '(';
SELECT 'abc' ~ 'a{300}';
SELECT 'abc' ~ '[z-a]';
SELECT 'abc' ~ '[abc';
SELECT textregexeq('abc', 'b'), texticregexeq('ABC', 'b'), textregexne('abc', 'z'), texticregexne('abc', 'B');

-- SIMILAR TO
SELECT 'abc' SIMILAR TO 'a%', 'abc' SIMILAR TO '(a|b)%', 'abc' NOT SIMILAR TO '_b_', 'abc' SIMILAR TO 'ab';
SELECT 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c', 'a$c' SIMILAR TO 'a$c', 'ab' SIMILAR TO '[a-c]{2}';
SELECT 'ab' SIMILAR TO 'a#_' ESCAPE '#', 'a_' SIMILAR TO 'a#_' ESCAPE '#', 'a%' SIMILAR TO 'a\%', 'ab' SIMILAR TO 'a\%';
SELECT 'abc' SIMILAR TO 'a(b|x)c', 'aXc' SIMILAR TO 'a(b|x)c', NULL SIMILAR TO 'a', 'a' SIMILAR TO NULL;
SELECT 'aaa' SIMILAR TO 'a+', 'aaa' SIMILAR TO 'a*', '' SIMILAR TO 'a?', 'ab' SIMILAR TO 'a|b';
SELECT id FROM words WHERE w SIMILAR TO '%(an|er)%';
SELECT 'abc' SIMILAR TO 'a' ESCAPE 'xy';
SELECT 'abc' SIMILAR TO 'a' ESCAPE '';

-- regexp_replace
SELECT regexp_replace('foobarbaz', 'b..', 'X'), regexp_replace('foobarbaz', 'b..', 'X', 'g');
SELECT regexp_replace('fooBarbaz', 'b..', 'X', 'gi'), regexp_replace('fooBarbaz', 'b..', 'X', 'i');
SELECT regexp_replace('foobarbaz', 'b(..)', 'X\1Y', 'g'), regexp_replace('abc', '(b)', '[\&]'), regexp_replace('abc', 'x', 'y');
SELECT regexp_replace('A PostgreSQL function', 'a|e|i|o|u', 'X', 1, 0, 'i'), regexp_replace('A PostgreSQL function', 'a|e|i|o|u', 'X', 1, 3, 'i');
SELECT regexp_replace('abcabc', 'b', 'X', 3), regexp_replace(NULL, 'b', 'X'), regexp_replace('abc', 'b', NULL);
SELECT id, regexp_replace(w, '[aeiou]', '*', 'g') FROM words;
SELECT regexp_replace('abc', 'b', 'x', 'z');
SELECT regexp_replace('abc', 'b', 'x', 0);
SELECT regexp_replace('abc', '(', 'x');

-- PostgreSQL 15 regexp functions
SELECT regexp_like('Hello', 'h', 'i'), regexp_like('Hello', 'h'), regexp_like('Hello', '^H');
SELECT regexp_count('ababab', 'ab'), regexp_count('ababab', 'ab', 2), regexp_count('ABab', 'ab', 1, 'i'), regexp_count('abc', 'x');
SELECT regexp_instr('abcabc', 'c', 1, 2), regexp_instr('abcabc', 'c'), regexp_instr('abcabc', 'b.', 1, 1, 1), regexp_instr('abcabc', 'z');
SELECT regexp_instr('ABCabc', '(b)(c)', 1, 1, 0, 'i', 2), regexp_substr('abcabc', 'b.', 1, 2), regexp_substr('abc', 'x'), regexp_substr('abcd', '(b)(c)', 1, 1, '', 2);
SELECT regexp_like('a', 'a', 'g');
SELECT regexp_count('abc', 'a', 0);

-- split_part, left, right, pads
SELECT split_part('abc~@~def~@~ghi', '~@~', 2), split_part('abc,def,ghi', ',', -1), split_part('abc,def,ghi', ',', -3), split_part('abc,def', ',', 5), split_part('abc', '', 1), split_part('', ',', 1);
SELECT split_part('a,b', ',', 0);
SELECT left('abcde', 2), left('abcde', -2), left('abcde', 0), left('abcde', 10), right('abcde', 2), right('abcde', -2), right('abcde', -10);
SELECT lpad('hi', 5, 'xy'), rpad('hi', 5, 'xy'), lpad('hello', 2), rpad('hi', 5), lpad('hi', -1), lpad('hi', 5, ''), rpad('hé', 4, 'é');
SELECT id, lpad(w, 8, '.'), rpad(w, 8, '.') FROM words;

-- format
SELECT format('Hello %s, %1$s', 'World'), format('%I', 'foo bar'), format('%I', 'foo'), format('%L', 'O''Reilly'), format('%L', NULL), format('%s', NULL);
SELECT format('%%'), format('|%10s|%-10s|', 'a', 'b'), format('%*s|', 5, 'x'), format('%-*s|', 5, 'x'), format('%2$s %1$s', 'a', 'b'), format('%s %s', 1, 2.5);
SELECT format('INSERT INTO %I VALUES(%L, %s)', 'my table', 'it''s', 42), format('%s', true), format('%s', date '2024-01-02'), format(NULL);
SELECT format('%s');
SELECT format('%x', 1);
SELECT format('%0$s', 1);
SELECT format('%1$s %s', 'a');

-- concat, concat_ws, initcap, md5, sha256
SELECT concat('a', 1, NULL, 2.5, true), concat_ws(',', 'a', NULL, 'b', 3), concat_ws(NULL, 'a', 'b'), concat('x'), concat_ws('-', 'x');
SELECT initcap('hi THOMAS foo_bar 1abc'), initcap('élan vital'), initcap('');
SELECT id, initcap(w), upper(w), lower(w) FROM words;
SELECT md5('abc'), md5(''), md5('abc'::bytea), sha256('abc'::bytea), sha224('abc'::bytea), sha512(''::bytea);

-- encode / decode
SELECT encode('abc'::bytea, 'base64'), encode('abc'::bytea, 'hex'), encode('a\000b'::bytea, 'escape'), encode('\x00ff'::bytea, 'escape');
SELECT decode('YWJj', 'base64'), decode('616263', 'hex'), decode('a\000b', 'escape'), decode('', 'hex'), encode(decode('aGVsbG8gd29ybGQ=', 'base64'), 'escape');
SELECT encode(repeat('x', 60)::bytea, 'base64');
SELECT decode('zz', 'hex');
SELECT decode('abc', 'hex');
SELECT decode('!!!', 'base64');
SELECT encode('abc'::bytea, 'foo');
SELECT decode('abc', 'foo');

-- regexp_match, regexp_matches, regexp_split_to_array, regexp_split_to_table
SELECT regexp_match('foobarbequebaz', '(bar)(beque)'), regexp_match('foobarbequebaz', 'barbeque'), regexp_match('abc', 'x'), regexp_match('abc', '(a)|(x)');
SELECT regexp_match('ABC', 'b', 'i'), regexp_match(NULL, 'b'), regexp_match('key=value', '(\w+)=(\w+)');
SELECT id, regexp_match(w, '[aeiou](.)') FROM words;
SELECT regexp_match('abc', 'b', 'g');
SELECT regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)', 'g');
SELECT regexp_matches('abc', 'x*', 'g');
SELECT regexp_matches('aBc', 'b', 'i');
SELECT regexp_matches('abc', 'z');
SELECT * FROM regexp_matches('abab', 'a(b)', 'g') m;
SELECT id, regexp_matches(w, '([a-z])a*', 'g') FROM words WHERE id < 3;
SELECT 'abab' ~ '(a)b\1';
SELECT regexp_split_to_array('hello world', '\s+'), regexp_split_to_array('abc', ''), regexp_split_to_array('abc', 'x*'), regexp_split_to_array('', ','), regexp_split_to_array(',a,', ',');
SELECT regexp_split_to_array('aXbxc', 'x', 'i'), regexp_split_to_array(NULL, ',');
SELECT regexp_split_to_table('hello world  x', '\s+');
SELECT * FROM regexp_split_to_table('a1b2c', '\d') AS t(part);
SELECT id, regexp_split_to_table(w, ' ') FROM words;
SELECT regexp_split_to_table('abc', 'b', 'g');
SELECT regexp_split_to_array('abc', 'b', 'z');
SELECT (regexp_match('key=value', '(\w+)=(\w+)'))[2], array_length(regexp_split_to_array('a,b,c', ','), 1);
