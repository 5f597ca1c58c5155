-- Date/time functions and operators (engineer funcs). Sessions run in UTC.
CREATE TABLE ev (id int PRIMARY KEY, ts timestamp, tz timestamptz, d date, iv interval);
INSERT INTO ev VALUES
  (1, '2024-03-05 14:07:09.123456', '2024-03-05 14:07:09+02', '2024-03-05', '1 day 02:03:04'),
  (2, '2000-02-29 00:00:00', '2000-02-29 23:59:59.5+00', '2000-02-29', '-1 year 2 mons 3 days'),
  (3, '1999-12-31 23:59:59', '1999-12-31 23:59:59-08', '1999-12-31', '26 hours'),
  (4, '2024-12-30 12:00', '2024-12-30 12:00Z', '2024-12-30', '1 mon -1 hour'),
  (5, NULL, NULL, NULL, NULL);

-- date_trunc
SELECT date_trunc('hour', timestamp '2024-03-05 14:07:09'), date_trunc('week', timestamp '2024-03-05 14:07:09'), date_trunc('quarter', date '2024-05-05'), date_trunc('millennium', timestamp '2024-03-05'), date_trunc('century', timestamp '2024-03-05'), date_trunc('decade', timestamp '2024-03-05');
SELECT date_trunc('day', timestamptz '2024-03-05 14:07:09+02'), date_trunc('hour', interval '1 day 02:03:04'), date_trunc('month', interval '1 year 2 months 3 days'), date_trunc('microseconds', timestamp '2024-03-05 14:07:09.123456'), date_trunc('milliseconds', interval '1.23456 sec');
SELECT date_trunc('day', timestamptz '2024-03-05 23:07:09+00', 'Asia/Tokyo'), date_trunc('day', timestamptz '2024-03-05 23:07:09+00', '+05:00'), date_trunc('month', timestamptz '2024-03-01 02:00+00', 'America/New_York');
SELECT id, date_trunc('month', ts), date_trunc('year', tz), date_trunc('minute', iv), date_trunc('week', d) FROM ev;
SELECT date_trunc('foo', timestamp '2024-03-05');
SELECT date_trunc('week', interval '1 day');
SELECT date_trunc('day', timestamptz '2024-03-05 23:07:09+00', 'Nowhere/Zone');

-- extract and date_part
SELECT extract(epoch FROM timestamp '2024-03-05 14:07:09.5'), extract(dow FROM date '2024-03-05'), extract(isodow FROM date '2024-03-03'), extract(doy FROM date '2024-03-05'), extract(week FROM date '2024-03-05'), extract(quarter FROM date '2024-03-05'), extract(julian FROM date '2024-03-05');
SELECT date_part('epoch', timestamp '2024-03-05 14:07:09.5'), date_part('dow', date '2024-03-05'), date_part('second', time '14:07:09.5'), date_part('julian', timestamp '2024-03-05 12:00'), date_part('week', timestamp '2024-12-30');
SELECT extract(month FROM interval '1 year 14 months'), extract(epoch FROM interval '1 day'), extract(hour FROM time '14:07'), extract(timezone FROM timestamptz '2024-01-01'), extract(epoch FROM interval '1 year');
SELECT extract(epoch FROM timestamptz '2024-03-05 14:07:09.5+02'), extract(century FROM date '2000-01-01'), extract(millennium FROM date '2001-01-01'), extract(isoyear FROM date '2024-12-30'), extract(microseconds FROM time '10:00:01.5'), extract(decade FROM date '2024-01-01');
SELECT id, extract(year FROM ts), extract(second FROM tz), extract(day FROM iv), date_part('month', d), date_part('hour', iv) FROM ev;
SELECT pg_typeof(extract(year FROM date '2024-01-01'))::text, pg_typeof(date_part('year', date '2024-01-01'))::text;
SELECT extract(foo FROM date '2024-01-01');
SELECT extract(hour FROM date '2024-01-01');

-- age
SELECT age(timestamp '2024-03-05', timestamp '2001-06-30 12:00'), age(timestamptz '2024-01-31', timestamptz '2024-03-01'), age(date '2024-01-01', date '2023-02-15');
SELECT age(timestamp '2001-04-10') > interval '20 years', pg_typeof(age(timestamp '2001-04-10'))::text;
SELECT id, age(ts, timestamp '1990-01-01') FROM ev;

-- make_*
SELECT make_date(2024, 2, 29), make_time(8, 15, 23.5), make_timestamp(2013, 7, 15, 8, 15, 23.5), make_timestamptz(2013, 7, 15, 8, 15, 23.5), make_interval(1, 2, 3, 4, 5, 6, 7.5);
SELECT make_timestamptz(2013, 7, 15, 8, 15, 23.5, 'America/New_York'), make_timestamptz(2013, 1, 15, 8, 15, 0, 'Europe/Paris'), make_date(-44, 3, 15), make_interval(0, 0, 1);
SELECT make_date(2024, 2, 30);
SELECT make_date(0, 1, 1);
SELECT make_time(25, 0, 0);
SELECT make_timestamp(2024, 13, 1, 0, 0, 0);
SELECT make_timestamptz(2024, 1, 1, 0, 0, 0, 'Mars/Olympus');

-- interval arithmetic and literals
SELECT INTERVAL '1 day 2 hours', interval '1 hour' * 1.5, interval '1 day' / 3, 2 * interval '1 min', interval '1 mon' * 0.5, -interval '1 day';
SELECT interval 'P1Y2M3DT4H5M6S', interval '-1 day +2 hours', interval '1.5 years', interval '@ 1 minute ago', interval '1 year 2 months' = interval '14 months', interval '1 day' = interval '24 hours', interval '1 mon' > interval '29 days';
SELECT interval '1 day' + date '2024-01-01', date '2024-03-01' - date '2024-01-01', timestamp '2024-01-01' - timestamp '2023-01-01', date '2024-01-01' + 3, time '10:00' + interval '3 hours';
SELECT timestamptz '2024-03-05 14:07:09+00' - interval '1 month', timestamp '2024-01-31' + interval '1 month', date '2024-01-31' + interval '1 month', timestamp '2024-03-05' - date '2024-01-01';
SELECT id, ts + iv, tz - iv, iv * 2, iv / 4 FROM ev;
SELECT interval '1 day' / 0;
SELECT interval 'foo';
SELECT justify_days(interval '35 days'), justify_hours(interval '27 hours'), justify_interval(interval '1 mon -1 hour'), justify_days(interval '-35 days');
SELECT id, justify_interval(iv), justify_hours(iv) FROM ev;

-- AT TIME ZONE and timezone()
SELECT timestamp '2024-03-05 12:00' AT TIME ZONE 'America/New_York', timestamptz '2024-03-05 12:00+00' AT TIME ZONE 'Asia/Tokyo', timestamp '2024-03-05 12:00' AT TIME ZONE '+05:00', timestamptz '2024-03-05 12:00Z' AT TIME ZONE 'UTC';
SELECT timestamp '2024-11-03 01:30' AT TIME ZONE 'America/New_York', timestamp '2024-03-10 02:30' AT TIME ZONE 'America/New_York', timestamptz '2024-07-01 12:00Z' AT TIME ZONE 'Europe/London';
SELECT timestamp '2024-03-05 12:00' AT TIME ZONE 'america/new_york', timestamp '2024-03-05 12:00' AT TIME ZONE 'EST', timestamp '2024-03-05 12:00' AT TIME ZONE 'UTC+3', timestamp '2024-03-05 12:00' AT TIME ZONE INTERVAL '+05:30';
SELECT timezone('Europe/Paris', timestamp '2024-07-01 12:00'), timezone('UTC', now()) IS NOT NULL, timestamptz '2024-03-05 12:00Z' AT TIME ZONE 'Europe/Berlin' AT TIME ZONE 'Europe/Berlin';
SELECT id, ts AT TIME ZONE 'Asia/Kolkata', tz AT TIME ZONE 'Australia/Sydney' FROM ev;
SELECT timestamp '2024-03-05 12:00' AT TIME ZONE 'Mars/Olympus';
SELECT timestamp '2024-03-05 12:00' AT TIME ZONE INTERVAL '1 day';

-- to_timestamp, to_date
SELECT to_timestamp(1700000000.5), to_timestamp(0), to_timestamp('infinity'::float8), to_timestamp('2024-03-05 14:07', 'YYYY-MM-DD HH24:MI');
SELECT to_timestamp('2024-03-05 14:07:08.123', 'YYYY-MM-DD HH24:MI:SS.MS'), to_timestamp('05 Dec 2000 10pm', 'DD Mon YYYY HH12am');
SELECT to_date('05 Dec 2000', 'DD Mon YYYY'), to_date('2024-060', 'YYYY-DDD'), to_date('20240305', 'YYYYMMDD');
SELECT to_date('2000-13-01', 'YYYY-MM-DD');
SELECT to_timestamp('2024-02-30', 'YYYY-MM-DD');

-- to_char for dates, timestamps and intervals
SELECT to_char(timestamp '2024-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.MS US AM Mon Month Day Dy DDD IW HH12');
SELECT to_char(timestamptz '2024-03-05 14:07:09', 'FMMonth FMDD "quoted" TZ'), to_char(date '2024-03-05', 'Day, DDth Month YYYY'), to_char(timestamp '2024-03-05 00:07:09', 'HH12 am PM');
SELECT id, to_char(ts, 'YYYY/MM/DD HH24:MI'), to_char(tz, 'Dy DD Mon YYYY TZ'), to_char(d, 'IYYY-IW-ID'), to_char(iv, 'HH24:MI:SS') FROM ev;
SELECT to_char(interval '1 day 02:03:04', 'HH24:MI:SS DD'), to_char(interval '-1 year 2 mons 3 days', 'YYYY MM DD'), to_char(interval '26 hours', 'HH HH12 HH24'), to_char(interval '15 mons', 'Y MM Mon');
SELECT to_char(interval '1 day', 'Day');

-- to_char and to_number for numbers
SELECT to_char(1234.5, '9999.99'), to_char(1234.5, 'FM9999.99'), to_char(-1234.5, 'S9999.99'), to_char(1234567, '9,999,999'), to_char(12, '0009'), to_char(1234.5, '9999D99'), to_char(1234567, '9G999G999');
SELECT to_char(-12, '999PR'), to_char(12, '999PR'), to_char(-12, 'FM999PR'), to_char(12.5, '99.9PR'), to_char(1234.5, 'L9999.99'), to_char(-1234.5, 'L9999.99');
SELECT to_char(12345.678, '9.99EEEE'), to_char(0.00012, '9.99eeee'), to_char(-12345, '99.9EEEE'), to_char(0, '9.9EEEE');
SELECT to_char(485, 'RN'), to_char(485, 'FMRN'), to_char(4000, 'RN'), to_char(1994, 'rn'), to_char(3.14159, '9.99'), to_char(-0.1, '99.99'), to_char(-0.1, 'FM99.99');
SELECT to_char(12, 'FM999th'), to_char(1, '9th'), to_char(2, '9TH'), to_char(13, '99th'), to_char(1234567.891, '999G999G999D999'), to_char(12.5::float8, '99.99'), to_char(7::int8, '000');
SELECT to_char(-5.5, 'FM9.99EEEE');
SELECT to_number('12,454.8-', '99G999D9S'), to_number('$1,234.56', 'L9,999.99'), to_number('<12>', '99PR'), to_number('-34,338,492', '99G999G999'), to_number('5 4 4', '9 9 9');
SELECT to_number('1.5e3', '9.9EEEE');
SELECT to_number('abc', '999');

-- the clock: properties only, values differ between servers
SELECT now() = now(), clock_timestamp() >= now(), statement_timestamp() >= transaction_timestamp(), now() = current_timestamp, localtimestamp <= now()::timestamp + interval '1 sec';
SELECT now() - interval '1 day' < now(), clock_timestamp() >= statement_timestamp(), transaction_timestamp() = now(), extract(epoch FROM now()) > 0;
SELECT pg_typeof(now())::text, pg_typeof(clock_timestamp())::text, pg_typeof(current_date)::text, pg_typeof(localtime)::text, pg_typeof(current_timestamp(2))::text, pg_typeof(localtimestamp(1))::text, pg_typeof(statement_timestamp())::text;
BEGIN;
CREATE TABLE clock (n int, t timestamptz);
INSERT INTO clock VALUES (1, now());
SELECT pg_sleep(0.01);
INSERT INTO clock VALUES (2, now());
SELECT count(DISTINCT t) FROM clock;
SELECT (SELECT t FROM clock WHERE n = 1) = now(), statement_timestamp() > now(), clock_timestamp() > now();
COMMIT;
SELECT count(*) FROM clock WHERE t < now();

