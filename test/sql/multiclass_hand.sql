-- Probability vectors: hand-worked cases (each expected value is derived in
-- the comment above it), every error with its SQLSTATE, the state type's
-- text I/O, the jsonb readers, and parallel plans equal to serial ones.
SET extra_float_digits = 0;

-- Four rows, K = 3:
--   (0.7, 0.2, 0.1) label 1: top 0.7, correct
--   (0.3, 0.6, 0.1) label 1: top 0.6, wrong
--   (0.25, 0.25, 0.5) label 3: top 0.5, correct
--   (0.5, 0.5, 0) label 2: top 0.5 at option 1 (ties go to the lowest index), wrong
CREATE TABLE mc (probs float8[], label int);
INSERT INTO mc VALUES ('{0.7,0.2,0.1}', 1), ('{0.3,0.6,0.1}', 1), ('{0.25,0.25,0.5}', 3), ('{0.5,0.5,0}', 2),
                      (NULL, 1), ('{0.1,0.1,0.8}', NULL);   -- skipped

-- Top-label, 10 bins: (0.4,0.5]: 2 rows, conf 0.5, acc 0.5, gap 0;
-- (0.5,0.6]: conf 0.6, acc 0; (0.6,0.7]: conf 0.7, acc 1.
-- ECE = 1/4 * 0.6 + 1/4 * 0.3 = 0.225; MCE = 0.6.
-- 2 bins: (0,0.5]: 2 rows, gap 0; (0.5,1]: conf 0.65, acc 0.5 -> ECE = 1/2 * 0.15 = 0.075
SELECT round(calib.ece(probs, label)::numeric, 12) AS ece, calib.mce(probs, label) AS mce,
       round(calib.ece(probs, label, 2)::numeric, 12) AS ece2 FROM mc;
-- the same as the binary metrics on (max, argmax = label)
SELECT calib.ece(probs, label) = calib.ece(c, y) AS ece_equal,
       calib.mce(probs, label, 3) = calib.mce(c, y, 3) AS mce_equal,
       calib.reliability(probs, label, 4)::text = calib.reliability(c, y, 4)::text AS reliability_equal,
       calib.auroc(probs, label) = calib.auroc(c, y) AS auroc_equal
FROM (SELECT probs, label, (SELECT max(x) FROM unnest(probs) x) AS c,
             (SELECT min(i) FROM unnest(probs) WITH ORDINALITY u(x, i)
              WHERE x = (SELECT max(x) FROM unnest(probs) x)) = label AS y
      FROM mc WHERE probs IS NOT NULL AND label IS NOT NULL) s;
SELECT (r).bin, (r).n, (r).mean_confidence, (r).accuracy FROM (SELECT unnest(calib.reliability(probs, label, 2)) r FROM mc) s;
-- AUROC of conf (0.7 y, 0.6 n, 0.5 y, 0.5 n): pairs (pos, neg): (0.7,0.6) 1,
-- (0.7,0.5) 1, (0.5,0.6) 0, (0.5,0.5) 1/2 -> 2.5/4 = 0.625
SELECT calib.auroc(probs, label) FROM mc;

-- Classwise, 10 bins (src/test_multiclass.c works it out class by class):
-- (0.3125 + 0.3875 + 0.175) / 3 = 0.2916666...
SELECT round(calib.classwise_ece(probs, label)::numeric, 12) AS classwise FROM mc;
-- Full-ECE: |hits - sum p| per bin: [0,.1] 0.2, (.1,.2] 0.2, (.2,.3] 0.2,
-- (.4,.5] 0.5, (.5,.6] 0.6, (.6,.7] 0.3 -> 2.0 / 4 = 0.5
SELECT round(calib.full_ece(probs, label)::numeric, 12) AS full_ece FROM mc;
-- Brier: 0.14 + 0.86 + 0.375 + 0.5 = 1.875 -> 0.46875
-- NLL: -(ln 0.7 + ln 0.3 + 2 ln 0.5) / 4 = 0.73673552734614...
SELECT round(calib.brier(probs, label)::numeric, 12) AS brier,
       round(calib.nll(probs, label)::numeric, 12) AS nll,
       round((-(ln(0.7) + ln(0.3) + 2 * ln(0.5)) / 4)::numeric, 12) AS nll_expected FROM mc;
-- real[] input: the same as double precision[] holding the same floats
-- (0.7::real is 0.699999988..., so compare with those values, not 0.7)
SELECT calib.ece(probs::real[], label) = calib.ece(probs::real[]::float8[], label) AS ece_real,
       calib.classwise_ece(probs::real[], label) = calib.classwise_ece(probs::real[]::float8[], label) AS cw_real,
       calib.full_ece(probs::real[], label) = calib.full_ece(probs::real[]::float8[], label) AS full_real,
       calib.brier(probs::real[], label) = calib.brier(probs::real[]::float8[], label) AS brier_real
FROM mc;

-- K = 2: top-label ECE, binary ECE of (p1, label = 1) (classwise of one
-- class); Brier is twice the binary Brier of (p1, label = 1).
-- rows (0.8,0.2) 1, (0.3,0.7) 1, (0.5,0.5) 2
SELECT calib.ece(p, l) AS top, calib.ece(p[1], l = 1) AS binary_p1,
       calib.brier(p, l) AS brier, 2 * calib.brier(p[1], l = 1) AS twice_binary,
       calib.nll(p, l) = calib.nll(p[1], l = 1) AS nll_equal
FROM (VALUES ('{0.8,0.2}'::float8[], 1), ('{0.3,0.7}', 1), ('{0.5,0.5}', 2)) v(p, l);

-- Full-ECE of a truncated distribution equals the full one's:
-- full (0.5, 0.3, 0.08, 0.07, 0.05), top 3 (0.5, 0.3, 0.08); label 4 is 0 in the top 3.
SELECT l, calib.full_ece('{0.5,0.3,0.08,0.07,0.05}'::float8[], l) AS full_vector,
       calib.full_ece('{0.5,0.3,0.08}'::float8[], CASE WHEN l <= 3 THEN l ELSE 0 END) AS top3
FROM generate_series(1, 5) l GROUP BY l ORDER BY l;
-- one row, label 1 of (0.5, 0.3, 0.08, 0.07, 0.05):
-- [0,.1]: 0.2 of mass, no hit -> 0.2; (.2,.3]: 0.3, no hit -> 0.3; (.4,.5]: 0.5, hit -> 0.5: 1.0
SELECT calib.full_ece('{0.5,0.3,0.08}'::float8[], 1);

-- empty groups and skipped rows: NULL
SELECT calib.ece(probs, label), calib.classwise_ece(probs, label), calib.full_ece(probs, label),
       calib.brier(probs, label), calib.auroc(probs, label) FROM mc WHERE false;
SELECT calib.nll(NULL::float8[], 1), calib.ece('{1,0}'::float8[], NULL::int);

-- ------------------------------------------------------------ softmax
-- softmax(1, 2, 3) = (e^-2, e^-1, 1) / (1 + e^-1 + e^-2)
SELECT calib.softmax('{1,2,3}'::float8[]) AS s,
       ARRAY[exp(-2), exp(-1), 1] AS numerators, 1 + exp(-1) + exp(-2) AS denominator;
SELECT calib.softmax('{1000,1000}'::float8[]), calib.softmax('{0,"-Infinity",0}'::real[]),
       calib.softmax('{2,0}'::float8[], 2) = calib.softmax('{1,0}'::float8[]) AS halved;

-- --------------------------------------------------------- temperature
-- rows (2, 0) with label 1 three times in four: sigma(2/T) = 3/4, T = 2 / ln 3
SELECT m, calib.map_kind(m), abs((regexp_match(m::text, '\((.*)\)'))[1]::float8 - 2 / ln(3)) < 1e-12 AS t_is_2_over_ln3
FROM (SELECT calib.fit_temperature(z, l) AS m
      FROM (VALUES ('{2,0}'::float8[], 1), ('{2,0}', 1), ('{2,0}', 1), ('{2,0}', 2)) v(z, l)) s;
SELECT calib.apply('v1:vector_temperature(2)'::calib.map, '{2,0}'::float8[]) AS applied,
       calib.softmax('{1,0}'::float8[]) AS expected;
SELECT 'v1:vector_temperature(1.5)'::calib.map::text, calib._map_send('v1:vector_temperature(1.5)');
-- maps stored by 0.1.0 read as before
SELECT 'v1:temperature(1.5)'::calib.map::text, calib._map_send('v1:temperature(1.5)');

-- ---------------------------------------------------------- errors
-- each call through pg_temp.err, which shows the SQLSTATE with the message
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'no error: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN sqlstate || ': ' || sqlerrm;
END $$;
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,0.3,0.3}'::float8[], 1)$q$);           -- 22023 sum
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,0.5,NaN}'::float8[], 1)$q$);           -- 22023 NaN at 3
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,0.5,Infinity}'::float8[], 1)$q$);
SELECT pg_temp.err($q$SELECT calib.ece('{1.5,-0.5}'::float8[], 1)$q$);              -- 22023 above 1 at 1
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,-0.5,1}'::float8[], 1)$q$);            -- negative at 2
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,NULL,0.5}'::float8[], 1)$q$);          -- NULL at 2
SELECT pg_temp.err($q$SELECT calib.ece('{}'::float8[], 1)$q$);                      -- empty
SELECT pg_temp.err($q$SELECT calib.ece('{{0.5,0.5}}'::float8[], 1)$q$);             -- two dimensions
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,0.5}'::float8[], 3)$q$);               -- label outside 1..2
SELECT pg_temp.err($q$SELECT calib.ece('{0.5,0.5}'::float8[], 0)$q$);
SELECT pg_temp.err($q$SELECT calib.full_ece('{0.5,0.5}'::float8[], -1)$q$);         -- label outside 0..2
SELECT pg_temp.err($q$SELECT calib.full_ece('{0.5,0.3}'::float8[], 1)$q$);          -- truncated, smallest 0.3 > 0.1
SELECT pg_temp.err($q$SELECT calib.full_ece('{0.5,0.5}'::float8[], 0)$q$);          -- label 0: also a truncation
SELECT pg_temp.err($q$SELECT calib.full_ece('{0.5,0.3}'::float8[], 1, 3)$q$);       -- 0.3 <= 1/3: fine
SELECT pg_temp.err($q$SELECT calib.brier('{0.5,0.3}'::float8[], 1)$q$);             -- brier needs the whole vector
SELECT pg_temp.err($q$SELECT calib.classwise_ece(p, 1) FROM (VALUES ('{1,0}'::float8[]), ('{1,0,0}')) v(p)$q$);  -- K differs
SELECT pg_temp.err($q$SELECT calib.classwise_ece('{1,0}'::float8[], 1, 0)$q$);      -- bins
SELECT pg_temp.err($q$SELECT calib.classwise_ece('{1,0}'::float8[], 1, NULL)$q$);   -- 22004
SELECT pg_temp.err($q$SELECT calib.classwise_ece(array_fill(0.0001::float8, ARRAY[10000]), 1, 10000)$q$);  -- too many cells
SELECT pg_temp.err($q$SELECT calib.ece(p, 1, b) FROM (VALUES ('{1,0}'::float8[], 5), ('{1,0}', 6)) v(p, b)$q$);   -- bins differ
SELECT pg_temp.err($q$SELECT calib.softmax('{1,NaN}'::float8[])$q$);
SELECT pg_temp.err($q$SELECT calib.softmax('{1,Infinity}'::float8[])$q$);
SELECT pg_temp.err($q$SELECT calib.softmax('{-Infinity,-Infinity}'::float8[])$q$);
SELECT pg_temp.err($q$SELECT calib.softmax('{1,2}'::float8[], 0)$q$);
SELECT pg_temp.err($q$SELECT calib.softmax('{1,2}'::float8[], 'NaN')$q$);
SELECT pg_temp.err($q$SELECT calib.apply('v1:vector_temperature(2)'::calib.map, 0.5::float8)$q$);   -- vector map, scalar
SELECT pg_temp.err($q$SELECT calib.apply('v1:temperature(2)'::calib.map, '{1,2}'::float8[])$q$);   -- scalar map, vector
SELECT pg_temp.err($q$SELECT calib.apply('v1:vector_temperature(0)'::calib.map, '{1,2}'::float8[])$q$);  -- 22P02 T must be > 0
SELECT pg_temp.err($q$SELECT calib.fit_temperature(z, 1) FROM (VALUES ('{2,0}'::float8[]), ('{3,1}')) v(z)$q$);  -- separable: 22000
SELECT pg_temp.err($q$SELECT calib.fit_temperature('{"-Infinity",0}'::float8[], 1)$q$);   -- label's logit -inf

-- --------------------------------------------------- calib.vector_state
SELECT calib._vec_full_trans(NULL, '{0.5,0.3,0.2}'::float8[], 2, 2)::text;
SELECT calib._vec_classwise_trans(NULL, '{0.5,0.5}'::float8[], 2, 2)::text;
SELECT 'brier:v1:n=2:1.8000000000000000'::calib.vector_state::text AS round_trip,
       calib._vec_brier_final('brier:v1:n=2:1.8000000000000000') AS mean;   -- 1.5 / 2
SELECT pg_temp.err($q$SELECT 'brier:v1:n=1:0.2'::calib.vector_state$q$);             -- 22P02
SELECT pg_temp.err($q$SELECT 'nonsense'::calib.vector_state$q$);                     -- 22P02
SELECT pg_temp.err($q$SELECT 'brier:v1:n=1:3.0000000000000000'::calib.vector_state$q$);   -- 22023: above 2 + 2^-39 per row
-- a row within the 1e-6 tolerance scores 2 + 1e-12 (all on a wrong class, 1e-6
-- on another): its state is valid and its text reads back
SELECT s::text, s::text::calib.vector_state::text = s::text AS reads_back
FROM (SELECT calib._vec_brier_trans(NULL, '{0,1,1e-6}'::float8[], 1) AS s) AS t;
SELECT pg_temp.err($q$SELECT 'classwise:v1:k=2:bins=1:n=1:1,1,0.8000000000000000;1,1,0.8000000000000000'::calib.vector_state$q$);  -- 2 labels
SELECT pg_temp.err($q$SELECT calib._vec_combine('nll:v1:n=9223372036854775807:0.0000000000000000', 'nll:v1:n=1:0.0000000000000000')$q$);  -- 22003
SELECT pg_temp.err($q$SELECT calib._vec_combine('nll:v1:n=1:0.0000000000000000', 'brier:v1:n=1:0.0000000000000000')$q$);  -- 22023
SELECT pg_temp.err($q$SELECT calib._vec_full_ece_final('brier:v1:n=1:0.0000000000000000')$q$);   -- 22023
-- the wire form (the unit tests read it back)
SELECT calib._vector_state_send('classwise:v1:k=1:bins=1:n=1:1,1,0.8000000000000000');

-- ------------------------------------------------------ stored responses
-- chat shape: the first token has no option; the second has " B" and "A"
-- and "B" (both B tokens add up: ln(e^-1 + e^-2)).
SELECT calib.option_logprobs('{"choices":[{"logprobs":{"content":[
  {"token":"The","logprob":-0.1,"top_logprobs":[{"token":"The","logprob":-0.1},{"token":"So","logprob":-3}]},
  {"token":" B","logprob":-1,"top_logprobs":[{"token":" B","logprob":-1},{"token":"A","logprob":-1.5},{"token":"B","logprob":-2}]}
]}}]}'::jsonb, ARRAY['A', 'B', 'C', 'D']) AS lp, ln(exp(-1) + exp(-2)) AS b_expected;
-- legacy completions shape, options given with white space
SELECT calib.softmax(calib.option_logprobs('{"token_logprobs":[-0.2],"tokens":[" A"],"top_logprobs":[{" A":-0.2," C":-1.9}]}'::jsonb,
                                           ARRAY[' A ', 'B', 'C']));
SELECT calib.option_logprobs('{"token_logprobs":[-0.2],"top_logprobs":[{" X":-0.2}]}'::jsonb, ARRAY['A']) IS NULL AS no_option;
SELECT calib.option_logprobs('[]'::jsonb, ARRAY['A']) IS NULL AS empty;
SELECT pg_temp.err($q$SELECT calib.option_logprobs('{"token_logprobs":[-0.2]}'::jsonb, ARRAY['A'])$q$);      -- no top_logprobs: 22023
SELECT pg_temp.err($q$SELECT calib.option_logprobs('[]'::jsonb, ARRAY['A', NULL])$q$);                       -- 22023
SELECT pg_temp.err($q$SELECT calib.option_logprobs('[]'::jsonb, ARRAY[]::text[])$q$);
SELECT pg_temp.err($q$SELECT calib.option_logprobs('[]'::jsonb, ARRAY[' '])$q$);
-- Full-ECE inputs: the token's index among its alternatives, 0 when absent
SELECT * FROM calib.token_distributions('{"choices":[{"logprobs":{"content":[
  {"token":"a","logprob":-0.1,"top_logprobs":[{"token":"b","logprob":-2.4},{"token":"a","logprob":-0.1}]},
  {"token":"c","logprob":-5,"top_logprobs":[{"token":"d","logprob":-0.2},{"token":"e","logprob":-2}]}
]}}]}');
SELECT * FROM calib.token_distributions('{"tokens":["x","y"],"token_logprobs":[-0.5,-1],
  "top_logprobs":[{"y":-1.2,"x":-0.5},{"y":-1,"z":-0.7}]}');
SELECT pg_temp.err($q$SELECT * FROM calib.token_distributions('{"tokens":["x"],"token_logprobs":[-0.5,-1],"top_logprobs":[{"x":-0.5},{"z":-1}]}')$q$);  -- ragged: 22023
-- straight into full_ece
SELECT calib.full_ece(probs, label) FROM calib.token_distributions('{"choices":[{"logprobs":{"content":[
  {"token":"a","logprob":-0.1,"top_logprobs":[{"token":"a","logprob":-0.1},{"token":"b","logprob":-2.4}]},
  {"token":"c","logprob":-5,"top_logprobs":[{"token":"d","logprob":-0.2},{"token":"e","logprob":-3}]}
]}}]}');

-- ------------------------------------------------- parallel = serial
SELECT setseed(0.5);
CREATE TABLE mcpar AS
SELECT i, i % 3 AS g, p, 1 + (i * 7) % 4 AS label
FROM (SELECT i, ARRAY[a / s, b / s, c / s, d / s] AS p
      FROM (SELECT i, a, b, c, d, a + b + c + d AS s
            FROM (SELECT i, random() AS a, random() AS b, random() AS c,
                         CASE WHEN i % 5 = 0 THEN 0 ELSE random() END AS d
                  FROM generate_series(1, 30000) i) r) r2) r3;
UPDATE mcpar SET p = '{0.25,0.25,0.25,0.25}' WHERE i % 11 = 0;   -- uniform rows, ties
UPDATE mcpar SET p = '{0,1,0,0}' WHERE i % 13 = 0;               -- one-hot
ANALYZE mcpar;
-- logits: 3 ln p (with these unrelated labels the fit is near-uniform, T large)
CREATE TABLE mclogits AS
SELECT label, ARRAY(SELECT 3 * ln(greatest(v, 1e-9)) FROM unnest(p) v) AS z FROM mcpar;
ANALYZE mclogits;
-- every aggregate per group and over the whole table; exact sums make the
-- parallel states byte-identical, so the texts are compared for equality
CREATE VIEW mcv AS
SELECT g, calib.ece(p, label) AS ece, calib.mce(p, label, 7) AS mce,
       calib.reliability(p, label, 5) AS rel, calib.classwise_ece(p, label, 15) AS cw,
       calib.full_ece(p, label) AS full, calib.brier(p, label) AS brier,
       calib.nll(p, label) AS nll, calib.auroc(p, label) AS auroc,
       calib.ece(p::real[], label) AS ece_real
FROM mcpar GROUP BY g
UNION ALL
SELECT -1, calib.ece(p, label), calib.mce(p, label, 7), calib.reliability(p, label, 5),
       calib.classwise_ece(p, label, 15), calib.full_ece(p, label), calib.brier(p, label),
       calib.nll(p, label), calib.auroc(p, label), calib.ece(p::real[], label)
FROM mcpar;
SET max_parallel_workers_per_gather = 0;
SELECT string_agg(mcv::text, ';' ORDER BY g) AS serial_all FROM mcv \gset
SELECT calib.fit_temperature(z, label) AS t_serial FROM mclogits \gset
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT g, calib.ece(p, label), calib.full_ece(p, label), calib.auroc(p, label) FROM mcpar GROUP BY g;
CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF line ~ 'Workers Launched: ' THEN
            RETURN substring(line FROM 'Workers Launched: (\d+)')::int;
        END IF;
    END LOOP;
    RETURN 0;
END $$;
SELECT pg_temp.workers_launched('SELECT * FROM mcv') > 0 AS workers_ran,
       pg_temp.workers_launched('SELECT calib.fit_temperature(z, label) FROM mclogits') > 0 AS fit_workers_ran;
SELECT string_agg(mcv::text, ';' ORDER BY g) AS parallel_all FROM mcv \gset
SELECT calib.fit_temperature(z, label) AS t_parallel FROM mclogits \gset
RESET ALL;
SET extra_float_digits = 0;
SELECT :'serial_all' = :'parallel_all' AS parallel_equals_serial,
       length(:'serial_all') > 1000 AS compared_something;
-- the fit sorts its rows first: the same bits in parallel and in any row order
SELECT :'t_serial' = :'t_parallel' AS temperature_identical,
       (SELECT calib.fit_temperature(z, label)::text FROM (SELECT * FROM mclogits ORDER BY random()) s)
         = :'t_serial' AS shuffled_identical;
