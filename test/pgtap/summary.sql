-- calib.summary: declarations (volatility, strictness, parallel safety, the
-- aggregates' state type), SQLSTATEs of bad input, and a COPY BINARY round
-- trip through the type's send/receive functions.
BEGIN;
SELECT plan(32);

SELECT has_type('calib', 'summary', 'calib.summary exists');

-- The aggregates keep calib.summary itself as their state, with a combine
-- function, no serial functions (not internal) and PARALLEL SAFE.
SELECT is((SELECT aggtranstype::regtype::text FROM pg_aggregate WHERE aggfnoid = 'calib.summary(double precision, boolean)'::regprocedure),
          'calib.summary', 'calib.summary(confidence, correct) has state type calib.summary');
SELECT is((SELECT aggtranstype::regtype::text FROM pg_aggregate WHERE aggfnoid = 'calib.merge(calib.summary)'::regprocedure),
          'calib.summary', 'calib.merge has state type calib.summary');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.oid IN ('calib.summary(double precision, boolean)'::regprocedure, 'calib.merge(calib.summary)'::regprocedure)
             AND a.aggcombinefn <> 0 AND a.aggserialfn = 0 AND p.proparallel = 's' AND a.aggfinalmodify = 'r'),
          2, 'both aggregates: combine function, no serial function, parallel safe, read-only final');

-- Accessors: immutable, strict, parallel safe.
SELECT ok((SELECT bool_and(provolatile = 'i' AND proisstrict AND proparallel = 's') AND count(*) = 15
           FROM pg_proc WHERE pronamespace = 'calib'::regnamespace
             AND 'calib.summary'::regtype = ANY (proargtypes::oid[]) AND prokind = 'f'
             AND proname IN ('ece', 'mce', 'rmsce', 'reliability', 'brier_decomposition', 'brier', 'nll',
                             'auroc', 'auroc_max_error', 'n', 'accuracy', 'mean_confidence',
                             '_summary_out', '_summary_send', '_summary_final')),
          'accessors and I/O functions of calib.summary are immutable, strict, parallel safe');
SELECT ok((SELECT count(*) = 2 FROM pg_proc WHERE pronamespace = 'calib'::regnamespace
             AND proname IN ('_summary_trans', '_summary_combine') AND NOT proisstrict AND provolatile = 'i'),
          'transition functions are immutable and not strict (they skip NULLs themselves)');
SELECT has_function('calib', f, ARRAY['calib.summary', 'integer'], 'calib.' || f || '(summary, bins)')
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'reliability', 'brier_decomposition']) f;
SELECT has_function('calib', f, ARRAY['calib.summary'], 'calib.' || f || '(summary)')
FROM unnest(ARRAY['brier', 'nll', 'auroc', 'auroc_max_error', 'n', 'accuracy', 'mean_confidence']) f;

-- SQLSTATEs
SELECT throws_ok($$SELECT 'v1 fine=600 n=1 correct=0 sq=0 ll=0 |'::calib.summary$$, '22P02',
                 'invalid input for type calib.summary: n=1 but the bins hold 0 rows', 'totals not matching: 22P02');
SELECT throws_ok($$SELECT 'v9 fine=600 n=0 correct=0 sq=0 ll=0 |'::calib.summary$$, '22P02', NULL, 'unknown version: 22P02');
SELECT throws_ok($$SELECT calib._summary_from_wire('\x0102'::bytea)$$, '22P02', NULL, 'truncated binary: 22P02');
SELECT throws_ok($$SELECT calib.ece(calib.summary(0.5, true), 7)$$, '22023', NULL, 'unsupported bin count: 22023');
SELECT throws_ok($$SELECT calib.summary(-0.1, true)$$, '22023', NULL, 'confidence below 0: 22023');
SELECT lives_ok($$SELECT calib.ece(calib.summary(0.5, true), 600)$$, 'bins = 600 is supported');

-- COPY BINARY: out through _summary_send, back through _summary_recv.
CREATE TEMP TABLE src AS
SELECT g, calib.summary(c, c > 0.4) AS s
FROM (SELECT i % 5 AS g, (i % 1000) / 999.0 AS c FROM generate_series(1, 20000) i) x GROUP BY g;
INSERT INTO src VALUES (99, 'v1 fine=600 n=0 correct=0 sq=0 ll=0 |');
CREATE TEMP TABLE dst (LIKE src);
DO $$
DECLARE f text := current_setting('data_directory') || '/calib_summary_tap.bin';
BEGIN
    EXECUTE format('COPY src TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY dst FROM %L WITH (FORMAT binary)', f);
END $$;
SELECT is((SELECT count(*)::int FROM src JOIN dst USING (g) WHERE src.s::text = dst.s::text), 6,
          'COPY BINARY round trip keeps every summary exactly (text forms equal)');
SELECT is((SELECT count(*)::int FROM src JOIN dst USING (g) WHERE calib._summary_send(src.s) = calib._summary_send(dst.s)), 6,
          'COPY BINARY round trip: identical binary forms');
-- A summary's binary form is its send bytes: COPY BINARY of those bytes as
-- a bytea loads as a summary; with one trailing byte it is refused.
CREATE TEMP TABLE one (s calib.summary);
DO $$
DECLARE f text := current_setting('data_directory') || '/calib_summary_tap.bin';
BEGIN
    EXECUTE format('COPY (SELECT calib._summary_send(s) FROM src WHERE g = 1) TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY one FROM %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY (SELECT calib._summary_send(s) || ''\x00''::bytea FROM src WHERE g = 1) TO %L WITH (FORMAT binary)', f);
END $$;
SELECT is((SELECT s::text FROM one), (SELECT s::text FROM src WHERE g = 1), 'send bytes load back as the same summary');
SELECT throws_ok(format('COPY one FROM %L WITH (FORMAT binary)', current_setting('data_directory') || '/calib_summary_tap.bin'),
                 '22P02', 'invalid input for type calib.summary: binary summary has 1 trailing bytes',
                 'COPY BINARY with a trailing byte is refused (22P02)');

-- Stored size: one summary of ~2000 random confidences (every fine bin used)
-- stays under 8 KiB.
SELECT cmp_ok((SELECT pg_column_size(calib.summary(random(), random() < 0.7)) FROM generate_series(1, 2000)),
              '<', 8192, 'a day of 2000 rows is stored in under 8 KiB');
SELECT cmp_ok((SELECT pg_column_size(calib.summary(round(random()::numeric, 2)::float8, random() < 0.7)) FROM generate_series(1, 100000)),
              '<', 1600, 'two-decimal confidences (101 bins used) take under 1.6 KB (exact sums: 9 bytes per bin)');

-- calib.summary over a table with NULLs skips them; over nothing it is NULL.
SELECT is((SELECT calib.n(calib.summary(c, y)) FROM (VALUES (0.5, true), (NULL, true), (0.5, NULL)) t(c, y)), 1::bigint,
          'rows with a NULL are skipped');
SELECT ok((SELECT calib.summary(c, y) IS NULL FROM (VALUES (0.5, true)) t(c, y) WHERE false), 'no rows: NULL');

SELECT * FROM finish();
ROLLBACK;
