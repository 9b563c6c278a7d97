-- Hand-worked cases for every core aggregate.  Each expected number is
-- derived in the comment above its query; results are rounded to 6 places.
SET extra_float_digits = 0;

-- Data A: four rows, ordered by id.
--   id c    correct
--   1  0.2  f
--   2  0.5  t
--   3  0.8  t
--   4  1.0  f
CREATE TEMP TABLE a (id int, c float8, y bool);
INSERT INTO a VALUES (1, 0.2, false), (2, 0.5, true), (3, 0.8, true), (4, 1.0, false);

-- Two bins (0, .5] and (.5, 1]:
--   bin 1 {0.2 f, 0.5 t}: conf .35, acc .5, gap .15
--   bin 2 {0.8 t, 1.0 f}: conf .90, acc .5, gap .40
--   ECE = .5*.15 + .5*.40 = .275;  MCE = .40;
--   RMSCE = sqrt(.5*.0225 + .5*.16) = sqrt(.09125) = .302076
-- One bin: |mean conf .625 - acc .5| = .125 for all three.
-- Default 10 bins: every row alone in its bin (0.2 -> bin 2, 0.5 -> 5,
--   0.8 -> 8, 1.0 -> 10): ECE = (.2 + .5 + .2 + 1) / 4 = .475, MCE = 1.
SELECT round(calib.ece(c, y, 2)::numeric, 6)   AS ece2,
       round(calib.mce(c, y, 2)::numeric, 6)   AS mce2,
       round(calib.rmsce(c, y, 2)::numeric, 6) AS rmsce2,
       round(calib.ece(c, y, 1)::numeric, 6)   AS ece1,
       round(calib.rmsce(c, y, 1)::numeric, 6) AS rmsce1,
       round(calib.ece(c, y)::numeric, 6)      AS ece10,
       round(calib.mce(c, y)::numeric, 6)      AS mce10
FROM a;

-- Brier = ((.2-0)^2 + (.5-1)^2 + (.8-1)^2 + (1-0)^2) / 4 = (.04+.25+.04+1)/4 = .3325
-- NLL: -ln .8 = .223144, -ln .5 = .693147, -ln .8 = .223144, and the wrong
--   answer at confidence 1 is clipped to 1 - eps: -ln(eps) = 52 ln 2 = 36.043653;
--   mean = 37.183088 / 4 = 9.295772
-- AUROC: correct {.5, .8} vs wrong {.2, 1.0}: pairs (.5,.2)=1 (.5,1)=0
--   (.8,.2)=1 (.8,1)=0 -> 2/4 = .5
-- ACE, 2 bins: sorted .2 .5 .8 1.0, median at position 1.5 = .5 + .5*.3 = .65
--   -> the same two bins as above, .275.  ACE 1 bin = .125.
SELECT round(calib.brier(c, y)::numeric, 6)  AS brier,
       round(calib.nll(c, y)::numeric, 6)    AS nll,
       round(calib.auroc(c, y)::numeric, 6)  AS auroc,
       round(calib.ace(c, y, 2)::numeric, 6) AS ace2,
       round(calib.ace(c, y, 1)::numeric, 6) AS ace1
FROM a;

-- Reliability, 2 bins: both bins n = 2, one correct; Wilson 95% for 1 of 2:
--   (.5 + z^2/4 -+ z sqrt(1/8 + z^2/16)) / (1 + z^2/2) = [.094531, .905469]
SELECT b.bin, b.lower, b.upper, b.n,
       round(b.mean_confidence::numeric, 6) AS conf, round(b.accuracy::numeric, 6) AS acc,
       round(b.gap::numeric, 6) AS gap,
       round(b.ci_low::numeric, 6) AS ci_low, round(b.ci_high::numeric, 6) AS ci_high
FROM (SELECT calib.reliability(c, y, 2) AS r FROM a) q, unnest(q.r) b;

-- Brier decomposition, 2 bins: overall acc .5 -> uncertainty .25;
--   reliability = .09125 (the squared gaps above); resolution = 0 (both bins
--   have accuracy .5);  within_bin = .3325 - (.09125 - 0 + .25) = -.00875,
--   which is WBV - WBC: within-bin variance of conf (.045 + .02)/4 = .01625
--   minus 2/4 * within-bin covariance sum (.15 - .10) = .025.
SELECT round((d).brier::numeric, 6) AS brier, round((d).reliability::numeric, 6) AS rel,
       round((d).resolution::numeric, 6) AS res, round((d).uncertainty::numeric, 6) AS unc,
       round((d).within_bin::numeric, 6) AS within_bin
FROM (SELECT calib.brier_decomposition(c, y, 2) AS d FROM a) q;

-- Rows with a NULL confidence or a NULL correct are skipped: same as above.
SELECT round(calib.ece(c, y, 2)::numeric, 6) AS ece2, round(calib.brier(c, y)::numeric, 6) AS brier,
       round(calib.auroc(c, y)::numeric, 6) AS auroc, round(calib.ace(c, y, 2)::numeric, 6) AS ace2,
       round(calib.nll(c, y)::numeric, 6) AS nll,
       cardinality(calib.reliability(c, y, 2)) AS bins,
       (calib.reliability(c, y, 2))[1].n AS n1
FROM (SELECT c, y FROM a UNION ALL VALUES (NULL, true), (0.3, NULL), (NULL, NULL)) s(c, y);

-- The bin convention on the edges: k::float8/10 for k = 0..10, all correct.
-- Bins are (k/10, (k+1)/10], the first also holds 0: 0 and 0.1 -> bin 1,
-- 0.2 -> bin 2, ..., 1.0 -> bin 10.  The next double above 0.1
-- (0.10000000000000002) is in bin 2.
-- ECE (all correct) = 1 - mean conf = 1 - 5.5/11 = .5; MCE = bin 1: 1 - .05 = .95.
CREATE TEMP TABLE edges AS SELECT k::float8 / 10 AS c, true AS y FROM generate_series(0, 10) k;
SELECT b.bin, b.lower, b.upper, b.n, round(b.mean_confidence::numeric, 6) AS conf
FROM (SELECT calib.reliability(c, y) AS r FROM edges) q, unnest(q.r) b;
SELECT round(calib.ece(c, y)::numeric, 6) AS ece, round(calib.mce(c, y)::numeric, 6) AS mce
FROM edges;
SELECT (calib.reliability(0.10000000000000002::float8, true))[2].n AS next_after_edge_in_bin2,
       (calib.reliability(0.3::float8, true))[3].n AS literal_03_in_bin3,
       (calib.reliability(0.3::float8, true, 3))[1].n AS third_edge_in_bin1;

-- All correct {.9, .9, .6}: bins (.8,.9] n 2 gap .1, (.5,.6] n 1 gap .4 ->
--   ECE = (2*.1 + .4)/3 = .2; Brier = (.01+.01+.16)/3 = .06;
--   NLL = (2*.105361 + .510826)/3 = .240516; AUROC NULL (no wrong answer).
-- All wrong {0, .25}: ECE = mean conf = .125; Brier = (0 + .0625)/2 = .03125;
--   NLL = (-ln(1 - eps) + -ln .75)/2 = (2.2e-16 + .287682)/2 = .143841; AUROC NULL.
SELECT g, round(calib.ece(c, y)::numeric, 6) AS ece, round(calib.brier(c, y)::numeric, 6) AS brier,
       round(calib.nll(c, y)::numeric, 6) AS nll, calib.auroc(c, y) AS auroc
FROM (VALUES ('all correct', 0.9, true), ('all correct', 0.9, true), ('all correct', 0.6, true),
             ('all wrong', 0.0, false), ('all wrong', 0.25, false)) v(g, c, y)
GROUP BY g ORDER BY g;

-- A single row (.7, correct): every gap is .3; Brier .09; NLL -ln .7 = .356675;
-- reliability bin 7 (.6, .7], Wilson 1 of 1 = [1/(1 + z^2), 1] = [.206549, 1].
SELECT round(calib.ece(0.7, true)::numeric, 6) AS ece, round(calib.mce(0.7, true)::numeric, 6) AS mce,
       round(calib.rmsce(0.7, true)::numeric, 6) AS rmsce, round(calib.ace(0.7, true)::numeric, 6) AS ace,
       round(calib.brier(0.7, true)::numeric, 6) AS brier, round(calib.nll(0.7, true)::numeric, 6) AS nll,
       calib.auroc(0.7, true) AS auroc;
SELECT b.bin, b.n, round(b.ci_low::numeric, 6) AS ci_low, b.ci_high
FROM (SELECT calib.reliability(0.7, true) AS r) q, unnest(q.r) b WHERE b.n > 0;

-- Ties in AUROC count one half: correct {.5, .5, .9}, wrong {.5, .1}:
--   (.5,.5)=.5 twice, (.5,.1)=1 twice, (.9,.5)=1, (.9,.1)=1 -> 5/6 = .833333
SELECT round(calib.auroc(c, y)::numeric, 6) AS auroc
FROM (VALUES (0.5, true), (0.5, true), (0.9, true), (0.5, false), (0.1, false)) v(c, y);

-- ACE never splits ties and puts a value equal to an edge in the lower bin:
-- {.5 t, .5 t, .5 f, .7 f}, 3 bins: percentile_cont at 1/3 and 2/3 are both
-- .5, so bin 1 = the three .5 (conf .5, acc 2/3, gap 1/6), bin 2 is empty
-- (skipped), bin 3 = {.7 f} (gap .7): ACE = 3/4 * 1/6 + 1/4 * .7 = .3
SELECT percentile_cont(ARRAY[1::float8 / 3, 2::float8 / 3]) WITHIN GROUP (ORDER BY c) AS edges,
       round(calib.ace(c, y, 3)::numeric, 6) AS ace3
FROM (VALUES (0.5, true), (0.5, true), (0.5, false), (0.7, false)) v(c, y);

-- No rows (or only skipped rows): every aggregate is NULL.
SELECT calib.ece(c, y) IS NULL AS ece, calib.mce(c, y, 5) IS NULL AS mce, calib.rmsce(c, y) IS NULL AS rmsce,
       calib.ace(c, y) IS NULL AS ace, calib.brier(c, y) IS NULL AS brier, calib.nll(c, y) IS NULL AS nll,
       calib.auroc(c, y) IS NULL AS auroc, calib.reliability(c, y) IS NULL AS reliability,
       calib.brier_decomposition(c, y) IS NULL AS decomposition
FROM a WHERE false;
SELECT calib.ece(c, y, 3) IS NULL AS ece, calib.auroc(c, y) IS NULL AS auroc,
       calib.reliability(c, y, 3) IS NULL AS reliability, calib.brier(c, y) IS NULL AS brier
FROM (VALUES (NULL::float8, true), (0.5, NULL::bool)) v(c, y);

-- -0.0 is 0: bin 1, mean confidence printed as 0, not -0.
SELECT (r[1]).n, (r[1]).mean_confidence::text AS conf, calib_ece::text AS ece
FROM (SELECT calib.reliability('-0'::float8, false) AS r, calib.ece('-0'::float8, false) AS calib_ece) q;

-- Largest bin count: 10000 bins, c = .5 correct -> ECE .5; bin 5000 holds it.
SELECT calib.ece(0.5, true, 10000) AS ece,
       cardinality(calib.reliability(0.5, true, 10000)) AS bins,
       (calib.reliability(0.5, true, 10000))[5000].n AS n5000;

-- Window use.  Running (growing frame) over A in id order, 2 bins:
--   ECE  rows 1: .2 | 1-2: bin1 {.2f,.5t} .15 | 1-3: (2*.15 + .2)/3 = .166667 | 1-4: .275
--   MCE  .2 | .15 | .2 | .4
--   RMSCE .2 | .15 | sqrt((2*.0225 + .04)/3) = .168325 | .302076
--   ACE  .2 | edge .35: .2 and .5 apart -> (.2+.5)/2 = .35 | edge .5: as ECE .166667 | .275
--   AUROC NULL | 1 | 1 | .5
--   Brier .04 | .145 | .11 | .3325
--   NLL  .223144 | .458145 | .379811 | 9.295772
--   reliability bin 2 n: 0 | 0 | 1 | 2 ; decomposition brier = Brier
SELECT id,
       round(calib.ece(c, y, 2) OVER w::numeric, 6)   AS ece,
       round(calib.mce(c, y, 2) OVER w::numeric, 6)   AS mce,
       round(calib.rmsce(c, y, 2) OVER w::numeric, 6) AS rmsce,
       round(calib.ace(c, y, 2) OVER w::numeric, 6)   AS ace,
       round(calib.auroc(c, y) OVER w::numeric, 6)    AS auroc,
       round(calib.brier(c, y) OVER w::numeric, 6)    AS brier,
       round(calib.nll(c, y) OVER w::numeric, 6)      AS nll,
       (calib.reliability(c, y, 2) OVER w)[2].n       AS bin2_n,
       round((calib.brier_decomposition(c, y, 2) OVER w).brier::numeric, 6) AS decomp_brier
FROM a WINDOW w AS (ORDER BY id) ORDER BY id;

-- Moving frame, the row and the one before it, 2 bins:
--   ECE {1}: .2 | {1,2}: .15 | {2,3} = {.5t},{.8t}: (.5 + .2)/2 = .35 | {3,4} = bin 2 .4
--   AUROC {1}: NULL | {1,2}: 1 | {2,3}: NULL (all correct) | {3,4}: .8t below 1.0f -> 0
SELECT id,
       round(calib.ece(c, y, 2) OVER w::numeric, 6) AS ece,
       calib.auroc(c, y) OVER w AS auroc
FROM a WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY id;
