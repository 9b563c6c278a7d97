-- Hostile input, specific: each kind of bad value against each family of
-- functions, asserting the documented SQLSTATE (docs/metrics.md and the
-- conventions in docs/development.md: 22023 bad argument, 22004 NULL where
-- a value is required, 22P02 malformed literal or binary input) or the
-- documented result, and that the server is still up at the end.
-- Families that are not installed yet are skipped (see skip()).
BEGIN;
SELECT plan(125);
SELECT pg_postmaster_start_time() AS started \gset

-- ---------------------------------------------------------------- core
CREATE TEMP TABLE ok_rows AS
SELECT * FROM (VALUES (0.2::float8, false), (0.5, true), (0.8, true), (1.0, false)) v(c, y);

-- every bad confidence, through every family of aggregate
SELECT throws_ok(format('SELECT calib.%s(c, y) FROM (VALUES (0.5::float8, true), (%s, false)) v(c, y)', f, bad),
                 '22023', NULL, format('calib.%s rejects confidence %s', f, bad))
FROM unnest(ARRAY['ece', 'auroc', 'brier']) f,
     unnest(ARRAY['''NaN''::float8', '''Infinity''::float8', '''-Infinity''::float8',
                  '-1e-300::float8', '1.0000000000000002::float8']) bad;
SELECT throws_ok('SELECT calib.nll(''NaN''::float8, true)', '22023', NULL, 'nll rejects NaN');
SELECT throws_ok('SELECT calib.ace(''-Infinity''::float8, true)', '22023', NULL, 'ace rejects -Infinity');
SELECT throws_ok('SELECT calib.reliability(2::float8, true)', '22023', NULL, 'reliability rejects 2');

-- -0 is 0: ECE of one correct answer at confidence -0 is |0 - 1| = 1, bin 1
SELECT is(calib.ece('-0'::float8, true), 1::float8, '-0 is accepted as 0 (ece = 1)');
SELECT is((calib.reliability('-0'::float8, true))[1].n, 1::bigint, '-0 lands in the first bin');

-- absurd bin counts
SELECT throws_ok(format('SELECT calib.%s(c, y, %s) FROM ok_rows', f, b), '22023', NULL,
                 format('calib.%s rejects bins = %s', f, b))
FROM unnest(ARRAY['ece', 'ace']) f, unnest(ARRAY['0', '-1', '10001', '2147483647', '(-2147483648)::int']) b;
SELECT throws_ok('SELECT calib.mce(c, y, NULL::int) FROM ok_rows', '22004', NULL, 'NULL bins: 22004');
SELECT throws_ok('SELECT calib.ece(c, y, (ARRAY[10, 20])[1 + (c > 0.5)::int]) FROM ok_rows',
                 '22023', NULL, 'bins changing within a group: 22023');
SELECT is((SELECT calib.ece(c, y, 10000) FROM ok_rows),
          (SELECT calib.ece(c, y, 10000) FROM ok_rows), 'bins = 10000 (the maximum) works');

-- empty input, all-NULL rows, one class
SELECT is((SELECT calib.ece(c, y) FROM ok_rows WHERE false), NULL, 'no rows: NULL');
SELECT is((SELECT calib.brier(NULL::float8, y) FROM ok_rows), NULL, 'only NULL confidences: NULL');
SELECT is((SELECT calib.auroc(c, true) FROM ok_rows), NULL, 'AUROC with one class: NULL');
SELECT is((SELECT calib.ace(c, NULL::boolean, 5) FROM ok_rows), NULL, 'only NULL outcomes: NULL');
-- log loss stays finite at the extremes: -log(eps) = 52 log 2 = 36.04
SELECT ok(abs(calib.nll(0::float8, true) - 52 * ln(2)) < 1e-9, 'nll of a confident miss is 52 ln 2');

-- ------------------------------------------------------------- summary
SELECT skip('calib.summary not installed', 17) WHERE to_regtype('calib.summary') IS NULL;
SELECT throws_ok(format('SELECT %L::calib.summary', lit), '22P02', NULL,
                 format('malformed calib.summary literal %s', left(lit, 40)))
FROM unnest(ARRAY['', ' ', 'garbage', 'v2 fine=600 n=0 correct=0 sq=0 ll=0 |',
                  'v1 fine=7 n=0 correct=0 sq=0 ll=0 |',
                  'v1 fine=600 n=-1 correct=0 sq=0 ll=0 |',
                  'v1 fine=600 n=1 correct=0 sq=0 ll=0 | 600:1:0:0.5',
                  'v1 fine=600 n=1 correct=0 sq=0 ll=0 | 99999999999999999999:1:0:0.5',
                  'v1 fine=600 n=1 correct=2 sq=0 ll=0 | 3:1:2:0.005',
                  'v1 fine=600 n=1 correct=0 sq=NaN ll=0 | 3:1:0:0.005',
                  -- a sum above n, once accepted (the slack grows with n) but unreadable once stored
                  'v1 fine=600 n=9223372036854775807 correct=0 sq=0 ll=0 | 2:9223372036854775807:0:1.3333333333333334e+19',
                  repeat('9', 100000)]) lit
WHERE to_regtype('calib.summary') IS NOT NULL;
SELECT throws_ok(format('SELECT calib._summary_from_wire(%L::bytea)', b), '22P02', NULL,
                 format('malformed binary calib.summary %s', left(b, 20)))
FROM unnest(ARRAY['\x', '\x00', '\xffffffffffffffffffffffffffffffffffffffffffff']) b
WHERE to_regtype('calib.summary') IS NOT NULL;
SELECT throws_ok('SELECT calib.ece(calib.summary(c, y), 7) FROM ok_rows', '22023', NULL,
                 'summary accessor: bins that do not divide 600')
WHERE to_regtype('calib.summary') IS NOT NULL;
SELECT throws_ok('SELECT calib.summary(''NaN''::float8, true)', '22023', NULL, 'summary rejects NaN')
WHERE to_regtype('calib.summary') IS NOT NULL;

-- ------------------------------------------------------------- logprob
SELECT skip('log-probability functions not installed', 15)
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NULL;
SELECT throws_ok(format('SELECT calib.lp_sum(%L::float8[])', a), '22023', NULL,
                 format('lp_sum rejects %s', a))
FROM unnest(ARRAY['{NaN}', '{Infinity}', '{0.5}', '{-0.1,NULL}', '{{-0.1},{-0.2}}']) a
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT is(calib.lp_sum('{}'::float8[]), NULL, 'an empty array gives NULL')
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT is(calib.lp_sum('{-Infinity,-0.1}'::float8[]), '-Infinity'::float8, '-Infinity (probability 0) propagates')
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT is(calib.lp_sum('{1e-7,-0}'::real[]), 0::float8, 'rounding noise above 0 and -0 count as 0')
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT throws_ok(format('SELECT calib.group_confidence(''{0.1,0.2}''::float8[], %s)', w), '22023', NULL,
                 format('group_confidence rejects window %s', w))
FROM unnest(ARRAY['0', '-1', '(-2147483648)::int']) w
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT is(calib.lowest_group_confidence('{0.1,0.2,0.6}'::float8[], 2147483647), 0.3::float8,
          'a window larger than the trace is one group (mean 0.3)')
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;
SELECT throws_ok(format('SELECT calib.bottom_group_confidence(''{0.1,0.2}''::float8[], 1, %s)', fr), '22023', NULL,
                 format('bottom_group_confidence rejects fraction %s', fr))
FROM unnest(ARRAY['0::float8', '1.5::float8', '''NaN''::float8']) fr
WHERE to_regprocedure('calib.lp_sum(double precision[])') IS NOT NULL;

-- ----------------------------------------------------------------- map
SELECT skip('calib.map not installed', 16) WHERE to_regtype('calib.map') IS NULL;
SELECT throws_ok(format('SELECT %L::calib.map', lit), '22P02', NULL, format('malformed calib.map %s', lit))
FROM unnest(ARRAY['', 'v1:', 'v1:temperature(', 'v1:temperature(0)', 'v1:temperature(nan)',
                  'v1:histogram()', 'v1:isotonic(1:0,0:1)', 'v1:sigmoid(1)']) lit
WHERE to_regtype('calib.map') IS NOT NULL;
SELECT throws_ok('SELECT calib.apply(''v1:temperature(1.5)''::calib.map, ''NaN''::float8)', '22023', NULL,
                 'apply rejects a NaN confidence')
WHERE to_regtype('calib.map') IS NOT NULL;

-- docs/recalibration.md: level in (0, 1), resamples 1 .. 100000 (22023),
-- NULL extras 22004, a fit that does not exist 22000, target in [0, 1]
SELECT throws_ok(format('SELECT calib.ece_ci(c, y, 10, %s, %s, %s) FROM ok_rows', lv, rs, sd), code, NULL,
                 format('ece_ci(level %s, resamples %s, seed %s): %s', lv, rs, sd, code))
FROM (VALUES ('0::float8', '100', '1::bigint', '22023'), ('1::float8', '100', '1::bigint', '22023'),
             ('''NaN''::float8', '100', '1::bigint', '22023'), ('0.9::float8', '0', '1::bigint', '22023'),
             ('0.9::float8', '100001', '1::bigint', '22023'), ('0.9::float8', '100', 'NULL::bigint', '22004'))
     v(lv, rs, sd, code)
WHERE to_regtype('calib.map') IS NOT NULL;
SELECT throws_ok('SELECT calib.fit_platt(c, true) FROM ok_rows', '22000', NULL,
                 'fit_platt when every answer is correct: no map exists (22000)')
WHERE to_regtype('calib.map') IS NOT NULL;

-- ----------------------------------------------------- vote state types
-- docs/votes.md "State types": 22P02 not of the form, 22023 impossible
SELECT throws_ok(format('SELECT %L::calib.vote_state', lit), code, NULL, format('calib.vote_state %s: %s', lit, code))
FROM (VALUES ('', '22P02'), ('vote1 1 1 1:6', '22P02'), ('vote1 2 1 1:61 1:62', '22P02'),
             ('vote1 2 2 1:61 1:61', '22023'), ('vote1 1 1 1:ff', '22023'),
             ('wvote1 1 1 1:10000000000.0000000000000000:61', '22023')) AS t(lit, code);
SELECT throws_ok(format('SELECT %L::calib.best_of_state', lit), code, NULL, format('calib.best_of_state %s: %s', lit, code))
FROM (VALUES ('bestof1 1 0.50 1 1', '22P02'), ('bestof1 2 0 3 1', '22023')) AS t(lit, code);

-- ------------------------------------- probability vectors (issue 14)
-- docs/multiclass.md "Input rules": every bad vector is 22023, naming it
SELECT throws_ok(format('SELECT calib.%s(p, y) FROM (VALUES %s) v(p, y)', f, rows), '22023', NULL,
                 format('calib.%s rejects %s', f, rows))
FROM (VALUES ('ece', $$('{0.5,0.6}'::float8[], 1)$$),
             ('ece', $$('{0.5,NaN}'::float8[], 1)$$),
             ('brier', $$('{}'::float8[], 1)$$),
             ('nll', $$('{0.5,0.5}'::float8[], 3)$$),
             ('nll', $$('{0.5,0.5}'::real[], 0)$$),
             ('full_ece', $$('{{0.5},{0.5}}'::float8[], 1)$$),
             ('classwise_ece', $$('{0.5,0.5}'::float8[], 1), ('{0.2,0.3,0.5}'::float8[], 1)$$),
             ('classwise_ece', $$('{0.5,NULL}'::float8[], 1)$$),
             ('fit_temperature', $$('{1,NaN}'::float8[], 1)$$),
             ('auroc', $$('{-0.5,1.5}'::float8[], 1)$$)) AS t(f, rows);
SELECT throws_ok('SELECT calib.softmax(''{1,Infinity}''::float8[])', '22023', NULL, 'softmax rejects Infinity');

-- ------------------------------- stated confidence and meaning (issue 15)
SELECT throws_ok(format('SELECT calib.%s(e, %s) FROM (VALUES %s) v(e)', f, t, rows), '22023', NULL,
                 format('calib.%s(%s) rejects %s', f, t, rows))
FROM (VALUES ('semantic_clusters', '0.9', $$('{0,0}'::real[])$$),
             ('semantic_clusters', '1.5', $$('{0,1}'::real[])$$),
             ('semantic_clusters', '''NaN''', $$('{0,1}'::real[])$$),
             ('semantic_agreement', '0.9', $$('{1,NaN}'::real[])$$),
             ('semantic_agreement', '0.9', $$('{1,2}'::float8[]), ('{1,2,3}'::float8[])$$),
             ('semantic_labels', '0.9', $$('{}'::real[])$$),
             ('semantic_labels', '0.9', $$('{{1},{2}}'::real[])$$),
             ('semantic_clusters', '0.9', $$('{1,NULL}'::real[])$$)) AS t(f, t, rows);
SELECT throws_ok('SELECT calib.semantic_entropy(1::bigint, ''NaN''::float8)', '22023', NULL,
                 'semantic_entropy rejects a NaN log-probability');
SELECT throws_ok(format('SELECT %L::calib.%s', lit, ty), '22P02', NULL, format('calib.%s %s: 22P02', ty, lit))
FROM (VALUES ('sm1:zz', 'semantic_state'), ('sm1:', 'semantic_state'),
             ('se1:00', 'semantic_entropy_state'), ('xx1:00', 'semantic_entropy_state')) AS t(lit, ty);
-- the parser reads any text in linear time and never fails
SELECT lives_ok(format('SELECT calib.parse_confidence(%s)', t), format('parse_confidence(%s)', t))
FROM (VALUES ($$repeat('9', 1000000)$$), ($$repeat('confidence: ', 100000)$$),
             ($$repeat('7/', 200000)$$), ($$repeat('not ', 200000) || 'likely'$$),
             ($$repeat('Confidence (0-', 100000)$$), ($$E'\u00e9\u00e9 85 %'$$)) AS t(t);

SELECT is(pg_postmaster_start_time(), :'started'::timestamptz, 'the server is still up, never restarted');
SELECT * FROM finish();
ROLLBACK;
