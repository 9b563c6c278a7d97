-- The self-consistency functions' contract: signatures, volatility, the
-- calib.vote_result type, errors with their SQLSTATEs, window use (the final
-- functions run again and again on one state) and state sharing between
-- calib.vote and calib.agreement in one query.
BEGIN;
SELECT plan(33);

-- ------------------------------------------------------------ signatures
SELECT has_function('calib', 'normalize_answer', ARRAY['text'], 'calib.normalize_answer(text)');
SELECT function_returns('calib', 'normalize_answer', ARRAY['text'], 'text');
SELECT volatility_is('calib', 'normalize_answer', ARRAY['text'], 'immutable', 'normalize_answer is IMMUTABLE');
SELECT is_strict('calib', 'normalize_answer', ARRAY['text'], 'normalize_answer is STRICT');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'calib.normalize_answer(text)'::regprocedure),
          's', 'normalize_answer is PARALLEL SAFE');
SELECT is_aggregate('calib', 'vote', ARRAY['text'], 'calib.vote(answer)');
SELECT is_aggregate('calib', 'vote', ARRAY['text', 'double precision'], 'calib.vote(answer, weight)');
SELECT is_aggregate('calib', 'agreement', ARRAY['text'], 'calib.agreement(answer)');
SELECT is_aggregate('calib', 'best_of', ARRAY['double precision', 'boolean'], 'calib.best_of(score, correct)');
SELECT function_returns('calib', 'vote', ARRAY['text'], 'calib.vote_result');
SELECT function_returns('calib', 'vote', ARRAY['text', 'double precision'], 'calib.vote_result');
SELECT function_returns('calib', 'agreement', ARRAY['text'], 'double precision');
SELECT function_returns('calib', 'best_of', ARRAY['double precision', 'boolean'], 'double precision');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'calib.vote_result'::regclass AND attnum > 0 AND NOT attisdropped),
          'answer text, votes double precision, n bigint, share double precision, '
          'entropy double precision, distinct_answers bigint',
          'calib.vote_result fields in order');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.oid IN ('calib.vote(text)'::regprocedure, 'calib.vote(text, float8)'::regprocedure,
                           'calib.agreement(text)'::regprocedure, 'calib.best_of(float8, bool)'::regprocedure)
             AND p.proparallel = 's' AND a.aggcombinefn <> 0
             AND a.aggtranstype IN ('calib.vote_state'::regtype, 'calib.best_of_state'::regtype)),
          4, 'the four aggregates are parallel safe with combine and a real state type (Citus ships it)');

-- ----------------------------------------------------------------- errors
SELECT throws_ok($$SELECT calib.vote(a, w) FROM (VALUES ('a', -1e-300::float8)) t(a, w)$$, '22023',
                 'weight must be a finite number >= 0 and < 2^40, got -1e-300', 'a tiny negative weight is refused');
SELECT throws_ok($$SELECT calib.vote(a, w) FROM (VALUES ('a', '-Infinity'::float8)) t(a, w)$$, '22023',
                 'weight must be a finite number >= 0 and < 2^40, got -Infinity', '-Infinity is refused');
SELECT throws_ok($$SELECT calib.best_of(s, false) FROM (VALUES ('NaN'::float8)) t(s)$$, '22023',
                 'score must not be NaN', 'a NaN score is refused');
SELECT throws_ok($$SELECT calib._vote_final(NULL::internal)$$, '42846', NULL,
                 'support functions cannot be called with a forged state');
SELECT lives_ok($$SELECT calib.vote(a, w) FROM (VALUES ('a', 1099511627775.9998::float8)) t(a, w)$$,
                'the largest weight below 2^40 is accepted');
SELECT throws_ok($$SELECT calib.vote(a, w) FROM (VALUES ('a', 1099511627776::float8)) t(a, w)$$, '22023',
                 'weight must be a finite number >= 0 and < 2^40, got 1099511627776',
                 'a weight of 2^40 is refused (the exact sum''s bound per row)');
SELECT throws_ok($$SELECT calib._vote_combine('wvote1 8388608 1 8388608:7fffffffffffffff.0000000000000000:61',
                                               'wvote1 1 1 1:1.0000000000000000:61')$$, '22003',
                 'the total weight of a calib.vote group overflows its exact sum',
                 'an answer''s total weight past 2^63 is refused');

-- ------------------------------------------------------------- behaviour
SELECT is(calib.normalize_answer(''), '', 'the empty string stays empty');
SELECT is(calib.normalize_answer(U&'\FEFF \200B'), '', 'invisible separators only: empty');
SELECT is(length(calib.normalize_answer(repeat(U&'\00C9', 500000))), 500000,
          '500 000 capital E-acute fold to 500 000 characters');
SELECT is(calib.normalize_answer(U&'THE \0130STANBUL.'), U&'\0130stanbul',
          'dotted capital I has no simple folding');

-- Running vote as a window: the final function runs after every row on the
-- same state.  a | a b -> tie, a | a b b -> b | a a b b -> tie, a | +a -> a
SELECT is(array_agg(w ORDER BY k), ARRAY['a', 'a', 'b', 'a', 'a'], 'running vote over a window')
FROM (SELECT k, (calib.vote(a) OVER (ORDER BY k)).answer AS w
      FROM (VALUES (1, 'a'), (2, 'b'), (3, 'b'), (4, 'a'), (5, 'a')) t(k, a)) q;
SELECT is(array_agg(round(g::numeric, 4) ORDER BY k), ARRAY[NULL, 0, 0.3333, 0.3333, 0.4]::numeric[],
          'running agreement: NULL, 0, 2/6, 4/12, 8/20')
FROM (SELECT k, calib.agreement(a) OVER (ORDER BY k) AS g
      FROM (VALUES (1, 'a'), (2, 'b'), (3, 'b'), (4, 'a'), (5, 'a')) t(k, a)) q;
-- Sliding frames restart the aggregate for each row: votes of the last two.
SELECT is(array_agg(w ORDER BY k), ARRAY['a', 'a', 'b', 'a', 'a'], 'vote over a sliding frame of two rows')
FROM (SELECT k, (calib.vote(a) OVER (ORDER BY k ROWS 1 PRECEDING)).answer AS w
      FROM (VALUES (1, 'a'), (2, 'b'), (3, 'b'), (4, 'a'), (5, 'a')) t(k, a)) q;

-- vote and agreement share one transition state in a query.
SELECT is((SELECT ROW((calib.vote(a)).answer, (calib.vote(a)).votes, calib.agreement(a))::text
           FROM (VALUES ('x'), ('y'), ('x'), ('z')) t(a)),
          '(x,2,0.16666666666666666)', 'vote and agreement in one query: x with 2, agreement 2/12');
-- The weighted and the plain vote side by side.
SELECT is((SELECT ROW((calib.vote(a)).answer, (calib.vote(a, w)).answer)::text
           FROM (VALUES ('x', 0.1), ('y', 5), ('x', 0.1)) t(a, w)),
          '(x,y)', 'plain vote: x (2 of 3); weighted: y (5 of 5.2)');
-- FILTER and GROUP BY with an empty group.
SELECT is((SELECT array_agg(v IS NULL ORDER BY g) FROM (
              SELECT g, calib.vote(a) FILTER (WHERE a <> 'skip') AS v
              FROM (VALUES (1, 'skip'), (2, 'x')) t(g, a) GROUP BY g) q),
          ARRAY[true, false], 'a group whose rows are all filtered out gives NULL');
SELECT is((SELECT calib.best_of(s, c) FROM (VALUES (1.0::float8, true), (1.0, false), (1.0, false)) t(s, c))::numeric(6, 4),
          0.3333, 'three tied tops, one correct: 1/3');

SELECT * FROM finish();
ROLLBACK;
