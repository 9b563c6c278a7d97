-- Hostile input, generic: every SQL-callable function of calib (found in the
-- catalog, so new functions are covered without editing this file) is
-- called with NULLs, NaN, +-Infinity, -0, out-of-range numbers, empty,
-- NULL-holding, multi-dimensional, offset and million-element arrays,
-- malformed JSON and type literals (test/hostile/sweep.sql), one argument
-- at a time.  Every call must either succeed or fail with a data exception
-- (class 22) or a program limit (54000): never an internal error (XX000,
-- an elog), a missing function (a sign the sweep itself is wrong) or a
-- crash (which would end this session and fail the file).  The documented
-- code for each specific case is in hostile_values.sql.
BEGIN;
\ir ../hostile/sweep.sql
SELECT pg_postmaster_start_time() AS started \gset
SELECT hostile.sweep() AS calls \gset

SELECT plan((SELECT count(*)::int FROM hostile.funcs) + 3);

SELECT cmp_ok(:calls::int, '>', 1000, 'the sweep made over a thousand hostile calls');

SELECT ok(bad IS NULL,
          format('%s: only data exceptions (22xxx) or program limits (54000)', f.fn))
       || coalesce(E'\n' || diag(bad), '')
FROM hostile.funcs f
CROSS JOIN LATERAL (
    SELECT string_agg(format('%s -> %s %s', r.call, r.sqlstate, r.message), E'\n') AS bad
    FROM hostile.results r
    WHERE r.fn = f.fn AND r.sqlstate IS NOT NULL AND r.sqlstate !~ '^(22|54000)') b
ORDER BY f.fn::text;

SELECT ok((SELECT count(DISTINCT fn) FROM hostile.results WHERE sqlstate IS NULL)
          = (SELECT count(*) FROM hostile.funcs),
          'every function succeeds on its sane arguments or all-NULL call');

SELECT is(pg_postmaster_start_time(), :'started'::timestamptz,
          'the server did not restart during the sweep');

SELECT * FROM finish();
ROLLBACK;
