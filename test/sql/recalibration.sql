-- Recalibration maps, selective prediction and metric uncertainty.
-- Every expected value is either worked out by hand in a comment or
-- recomputed here by an independent plain-SQL / PL/pgSQL implementation.
SET extra_float_digits = 0;

------------------------------------------------------------------ calib.map
-- text round trip: canonical literals print back unchanged
SELECT m, m::calib.map::text = m AS round_trips
FROM (VALUES ('v1:temperature(1.5)'), ('v1:platt(1.2,-0.3)'), ('v1:platt(0.1,-0)'),
             ('v1:histogram(0.1,0.3333333333333333,1,0)'),
             ('v1:isotonic(0:0,0.5:0.25,1:1)'), ('v1:isotonic(0.42:0.7)')) t(m);
-- any double survives text: 0.1 + 0.2 and 1/3 print with 17 and 16 digits
-- (extra_float_digits = 3: float8out writes the shortest exact form too)
SET extra_float_digits = 3;
SELECT format('v1:platt(%s,%s)', 0.1::float8 + 0.2::float8, 1::float8 / 3)::calib.map AS m;
SELECT bool_and(format('v1:platt(%s,%s)', a, b)::calib.map::text = format('v1:platt(%s,%s)', a, b))
       AS random_doubles_round_trip
FROM (SELECT random() AS a, -random() / 7 AS b FROM generate_series(1, 200)) r;
SET extra_float_digits = 0;
-- binary form: version 1, kind 1 (temperature), n = 0, then T = 2.0 big-endian
SELECT calib._map_send('v1:temperature(2)');
-- ... and a binary COPY round trip through the server
CREATE TEMP TABLE maps (m calib.map);
INSERT INTO maps VALUES ('v1:temperature(0.7)'), ('v1:platt(2,-1)'), ('v1:histogram(0.2,0.9)'),
                        ('v1:isotonic(0.1:0.05,0.95:0.9)');
CREATE TEMP TABLE maps2 (m calib.map);
DO $$ BEGIN   -- a file per backend, so concurrent runs do not collide
  EXECUTE format('COPY maps TO %L (FORMAT binary)', '/tmp/calib_recal_maps_' || pg_backend_pid() || '.bin');
  EXECUTE format('COPY maps2 FROM %L (FORMAT binary)', '/tmp/calib_recal_maps_' || pg_backend_pid() || '.bin');
END $$;
SELECT m::text FROM maps2;
SELECT calib.map_kind(m) FROM maps;

-- malformed literals: 22P02 with what is wrong
\set VERBOSITY default
SELECT 'v1:temperature(0)'::calib.map;
SELECT 'v1:temperature(NaN)'::calib.map;
SELECT 'v1:platt(1)'::calib.map;
SELECT 'v1:platt(1,2) trailing'::calib.map;
SELECT 'v2:temperature(1)'::calib.map;
SELECT 'v1:sigmoid(1)'::calib.map;
SELECT 'v1:histogram(0.5,1.5)'::calib.map;
SELECT 'v1:histogram()'::calib.map;
SELECT 'v1:isotonic(0.5:0.2,0.4:0.3)'::calib.map;
SELECT 'v1:isotonic(0.2:0.5,0.4:0.3)'::calib.map;
SELECT 'v1:isotonic(0.2:0.5,0.4)'::calib.map;
SELECT 'v1:temperature(1e400)'::calib.map;
SELECT ('v1:histogram(' || repeat('0,', 10000) || '0)')::calib.map;
-- 10000 bins are fine
SELECT length(('v1:histogram(' || repeat('0,', 9999) || '0)')::calib.map::text);

----------------------------------------------------------------- apply
-- T = 2 at 0.9: sigma(ln 9 / 2) = sigma(ln 3) = 3/4; Platt (1, 0) is the identity
SELECT round(calib.apply('v1:temperature(2)', 0.9)::numeric, 12) AS t,
       round(calib.apply('v1:platt(1,0)', 0.3)::numeric, 12) AS p,
       calib.apply('v1:histogram(0.1,0.5)', 0.5) AS h_edge,           -- 0.5 is in bin 1
       calib.apply('v1:histogram(0.1,0.5)', 0.51) AS h,
       calib.apply('v1:isotonic(0:0,0.5:0.25,1:1)', 0.75) AS iso,     -- halfway: 0.625
       calib.apply('v1:isotonic(0.2:0.3,0.6:0.9)', 0.1) AS clip_low,
       calib.apply('v1:isotonic(0.2:0.3,0.6:0.9)', 0.7) AS clip_high,
       calib.apply('v1:temperature(2)', NULL::float8) AS null_in;
SELECT calib.apply('v1:temperature(2)', 1.5);

------------------------------------------------------------ hand-worked fits
-- temperature: 3 of 4 correct at 0.9 -> sigma(ln 9 / T) = 3/4 -> T = 2
SELECT round((regexp_match(calib.fit_temperature(c, y)::text, '\((.*)\)'))[1]::numeric, 10) AS t
FROM (VALUES (0.9, true), (0.9, true), (0.9, true), (0.9, false)) v(c, y);
-- Platt: 1 of 4 at 0.5 (z = 0), 3 of 4 at 0.9 (z = ln 9): b = -ln 3, a = 1
SELECT round(split_part(p, ',', 1)::numeric, 9) AS a, round(split_part(p, ',', 2)::numeric, 9) AS b,
       round(-ln(3)::numeric, 9) AS minus_ln3
FROM (SELECT (regexp_match(calib.fit_platt(c, y)::text, '\((.*)\)'))[1] AS p
      FROM (VALUES (0.5, true), (0.5, false), (0.5, false), (0.5, false),
                   (0.9, true), (0.9, true), (0.9, true), (0.9, false)) v(c, y)) f;
-- isotonic: (0.1 T) (0.2 F) (0.3 T) (0.4 T): PAV pools {0.1, 0.2} -> 1/2, {0.3, 0.4} -> 1
SELECT calib.fit_isotonic(c, y)
FROM (VALUES (0.1, true), (0.2, false), (0.3, true), (0.4, true)) v(c, y);
-- histogram, 4 bins: (0.2 F) -> 0; (0.5 T) -> 1; empty bin 3 -> midpoint 0.625; (0.8 T, 1 F) -> 1/2
SELECT calib.fit_histogram(c, y, 4)
FROM (VALUES (0.2, false), (0.5, true), (0.8, true), (1.0, false)) v(c, y);

--------------------------------------------------- degenerate cases
SELECT calib.fit_temperature(c, y) IS NULL AS empty_t, calib.fit_platt(c, y) IS NULL AS empty_p,
       calib.fit_isotonic(c, y) IS NULL AS empty_i, calib.fit_histogram(c, y) IS NULL AS empty_h,
       calib.aurc(c, y) IS NULL AS empty_aurc, calib.risk_coverage(c, y) IS NULL AS empty_rc,
       calib.ece_ci(c, y) IS NULL AS empty_ci, calib.smooth_ece(c, y) IS NULL AS empty_sm,
       calib.debiased_ece(c, y) IS NULL AS empty_deb
FROM (SELECT 0.5::float8, true WHERE false) v(c, y);
SELECT calib.fit_isotonic(c, y) AS all_null_rows
FROM (VALUES (NULL::float8, true), (0.5, NULL::boolean)) v(c, y);
-- a single row: isotonic is one knot, histogram one bin filled, Platt has no fit
SELECT calib.fit_isotonic(0.7, true), calib.fit_histogram(0.7, true, 2);
SELECT calib.fit_platt(0.7, true);
-- all confidences 1/2: any T fits equally, T = 1 is returned
SELECT calib.fit_temperature(0.5, y) FROM (VALUES (true), (false), (false)) v(y);
-- all correct / all wrong
SELECT calib.fit_platt(c, true) FROM (VALUES (0.2), (0.9)) v(c);
SELECT calib.fit_platt(c, false) FROM (VALUES (0.2), (0.9)) v(c);
SELECT calib.fit_temperature(c, true) FROM (VALUES (0.6), (0.9)) v(c);
SELECT calib.fit_isotonic(c, true), calib.fit_histogram(c, true, 2) FROM (VALUES (0.2), (0.9)) v(c);
-- separable: correct above, wrong below (ties on the threshold too)
SELECT calib.fit_platt(c, c >= 0.5) FROM (VALUES (0.1), (0.5), (0.5), (0.9)) v(c);
SELECT calib.fit_temperature(c, c > 0.5) FROM (VALUES (0.1), (0.3), (0.7), (0.9)) v(c);
-- confidence anti-associated with correctness: no positive temperature
SELECT calib.fit_temperature(c, c < 0.5) FROM (VALUES (0.1), (0.3), (0.7), (0.9)) v(c);
-- confidences exactly 0 and 1 fit (clipped to [1e-12, 1 - 1e-12]); the map
-- is nearly symmetric: b ~ 0, a = ln 3 / 27.63 ~ 0.0398
SELECT round(split_part(p, ',', 1)::numeric, 4) AS a, round(split_part(p, ',', 2)::numeric, 4) AS b
FROM (SELECT (regexp_match(calib.fit_platt(c, y)::text, '\((.*)\)'))[1] AS p
      FROM (VALUES (0.0, true), (0.0, false), (0.0, false), (0.0, false),
                   (1.0, true), (1.0, true), (1.0, true), (1.0, false)) v(c, y)) f;
SELECT calib.fit_temperature(c, y) IS NOT NULL AS fits_0_and_1
FROM (VALUES (0.0, true), (0.0, false), (0.0, false), (1.0, true), (1.0, true), (1.0, false)) v(c, y);
-- bad arguments
SELECT calib.fit_temperature(c, true) FROM (VALUES (1.5)) v(c);
SELECT calib.threshold_for_accuracy(0.5, true, 1.5);
SELECT calib.threshold_for_accuracy(0.5, true, NULL);
SELECT calib.ece_ci(0.5, true, 10, 1.0);
SELECT calib.ece_ci(0.5, true, 10, 0.9, 0);
SELECT calib.ece_ci(0.5, true, 0);
SELECT calib.ece_ci(c, true, 10, 0.9, 100, s) FROM (VALUES (0.5, 1), (0.6, 2)) v(c, s);

-------------------------------------------------- generated data, seeded
SELECT setseed(0.25);
CREATE TEMP TABLE gen AS
SELECT i, c, random() < c ^ 1.7 AS y, round(c::numeric, 2)::float8 AS c2
FROM (SELECT i, random() AS c FROM generate_series(1, 3000) i) s;
UPDATE gen SET c = 0 WHERE i = 1;
UPDATE gen SET c = 1 WHERE i = 2;

-- Temperature, independently: golden-section search of the negative
-- log-likelihood over beta = 1/T in SQL (convex, so the bracket shrinks
-- onto the optimum), compared with the fit.
CREATE FUNCTION pg_temp.nll_t(beta float8) RETURNS float8 LANGUAGE sql AS $$
  SELECT sum(CASE WHEN y THEN ln(1 + exp(-beta * z)) ELSE ln(1 + exp(beta * z)) END)
  FROM (SELECT y, ln(p / (1 - p)) AS z
        FROM (SELECT y, least(greatest(c, 1e-12), 1 - 1e-12) AS p FROM gen) q) r $$;
CREATE FUNCTION pg_temp.golden_t() RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE lo float8 := 0.01; hi float8 := 20; g float8 := (sqrt(5) - 1) / 2; x1 float8; x2 float8;
BEGIN
  FOR i IN 1 .. 60 LOOP
    x1 := hi - g * (hi - lo); x2 := lo + g * (hi - lo);
    IF pg_temp.nll_t(x1) < pg_temp.nll_t(x2) THEN hi := x2; ELSE lo := x1; END IF;
  END LOOP;
  RETURN 1 / ((lo + hi) / 2);
END $$;
SELECT abs((regexp_match(calib.fit_temperature(c, y)::text, '\((.*)\)'))[1]::float8
           - pg_temp.golden_t()) < 1e-6 AS temperature_matches_golden_section
FROM gen;

-- Platt, independently: at the fitted (a, b) the gradient of the
-- log-likelihood (computed here in SQL) vanishes and the likelihood is lower
-- at every neighbour; for a convex loss that is the optimum.
CREATE TEMP TABLE platt AS
SELECT split_part(p, ',', 1)::float8 AS a, split_part(p, ',', 2)::float8 AS b
FROM (SELECT (regexp_match(calib.fit_platt(c, y)::text, '\((.*)\)'))[1] AS p FROM gen) f;
CREATE FUNCTION pg_temp.nll_p(a float8, b float8) RETURNS float8 LANGUAGE sql AS $$
  SELECT sum(CASE WHEN y THEN ln(1 + exp(-(a * z + b))) ELSE ln(1 + exp(a * z + b)) END)
  FROM (SELECT y, ln(p / (1 - p)) AS z
        FROM (SELECT y, least(greatest(c, 1e-12), 1 - 1e-12) AS p FROM gen) q) r $$;
SELECT abs(ga) / 3000 < 1e-9 AS grad_a_zero, abs(gb) / 3000 < 1e-9 AS grad_b_zero
FROM (SELECT sum((1 / (1 + exp(-(a * z + b))) - y::int) * z) AS ga,
             sum((1 / (1 + exp(-(a * z + b))) - y::int)) AS gb
      FROM platt, (SELECT y, ln(p / (1 - p)) AS z
                   FROM (SELECT y, least(greatest(c, 1e-12), 1 - 1e-12) AS p FROM gen) q) r
      GROUP BY a, b) g;
SELECT bool_and(pg_temp.nll_p(a + da, b + db) > pg_temp.nll_p(a, b)) AS every_neighbour_worse
FROM platt, (VALUES (1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3), (1e-3, 1e-3), (-1e-3, -1e-3)) d(da, db);

-- Isotonic, independently: PAV in PL/pgSQL over the distinct (rounded)
-- confidences, weights = rows; the map must give the same value at every
-- distinct confidence and interpolate between them.
CREATE FUNCTION pg_temp.pav() RETURNS TABLE (x float8, fitted float8) LANGUAGE plpgsql AS $$
DECLARE
  xs float8[]; ws float8[]; vs float8[];           -- blocks: first x, weight, mean
  ends int[];                                      -- index of each block's last x
  allx float8[]; r record; k int := 0;
BEGIN
  FOR r IN SELECT c2 AS v, count(*)::float8 AS w, avg(y::int)::float8 AS m FROM gen GROUP BY c2 ORDER BY c2 LOOP
    allx := allx || r.v;
    k := k + 1; xs[k] := r.v; ws[k] := r.w; vs[k] := r.m; ends[k] := array_length(allx, 1);
    WHILE k > 1 AND vs[k - 1] >= vs[k] LOOP
      vs[k - 1] := (vs[k - 1] * ws[k - 1] + vs[k] * ws[k]) / (ws[k - 1] + ws[k]);
      ws[k - 1] := ws[k - 1] + ws[k]; ends[k - 1] := ends[k]; k := k - 1;
    END LOOP;
  END LOOP;
  FOR j IN 1 .. k LOOP
    FOR i IN (CASE WHEN j = 1 THEN 1 ELSE ends[j - 1] + 1 END) .. ends[j] LOOP
      x := allx[i]; fitted := vs[j]; RETURN NEXT;
    END LOOP;
  END LOOP;
END $$;
CREATE TEMP TABLE iso AS SELECT calib.fit_isotonic(c2, y) AS m FROM gen;
SELECT count(*) AS distinct_confidences,
       max(abs(calib.apply(m, x) - fitted)) < 1e-12 AS pav_matches
FROM iso, pg_temp.pav();
-- between two neighbouring distinct confidences: linear interpolation
SELECT bool_and(abs(calib.apply(m, (x + nx) / 2) - (f + nf) / 2) < 1e-12) AS midpoints_interpolate
FROM iso, (SELECT x, fitted AS f, lead(x) OVER w AS nx, lead(fitted) OVER w AS nf
           FROM pg_temp.pav() WINDOW w AS (ORDER BY x)) p
WHERE nx IS NOT NULL;

-- Histogram, independently: each bin's accuracy by GROUP BY (continuous
-- confidences, so ceil(c * 10) - 1 agrees with the edge rule).
SELECT bool_and(calib.apply(m, (b + 0.5) / 10) = acc) AS histogram_matches
FROM (SELECT calib.fit_histogram(c, y) AS m FROM gen WHERE c > 0) f,
     (SELECT greatest(ceil(c * 10)::int - 1, 0) AS b, avg(y::int)::float8 AS acc
      FROM gen WHERE c > 0 GROUP BY 1) g;

-- Selective prediction, independently in plain SQL: one point per distinct
-- confidence, ties together.
CREATE TEMP TABLE rc_sql AS
SELECT t AS threshold,
       (SELECT count(*) FROM gen WHERE c2 >= t)::float8 / 3000 AS coverage,
       (SELECT avg(y::int) FROM gen WHERE c2 >= t)::float8 AS accuracy
FROM (SELECT DISTINCT c2 AS t FROM gen) d;
SELECT count(*) AS points,
       bool_and(abs(r.coverage - s.coverage) < 1e-12 AND abs(r.accuracy - s.accuracy) < 1e-12) AS rc_matches
FROM (SELECT (unnest(calib.risk_coverage(c2, y))).* FROM gen) r JOIN rc_sql s USING (threshold);
SELECT bool_and(threshold > next) AS highest_first
FROM (SELECT threshold, lead(threshold) OVER (ORDER BY ord) AS next
      FROM unnest((SELECT calib.risk_coverage(c2, y) FROM gen)) WITH ORDINALITY u(threshold, coverage, accuracy, ord)) q
WHERE next IS NOT NULL;
-- AURC = sum over points of (coverage step) * (1 - accuracy)
SELECT abs(calib.aurc(c2, y) - (SELECT sum((coverage - coalesce(lag, 0)) * (1 - accuracy))
                                FROM (SELECT coverage, accuracy, lag(coverage) OVER (ORDER BY threshold DESC)
                                      FROM rc_sql) q)) < 1e-12 AS aurc_matches
FROM gen;
-- lowest threshold reaching the target; NULL when none does
SELECT t.target, (calib_t).threshold = sql_t AS threshold_matches, (calib_t) IS NULL AS none
FROM (VALUES (0.6), (0.8), (0.95), (1.01)) AS t0(target0),
     LATERAL (SELECT least(target0, 1.0) AS target) t,
     LATERAL (SELECT calib.threshold_for_accuracy(c2, y, t.target) AS calib_t FROM gen) c,
     LATERAL (SELECT min(threshold) AS sql_t FROM rc_sql WHERE accuracy >= t.target) s
WHERE target0 <= 1;
SELECT calib.threshold_for_accuracy(c, y, 1.0) AS none_reaches_1
FROM (VALUES (0.9, false), (0.5, true)) v(c, y);

-- Debiased ECE, independently: the Kumar et al. sum over 10 bins in SQL
SELECT abs(calib.debiased_ece(c, y) - (
         SELECT sqrt(greatest(sum(n / 3000.0 * ((conf - acc) ^ 2 - acc * (1 - acc) / (n - 1)))
                              FILTER (WHERE n >= 2), 0))
         FROM (SELECT count(*)::float8 AS n, avg(c) AS conf, avg(y::int)::float8 AS acc
               FROM gen GROUP BY greatest(ceil(c * 10)::int - 1, 0)) b)) < 1e-12 AS debiased_matches
FROM gen;

-- ECE interval: the point estimate is calib.ece; the interval is
-- deterministic for a seed, ordered, and brackets the bootstrap spread
SELECT abs((ci).ece - e) < 1e-12 AS ece_is_calib_ece, (ci).ci_low < (ci).ci_high AS ordered,
       (ci).ci_low < e + 0.05 AND (ci).ci_high > e - 0.05 AS near_estimate
FROM (SELECT calib.ece_ci(c, y, 10, 0.9, 200, 7) AS ci, calib.ece(c, y) AS e FROM gen) q;
SELECT (SELECT calib.ece_ci(c, y, 10, 0.9, 200, 7) FROM gen)
     = (SELECT calib.ece_ci(c, y, 10, 0.9, 200, 7) FROM (SELECT * FROM gen ORDER BY random()) s) AS order_independent,
       (SELECT calib.ece_ci(c, y, 10, 0.9, 200, 7) FROM gen)
    <> (SELECT calib.ece_ci(c, y, 10, 0.9, 200, 8) FROM gen) AS seed_matters;
-- one row: every resample is that row, the interval is a point |0.7 - 1|
SELECT round((ci).ece::numeric, 12), round((ci).ci_low::numeric, 12), round((ci).ci_high::numeric, 12)
FROM (SELECT calib.ece_ci(0.7, true) AS ci) q;

-- smooth ECE: near 0 for calibrated data, and order independent
SELECT calib.smooth_ece(c, y) BETWEEN 0 AND 1 AS in_range,
       calib.smooth_ece(c, random() < c) < 0.05 AS calibrated_small
FROM gen;
SELECT (SELECT calib.smooth_ece(c, y) FROM gen)
     = (SELECT calib.smooth_ece(c, y) FROM (SELECT * FROM gen ORDER BY random()) s) AS smece_order_independent;

-- apply keeps the last detoasted map per call site: with two large (TOASTed)
-- maps alternating row by row, every value must equal the value from a
-- query that only ever sees one map
CREATE TEMP TABLE bigmaps AS
SELECT 1 AS k, ('v1:isotonic(' || string_agg(format('%s:%s', j / 2001.0, sqrt(j / 2001.0)), ',' ORDER BY j) || ')')::calib.map AS m
FROM generate_series(1, 2000) j
UNION ALL
SELECT 2, ('v1:isotonic(' || string_agg(format('%s:%s', j / 1999.0, (j / 1999.0) ^ 2), ',' ORDER BY j) || ')')::calib.map
FROM generate_series(1, 1998) j;
SELECT k, pg_column_size(m) > 2000 AS large, length(m::text) > 4000 AS long FROM bigmaps ORDER BY k;
SELECT bool_and(a.v = b.v) AS cache_switches_correctly, count(*)
FROM (SELECT g.i, calib.apply(bm.m, g.c) AS v FROM gen g JOIN bigmaps bm ON bm.k = 1 + g.i % 2) a
JOIN (SELECT g.i, calib.apply(bm.m, g.c) AS v FROM gen g JOIN bigmaps bm ON bm.k = 1 WHERE g.i % 2 = 0
      UNION ALL
      SELECT g.i, calib.apply(bm.m::text::calib.map, g.c) FROM gen g JOIN bigmaps bm ON bm.k = 2 WHERE g.i % 2 = 1) b
USING (i);

------------------------------------------------- parallel = serial
CREATE TABLE recal_par AS
SELECT i, c, random() < c * c AS y, (i % 3)::int AS g
FROM (SELECT i, random() AS c FROM generate_series(1, 60000) i) s;
ANALYZE recal_par;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT calib.fit_platt(c, y), calib.ece_ci(c, y, 10, 0.9, 50, 1) FROM recal_par;
CREATE TEMP TABLE par AS
SELECT calib.fit_temperature(c, y)::text AS t, calib.fit_platt(c, y)::text AS p,
       calib.fit_isotonic(c, y)::text AS i, calib.fit_histogram(c, y)::text AS h,
       calib.aurc(c, y) AS aurc, calib.risk_coverage(c, y)::text AS rc,
       calib.threshold_for_accuracy(c, y, 0.8)::text AS th,
       calib.ece_ci(c, y, 10, 0.9, 50, 1)::text AS ci, calib.debiased_ece(c, y) AS deb,
       calib.smooth_ece(c, y) AS sm
FROM recal_par;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT calib.fit_temperature(c, y)::text AS t, calib.fit_platt(c, y)::text AS p,
       calib.fit_isotonic(c, y)::text AS i, calib.fit_histogram(c, y)::text AS h,
       calib.aurc(c, y) AS aurc, calib.risk_coverage(c, y)::text AS rc,
       calib.threshold_for_accuracy(c, y, 0.8)::text AS th,
       calib.ece_ci(c, y, 10, 0.9, 50, 1)::text AS ci, calib.debiased_ece(c, y) AS deb,
       calib.smooth_ece(c, y) AS sm
FROM recal_par;
-- exact maps, curve, interval and smooth ECE (all computed from the sorted
-- rows); the binned sums may differ in the last bits
SELECT par.t = ser.t AS t, par.p = ser.p AS p, par.i = ser.i AS i,
       abs(calib.apply(par.h::calib.map, 0.55) - calib.apply(ser.h::calib.map, 0.55)) < 1e-15 AS h,
       par.aurc = ser.aurc AS aurc, par.rc = ser.rc AS rc, par.th = ser.th AS th,
       par.ci = ser.ci AS ci, abs(par.deb - ser.deb) < 1e-12 AS deb, par.sm = ser.sm AS sm
FROM par, ser;
-- per group too (combine with GROUP BY)
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE par_g AS SELECT g, calib.fit_platt(c, y)::text AS p FROM recal_par GROUP BY g;
SET max_parallel_workers_per_gather = 0;
SELECT bool_and(p = (SELECT calib.fit_platt(c, y)::text FROM recal_par r WHERE r.g = par_g.g)) AS grouped_equal
FROM par_g;
RESET ALL;
DROP TABLE recal_par;
