-- Issue "Probability vectors": 1 M rows of 4-option double precision[]
-- (top-label calib.ece, calib.classwise_ece, calib.full_ece) and Full-ECE
-- over 1 M top-20 rows (real[], truncated, label 0 for a token outside).
-- Goals: within 2x of the floor sum(probs[1]) (reading and detoasting the
-- arrays) and >= 10x faster than the unnest-based SQL.  The SQL forms bin
-- with ceil(p * 10) - 1 (the convention up to edge rounding) and are the
-- same formulas: sum_b |sum p - hits| / N.
\set rows4 (1000000 * :scale)::bigint
\set rows20 (1000000 * :scale)::bigint
SELECT setseed(0.5) \gset

DROP TABLE IF EXISTS bench_mc4;
CREATE TABLE bench_mc4 AS
SELECT i AS id, ARRAY[a / s, b / s, c / s, d / s] AS probs, 1 + floor(random() * 4)::int AS label
FROM (SELECT i, a, b, c, d, a + b + c + d AS s
      FROM (SELECT i, random() AS a, random() AS b, random() AS c, random() ^ 3 AS d
            FROM generate_series(1, :rows4) i) r) r2;
VACUUM ANALYZE bench_mc4;

SELECT bench.measure('multiclass', 'calib.ece(probs, label), top-label, 4 options',
    'SELECT calib.ece(probs, label) FROM bench_mc4',
    'SELECT sum(probs[1]) FROM bench_mc4',
    $$SELECT sum(abs(sc - nc)) / sum(n) FROM (
        SELECT least(greatest(ceil(c * 10)::int - 1, 0), 9) AS b, count(*) AS n, sum(c) AS sc, sum(y::int) AS nc
        FROM (SELECT (SELECT max(x) FROM unnest(probs) x) AS c,
                     (SELECT k FROM unnest(probs) WITH ORDINALITY u(x, k) ORDER BY x DESC, k LIMIT 1) = label AS y
              FROM bench_mc4) s GROUP BY 1) t$$,
    :runs, 'floor: sum(probs[1]); SQL: max and argmax over unnest per row, then bins');

SELECT bench.measure('multiclass', 'calib.classwise_ece(probs, label), 4 options',
    'SELECT calib.classwise_ece(probs, label) FROM bench_mc4',
    'SELECT sum(probs[1]) FROM bench_mc4',
    $$SELECT sum(abs(sp - h)) / (SELECT count(*) FROM bench_mc4) / 4 FROM (
        SELECT k, least(greatest(ceil(x * 10)::int - 1, 0), 9) AS b, sum(x) AS sp, sum((k = label)::int) AS h
        FROM bench_mc4, unnest(probs) WITH ORDINALITY u(x, k) GROUP BY 1, 2) s$$,
    :runs, 'SQL: unnest WITH ORDINALITY, GROUP BY option and bin');

SELECT bench.measure('multiclass', 'calib.full_ece(probs, label), 4 options',
    'SELECT calib.full_ece(probs, label) FROM bench_mc4',
    'SELECT sum(probs[1]) FROM bench_mc4',
    $$SELECT sum(abs(sp - h)) / (SELECT count(*) FROM bench_mc4) FROM (
        SELECT least(greatest(ceil(x * 10)::int - 1, 0), 9) AS b, sum(x) AS sp, sum((k = label)::int) AS h
        FROM bench_mc4, unnest(probs) WITH ORDINALITY u(x, k) GROUP BY 1) s$$,
    :runs, 'SQL: unnest WITH ORDINALITY, GROUP BY bin');

SELECT bench.measure('multiclass', 'calib.brier(probs, label), 4 options',
    'SELECT calib.brier(probs, label) FROM bench_mc4',
    'SELECT sum(probs[1]) FROM bench_mc4',
    $$SELECT avg(s) FROM (SELECT (SELECT sum((x - (k = label)::int) ^ 2) FROM unnest(probs) WITH ORDINALITY u(x, k)) AS s
                          FROM bench_mc4) t$$,
    :runs, 'SQL: sum over unnest WITH ORDINALITY per row');

DROP TABLE IF EXISTS bench_top20;
CREATE TABLE bench_top20 AS
SELECT i AS id, ARRAY(SELECT (w / t)::real FROM unnest(ws) w ORDER BY w DESC) AS probs,
       CASE WHEN random() < 0.2 THEN 0 ELSE 1 + floor(random() * 3)::int END AS label
FROM (SELECT i, ws, (SELECT sum(w) FROM unnest(ws) w) * (1.05 + 0.3 * random()) AS t
      FROM (SELECT i, ARRAY(SELECT random() ^ 4 FROM generate_series(1, 20 + 0 * i)) AS ws
            FROM generate_series(1, :rows20) i) a) b;
VACUUM ANALYZE bench_top20;

SELECT bench.measure('multiclass', 'calib.full_ece(probs, label), top-20 real[]',
    'SELECT calib.full_ece(probs, label) FROM bench_top20',
    'SELECT sum(probs[1]) FROM bench_top20',
    $$SELECT sum(abs(sp - h)) / (SELECT count(*) FROM bench_top20) FROM (
        SELECT b, sum(sp) AS sp, sum(h) AS h FROM (
            SELECT least(greatest(ceil(x * 10)::int - 1, 0), 9) AS b, x::float8 AS sp, (k = label)::int AS h
            FROM bench_top20, unnest(probs) WITH ORDINALITY u(x, k)
            UNION ALL
            SELECT 0, 1 - (SELECT sum(x::float8) FROM unnest(probs) x), (label = 0)::int FROM bench_top20) s
        GROUP BY b) t$$,
    :runs, 'truncated: the omitted mass and label 0 in the first bin');
