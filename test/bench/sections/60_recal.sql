-- Issue "Recalibration maps, selective prediction, uncertainty": each fit on
-- 1 million rows against the scan floor SELECT sum(confidence) (goals: <= 5x
-- for temperature and Platt, <= 10x for isotonic), and calib.ece_ci with 200
-- resamples (goal: under 10 s).  Confidences are continuous (about one
-- distinct value per row), the hardest case for the fits.
\set rows (1000000 * :scale)::bigint
SELECT setseed(0.6) \gset
DROP TABLE IF EXISTS bench_recal;
CREATE TABLE bench_recal AS
SELECT i AS id, c AS confidence, random() < c * c AS correct
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE bench_recal;

SELECT bench.measure('recal', 'calib.fit_temperature',
    'SELECT calib.fit_temperature(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs, 'goal <= 5x floor');
SELECT bench.measure('recal', 'calib.fit_platt',
    'SELECT calib.fit_platt(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs, 'goal <= 5x floor');
SELECT bench.measure('recal', 'calib.fit_isotonic',
    'SELECT calib.fit_isotonic(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs, 'goal <= 10x floor');
SELECT bench.measure('recal', 'calib.fit_histogram (10 bins)',
    'SELECT calib.fit_histogram(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs);
SELECT bench.measure('recal', 'calib.aurc',
    'SELECT calib.aurc(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs);
SELECT bench.measure('recal', 'calib.smooth_ece',
    'SELECT calib.smooth_ece(confidence, correct) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, :runs);
SELECT bench.measure('recal', 'calib.ece_ci (200 resamples)',
    'SELECT calib.ece_ci(confidence, correct, 10, 0.95, 200, 1) FROM bench_recal',
    'SELECT sum(confidence) FROM bench_recal', NULL, greatest(1, :runs / 2),
    'goal: under 10 s (ms column)');
-- applying a stored map in a view: a join to a one-row table of maps
DROP TABLE IF EXISTS bench_recal_maps;
CREATE TABLE bench_recal_maps AS
SELECT calib.fit_isotonic(confidence, correct) AS iso, calib.fit_platt(confidence, correct) AS platt
FROM bench_recal;
SELECT bench.measure('recal', 'calib.apply (isotonic map, join)',
    'SELECT sum(calib.apply(m.iso, r.confidence)) FROM bench_recal r, bench_recal_maps m',
    'SELECT sum(r.confidence) FROM bench_recal r, bench_recal_maps m', NULL, :runs);
SELECT bench.measure('recal', 'calib.apply (Platt map, join)',
    'SELECT sum(calib.apply(m.platt, r.confidence)) FROM bench_recal r, bench_recal_maps m',
    'SELECT sum(r.confidence) FROM bench_recal r, bench_recal_maps m', NULL, :runs);
