-- Self-consistency functions on hand-worked cases.  Every expected value is
-- derived in the comment next to it.
\pset null '(null)'

-- Errors as SQLSTATE + message, so the output shows the code.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

------------------------------------------------------------ normalize_answer
-- One row per rule of docs/votes.md; U&'' spells the non-ASCII input.  The
-- input column names the zero-width characters: psql's width of them differs
-- between PostgreSQL versions (psql 15 gives them width 0, 17 and 18 width 1),
-- which would shift the table's alignment.
SELECT replace(replace(input, U&'\FEFF', '<BOM>'), U&'\200B', '<ZWSP>') AS input,
       calib.normalize_answer(input) AS normalized
FROM (VALUES
    ('  New   York  '),            -- trim + collapse
    (U&'NEW\00A0YORK'),            -- NBSP is whitespace
    (U&'x\2003\3000y'),            -- em space, ideographic space
    (U&'\FEFFyes\200B'),           -- BOM and zero-width space
    (U&'\00C9T\00C9'),             -- ÉTÉ -> été (simple case folding)
    (U&'\03A3\039F\03A6\0399\0391'), -- ΣΟΦΙΑ -> σοφια
    (U&'STRA\00DFE'),              -- ß has no simple folding: straße
    (U&'\1E9E'),                   -- ẞ -> ß (status S)
    (U&'\212A'),                   -- Kelvin sign -> k
    ('"Paris!"'),                  -- surrounding punctuation
    (U&'\201CParis\201D.'),        -- curly quotes
    ('**Paris**'),
    ('St. Louis'),                 -- inner punctuation stays
    ('f(x)'),                      -- no bracket balancing
    ('The Eiffel Tower'),          -- leading article
    ('an apple'),
    ('A'),                         -- a lone letter is not an article
    ('The The'),                   -- articles only while something remains
    ('the the cat'),
    ('1,000'),                     -- grouping commas
    ('1,234.50'),
    ('3.50'),                      -- trailing zeros
    ('2.0'),
    ('0.50'),
    ('.5'),                        -- leading zero added
    ('+2'),                        -- plus dropped
    (U&'\22122'),                  -- Unicode minus
    ('-0.0'),                      -- negative zero is zero
    ('007'),                       -- leading zeros
    ('50.0%'),                     -- percentages keep their sign
    ('1,00'),                      -- not a grouping: left alone
    ('1,5'),
    ('1e3'),                       -- no exponents
    ('$5'),                        -- currency symbols are not punctuation
    ('The answer is 1,000.00 meters.'),
    ('...'),                       -- nothing left
    ('')
) AS t(input);

SELECT calib.normalize_answer(NULL) AS strict_null;

-- Idempotent on everything above and on the demo-style answers.
SELECT bool_and(calib.normalize_answer(calib.normalize_answer(a)) = calib.normalize_answer(a)) AS idempotent
FROM (VALUES ('  The "1,000.50" '), (U&'\00DCBER.'), ('the the the'), ('-.50%'), (U&'\2212 .5')) AS t(a);

-- Long input: 1 000 000 copies of 'Ab. ' -> 'ab. ab. ... ab' (trailing '.'
-- and space stripped): 4 * 10^6 - 2 bytes.
SELECT length(calib.normalize_answer(repeat('Ab. ', 1000000))) AS long_len;

---------------------------------------------------------------------- vote
-- Raw answers 'Lyon', 'Paris', 'paris' (NULL skipped): three-way tie of one
-- vote each -> the smallest in byte order, 'Lyon' ('L' 0x4C < 'P' 0x50 <
-- 'p' 0x70); share 1/3; entropy ln 3 = 1.098612288668.
SELECT (v).answer, (v).votes, (v).n, round((v).share::numeric, 12) AS share,
       round((v).entropy::numeric, 12) AS entropy, (v).distinct_answers
FROM (SELECT calib.vote(a) AS v
      FROM (VALUES ('Paris'), ('paris'), ('Lyon'), (NULL)) AS t(a)) AS q;

-- Normalised: paris 2, lyon 1 -> paris, share 2/3 = 0.666666666667,
-- entropy -(2/3 ln 2/3 + 1/3 ln 1/3) = ln 3 - (2/3) ln 2 = 0.636514168295.
SELECT (v).answer, (v).votes, (v).n, round((v).share::numeric, 12) AS share,
       round((v).entropy::numeric, 12) AS entropy, (v).distinct_answers
FROM (SELECT calib.vote(calib.normalize_answer(a)) AS v
      FROM (VALUES ('Paris'), ('paris.'), ('Lyon'), (NULL)) AS t(a)) AS q;

-- Ties: 'ab' vs 'a' with two votes each -> 'a' (a proper prefix sorts
-- first); the empty string is an answer like any other and sorts first of all.
SELECT (calib.vote(a)).answer AS prefix_first
FROM (VALUES ('ab'), ('a'), ('ab'), ('a'), ('b')) AS t(a);
SELECT quote_literal((calib.vote(a)).answer) AS empty_first
FROM (VALUES ('x'), (''), ('y')) AS t(a);
-- Bytes compare unsigned: 'é' (0xC3 0xA9) after 'z'.
SELECT (calib.vote(a)).answer AS unsigned_bytes
FROM (VALUES (U&'\00E9'), ('z')) AS t(a);

-- A unanimous group: share 1, entropy 0.
SELECT (v).answer, (v).votes, (v).share, (v).entropy
FROM (SELECT calib.vote(a) AS v FROM (VALUES ('42'), ('42'), ('42')) AS t(a)) AS q;

-- No rows, only NULLs: NULL (the whole result).
SELECT calib.vote(a) IS NULL AS empty_is_null FROM (VALUES ('x')) AS t(a) WHERE false;
SELECT calib.vote(a) IS NULL AS nulls_is_null FROM (VALUES (NULL::text), (NULL)) AS t(a);

-- Composite field names and types are the contract.
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'calib.vote_result'::regclass AND attnum > 0 ORDER BY attnum;

------------------------------------------------------------- weighted vote
-- a: 0.5 + 0.5 = 1.0, b: 0.75; ('c', NULL) and (NULL, 2) are skipped, n = 3.
-- share 1 / 1.75 = 4/7 = 0.571428571429;
-- entropy -(4/7 ln 4/7 + 3/7 ln 3/7) = 0.682908104700.
SELECT (v).answer, (v).votes, (v).n, round((v).share::numeric, 12) AS share,
       round((v).entropy::numeric, 12) AS entropy, (v).distinct_answers
FROM (SELECT calib.vote(a, w) AS v
      FROM (VALUES ('a', 0.5), ('b', 0.75), ('a', 0.5), ('c', NULL), (NULL, 2)) AS t(a, w)) AS q;

-- Weights decide against counts: 'x' has one vote of 3, 'y' two of 1.
SELECT (calib.vote(a, w)).answer AS heavier
FROM (VALUES ('y', 1), ('x', 3), ('y', 1)) AS t(a, w);

-- Weighted tie, 0.25 each -> 'x' before 'y'.
SELECT (calib.vote(a, w)).answer AS weighted_tie
FROM (VALUES ('y', 0.125), ('x', 0.25), ('y', 0.125)) AS t(a, w);

-- Order independence in floating point: near 2^39 a double's unit in the
-- last place is 2^(-13), so in arrival order 2^39 + 2^(-14) + 2^(-14) is 2^39
-- (each 2^(-14) is half an ulp and rounds to even), while 2^(-14) + 2^(-14) + 2^39
-- is 2^39 + 2^(-13).  calib sums each answer's weights exactly (fixed point),
-- so 'x' has 2^39 + 2^(-13) whatever the order and ties with 'y' -> 'x' both
-- times.  Weights of 2^40 or more are refused (the exact sum's bound).
SELECT o, (calib.vote(a, w ORDER BY k)).answer AS winner,
       (calib.vote(a, w ORDER BY k)).votes = 2^39 + 2^(-13) AS exact_total
FROM (VALUES (1, 1, 'y', 2^39 + 2^(-13)), (1, 2, 'x', 2^39), (1, 3, 'x', 2^(-14)), (1, 4, 'x', 2^(-14)),
             (2, 1, 'y', 2^39 + 2^(-13)), (2, 2, 'x', 2^(-14)), (2, 3, 'x', 2^(-14)), (2, 4, 'x', 2^39)) AS t(o, k, a, w)
GROUP BY o ORDER BY o;
SELECT 2^39 + 2^(-14) + 2^(-14) = 2^39 AS arrival_order_loses_both,
       2^(-14) + 2^(-14) + 2^39 = 2^39 + 2^(-13) AS ascending_keeps_both;
SELECT pg_temp.err($$SELECT calib.vote('a', 2^40)$$);

-- All weights zero: the smallest answer, votes 0, share and entropy NULL.
SELECT (v).answer, (v).votes, (v).n, (v).share, (v).entropy
FROM (SELECT calib.vote(a, w) AS v FROM (VALUES ('b', 0.0), ('a', -0.0)) AS t(a, w)) AS q;

-- Bad weights: 22023, even on a row whose answer is NULL.
SELECT pg_temp.err($$SELECT calib.vote(a, w) FROM (VALUES ('a', -1.0)) AS t(a, w)$$);
SELECT pg_temp.err($$SELECT calib.vote(a, w) FROM (VALUES ('a', 'NaN'::float8)) AS t(a, w)$$);
SELECT pg_temp.err($$SELECT calib.vote(a, w) FROM (VALUES ('a', 'Infinity'::float8)) AS t(a, w)$$);
SELECT pg_temp.err($$SELECT calib.vote(a, w) FROM (VALUES (NULL, -0.5::float8)) AS t(a, w)$$);

------------------------------------------------------------------ agreement
-- counts {a: 2, b: 1, c: 1}, n = 4: (2*1) / (4*3) = 1/6 = 0.166666666667.
SELECT round(calib.agreement(a)::numeric, 12) AS agreement
FROM (VALUES ('a'), ('b'), ('a'), ('c'), (NULL)) AS t(a);
-- {a: 2}: 1;  {a, b}: 0;  one answer: NULL;  {a: 3, b: 2}: (6 + 2) / 20 = 0.4.
SELECT g, calib.agreement(a)
FROM (VALUES (1, 'a'), (1, 'a'), (2, 'a'), (2, 'b'), (3, 'a'), (3, NULL),
             (4, 'a'), (4, 'b'), (4, 'a'), (4, 'b'), (4, 'a')) AS t(g, a)
GROUP BY g ORDER BY g;

-------------------------------------------------------------------- best_of
-- p1: top -0.5 is wrong -> 0.   p2: two tied tops, one correct -> 0.5.
-- p3: the NULL score is skipped, -3 is the top and correct -> 1.
-- p4: only NULLs -> NULL.       p5: -inf is a score: the only one -> 0.
SELECT p, calib.best_of(s, c) AS best_of
FROM (VALUES (1, -1.2, true), (1, -0.5, false), (1, -0.9, true),
             (2, -0.5, true), (2, -0.5, false), (2, -2.0, true),
             (3, NULL, true), (3, -3.0, true),
             (4, NULL, true), (4, -1.0, NULL),
             (5, '-Infinity', false)) AS t(p, s, c)
GROUP BY p ORDER BY p;
-- Mean over p1..p3: (0 + 0.5 + 1) / 3 = 0.5.
SELECT avg(b) AS best_of_accuracy FROM (
    SELECT calib.best_of(s, c) AS b
    FROM (VALUES (1, -1.2, true), (1, -0.5, false), (1, -0.9, true),
                 (2, -0.5, true), (2, -0.5, false), (2, -2.0, true),
                 (3, -3.0, true)) AS t(p, s, c)
    GROUP BY p) AS q;
-- -0 and 0 are the same score: one of the two tied tops is correct -> 0.5.
SELECT calib.best_of(s, c) AS signed_zero FROM (VALUES ('-0'::float8, true), (0, false)) AS t(s, c);
SELECT pg_temp.err($$SELECT calib.best_of(s, true) FROM (VALUES ('NaN'::float8)) AS t(s)$$);
