-- Issue "calib.summary": building summaries over 10 million rows, merging a
-- year of stored daily summaries (365 days x 14 domains), rolling windows,
-- and the stored size of one day's summary.
\set rows (10000000 * :scale)::bigint
SELECT setseed(0.2) \gset
DROP TABLE IF EXISTS bench_summary_rows, bench_daily;
CREATE TABLE bench_summary_rows AS
SELECT i AS id,
       i % 365 AS day,
       (i / 365) % 14 AS domain,
       c AS confidence,
       random() < c * c AS correct
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE bench_summary_rows;

SELECT bench.measure('summary', 'calib.summary (10M rows)',
    'SELECT calib.summary(confidence, correct) FROM bench_summary_rows',
    'SELECT sum(confidence) FROM bench_summary_rows',
    NULL, :runs, 'goal: ÷ floor <= 1.5');

SELECT bench.measure('summary', 'calib.ece direct (10M rows)',
    'SELECT calib.ece(confidence, correct) FROM bench_summary_rows',
    'SELECT sum(confidence) FROM bench_summary_rows',
    NULL, :runs, 'for comparison with calib.summary');

-- The nightly rollup: one summary per day x domain.
CREATE TABLE bench_daily AS
SELECT day, domain, calib.summary(confidence, correct) AS s
FROM bench_summary_rows GROUP BY day, domain;
VACUUM ANALYZE bench_daily;

SELECT count(*) AS summaries,
       round(avg(pg_column_size(s))) AS avg_stored_bytes,
       max(pg_column_size(s)) AS max_stored_bytes,
       round(avg(calib.n(s))) AS avg_rows_per_summary
FROM bench_daily \gset
\echo stored summaries: :summaries, :avg_stored_bytes bytes on average (max :max_stored_bytes) for :avg_rows_per_summary rows each

SELECT bench.measure('summary', 'merge ' || :summaries || ' stored summaries + ECE',
    'SELECT calib.ece(calib.merge(s)) FROM bench_daily',
    'SELECT count(s) FROM bench_daily',
    'SELECT calib.ece(confidence, correct) FROM bench_summary_rows',
    :runs, 'goal < 100 ms; plain = direct ECE over the rows; '
           || :avg_stored_bytes || ' B per summary (' || :avg_rows_per_summary || ' rows)');

SELECT bench.measure('summary', 'monthly dashboard: 12 months x 14 domains',
    'SELECT day / 31, domain, calib.ece(calib.merge(s)), calib.brier(calib.merge(s)) FROM bench_daily GROUP BY 1, 2',
    'SELECT day / 31, domain, count(s) FROM bench_daily GROUP BY 1, 2',
    'SELECT id % 365 / 31, domain, calib.ece(confidence, correct), calib.brier(confidence, correct) FROM bench_summary_rows GROUP BY 1, 2',
    :runs, 'plain = the same from the rows');

SELECT bench.measure('summary', 'rolling 7-day ECE, 365 days x 14 domains',
    'SELECT domain, day, calib.ece(calib.merge(s) OVER (PARTITION BY domain ORDER BY day ROWS 6 PRECEDING)) FROM bench_daily',
    'SELECT domain, day, count(s) OVER (PARTITION BY domain ORDER BY day ROWS 6 PRECEDING) FROM bench_daily',
    NULL, :runs, NULL);

-- Issue 13: a 30-day rolling ECE with the moving-window inverse (each row
-- adds the day entering the frame and subtracts the one leaving it)
-- against re-merging every frame, which is what calib 0.1.0 did: "plain" is
-- the same aggregate without MSFUNC/MINVFUNC.
CREATE AGGREGATE pg_temp.merge_recompute(calib.summary) (
    SFUNC = calib._summary_combine, STYPE = calib.summary,
    FINALFUNC = calib._summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._summary_combine, PARALLEL = SAFE);
SELECT bench.measure('summary', 'rolling 30-day ECE, 365 days x 14 domains',
    'SELECT domain, day, calib.ece(calib.merge(s) OVER (PARTITION BY domain ORDER BY day ROWS 29 PRECEDING)) FROM bench_daily',
    'SELECT domain, day, count(s) OVER (PARTITION BY domain ORDER BY day ROWS 29 PRECEDING) FROM bench_daily',
    'SELECT domain, day, calib.ece(pg_temp.merge_recompute(s) OVER (PARTITION BY domain ORDER BY day ROWS 29 PRECEDING)) FROM bench_daily',
    :runs, 'plain = re-merging every frame (0.1.0, no inverse)');

SELECT bench.measure('summary', 'text round trip of ' || :summaries || ' summaries',
    'SELECT count(s::text::calib.summary) FROM bench_daily',
    'SELECT count(s) FROM bench_daily',
    NULL, :runs, 'what Citus and postgres_fdw ship');
