-- test/upgrade/stored_before.sql -- run by test/suites/upgrade.sh in a
-- database where calib is at the OLD version (0.1.0): store summaries and
-- maps the ways users store them (table columns, the text form), and the
-- metrics they give now.  The binary (send/recv) form is written by the
-- suite with \copy ... (FORMAT binary).  stored_after.sql reads everything
-- back after ALTER EXTENSION calib UPDATE and compares.
SELECT setseed(0.4242);
-- Groups with edge values: confidences 0 and 1, exact bin edges of 10 and
-- 15 bins, ties, a one-row group, a group of one class, and random rows.
CREATE TABLE upg_rows AS
SELECT g, c, y FROM (
    SELECT 1 AS g, round(random()::numeric, 2)::float8 AS c, random() < 0.6 AS y
    FROM generate_series(1, 400)
    UNION ALL SELECT 2, x / 10.0, x % 3 = 0 FROM generate_series(0, 10) x, generate_series(1, 7) r
    UNION ALL SELECT 3, x / 15.0, x % 2 = 0 FROM generate_series(0, 15) x
    UNION ALL SELECT 4, 0.7, true
    UNION ALL SELECT 5, random(), true FROM generate_series(1, 50)
    UNION ALL SELECT 6, c, true FROM unnest(ARRAY[0, 1, 1, 0, 0.5]::float8[]) c
    UNION ALL SELECT 6, c, false FROM unnest(ARRAY[0, 1, 0.5, 0.25]::float8[]) c
    UNION ALL SELECT 7, power(random(), 3), random() < 0.3 FROM generate_series(1, 3000)
    UNION ALL SELECT 8, c, random() < c * c FROM (SELECT random() AS c FROM generate_series(1, 800)) r
) q;

-- The summaries, as a table column (the type's storage form) and as text.
CREATE TABLE upg_summary AS SELECT g, calib.summary(c, y) AS s FROM upg_rows GROUP BY g;
CREATE TABLE upg_summary_text AS SELECT g, s::text AS t FROM upg_summary;

-- Maps of every kind 0.1.0 fits.
CREATE TABLE upg_map AS
SELECT g, k, m FROM (
    SELECT g, 'temperature' AS k, calib.fit_temperature(c, y) AS m FROM upg_rows WHERE g = 8 GROUP BY g
    UNION ALL SELECT g, 'platt', calib.fit_platt(c, y) FROM upg_rows WHERE g = 8 GROUP BY g
    UNION ALL SELECT g, 'isotonic', calib.fit_isotonic(c, y) FROM upg_rows GROUP BY g
    UNION ALL SELECT g, 'histogram', calib.fit_histogram(c, y) FROM upg_rows GROUP BY g
    UNION ALL SELECT g, 'histogram15', calib.fit_histogram(c, y, 15) FROM upg_rows GROUP BY g
) q;
CREATE TABLE upg_map_text AS SELECT g, k, m::text AS t FROM upg_map;

-- What they give now: one row per (object, metric).
CREATE FUNCTION upg_summary_metrics(s calib.summary)
RETURNS TABLE (metric text, v double precision) LANGUAGE sql AS $$
    SELECT * FROM (VALUES
        ('n', calib.n(s)::float8), ('accuracy', calib.accuracy(s)),
        ('mean_confidence', calib.mean_confidence(s)),
        ('ece', calib.ece(s)), ('ece15', calib.ece(s, 15)), ('ece100', calib.ece(s, 100)),
        ('mce', calib.mce(s)), ('rmsce', calib.rmsce(s)), ('rmsce20', calib.rmsce(s, 20)),
        ('brier', calib.brier(s)), ('nll', calib.nll(s)),
        ('auroc', calib.auroc(s)), ('auroc_max_error', calib.auroc_max_error(s)),
        ('bd_reliability', (calib.brier_decomposition(s)).reliability),
        ('bd_resolution', (calib.brier_decomposition(s)).resolution),
        ('bd_uncertainty', (calib.brier_decomposition(s)).uncertainty),
        ('bd_within_bin', (calib.brier_decomposition(s)).within_bin)) m
    UNION ALL
    SELECT 'bin' || b.bin || '_' || f, x
    FROM unnest(calib.reliability(s, 10)) b,
         LATERAL (VALUES ('n', b.n::float8), ('conf', b.mean_confidence), ('acc', b.accuracy),
                         ('ci_low', b.ci_low), ('ci_high', b.ci_high)) v(f, x)
$$;
CREATE FUNCTION upg_map_metrics(m calib.map)
RETURNS TABLE (metric text, v double precision) LANGUAGE sql AS $$
    SELECT 'kind_' || calib.map_kind(m), 0::float8
    UNION ALL
    SELECT 'apply_' || x, calib.apply(m, x)
    FROM unnest(ARRAY[0, 1e-9, 0.05, 0.1, 0.15, 1/3.0, 0.5, 0.6, 0.7, 0.75, 0.9, 0.99, 1]::float8[]) x
$$;

CREATE TABLE upg_expected AS
SELECT 'summary ' || g AS obj, r.* FROM upg_summary, upg_summary_metrics(s) r
UNION ALL
SELECT 'merged', r.* FROM (SELECT calib.merge(s) AS s FROM upg_summary) q, upg_summary_metrics(q.s) r
UNION ALL
SELECT 'map ' || g || ' ' || k, r.* FROM upg_map, upg_map_metrics(m) r;
