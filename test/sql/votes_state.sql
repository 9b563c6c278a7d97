-- The state types of calib.vote / calib.agreement (calib.vote_state) and
-- calib.best_of (calib.best_of_state): hand-worked text and binary forms,
-- exact round trips, and hostile input (22P02 for text not of the form,
-- 22023 for a well-formed state no aggregate can produce).
\pset null '(null)'

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The aggregates' partial states, as an aggregate of their own.
CREATE AGGREGATE pg_temp.vstate(text) (SFUNC = calib._vote_trans,
    STYPE = calib.vote_state, COMBINEFUNC = calib._vote_combine);
CREATE AGGREGATE pg_temp.wvstate(text, float8) (SFUNC = calib._vote_trans,
    STYPE = calib.vote_state, COMBINEFUNC = calib._vote_combine);
CREATE AGGREGATE pg_temp.bstate(float8, bool) (SFUNC = calib._best_of_trans,
    STYPE = calib.best_of_state, COMBINEFUNC = calib._best_of_combine);

------------------------------------------------------------- text forms
-- a b a: "a" (hex 61) twice, "b" (62) once, in order of arrival; NULLs skipped.
SELECT pg_temp.vstate(a ORDER BY k)::text
FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL), (4, 'a')) AS t(k, a);
-- the empty answer is 0 hex digits; "é" is c3 a9
SELECT pg_temp.vstate(a ORDER BY k)::text
FROM (VALUES (1, ''), (2, U&'\00E9'), (3, '')) AS t(k, a);
-- weighted: a = 0.5 + 0.25 = 0.75 = 0.c in hexadecimal, b = 1
SELECT pg_temp.wvstate(a, w ORDER BY k)::text
FROM (VALUES (1, 'a', 0.5), (2, 'b', 1), (3, 'a', 0.25), (4, NULL, 3), (5, 'c', NULL)) AS t(k, a, w);
-- 7 distinct answers: the table form prints the same way
SELECT pg_temp.vstate(a ORDER BY a)::text
FROM unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'g']) AS a;
-- best_of: 4 rows, top 0.9 twice, once correct
SELECT pg_temp.bstate(s, c ORDER BY k)::text
FROM (VALUES (1, 0.5, true), (2, 0.9, false), (3, 0.9, true), (4, -1, true)) AS t(k, s, c);

-- Finals read states written by hand: (a, votes 2, n 3, share 2/3, ...)
SELECT (v).answer, (v).votes, (v).n, round((v).share::numeric, 12) AS share, (v).distinct_answers
FROM (SELECT calib._vote_final('vote1 3 2 2:61 1:62') AS v) AS q;
-- agreement of 2-1: 2 * 1 / (3 * 2) = 1/3
SELECT round(calib._agreement_final('vote1 3 2 2:61 1:62')::numeric, 15) AS agreement;
-- weighted: b (1.0) beats a (0.75); share 1 / 1.75 = 4/7
SELECT (v).answer, (v).votes, round((v).share::numeric, 12) AS share
FROM (SELECT calib._vote_final('wvote1 3 2 2:0.c000000000000000:61 1:1.0000000000000000:62') AS v) AS q;
SELECT calib._best_of_final('bestof1 4 0.9 2 1') AS best_of;

-- Round trips are exact: text -> state -> text, and every state's text.
SELECT s = s::calib.vote_state::text AS roundtrip
FROM (VALUES ('vote1 0 0'), ('vote1 3 2 2:61 1:62'), ('vote1 5 3 1: 2:c3a9 2:78797a'),
             ('wvote1 2 2 1:0.0000000000000000:61 1:ffffffffff.ffffffffffffffff:62'),
             ('vote1 9223372036854775807 1 9223372036854775807:61')) AS t(s);
SELECT s = s::calib.best_of_state::text AS roundtrip
FROM (VALUES ('bestof1 1 0 1 0'), ('bestof1 7 -Infinity 7 3'), ('bestof1 3 0.30000000000000004 2 2'),
             ('bestof1 9223372036854775807 1e-300 1 1')) AS t(s);
-- The top score is written in its shortest exact form whatever
-- extra_float_digits says (at 0 float8 output has 15 digits, which would not
-- read back to the same score), and that form is read under any setting.
SET extra_float_digits = 0;
SELECT calib._best_of_trans(NULL, 0.1::float8 + 0.2::float8, true)::text AS top_exact,
       calib._best_of_trans(NULL, 0.1::float8 + 0.2::float8, true)::text::calib.best_of_state::text
         = 'bestof1 1 0.30000000000000004 1 1' AS reads_back;
SET extra_float_digits = -15;
SELECT 'bestof1 3 0.30000000000000004 2 2'::calib.best_of_state::text AS read_at_minus_15;
RESET extra_float_digits;

-- Binary form: version 1, flags 0, n = 1, k = 1, count 1, length 1, "a".
SELECT calib.vote_state_send('vote1 1 1 1:61');
SELECT calib.best_of_state_send('bestof1 2 0.5 1 1');

-- Binary round trip through COPY (the receive functions).
CREATE TABLE vstates (k int, v calib.vote_state, b calib.best_of_state);
INSERT INTO vstates VALUES
  (1, 'vote1 3 2 2:61 1:62', 'bestof1 1 0 1 0'),
  (2, 'wvote1 2 2 1:0.0000000000000000:61 1:ffffffffff.ffffffffffffffff:62', 'bestof1 7 -Infinity 7 3'),
  (3, (SELECT pg_temp.vstate(a) FROM generate_series(1, 300) AS i, LATERAL (SELECT (i % 37)::text AS a) x), NULL);
DO $$
DECLARE f text := '/tmp/calib_votes_state_' || pg_backend_pid() || '.bin';
BEGIN
    EXECUTE format('COPY vstates TO %L (FORMAT binary)', f);
    CREATE TEMP TABLE vback (LIKE vstates);
    EXECUTE format('COPY vback FROM PROGRAM %L (FORMAT binary)', 'cat ' || f || ' && rm -f ' || f);
END $$;
SELECT a.k, a.v::text = b.v::text AS vote_same, a.b::text IS NOT DISTINCT FROM b.b::text AS best_of_same,
       (calib._vote_final(b.v)).distinct_answers
FROM vstates a JOIN vback b USING (k) ORDER BY k;
DROP TABLE vstates;

--------------------------------------------------------- hostile text
-- 22P02: not of the form.
SELECT s, pg_temp.err(format('SELECT %L::calib.vote_state', s)) AS err
FROM (VALUES (''), ('vote1'), ('vote2 1 1 1:61'), ('vote1  1 1 1:61'), ('vote1 1 1 1:61 '),
             ('vote1 01 1 1:61'), ('vote1 -1 0'), ('vote1 1 1 1:6'), ('vote1 1 1 1:6G'),
             ('vote1 1 1 1:6A'), ('vote1 1 1 +1:61'), ('vote1 1 1 1;61'), ('vote1 2 1 1:61 1:62'),
             ('vote1 2 2 2:61'), ('vote1 99999999999999999999 0'), ('wvote1 1 1 1:61'),
             ('wvote1 1 1 1:1.0:61'), ('wvote1 1 1 1:-0.0000000000000000:61'), (' vote1 0 0')) AS t(s);
-- 22023: well formed, but no aggregate produces it.
SELECT s, pg_temp.err(format('SELECT %L::calib.vote_state', s)) AS err
FROM (VALUES ('vote1 1 1 0:61'), ('vote1 3 2 2:61 2:62'), ('vote1 3 2 1:61 1:62'),
             ('vote1 2 2 1:61 1:61'), ('vote1 1 0'),
             ('wvote1 1 1 1:-1.0000000000000000:61'),
             ('wvote1 1 1 1:10000000000.0000000000000000:61'),
             ('vote1 1 1 1:ff'), ('vote1 1 1 1:00')) AS t(s);
-- best_of_state: 22P02, then 22023.
SELECT s, pg_temp.err(format('SELECT %L::calib.best_of_state', s)) AS err
FROM (VALUES (''), ('bestof1 1 0 1'), ('bestof1 1 0.50 1 1'), ('bestof1 1 inf 1 1'),
             ('bestof1 1 0 1 1 '), ('bestof1 01 0 1 1'), ('bestof1 1  0 1 1'),
             ('bestof1 0 0 0 0'), ('bestof1 1 NaN 1 1'), ('bestof1 1 -0 1 1'),
             ('bestof1 2 0 3 1'), ('bestof1 2 0 1 2')) AS t(s);
-- The weighted and the plain transition do not mix states.
SELECT pg_temp.err($$SELECT calib._vote_trans('vote1 1 1 1:61'::calib.vote_state, 'a', 1.0)$$);
SELECT pg_temp.err($$SELECT calib._vote_combine('vote1 1 1 1:61', 'wvote1 1 1 1:1.0000000000000000:61')$$);

-- Outside an aggregate the functions copy: the stored state is unchanged.
CREATE TABLE vkeep (v calib.vote_state);
INSERT INTO vkeep VALUES ('vote1 1 1 1:61');
SELECT calib._vote_trans(v, 'a')::text AS added, calib._vote_combine(v, v)::text AS doubled, v::text AS kept
FROM vkeep;
DROP TABLE vkeep;
