-- Every core aggregate against a second implementation in plain SQL, on
-- seeded generated data with many GROUP BY groups and the edge cases the
-- issue names.  The reference functions below take the group's rows as two
-- arrays and define each metric directly (per-row bin search, percentile_cont,
-- mid-ranks), sharing nothing with the C code.  Each comparison prints the
-- number of groups compared and how many disagree (tolerance 1e-12, counts
-- and bin edges exactly).
SET extra_float_digits = 0;
CREATE SCHEMA ref;

-- The (confidence, correct) pairs of a group, NULL pairs skipped.
CREATE FUNCTION ref.rows(c float8[], y bool[])
RETURNS TABLE (c float8, y bool) LANGUAGE sql IMMUTABLE AS $$
    SELECT u.c, u.y FROM unnest(c, y) u(c, y) WHERE u.c IS NOT NULL AND u.y IS NOT NULL
$$;

-- How many values of an ascending array lie strictly below x, by binary
-- search: with neg_desc = the array negated and reversed,
-- width_bucket(-x, neg_desc) counts the values >= x (duplicates included).
CREATE FUNCTION ref.neg_desc(a float8[]) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(-v ORDER BY v DESC), '{}') FROM unnest(a) v
$$;
CREATE FUNCTION ref.count_below(x float8, neg_desc float8[]) RETURNS int LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(neg_desc) - width_bucket(-x, neg_desc)
$$;

-- Every bin 1..b of b right-closed bins with its rows: n, mean confidence,
-- accuracy, correct count.  A row's bin is 1 + the number of inner edges
-- k::float8/b (k = 1 .. b-1) strictly below its confidence, so 0 and the
-- edge values land in the lower bin.
CREATE FUNCTION ref.bins(c float8[], y bool[], b int)
RETURNS TABLE (bin int, n bigint, conf float8, acc float8, k bigint)
LANGUAGE sql IMMUTABLE AS $$
    WITH e AS MATERIALIZED (SELECT ref.neg_desc(ARRAY(SELECT k::float8 / b FROM generate_series(1, b - 1) k)) AS nd),
    r AS MATERIALIZED (SELECT r.c, r.y, 1 + ref.count_below(r.c, e.nd) AS bin FROM ref.rows(c, y) r, e)
    SELECT s.bin, count(r.c), avg(r.c), avg(r.y::int::float8), count(*) FILTER (WHERE r.y)
    FROM generate_series(1, b) s(bin) LEFT JOIN r ON r.bin = s.bin
    GROUP BY s.bin
$$;

-- ECE, MCE and RMSCE from the bins.
CREATE FUNCTION ref.binned(c float8[], y bool[], b int, ece OUT float8, mce OUT float8, rmsce OUT float8)
LANGUAGE sql IMMUTABLE AS $$
    SELECT sum(n * abs(conf - acc)) / nullif(sum(n), 0),
           max(abs(conf - acc)),
           sqrt(sum(n * (conf - acc) ^ 2) / nullif(sum(n), 0))
    FROM ref.bins(c, y, b)
$$;
CREATE FUNCTION ref.ece(c float8[], y bool[], b int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT ece FROM ref.binned(c, y, b)
$$;

-- Wilson score interval, 95%: z = 1.959963984540054 (the 0.975 normal quantile).
CREATE FUNCTION ref.wilson(k bigint, n bigint, lo OUT float8, hi OUT float8)
LANGUAGE sql IMMUTABLE AS $$
    SELECT (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n))) / (1 + z * z / n),
           (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n))) / (1 + z * z / n)
    FROM (SELECT k::float8 / n AS p, 1.959963984540054::float8 AS z) s
    WHERE n > 0
$$;

CREATE FUNCTION ref.reliability(c float8[], y bool[], b int) RETURNS SETOF calib.bin
LANGUAGE sql IMMUTABLE AS $$
    SELECT bin, (bin - 1)::float8 / b, bin::float8 / b, n, conf, acc, conf - acc, w.lo, w.hi
    FROM ref.bins(c, y, b) LEFT JOIN LATERAL ref.wilson(k, n) w ON true
    ORDER BY bin
$$;

CREATE FUNCTION ref.brier(c float8[], y bool[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT avg((r.c - r.y::int) ^ 2) FROM ref.rows(c, y) r
$$;

-- Log loss with the confidence clipped to [eps, 1 - eps], eps = 2^-52.
CREATE FUNCTION ref.nll(c float8[], y bool[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT avg(-ln(CASE WHEN r.y THEN p ELSE 1 - p END))
    FROM ref.rows(c, y) r,
         LATERAL (SELECT least(greatest(r.c, 2::float8 ^ -52), 1 - 2::float8 ^ -52) AS p) q
$$;

-- AUROC by the rank formula: U = (sum of mid-ranks of the correct rows)
-- - n1 (n1 + 1) / 2, AUROC = U / (n1 n0); NULL when a class is absent.
CREATE FUNCTION ref.auroc(c float8[], y bool[]) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT ((sum(r) FILTER (WHERE y) - n1 * (n1 + 1) / 2.0)
            / nullif(n1 * (n - n1), 0))::float8
    FROM (SELECT r.y,
                 rank() OVER (ORDER BY r.c) + (count(*) OVER (PARTITION BY r.c) - 1) / 2.0 AS r,
                 count(*) FILTER (WHERE r.y) OVER () AS n1,
                 count(*) OVER () AS n
          FROM ref.rows(c, y) r) s
    GROUP BY n1, n
$$;

-- Adaptive ECE: inner edges from percentile_cont at k::float8/b; a row goes
-- to bin 1 + #(edges strictly below it); empty bins do not count.
CREATE FUNCTION ref.ace(c float8[], y bool[], b int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    WITH r AS MATERIALIZED (SELECT * FROM ref.rows(c, y)),
    e AS MATERIALIZED (SELECT percentile_cont(ARRAY(SELECT k::float8 / b FROM generate_series(1, b - 1) k))
                 WITHIN GROUP (ORDER BY r.c) AS edges FROM r),
    binned AS (SELECT ref.count_below(r.c, ref.neg_desc(e.edges)) AS bin, r.c, r.y FROM r, e),
    per AS (SELECT count(*) AS n, avg(c) AS conf, avg(y::int::float8) AS acc FROM binned GROUP BY bin)
    SELECT sum(n * abs(conf - acc)) / nullif(sum(n), 0) FROM per
$$;

-- Murphy's decomposition over the equal-width bins, and the within-bin
-- term written out as within-bin variance of the confidence minus twice the
-- within-bin covariance of confidence and outcome (Stephenson et al. 2008).
CREATE FUNCTION ref.brier_parts(c float8[], y bool[], b int) RETURNS calib.brier_parts
LANGUAGE sql IMMUTABLE AS $$
    WITH e AS MATERIALIZED (SELECT ref.neg_desc(ARRAY(SELECT k::float8 / b FROM generate_series(1, b - 1) k)) AS nd),
    r AS MATERIALIZED (SELECT rr.c, rr.y::int::float8 AS o, ref.count_below(rr.c, e.nd) AS bin
          FROM ref.rows(c, y) rr, e),
    tot AS (SELECT count(*)::float8 AS n, avg(o) AS acc FROM r),
    per AS (SELECT bin, count(*)::float8 AS n, avg(c) AS conf, avg(o) AS acc FROM r GROUP BY bin),
    wb AS (SELECT sum((r.c - per.conf) ^ 2) / tot.n AS wbv,
                  2 * sum((r.c - per.conf) * (r.o - per.acc)) / tot.n AS wbc
           FROM r JOIN per USING (bin), tot GROUP BY tot.n)
    SELECT ROW(ref.brier(c, y),
               (SELECT sum(per.n / tot.n * (per.conf - per.acc) ^ 2) FROM per),
               (SELECT sum(per.n / tot.n * (per.acc - tot.acc) ^ 2) FROM per),
               tot.acc * (1 - tot.acc),
               wb.wbv - wb.wbc)::calib.brier_parts
    FROM tot, wb WHERE tot.n > 0
$$;

-- Equal within tolerance, or both NULL.
CREATE FUNCTION ref.same(a float8, b float8) RETURNS bool LANGUAGE sql IMMUTABLE AS $$
    SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-12
$$;

-- ------------------------------------------------------------------ data
SELECT setseed(0.2026);
CREATE TABLE t (id serial, g int, c float8, y bool);

-- 120 random groups of 1 .. 300 rows: uniform, two-decimal (ties),
-- one-decimal (heavy ties, many on edges) and skewed confidences; accuracy
-- conf^1, ^2 or ^3 (over-confidence of varying strength).
INSERT INTO t (g, c, y)
SELECT g, c, random() < power(c, 1 + g % 3)
FROM (SELECT g, CASE g % 4 WHEN 0 THEN random()
                           WHEN 1 THEN round(random()::numeric, 2)::float8
                           WHEN 2 THEN round(random()::numeric, 1)::float8
                           ELSE power(random(), 0.3) END AS c
      FROM generate_series(1, 120) g,
           LATERAL generate_series(1, 1 + (abs(hashint4(g)) % 300)) i
      OFFSET 0) s;

-- Rows with a NULL confidence or NULL correct in some groups: skipped.
INSERT INTO t (g, c, y)
SELECT g, CASE WHEN g % 2 = 0 THEN NULL ELSE 0.5 END, CASE WHEN g % 2 = 0 THEN true END
FROM generate_series(1, 120, 7) g;

-- Confidences exactly on the edges k::float8/B of every bin count used
-- below, three times each with random outcomes (group 1001), and one ulp
-- or so above them (group 1002).
INSERT INTO t (g, c, y)
SELECT 1001, k::float8 / b, random() < 0.5
FROM unnest('{1,2,3,5,7,10,15,100}'::int[]) b, generate_series(0, b) k, generate_series(1, 3) rep;
INSERT INTO t (g, c, y)
SELECT 1002, least(1.0, (k::float8 / b) * (1 + 2::float8 ^ -52)), random() < 0.6
FROM unnest('{1,2,3,5,7,10,15,100}'::int[]) b, generate_series(0, b) k;

-- Only 0 and 1 (1003); all correct (1004); all wrong (1005); a single row
-- (1006); heavy ties on three values (1007); one value only (1008); only
-- skipped rows (1009, 1010): every metric NULL.
INSERT INTO t (g, c, y)
SELECT 1003, (i % 2)::float8, random() < 0.5 FROM generate_series(1, 40) i;
INSERT INTO t (g, c, y)
SELECT 1004, random(), true FROM generate_series(1, 60) i;
INSERT INTO t (g, c, y)
SELECT 1005, random(), false FROM generate_series(1, 60) i;
INSERT INTO t (g, c, y) VALUES (1006, 0.37, true);
INSERT INTO t (g, c, y)
SELECT 1007, (ARRAY[0.2, 0.5, 0.9])[1 + i % 3], random() < 0.5 FROM generate_series(1, 500) i;
INSERT INTO t (g, c, y)
SELECT 1008, 0.5, random() < 0.3 FROM generate_series(1, 50) i;
INSERT INTO t (g, c, y) VALUES (1009, NULL, true), (1009, NULL, false), (1010, 0.4, NULL);

CREATE TABLE bl AS SELECT unnest('{1,2,3,5,7,10,15,100}'::int[]) AS b;

SELECT count(DISTINCT g) AS groups, count(*) AS rows,
       count(*) FILTER (WHERE c IS NULL OR y IS NULL) AS skipped_rows FROM t;

-- ------------------------------------------------------- equal-width bins
-- ECE, MCE, RMSCE for every (group, bin count).
SELECT count(*) AS groups,
       count(*) FILTER (WHERE NOT ref.same(ece, (r).ece)) AS ece_bad,
       count(*) FILTER (WHERE NOT ref.same(mce, (r).mce)) AS mce_bad,
       count(*) FILTER (WHERE NOT ref.same(rmsce, (r).rmsce)) AS rmsce_bad,
       count(*) FILTER (WHERE ece IS NULL) AS null_groups
FROM (SELECT g, b,
             calib.ece(c, y, b) AS ece, calib.mce(c, y, b) AS mce, calib.rmsce(c, y, b) AS rmsce,
             ref.binned(array_agg(c), array_agg(y), b) AS r
      FROM t, bl GROUP BY g, b OFFSET 0) q;

-- The 2-argument forms are the 10-bin ones.
SELECT count(*) AS groups,
       count(*) FILTER (WHERE NOT ref.same(ece, (r).ece)) AS ece_bad,
       count(*) FILTER (WHERE NOT ref.same(mce, (r).mce)) AS mce_bad,
       count(*) FILTER (WHERE NOT ref.same(rmsce, (r).rmsce)) AS rmsce_bad
FROM (SELECT g, calib.ece(c, y) AS ece, calib.mce(c, y) AS mce, calib.rmsce(c, y) AS rmsce,
             ref.binned(array_agg(c), array_agg(y), 10) AS r
      FROM t GROUP BY g OFFSET 0) q;

-- Reliability rows: every bin present, edges and counts exact, means, gap
-- and Wilson interval within 1e-12, NULL means for empty bins.
CREATE TEMP TABLE rel AS
SELECT g, b, calib.reliability(c, y, b) AS r,
       ARRAY(SELECT x FROM ref.reliability(array_agg(c), array_agg(y), b) x) AS rr
FROM t, bl GROUP BY g, b;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE r IS NULL) AS null_groups,
       count(*) FILTER (WHERE r IS NOT NULL AND cardinality(r) <> b) AS wrong_length
FROM rel;
SELECT count(*) AS bins_compared,
       count(*) FILTER (WHERE (r[i]).n = 0) AS empty_bins,
       count(*) FILTER (WHERE (r[i]).bin <> (rr[i]).bin OR (r[i]).lower <> (rr[i]).lower
                              OR (r[i]).upper <> (rr[i]).upper OR (r[i]).n <> (rr[i]).n)
           AS edge_or_count_bad,
       count(*) FILTER (WHERE NOT (ref.same((r[i]).mean_confidence, (rr[i]).mean_confidence)
                                   AND ref.same((r[i]).accuracy, (rr[i]).accuracy)
                                   AND ref.same((r[i]).gap, (rr[i]).gap)
                                   AND ref.same((r[i]).ci_low, (rr[i]).ci_low)
                                   AND ref.same((r[i]).ci_high, (rr[i]).ci_high))) AS value_bad,
       count(*) FILTER (WHERE (r[i]).n = 0 AND ((r[i]).mean_confidence IS NOT NULL
                                                OR (r[i]).ci_low IS NOT NULL)) AS empty_not_null
FROM rel, LATERAL generate_subscripts(rr, 1) i
WHERE r IS NOT NULL;
-- The Wilson bounds are exactly 0 with no correct answer and 1 with all correct.
SELECT count(*) FILTER (WHERE x.n > 0 AND x.accuracy = 0 AND x.ci_low <> 0) AS low_not_0,
       count(*) FILTER (WHERE x.n > 0 AND x.accuracy = 1 AND x.ci_high <> 1) AS high_not_1,
       count(*) FILTER (WHERE x.n > 0 AND NOT (x.ci_low <= x.accuracy AND x.accuracy <= x.ci_high))
           AS acc_outside_ci
FROM rel, LATERAL unnest(r) x;

-- Brier decomposition: every part, including the within-bin term checked
-- against WBV - WBC computed row by row.
SELECT count(*) AS groups,
       count(*) FILTER (WHERE d IS NULL) AS null_groups,
       count(*) FILTER (WHERE NOT (ref.same((d).brier, (rd).brier)
                                   AND ref.same((d).reliability, (rd).reliability)
                                   AND ref.same((d).resolution, (rd).resolution)
                                   AND ref.same((d).uncertainty, (rd).uncertainty)
                                   AND ref.same((d).within_bin, (rd).within_bin))) AS bad
FROM (SELECT g, b, calib.brier_decomposition(c, y, b) AS d,
             ref.brier_parts(array_agg(c), array_agg(y), b) AS rd
      FROM t, bl GROUP BY g, b OFFSET 0) q;

-- ------------------------------------------------------ pointwise, exact
SELECT count(*) AS groups,
       count(*) FILTER (WHERE NOT ref.same(brier, r_brier)) AS brier_bad,
       count(*) FILTER (WHERE NOT ref.same(nll, r_nll)) AS nll_bad,
       count(*) FILTER (WHERE NOT ref.same(auroc, r_auroc)) AS auroc_bad,
       count(*) FILTER (WHERE auroc IS NULL) AS auroc_null_groups,
       count(*) FILTER (WHERE brier IS NULL) AS null_groups
FROM (SELECT g, calib.brier(c, y) AS brier, calib.nll(c, y) AS nll, calib.auroc(c, y) AS auroc,
             ref.brier(array_agg(c), array_agg(y)) AS r_brier,
             ref.nll(array_agg(c), array_agg(y)) AS r_nll,
             ref.auroc(array_agg(c), array_agg(y)) AS r_auroc
      FROM t GROUP BY g) q;

-- ACE against percentile_cont edges, every (group, bin count), and the
-- 2-argument form (10 bins).
SELECT count(*) AS groups,
       count(*) FILTER (WHERE NOT ref.same(ace, r_ace)) AS ace_bad,
       count(*) FILTER (WHERE ace IS NULL) AS null_groups
FROM (SELECT g, b, calib.ace(c, y, b) AS ace, ref.ace(array_agg(c), array_agg(y), b) AS r_ace
      FROM t, bl GROUP BY g, b) q;
SELECT count(*) AS groups, count(*) FILTER (WHERE NOT ref.same(ace, r_ace)) AS ace_bad
FROM (SELECT g, calib.ace(c, y) AS ace, ref.ace(array_agg(c), array_agg(y), 10) AS r_ace
      FROM t GROUP BY g) q;

-- The special groups, value by value (10 bins), rounded.
SELECT g, round(calib.ece(c, y)::numeric, 4) AS ece, round(calib.ace(c, y)::numeric, 4) AS ace,
       round(calib.brier(c, y)::numeric, 4) AS brier, round(calib.auroc(c, y)::numeric, 4) AS auroc,
       round(ref.auroc(array_agg(c), array_agg(y))::numeric, 4) AS ref_auroc
FROM t WHERE g > 1000 GROUP BY g ORDER BY g;

-- ------------------------------------------------------------ as windows
-- Running frames (the final function runs after every row on a growing
-- state) and moving frames, against the reference over the same frame.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE NOT ref.same(ece, (rb).ece)) AS ece_bad,
       count(*) FILTER (WHERE NOT ref.same(mce, (rb).mce)) AS mce_bad,
       count(*) FILTER (WHERE NOT ref.same(rmsce, (rb).rmsce)) AS rmsce_bad,
       count(*) FILTER (WHERE NOT ref.same(ace, ref.ace(ca, ya, 7))) AS ace_bad,
       count(*) FILTER (WHERE NOT ref.same(auroc, ref.auroc(ca, ya))) AS auroc_bad,
       count(*) FILTER (WHERE NOT ref.same(brier, ref.brier(ca, ya))) AS brier_bad,
       count(*) FILTER (WHERE NOT ref.same(nll, ref.nll(ca, ya))) AS nll_bad,
       count(*) FILTER (WHERE NOT (rel IS NULL AND (rb).ece IS NULL)
                              AND NOT (SELECT bool_and(x.n = z.n AND ref.same(x.gap, z.gap)
                                                       AND ref.same(x.ci_low, z.ci_low))
                                       FROM unnest(rel) WITH ORDINALITY x
                                       JOIN ref.reliability(ca, ya, 7) WITH ORDINALITY z
                                         USING (ordinality))) AS reliability_bad,
       count(*) FILTER (WHERE NOT ref.same((dec).reliability, (ref.brier_parts(ca, ya, 7)).reliability))
           AS decomposition_bad
FROM (SELECT *, ref.binned(ca, ya, 7) AS rb FROM (
      SELECT calib.ece(c, y, 7) OVER w AS ece, calib.mce(c, y, 7) OVER w AS mce,
             calib.rmsce(c, y, 7) OVER w AS rmsce, calib.ace(c, y, 7) OVER w AS ace,
             calib.auroc(c, y) OVER w AS auroc, calib.brier(c, y) OVER w AS brier,
             calib.nll(c, y) OVER w AS nll, calib.reliability(c, y, 7) OVER w AS rel,
             calib.brier_decomposition(c, y, 7) OVER w AS dec,
             array_agg(c) OVER w AS ca, array_agg(y) OVER w AS ya
      FROM t WHERE g IN (1, 18, 39, 96, 120, 1003, 1006, 1009)
      WINDOW w AS (PARTITION BY g ORDER BY id)) q0 OFFSET 0) q;

SELECT count(*) AS rows,
       count(*) FILTER (WHERE NOT ref.same(ece, ref.ece(ca, ya, 3))) AS ece_bad,
       count(*) FILTER (WHERE NOT ref.same(ace, ref.ace(ca, ya, 3))) AS ace_bad,
       count(*) FILTER (WHERE NOT ref.same(auroc, ref.auroc(ca, ya))) AS auroc_bad,
       count(*) FILTER (WHERE NOT ref.same(nll, ref.nll(ca, ya))) AS nll_bad
FROM (SELECT calib.ece(c, y, 3) OVER w AS ece, calib.ace(c, y, 3) OVER w AS ace,
             calib.auroc(c, y) OVER w AS auroc, calib.nll(c, y) OVER w AS nll,
             array_agg(c) OVER w AS ca, array_agg(y) OVER w AS ya
      FROM t WHERE g IN (6, 43, 1007)
      WINDOW w AS (PARTITION BY g ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)) q;

DROP TABLE t, bl;
DROP SCHEMA ref CASCADE;
