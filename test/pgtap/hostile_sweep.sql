-- Hostile input, generic: every SQL-callable function of calib (found in the
-- catalog, so new functions are covered without editing this file) is
-- called with NULLs, NaN, +-Infinity, -0, out-of-range numbers, empty,
-- NULL-holding, multi-dimensional, offset and million-element arrays,
-- malformed JSON and type literals (test/hostile/sweep.sql), one argument
-- at a time.  Every call must either succeed or fail with an error a user
-- can act on: a data exception (class 22), a program limit (54000), a named
-- object that does not exist (42P01 table, 42703 column, 42704 object --
-- the audit functions take names) or no such row (P0002).  Never an
-- internal error (XX000, an elog), a missing function or wrong types (a sign
-- the sweep itself is wrong), or a crash (which would end this session and
-- fail the file).  The documented
-- code for each specific case is in hostile_values.sql.
BEGIN;
\ir ../hostile/sweep.sql
SELECT pg_postmaster_start_time() AS started \gset
SELECT hostile.sweep() AS calls \gset

SELECT plan((SELECT count(*)::int FROM hostile.funcs) + 2);
\set allowed '''^(22|54000|42P01|42703|42704|P0002)'''

SELECT cmp_ok(:calls::int, '>', 1000, 'the sweep made over a thousand hostile calls');

SELECT ok(bad IS NULL,
          format('%s: only errors a user can act on', f.fn))
       || coalesce(E'\n' || diag(bad), '')
FROM hostile.funcs f
CROSS JOIN LATERAL (
    SELECT string_agg(format('%s -> %s %s', r.call, r.sqlstate, r.message), E'\n') AS bad
    FROM hostile.results r
    WHERE r.fn = f.fn AND r.sqlstate IS NOT NULL AND r.sqlstate !~ :allowed) b
ORDER BY f.fn::text;

SELECT is(pg_postmaster_start_time(), :'started'::timestamptz,
          'the server did not restart during the sweep');

SELECT * FROM finish();
ROLLBACK;
