-- calib.summary: hand-worked values, equality with the direct aggregates,
-- merge order independence, round trips, windows and malformed input.
\set VERBOSITY terse

-- Hand-worked: four rows.  Fine bin of c = smallest j with c <= (j+1)/600:
--   0.2 -> 119 (0.2 is the edge 120/600), 0.5 -> 299, 0.8 -> 479, 1.0 -> 599.
--   sq = .2^2 + .5^2 + .2^2 + 1^2 = 1.33 ; ll = -ln .8 - ln .5 - ln .8 + 36.04 (1.0 wrong, clipped)
--   with 2 bins: (0,.5] holds .2 wrong, .5 right: conf .35 acc .5 gap .15;
--   (.5,1] holds .8 right, 1.0 wrong: conf .9 acc .5 gap .4 -> ECE .275, MCE .4
CREATE TABLE hand(c float8, y bool);
INSERT INTO hand VALUES (0.2, false), (0.5, true), (0.8, true), (1.0, false), (NULL, true), (0.3, NULL);
SELECT regexp_replace(calib.summary(c, y)::text, 'll=[^ ]+', 'll=*') AS s FROM hand;
WITH t AS (SELECT calib.summary(c, y) s FROM hand)
SELECT calib.n(s), round(calib.ece(s, 2)::numeric, 12) AS ece, round(calib.mce(s, 2)::numeric, 12) AS mce,
       round(calib.rmsce(s, 2)::numeric, 12) = round(sqrt(0.5 * 0.15^2 + 0.5 * 0.4^2), 12) AS rmsce_ok,
       round(calib.brier(s)::numeric, 12) AS brier,                       -- 1.33 / 4
       round(calib.nll(s)::numeric, 9) = round(((-ln(0.8) * 2 - ln(0.5) - ln(2.220446049250313e-16)) / 4)::numeric, 9) AS nll_ok,
       calib.accuracy(s), round(calib.mean_confidence(s)::numeric, 12) AS mean_conf, -- 2.5 / 4
       calib.auroc(s), calib.auroc_max_error(s)  -- correct {.5,.8} vs wrong {.2,1}: 2 of 4 pairs -> .5, no bin shared
FROM t;
-- reliability with 2 bins, rounded
SELECT b.bin, b.lower, b.upper, b.n, round(b.mean_confidence::numeric, 12) AS conf, b.accuracy
FROM (SELECT calib.summary(c, y) s FROM hand) h, unnest(calib.reliability(h.s, 2)) b;
-- decomposition: brier 1.33/4; reliability .5*.15^2 + .5*.4^2 = .09125;
-- resolution 0 (both bins at accuracy .5); uncertainty .25
SELECT round((d).brier::numeric, 12) AS brier, round((d).reliability::numeric, 12) AS rel,
       round((d).resolution::numeric, 12) AS res, round((d).uncertainty::numeric, 12) AS unc
FROM (SELECT calib.brier_decomposition(calib.summary(c, y), 2) d FROM hand) x;

-- No rows, only NULL rows: NULL like the direct aggregates.
SELECT calib.summary(c, y) IS NULL AS empty_is_null FROM hand WHERE c > 2;
SELECT calib.merge(s) IS NULL AS merge_empty FROM (SELECT NULL::calib.summary s) x;
-- An explicitly empty summary: n = 0, metrics NULL.
SELECT calib.n(s), calib.ece(s), calib.brier(s), calib.auroc(s), calib.reliability(s) IS NULL AS rel_null
FROM (SELECT 'v1 fine=600 n=0 correct=0 sq=0 ll=0 |'::calib.summary s) x;
-- Invalid confidences are rejected like the direct aggregates do.
SELECT calib.summary(c, true) FROM (VALUES (1.5::float8)) t(c);
SELECT calib.summary(c, true) FROM (VALUES ('NaN'::float8)) t(c);

-- ------------------------------------------------------------------ data
-- Random confidences plus every edge k/B of the supported bin counts, the
-- next double above some of them, 2-decimal values, 0 and 1.
SELECT setseed(0.42);
CREATE TABLE rows AS
SELECT i, i % 7 AS day, (ARRAY['law', 'med', 'code'])[1 + i % 3] AS domain,
       CASE i % 5
         WHEN 0 THEN random()
         WHEN 1 THEN (floor(random() * 601) / 600)::float8            -- an edge of every divisor of 600
         WHEN 2 THEN round(random()::numeric, 2)::float8
         WHEN 3 THEN (ARRAY[0.0, 1.0, 0.5, 0.1, 0.3, 0.7, 1e-300])[1 + floor(random() * 7)::int]
         ELSE (floor(random() * 41) / 40)::float8
       END AS c,
       random() < 0.65 AS y
FROM generate_series(1, 30000) i;
-- one value just above an edge, one just below
INSERT INTO rows VALUES (30001, 1, 'law', 0.30000000000000004, true), (30002, 2, 'med', 0.29999999999999993, false);
CREATE TABLE daily AS SELECT day, domain, calib.summary(c, y) AS s FROM rows GROUP BY day, domain;
CREATE TABLE divisors AS SELECT b FROM generate_series(1, 600) b WHERE 600 % b = 0;
SELECT count(*) AS supported_bin_counts FROM divisors;

-- Binned metrics from the merged summary equal the direct aggregates for
-- every supported bin count (lists the failures; expect none).
WITH m AS (SELECT calib.merge(s) s FROM daily)
SELECT b, calib.ece(s, b) AS ece_s, (SELECT calib.ece(c, y, b) FROM rows) AS ece_direct
FROM m, divisors
WHERE abs(calib.ece(s, b) - (SELECT calib.ece(c, y, b) FROM rows)) > 1e-9
   OR abs(calib.mce(s, b) - (SELECT calib.mce(c, y, b) FROM rows)) > 1e-9
   OR abs(calib.rmsce(s, b) - (SELECT calib.rmsce(c, y, b) FROM rows)) > 1e-9;

-- Reliability rows: same counts exactly, same means within 1e-9.
WITH m AS (SELECT calib.merge(s) s FROM daily),
     pairs AS (
       SELECT d.b, x.*, y.n AS n2, y.mean_confidence AS conf2, y.accuracy AS acc2, y.ci_low AS lo2,
              y.lower AS lower2, y.upper AS upper2
       FROM m, divisors d,
            unnest(calib.reliability(m.s, d.b)) WITH ORDINALITY x,
            unnest((SELECT calib.reliability(c, y, d.b) FROM rows)) WITH ORDINALITY y
       WHERE x.ordinality = y.ordinality)
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE n IS DISTINCT FROM n2 OR lower IS DISTINCT FROM lower2 OR upper IS DISTINCT FROM upper2
                           OR abs(mean_confidence - conf2) > 1e-9 OR abs(accuracy - acc2) > 1e-9
                           OR abs(ci_low - lo2) > 1e-9
                           OR (mean_confidence IS NULL) <> (conf2 IS NULL)) AS mismatches
FROM pairs;

-- Brier decomposition, every supported bin count.
WITH m AS (SELECT calib.merge(s) s FROM daily)
SELECT count(*) AS mismatches
FROM m, divisors d,
     LATERAL (SELECT (calib.brier_decomposition(m.s, d.b)).*) a,
     LATERAL (SELECT (calib.brier_decomposition(c, y, d.b)).* FROM rows) e
WHERE abs(a.brier - e.brier) > 1e-12 OR abs(a.reliability - e.reliability) > 1e-9
   OR abs(a.resolution - e.resolution) > 1e-9 OR abs(a.uncertainty - e.uncertainty) > 1e-12
   OR abs(a.within_bin - e.within_bin) > 1e-9;

-- Exact metrics against plain SQL: n, accuracy, mean confidence, Brier,
-- log loss (clip at 2^-52 as documented for calib.nll).
WITH m AS (SELECT calib.merge(s) s FROM daily),
     ref AS (SELECT count(*) AS n, avg(y::int) AS acc, avg(c) AS conf,
                    avg((c::numeric - y::int)^2) AS brier,
                    avg(CASE WHEN y THEN -ln(greatest(c, 2.220446049250313e-16)::numeric)
                             ELSE -ln(greatest(1 - least(c, 1 - 2.220446049250313e-16), 2.220446049250313e-16)::numeric) END) AS nll
             FROM rows)
SELECT calib.n(s) = ref.n AS n_ok,
       abs(calib.accuracy(s) - ref.acc) < 1e-15 AS accuracy_ok,
       abs(calib.mean_confidence(s) - ref.conf) < 1e-12 AS mean_conf_ok,
       abs(calib.brier(s) - ref.brier) < 1e-12 AS brier_ok,
       abs(calib.nll(s) - ref.nll) < 1e-9 AS nll_ok,
       abs(calib.brier(s) - (SELECT calib.brier(c, y) FROM rows)) < 1e-14 AS brier_direct_ok,
       abs(calib.nll(s) - (SELECT calib.nll(c, y) FROM rows)) < 1e-12 AS nll_direct_ok
FROM m, ref;

-- AUROC: within the bound, and the bound recomputed in SQL from the rows
-- (pairs of a correct and a wrong answer whose confidences share a fine
-- bin count 1/2 in the summary, 0, 1/2 or 1 exactly).
CREATE FUNCTION fine_bin(c float8) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN j > 0 AND c <= j::float8 / 600 THEN j - 1
              WHEN j < 599 AND c > (j + 1)::float8 / 600 THEN j + 1 ELSE j END
  FROM (SELECT least(599, greatest(0, ceil(c * 600)::int - 1)) AS j) x $$;
WITH m AS (SELECT calib.merge(s) s FROM daily),
     b AS (SELECT fine_bin(c) j, count(*) FILTER (WHERE y) p, count(*) FILTER (WHERE NOT y) q FROM rows WHERE c IS NOT NULL GROUP BY 1),
     bound AS (SELECT sum(p * q)::float8 / (2 * sum(p) * sum(q)) AS e FROM b)
SELECT abs(calib.auroc_max_error(s) - bound.e) < 1e-15 AS bound_matches_sql,
       abs(calib.auroc(s) - (SELECT calib.auroc(c, y) FROM rows)) <= calib.auroc_max_error(s) + 1e-12 AS within_bound
FROM m, bound;
-- Confidences on a 1/600 grid (here 2 decimals and multiples of 1/40) never
-- share a fine bin with a different value, so the summary's AUROC is exact;
-- the bound is still > 0 because it cannot tell ties from near-ties.  (The
-- first bin [0, 1/600] is the exception: 0 and 1/600 share it.)
WITH g AS (SELECT c, y FROM rows WHERE i % 5 IN (2, 4) AND i <= 30000)
SELECT calib.auroc_max_error(calib.summary(c, y)) > 0 AS ties_only_bound,
       abs(calib.auroc(calib.summary(c, y)) - calib.auroc(c, y)) < 1e-15 AS exact
FROM g;

-- Bins that do not divide 600 are refused with the list.
SELECT calib.ece(s, 7) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib.reliability(s, 0) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib.mce(s, 1200) FROM daily ORDER BY day, domain LIMIT 1;

-- ------------------------------------------------------------- merging
-- Any split of the rows merges to the same counts, to the bit, and sums
-- within rounding: by day x domain, by i % 13, by random halves, all rows.
CREATE FUNCTION counts(s calib.summary) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT calib.n(s) || ':' || string_agg(b.n || '/' || coalesce(round(b.accuracy * b.n)::text, '-'), ',' ORDER BY b.bin)
  FROM unnest(calib.reliability(s, 600)) b $$;
CREATE TABLE splits AS
SELECT 'day x domain' AS split, calib.merge(s) AS s FROM daily
UNION ALL SELECT 'i % 13', calib.merge(s) FROM (SELECT calib.summary(c, y) s FROM rows GROUP BY i % 13) x
UNION ALL SELECT 'random halves', calib.merge(s) FROM (SELECT calib.summary(c, y) s FROM rows GROUP BY random() < 0.5) x
UNION ALL SELECT 'merge of merges', calib.merge(s) FROM (SELECT calib.merge(s) s FROM daily GROUP BY day) x
UNION ALL SELECT 'reverse order', (SELECT calib.merge(s ORDER BY day DESC, domain DESC) FROM daily)
UNION ALL SELECT 'one pass', calib.summary(c, y) FROM rows;
SELECT split, counts(s) = (SELECT counts(calib.summary(c, y)) FROM rows) AS same_counts,
       abs(calib.mean_confidence(s) - (SELECT avg(c) FROM rows)) < 1e-12 AS same_conf,
       abs(calib.brier(s) - (SELECT calib.brier(c, y) FROM rows)) < 1e-14 AS same_brier,
       abs(calib.ece(s, 100) - (SELECT calib.ece(c, y, 100) FROM rows)) < 1e-12 AS same_ece
FROM splits ORDER BY split;
-- Per-bin confidence sums agree within rounding too.
SELECT count(*) AS bins_differing
FROM splits a, splits b, unnest(calib.reliability(a.s, 600)) x, unnest(calib.reliability(b.s, 600)) y
WHERE a.split < b.split AND x.bin = y.bin AND abs(x.mean_confidence - y.mean_confidence) > 1e-12 * x.mean_confidence;

-- --------------------------------------------------------- round trips
-- text: out -> in -> out is the same string, and the values are the same
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE s::text::calib.summary::text = s::text) AS text_round_trips,
       count(*) FILTER (WHERE calib._summary_send(s::text::calib.summary) = calib._summary_send(s)) AS same_bytes_after_text,
       count(*) FILTER (WHERE calib._summary_from_wire(calib._summary_send(s))::text = s::text) AS binary_round_trips
FROM (SELECT s FROM daily UNION ALL SELECT s FROM splits) x;
-- exact sums in hexadecimal units of 2^-64: 3 x 0.5 is 1.8 (1.5); the Brier sum
-- 0.75 is 0.c; .1^2 + .2^2 = 0.05 (0.0ccc...) less the bits below 2^-64 of each term
SELECT regexp_replace(calib.summary(c, false)::text, 'll=[^ ]+', 'll=*') FROM (VALUES (0.5::float8), (0.5), (0.5)) t(c);
SELECT split_part(calib.summary(c, false)::text, ' ', 5) AS sq FROM (VALUES (0.1::float8), (0.2::float8)) t(c);

-- ------------------------------------------------------ parallel plans
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT calib.summary(c, y) FROM rows;
EXPLAIN (COSTS OFF) SELECT calib.merge(s) FROM daily;
CREATE TABLE par AS SELECT calib.summary(c, y) AS s FROM rows;
CREATE TABLE par_m AS SELECT calib.merge(s) AS s FROM daily;
CREATE TABLE par_g AS SELECT domain, calib.summary(c, y) AS s FROM rows GROUP BY domain;
SET max_parallel_workers_per_gather = 0;
SELECT counts(p.s) = counts(r.s) AS same_counts,
       abs(calib.ece(p.s, 20) - calib.ece(r.s, 20)) < 1e-12 AS same_ece,
       abs(calib.nll(p.s) - calib.nll(r.s)) < 1e-12 AS same_nll
FROM par p, (SELECT calib.summary(c, y) s FROM rows) r;
SELECT counts(p.s) = (SELECT counts(calib.merge(s)) FROM daily) AS merge_same_counts FROM par_m p;
SELECT g.domain, counts(g.s) = counts(r.s) AS same_counts
FROM par_g g JOIN (SELECT domain, calib.summary(c, y) s FROM rows GROUP BY domain) r USING (domain) ORDER BY 1;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- ------------------------------------------------------------- windows
-- Rolling 3-day merge against a self-join reference on the rows.
CREATE TABLE per_day AS SELECT day, calib.merge(s) s FROM daily GROUP BY day;
SELECT w.day, counts(w.s) = counts(ref.s) AS same_counts,
       abs(calib.ece(w.s) - calib.ece(ref.s)) < 1e-12 AS same_ece,
       calib.n(w.s) AS n
FROM (SELECT day, calib.merge(s) OVER (ORDER BY day ROWS 2 PRECEDING) s FROM per_day) w,
     LATERAL (SELECT calib.summary(c, y) s FROM rows r WHERE r.day BETWEEN w.day - 2 AND w.day) ref
ORDER BY w.day;
-- A running total (the frame only grows) and a second window over the same
-- state: results do not leak between rows.
SELECT day, calib.n(calib.merge(s) OVER (ORDER BY day)) AS running_n,
       calib.n(calib.merge(s) OVER (ORDER BY day ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)) AS centred_n,
       (SELECT count(c) FROM rows r WHERE r.day <= p.day) AS ref_running_n
FROM per_day p ORDER BY day;

-- ------------------------------------------- outside an aggregate
-- Called directly, the transition and combine functions copy rather than
-- update their argument, and return the dense working form: a valid value
-- that every function accepts and prints like the stored form.
WITH one AS (SELECT calib._summary_trans(NULL, 0.5, true) AS d),
     two AS (SELECT calib._summary_trans(d, 0.2, false) AS d2, d FROM one)
SELECT calib.n(d) AS n_first, calib.n(d2) AS n_second,
       d2::text = (SELECT calib.summary(c, y)::text FROM (VALUES (0.5, true), (0.2, false)) t(c, y)) AS same_as_aggregate,
       calib.n(calib._summary_combine(d2, d2)) AS combined_n, calib.n(d2) AS d2_unchanged,
       pg_column_size(d2) AS dense_bytes, pg_column_size(calib._summary_final(d2)) AS packed_bytes
FROM two;
CREATE TABLE dense_stored AS SELECT calib._summary_trans(NULL, 0.7, true) AS s;
SELECT calib.n(calib.merge(s)), calib.merge(s)::text FROM (SELECT s FROM dense_stored UNION ALL SELECT s FROM dense_stored) x;

-- ----------------------------------------------------- malformed input
SELECT ''::calib.summary;
SELECT 'v1'::calib.summary;
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453'::calib.summary;          -- truncated
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0'::calib.summary; -- truncated bin
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5 x'::calib.summary;  -- trailing text
SELECT 'v3 fine=600 n=0 correct=0 sq=0 ll=0 |'::calib.summary;                          -- version
SELECT 'v2 fine=600 n=0 correct=0 sq=0 ll=0 |'::calib.summary;                          -- v2 sums are exact hex
SELECT 'v1 fine=100 n=0 correct=0 sq=0 ll=0 |'::calib.summary;                          -- resolution
SELECT 'v1 fine=600 n=-1 correct=0 sq=0 ll=0 |'::calib.summary;                         -- negative count
SELECT 'v1 fine=600 n=2 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary;   -- totals
SELECT 'v1 fine=600 n=1 correct=1 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary;   -- correct total
SELECT 'v1 fine=600 n=1 correct=2 sq=0.25 ll=0.6931471805599453 | 299:1:2:0.5'::calib.summary;   -- correct > n
SELECT 'v1 fine=600 n=1 correct=0 sq=NaN ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary;    -- NaN
SELECT 'v1 fine=600 n=1 correct=0 sq=1e999 ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary;  -- infinite
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.7'::calib.summary;   -- sum outside the bin
SELECT 'v1 fine=600 n=1 correct=0 sq=0.9 ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary;    -- Brier sum impossible
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=5 | 299:1:0:0.5'::calib.summary;                    -- log-loss sum impossible
SELECT 'v1 fine=600 n=0 correct=0 sq=0 ll=0 | 299:0:0:0'::calib.summary;                          -- listed empty bin
SELECT 'v1 fine=600 n=2 correct=0 sq=0.5 ll=1.3862943611198906 | 299:1:0:0.5 299:1:0:0.5'::calib.summary; -- duplicate bin
SELECT 'v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 600:1:0:0.5'::calib.summary;   -- no such bin
SELECT 'v1 fine=600 n=99999999999999999999 correct=0 sq=0 ll=0 |'::calib.summary;       -- count overflow
SELECT 'v1 fine=600 n=1 correct=0 sq=0x1p-2 ll=0.6931471805599453 | 299:1:0:0.5'::calib.summary; -- hex float
SELECT 'v1 fine=600 n=9223372036854775807 correct=0 sq=0 ll=0 | 0:9223372036854775807:0:0 1:9223372036854775807:0:23058430092136940'::calib.summary; -- bins overflow
-- binary input: truncated, trailing byte, version, resolution, huge bin count, negative count
SELECT calib._summary_from_wire('\x01'::bytea);
SELECT calib._summary_from_wire(calib._summary_send(s) || '\x00'::bytea) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib._summary_from_wire(substr(calib._summary_send(s), 1, 60)) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib._summary_from_wire(set_byte(calib._summary_send(s), 0, 3)) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib._summary_from_wire(set_byte(calib._summary_send(s), 2, 100)) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib._summary_from_wire(set_byte(set_byte(calib._summary_send(s), 51, 255), 52, 255)) FROM daily ORDER BY day, domain LIMIT 1;
SELECT calib._summary_from_wire(set_byte(calib._summary_send(s), 55, 255)) FROM daily ORDER BY day, domain LIMIT 1;     -- first bin's count negative
SELECT calib._summary_from_wire(set_byte(calib._summary_send(s), 3, 1)) FROM daily ORDER BY day, domain LIMIT 1;       -- n no longer the bins' total
SELECT calib._summary_from_wire(overlay(calib._summary_send(s) placing '\xff'::bytea from 20)) FROM daily ORDER BY day, domain LIMIT 1; -- negative sq
-- after all that the server is still here
SELECT 'alive' AS server;
