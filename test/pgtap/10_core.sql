-- The core aggregates' contract: signatures, the calib.bin type, parallel
-- safety in the catalog, every error case with its SQLSTATE and message,
-- and that the internal support functions cannot be called with a forged state.
BEGIN;
SELECT plan(149);

-- ------------------------------------------------------------ signatures
SELECT has_function('calib', f, ARRAY['double precision', 'boolean'], format('calib.%s(confidence, correct)', f))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'brier', 'nll', 'auroc', 'reliability',
                  'brier_decomposition']) f;
SELECT has_function('calib', f, ARRAY['double precision', 'boolean', 'integer'],
                    format('calib.%s(confidence, correct, bins)', f))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'reliability', 'brier_decomposition']) f;
SELECT is_aggregate('calib', f, ARRAY['double precision', 'boolean'], format('calib.%s(confidence, correct) is an aggregate', f))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'brier', 'nll', 'auroc', 'reliability',
                  'brier_decomposition']) f;
SELECT function_returns('calib', 'reliability', ARRAY['double precision', 'boolean', 'integer'], 'calib.bin[]');
SELECT function_returns('calib', 'brier_decomposition', ARRAY['double precision', 'boolean'], 'calib.brier_parts');
SELECT function_returns('calib', f, ARRAY['double precision', 'boolean'], 'double precision')
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'brier', 'nll', 'auroc']) f;

-- calib.bin: the fields, in this order, with these types.
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'calib.bin'::regclass AND attnum > 0 AND NOT attisdropped),
          'bin integer, lower double precision, upper double precision, n bigint, '
          'mean_confidence double precision, accuracy double precision, gap double precision, '
          'ci_low double precision, ci_high double precision',
          'calib.bin fields in order');

-- ----------------------------------------------------- parallel safety
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.pronamespace = 'calib'::regnamespace AND p.proname IN
                 ('ece', 'mce', 'rmsce', 'ace', 'brier', 'nll', 'auroc', 'reliability', 'brier_decomposition')
             AND p.proargtypes[0] = 'float8'::regtype AND p.proargtypes[1] = 'bool'::regtype),
          15, '15 core aggregates over (confidence, correct [, bins])');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.pronamespace = 'calib'::regnamespace
             AND (p.proparallel <> 's' OR a.aggcombinefn = 0
                  OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)))),
          0, 'every calib aggregate is parallel safe with combine (and serialize/deserialize for internal states)');
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace = 'calib'::regnamespace AND p.proname LIKE '\_%' AND p.proparallel <> 's'),
          0, 'every internal support function is parallel safe');

-- ------------------------------------------------- confidence out of range
-- 9 aggregates x 7 bad values: 22023, the value in the message.
SELECT throws_ok(format('SELECT calib.%s(%L::float8, true)', f, v), '22023',
                 format('confidence must be between 0 and 1, got %s', v),
                 format('calib.%s rejects confidence %s', f, v))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'brier', 'nll', 'auroc', 'reliability',
                  'brier_decomposition']) f,
     unnest(ARRAY['NaN', 'Infinity', '-Infinity', '-0.1', '1.0000000000000002', '2', '-1e-300']) v;
-- the bad row is found among good ones, in a group, with bins given
SELECT throws_ok($$SELECT g, calib.ece(c, true, 5) FROM (VALUES (1, 0.5), (1, 0.7), (2, 'NaN'::float8)) v(g, c) GROUP BY g$$,
                 '22023', 'confidence must be between 0 and 1, got NaN', 'NaN in the second group');
SELECT throws_ok($$SELECT calib.auroc(c, c > 0.5) FROM (VALUES (0.5), (1.5)) v(c)$$,
                 '22023', 'confidence must be between 0 and 1, got 1.5', 'calib.auroc: 1.5 among good rows');

-- ---------------------------------------------------------------- bins
-- out of range: 6 aggregates x 4 values
SELECT throws_ok(format('SELECT calib.%s(0.5, true, %s)', f, b), '22023',
                 format('bins must be between 1 and 10000, got %s', b),
                 format('calib.%s rejects bins %s', f, b))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'reliability', 'brier_decomposition']) f,
     unnest(ARRAY[0, -1, 10001, -2147483648]) b;
-- NULL bins: 22004 (null_value_not_allowed)
SELECT throws_ok(format('SELECT calib.%s(0.5, true, NULL)', f), '22004', 'bins must not be NULL',
                 format('calib.%s rejects NULL bins', f))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'reliability', 'brier_decomposition']) f;
-- checked even when every row of the group is skipped
SELECT throws_ok($$SELECT calib.ece(NULL::float8, true, 0)$$, '22023',
                 'bins must be between 1 and 10000, got 0', 'bad bins with only skipped rows');
SELECT throws_ok($$SELECT calib.ace(0.5, NULL::bool, NULL)$$, '22004',
                 'bins must not be NULL', 'NULL bins with only skipped rows');
-- bins differing between the rows of a group
SELECT throws_ok(format('SELECT calib.%s(c, true, b) FROM (VALUES (0.1, 10), (0.2, 10), (0.3, 20)) v(c, b)', f),
                 '22023', 'bins must be the same for every row of a group, got 10 and 20',
                 format('calib.%s rejects bins changing within a group', f))
FROM unnest(ARRAY['ece', 'mce', 'rmsce', 'ace', 'reliability', 'brier_decomposition']) f;
-- ... but bins may differ between groups
SELECT results_eq(
    $$SELECT g, calib.ece(c, true, g) FROM (VALUES (1, 0.25), (2, 0.75), (2, 0.75)) v(g, c) GROUP BY g ORDER BY g$$,
    $$VALUES (1, 0.75::float8), (2, 0.25::float8)$$,
    'bins may differ between groups');
-- the bounds are allowed
SELECT lives_ok($$SELECT calib.ece(0.5, true, 1), calib.ace(0.5, true, 10000)$$, 'bins 1 and 10000 are fine');

-- --------------------------------------------------- NULLs and no rows
SELECT is(calib.ece(c, y), NULL, 'no rows: NULL') FROM (SELECT 0.5::float8, true WHERE false) v(c, y);
SELECT is(calib.auroc(c, y), NULL, 'only NULL rows: NULL') FROM (VALUES (NULL::float8, true), (0.5, NULL)) v(c, y);
SELECT is(calib.auroc(c, y), NULL, 'one class only: NULL') FROM (VALUES (0.2, true), (0.9, true)) v(c, y);
-- the exact sum keeps a term to 2^-64 (toward zero): -ln(1 - eps) = 2^-52 (1 + 2^-53 + ...)
-- reads back as 2^-52, within 2^-64 of the term
SELECT cmp_ok(abs(calib.nll(1.0, true) - -ln(1 - 2::float8 ^ -52)), '<', 2::float8 ^ -64,
          'nll of a correct answer at confidence 1 is -ln(1 - eps), eps = 2^-52, to 2^-64');
SELECT ok(abs(calib.nll(0.0, true) - 52 * ln(2::float8)) < 1e-12,
          'nll of a correct answer at confidence 0 is -ln(eps) = 52 ln 2');
SELECT ok(abs(calib.nll(1.0, false) - 52 * ln(2::float8)) < 1e-12,
          'nll of a wrong answer at confidence 1 is -ln(eps) = 52 ln 2');

-- The support functions take `internal`, which SQL cannot produce: they
-- cannot be called directly with made-up states.
SELECT throws_ok($$SELECT calib._ece_final(NULL::internal)$$, '42846', NULL,
                 'support functions cannot be called with a forged state');

SELECT * FROM finish();
ROLLBACK;
