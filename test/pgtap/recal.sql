-- The recalibration / selective prediction / uncertainty contract:
-- signatures and catalog flags, the map type, and every error with its
-- SQLSTATE.  Numbers are checked in test/sql/recalibration.sql.
BEGIN;
SELECT plan(61);

-- ------------------------------------------------------------ signatures
SELECT is_aggregate('calib', f, ARRAY['double precision', 'boolean'], format('calib.%s(confidence, correct)', f))
FROM unnest(ARRAY['fit_temperature', 'fit_platt', 'fit_histogram', 'fit_isotonic', 'risk_coverage',
                  'aurc', 'ece_ci', 'debiased_ece', 'smooth_ece']) f;
SELECT is_aggregate('calib', f, ARRAY['double precision', 'boolean', 'integer'], format('calib.%s(confidence, correct, bins)', f))
FROM unnest(ARRAY['fit_histogram', 'ece_ci', 'debiased_ece']) f;
SELECT is_aggregate('calib', 'ece_ci', ARRAY['double precision', 'boolean', 'integer', 'double precision'], 'ece_ci(.., bins, level)');
SELECT is_aggregate('calib', 'ece_ci', ARRAY['double precision', 'boolean', 'integer', 'double precision', 'integer'],
                    'ece_ci(.., bins, level, resamples)');
SELECT is_aggregate('calib', 'ece_ci', ARRAY['double precision', 'boolean', 'integer', 'double precision', 'integer', 'bigint'],
                    'ece_ci(.., bins, level, resamples, seed)');
SELECT is_aggregate('calib', 'threshold_for_accuracy', ARRAY['double precision', 'boolean', 'double precision'],
                    'threshold_for_accuracy(confidence, correct, target)');
SELECT function_returns('calib', f, ARRAY['double precision', 'boolean'], 'calib.map')
FROM unnest(ARRAY['fit_temperature', 'fit_platt', 'fit_histogram', 'fit_isotonic']) f;
SELECT function_returns('calib', 'risk_coverage', ARRAY['double precision', 'boolean'], 'calib.coverage_point[]');
SELECT function_returns('calib', 'threshold_for_accuracy', ARRAY['double precision', 'boolean', 'double precision'], 'calib.coverage_point');
SELECT function_returns('calib', 'ece_ci', ARRAY['double precision', 'boolean'], 'calib.ece_interval');
SELECT function_returns('calib', f, ARRAY['double precision', 'boolean'], 'double precision')
FROM unnest(ARRAY['aurc', 'debiased_ece', 'smooth_ece']) f;
SELECT function_returns('calib', 'apply', ARRAY['calib.map', 'double precision'], 'double precision');
SELECT volatility_is('calib', 'apply', ARRAY['calib.map', 'double precision'], 'immutable', 'apply is IMMUTABLE');
SELECT is_strict('calib', 'apply', ARRAY['calib.map', 'double precision'], 'apply is STRICT');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'calib.apply(calib.map, double precision)'::regprocedure),
          's', 'apply is PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.pronamespace = 'calib'::regnamespace
             AND p.proname IN ('fit_temperature', 'fit_platt', 'fit_histogram', 'fit_isotonic', 'risk_coverage',
                               'aurc', 'threshold_for_accuracy', 'ece_ci', 'debiased_ece', 'smooth_ece')
             AND p.proparallel = 's' AND a.aggcombinefn <> 0
             AND (a.aggtranstype <> 'internal'::regtype OR (a.aggserialfn <> 0 AND a.aggdeserialfn <> 0))),
          16, '16 aggregates, all parallel safe with combine (and serialize/deserialize for internal states)');

-- -------------------------------------------------------------- types
SELECT has_type('calib', 'map', 'calib.map exists');
SELECT is((SELECT typalign::text || typstorage::text || typlen::text FROM pg_type WHERE oid = 'calib.map'::regtype), 'dx-1',
          'calib.map: varlena, double-aligned, TOASTable');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'calib.coverage_point'::regclass AND attnum > 0),
          'threshold double precision, coverage double precision, accuracy double precision', 'calib.coverage_point fields');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'calib.ece_interval'::regclass AND attnum > 0),
          'ece double precision, ci_low double precision, ci_high double precision', 'calib.ece_interval fields');

-- ------------------------------------------------- malformed maps: 22P02
SELECT throws_ok(format('SELECT %L::calib.map', lit), '22P02', NULL, format('rejects %s', lit))
FROM unnest(ARRAY['', 'v1:', 'v1:temperature(-1)', 'v1:temperature(Infinity)', 'v1:platt(1,2,3)',
                  'v1:histogram(2)', 'v1:isotonic(0.3:0.1,0.2:0.2)', 'v1:isotonic(0.1:0.3,0.2:0.2)',
                  'v1:temperature(1)x', 'v9:temperature(1)']) lit;
SELECT throws_ok($$SELECT 'v1:temperature(0)'::calib.map$$, '22P02',
                 'invalid input for type calib.map: temperature must be a finite number > 0, got 0', 'message names T');

-- ------------------------------------------------------ bad arguments
SELECT throws_ok($$SELECT calib.apply('v1:temperature(1)', -0.5)$$, '22023', NULL, 'apply: confidence out of range');
SELECT throws_ok($$SELECT calib.threshold_for_accuracy(0.5, true, -0.1)$$, '22023', NULL, 'target < 0');
SELECT throws_ok($$SELECT calib.threshold_for_accuracy(0.5, true, NULL)$$, '22004', NULL, 'target NULL');
SELECT throws_ok($$SELECT calib.ece_ci(0.5, true, 10, 0.0)$$, '22023', NULL, 'level 0');
SELECT throws_ok($$SELECT calib.ece_ci(0.5, true, 10, 0.9, 100001)$$, '22023', NULL, 'resamples too many');
SELECT throws_ok($$SELECT calib.ece_ci(0.5, true, 10, 0.9, 100, NULL)$$, '22004', NULL, 'seed NULL');
SELECT throws_ok($$SELECT calib.fit_histogram(0.5, true, 10001)$$, '22023', NULL, 'histogram bins');
SELECT throws_ok($$SELECT calib.threshold_for_accuracy(c, true, t) FROM (VALUES (0.5, 0.8), (0.6, 0.9)) v(c, t)$$,
                 '22023', NULL, 'target differs between rows');

-- --------------------------------------------------- no fit: 22000
SELECT throws_ok($$SELECT calib.fit_platt(c, c > 0.5) FROM (VALUES (0.2), (0.7)) v(c)$$, '22000', NULL, 'Platt, separable');
SELECT throws_ok($$SELECT calib.fit_platt(c, true) FROM (VALUES (0.2), (0.7)) v(c)$$, '22000', NULL, 'Platt, all correct');
SELECT throws_ok($$SELECT calib.fit_temperature(c, c > 0.5) FROM (VALUES (0.2), (0.7)) v(c)$$, '22000', NULL, 'temperature, separable');
SELECT throws_ok($$SELECT calib.fit_temperature(c, c < 0.5) FROM (VALUES (0.2), (0.7)) v(c)$$, '22000', NULL, 'temperature, reversed');

-- ------------------------------------------------------------- behaviour
SELECT is(calib.apply('v1:platt(1,0)', NULL), NULL, 'apply(map, NULL) is NULL');
SELECT is(calib.map_kind('v1:histogram(0.5)'), 'histogram', 'map_kind');
SELECT is(calib.fit_isotonic(c, y)::text, 'v1:isotonic(0.2:0,0.4:0.5,0.6:0.5,0.8:1)', 'isotonic knots: block ends')
FROM (VALUES (0.2, false), (0.4, true), (0.6, false), (0.8, true)) v(c, y);
SELECT * FROM finish();
ROLLBACK;
