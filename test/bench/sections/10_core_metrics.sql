-- Issue "Foundation": the core aggregates on a 10-million-row table.
\set rows (10000000 * :scale)::bigint
SELECT setseed(0.1) \gset
DROP TABLE IF EXISTS bench_responses;
CREATE TABLE bench_responses AS
SELECT i AS id,
       (ARRAY['general', 'medicine', 'law', 'finance'])[1 + i % 4] AS domain,
       c AS confidence,
       random() < c * c AS correct
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE bench_responses;

SELECT bench.measure('core', 'calib.ece (10 bins)',
    'SELECT calib.ece(confidence, correct) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    $$SELECT sum(n * abs(conf - acc)) / sum(n) FROM (
        SELECT count(*) AS n, avg(confidence) AS conf, avg(correct::int) AS acc
        FROM bench_responses
        GROUP BY greatest(0, ceil(confidence * 10)::int - 1)) b$$,
    :runs, 'plain SQL uses ceil() bins, not the exact edge rule');
