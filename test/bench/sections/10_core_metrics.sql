-- Issue "Foundation": the core aggregates on a 10-million-row table.
--
-- Goals (issue 2), all serial (one core against one core):
--   calib.ece, calib.reliability, and calib.ece GROUP BY four domains:
--     time / the scan floor (sum(confidence) over the same rows and grouping) <= 1.5
--   calib.auroc: at least 5x faster than the plain-SQL rank (Mann-Whitney) formula.
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

SELECT bench.measure('core', 'calib.reliability (10 bins)',
    'SELECT calib.reliability(confidence, correct) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    $$SELECT array_agg(b ORDER BY k) FROM (
        SELECT greatest(0, ceil(confidence * 10)::int - 1) AS k, count(*) AS n,
               avg(confidence) AS conf, avg(correct::int) AS acc
        FROM bench_responses GROUP BY 1) b$$,
    :runs, 'plain SQL: per-bin means only, no Wilson interval, no empty bins');

SELECT bench.measure('core', 'calib.ece GROUP BY domain (4 groups)',
    'SELECT domain, calib.ece(confidence, correct) FROM bench_responses GROUP BY domain',
    'SELECT domain, sum(confidence) FROM bench_responses GROUP BY domain',
    NULL, :runs, 'floor: sum(confidence) GROUP BY domain');

SELECT bench.measure('core', 'calib.ece (100 bins)',
    'SELECT calib.ece(confidence, correct, 100) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    NULL, :runs);

SELECT bench.measure('core', 'calib.brier',
    'SELECT calib.brier(confidence, correct) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    $$SELECT avg((confidence - correct::int) ^ 2) FROM bench_responses$$,
    :runs);

-- The plain-SQL AUROC a user would write: mid-ranks of the correct answers
-- (rank() plus half the ties), Mann-Whitney U / (n1 n0).  One sort serves
-- both windows.
SELECT bench.measure('core', 'calib.auroc (exact, sort)',
    'SELECT calib.auroc(confidence, correct) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    $$SELECT (s - n1 * (n1 + 1) / 2) / (n1 * (n - n1))
      FROM (SELECT sum(r) FILTER (WHERE correct) AS s,
                   count(*) FILTER (WHERE correct)::float8 AS n1,
                   count(*)::float8 AS n
            FROM (SELECT correct,
                         rank() OVER (ORDER BY confidence)
                           + (count(*) OVER (PARTITION BY confidence) - 1) / 2.0::float8 AS r
                  FROM bench_responses) ranked) sums$$,
    :runs, 'plain SQL: mid-rank Mann-Whitney formula');

SELECT bench.measure('core', 'calib.ace (10 bins, exact, sort)',
    'SELECT calib.ace(confidence, correct) FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    NULL, :runs);
