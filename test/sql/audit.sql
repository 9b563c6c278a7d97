-- Audits: definitions, runs over a table with grouping and a time window,
-- injection attempts, caller's rights, and drift.
SET client_min_messages = warning;
\set VERBOSITY terse
SELECT setseed(0.11);

-- ---------------------------------------------------------------- runs
CREATE SCHEMA shop;
CREATE TABLE shop.answers (
    id     bigint,
    model  text,
    domain text,
    conf   real,
    ok     boolean,
    at     timestamptz
);
-- 3 days x 2 models x 2 domains; a few NULL rows that every metric skips
INSERT INTO shop.answers
SELECT i, (ARRAY['m1', 'm2'])[1 + i % 2], (ARRAY['law', 'tax'])[1 + (i / 2) % 2],
       c, random() < c, timestamptz '2026-01-01 00:00+00' + (i % 3) * interval '1 day'
FROM (SELECT i, round(random()::numeric, 2)::real AS c FROM generate_series(1, 6000) i) s;
INSERT INTO shop.answers VALUES (-1, 'm1', 'law', NULL, true, '2026-01-02'),
                                (-2, 'm1', 'law', 0.5, NULL, '2026-01-02');

SET search_path = shop, public;
SELECT calib.define_audit('daily', 'answers', 'conf', 'ok', '{model,domain}', 'at', '1 day');
RESET search_path;
SELECT name, source, confidence, correct, group_by, time_column, lookback FROM calib.audit;

-- run "at midnight of Jan 3": covers Jan 2 only
SELECT calib.run_audit('daily', '2026-01-03 00:00+00') > 0 AS ran;
SELECT labels, window_start, window_end, calib.n(summary) AS n
FROM calib.audit_history ORDER BY labels::text;

-- every group's summary holds exactly the group's rows of the window:
-- count, accuracy and ECE against plain SQL and the direct aggregate
SELECT bool_and(calib.n(h.summary) = d.n) AS n_ok,
       bool_and(abs(calib.accuracy(h.summary) - d.acc) < 1e-12) AS accuracy_ok,
       bool_and(abs(calib.ece(h.summary) - d.ece) < 1e-9) AS ece_ok,
       count(*) AS groups
FROM calib.audit_history h
JOIN (SELECT jsonb_build_object('model', model, 'domain', domain) AS labels,
             count(*) AS n, avg(ok::int) AS acc, calib.ece(conf, ok) AS ece
      FROM shop.answers
      WHERE at >= '2026-01-02 00:00+00' AND at < '2026-01-03 00:00+00'
        AND conf IS NOT NULL AND ok IS NOT NULL
      GROUP BY model, domain) d USING (labels);

-- an audit without groups or time column: one summary of every row
SELECT calib.define_audit('all', 'shop.answers', 'conf', 'ok');
SELECT calib.run_audit('all') > 0 AS ran;
SELECT labels, window_start, window_end, calib.n(summary) AS n
FROM calib.audit_history WHERE audit = 'all';

-- ------------------------------------------------------------ injection
-- Names that are SQL: they only ever work as the identifiers they are.
CREATE TABLE victim (x int);
CREATE TABLE shop."evil""; DROP TABLE victim; --" (
    "c"")::float8 FROM victim; --" double precision,
    "y'); DROP TABLE victim; --" boolean,
    "g) FROM victim; --" text
);
INSERT INTO shop."evil""; DROP TABLE victim; --"
VALUES (0.9, true, 'a'), (0.8, false, 'a'), (0.7, true, 'b');
SELECT calib.define_audit('evil', 'shop."evil""; DROP TABLE victim; --"',
                          'c")::float8 FROM victim; --', 'y''); DROP TABLE victim; --',
                          ARRAY['g) FROM victim; --']);
SELECT calib.run_audit('evil') > 0 AS ran;
SELECT labels, calib.n(summary) AS n FROM calib.audit_history WHERE audit = 'evil' ORDER BY labels::text;
SELECT source FROM calib.audit WHERE name = 'evil';

-- names that do not exist are refused, naming the culprit
SELECT calib.define_audit('x', 'shop.answers', 'conf; DROP TABLE victim', 'ok');
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'ok', ARRAY['model', '1) FROM victim; --']);
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'ok', '{}', 'at; DROP TABLE victim');
SELECT calib.define_audit('x', 'shop.answers; DROP TABLE victim', 'conf', 'ok');
-- wrong types
SELECT calib.define_audit('x', 'shop.answers', 'model', 'ok');
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'domain');
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'ok', '{}', 'model');
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'ok', '{model,model}');
SELECT calib.define_audit('x', 'shop.answers', 'conf', 'ok', '{}', NULL, '1 day');

-- a tampered definition (someone with UPDATE on calib.audit) is re-checked
-- against the catalogs on every run and never reaches SQL as text
UPDATE calib.audit SET source = 'victim; DROP TABLE victim' WHERE name = 'daily';
SELECT calib.run_audit('daily');
UPDATE calib.audit SET source = 'shop.answers', confidence = '1) FROM victim; --' WHERE name = 'daily';
SELECT calib.run_audit('daily');
UPDATE calib.audit SET confidence = 'conf', group_by = '{"model) FROM victim; --"}' WHERE name = 'daily';
SELECT calib.run_audit('daily');
UPDATE calib.audit SET group_by = '{model,domain}' WHERE name = 'daily';
SELECT calib.run_audit('nope');
SELECT to_regclass('victim') IS NOT NULL AS victim_still_there;

-- ------------------------------------------------------- caller's rights
-- No function of the extension is SECURITY DEFINER, and every SQL or
-- PL/pgSQL one of audits and pictures pins its search_path.
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer,
       count(*) FILTER (WHERE l.lanname IN ('sql', 'plpgsql')
                        AND p.proname IN ('reliability_svg', 'reliability_text', '_fmt', 'report_html',
                                          '_audit_column', '_audit_check', 'define_audit', 'run_audit',
                                          'set_audit_baseline', 'drift', '_labels_text',
                                          'audit_report_html')
                        AND NOT coalesce(p.proconfig::text LIKE '%search_path=pg_catalog, calib, pg_temp%', false))
         AS unpinned,
       count(*) FILTER (WHERE p.proname IN ('run_audit', 'define_audit', 'drift', 'report_html',
                                            'reliability_svg', 'audit_report_html')) AS checked
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'calib'::regnamespace;

CREATE ROLE calib_auditor;
GRANT USAGE ON SCHEMA calib TO calib_auditor;
GRANT SELECT, INSERT ON calib.audit_history TO calib_auditor;
GRANT SELECT ON calib.audit TO calib_auditor;
GRANT USAGE ON SEQUENCE calib.audit_run_seq TO calib_auditor;
GRANT USAGE ON SCHEMA shop TO calib_auditor;
SET ROLE calib_auditor;
SELECT calib.run_audit('daily');            -- may not read shop.answers
RESET ROLE;
-- with SELECT on a view limited to m1 it audits what it may see, no more
CREATE VIEW shop.m1_only AS SELECT * FROM shop.answers WHERE model = 'm1';
GRANT SELECT ON shop.m1_only TO calib_auditor;
SELECT calib.define_audit('m1', 'shop.m1_only', 'conf', 'ok', '{model}');
SET ROLE calib_auditor;
SELECT calib.run_audit('m1') > 0 AS ran;
RESET ROLE;
SELECT labels, calib.n(summary) = (SELECT count(*) FROM shop.answers
                                   WHERE model = 'm1' AND conf IS NOT NULL AND ok IS NOT NULL) AS n_ok
FROM calib.audit_history WHERE audit = 'm1';

-- the history is user data that pg_dump keeps
SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) AS dumped
FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'calib';

-- ------------------------------------------------------------------ drift
-- Normal approximation to erfc (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7),
-- an implementation independent of the C library's erfc.
CREATE FUNCTION pg_temp.two_sided_p(z float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    x float8 := abs(z) / sqrt(2.0);
    t float8 := 1 / (1 + 0.3275911 * x);
BEGIN
    RETURN t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
             + t * (-1.453152027 + t * 1.061405429)))) * exp(-x * x);
END $$;

-- Three nights of one model: night 1 calibrated (accuracy = confidence),
-- night 2 a fresh sample of the same distribution, night 3 overconfident
-- (accuracy = confidence^3).  With c uniform: accuracy E[c] = 1/2 becomes
-- E[c^3] = 1/4; Brier E[c(1-c)] = 1/6 becomes E[c^3(1-c)^2 + (1-c^3)c^2] =
-- 1/3 + 1/4 - 2/5 = 0.1833.  (With accuracy c^2 the Brier score would stay
-- 1/6 exactly while ECE grows: Brier mixes calibration with resolution.)
CREATE TABLE shop.nightly (conf float8, ok boolean, at timestamptz, model text);
INSERT INTO shop.nightly
SELECT c, random() < CASE WHEN night = 3 THEN c ^ 3 ELSE c END,
       timestamptz '2026-02-01 12:00+00' + night * interval '1 day', 'm'
FROM generate_series(1, 3) night,
     LATERAL (SELECT random() AS c FROM generate_series(1, 4000) WHERE night > 0) s;
SELECT calib.define_audit('drift', 'shop.nightly', 'conf', 'ok', '{model}', 'at', '1 day');
SELECT calib.run_audit('drift', '2026-02-03 00:00+00') > 0 AS night1;
SELECT calib.run_audit('drift', '2026-02-04 00:00+00') > 0 AS night2;

-- a resample of the same distribution: nothing flagged at alpha = 0.01
SELECT labels, baseline, n, baseline_n, accuracy_drift, brier_drift, ece_drift, drift
FROM calib.audit_drift WHERE audit = 'drift';

-- the p-values against plain SQL: the pooled two-proportion z from the raw
-- rows, and Welch's z for the Brier score with the exact variance of the
-- per-row terms (the view estimates it from 600 fine bins)
CREATE TEMP VIEW raw_nights AS
SELECT (at::date - '2026-02-01'::date) AS night, count(*)::float8 AS n,
       avg(ok::int) AS acc, avg((conf - ok::int) ^ 2) AS brier,
       var_pop((conf - ok::int) ^ 2) AS brier_var
FROM shop.nightly GROUP BY 1;
CREATE TEMP VIEW raw_check AS
SELECT pg_temp.two_sided_p((a.acc - b.acc) /
           sqrt(((a.acc * a.n + b.acc * b.n) / (a.n + b.n)) * (1 - (a.acc * a.n + b.acc * b.n) / (a.n + b.n))
                * (1 / a.n + 1 / b.n))) AS accuracy_p,
       pg_temp.two_sided_p((a.brier - b.brier) / sqrt(a.brier_var / a.n + b.brier_var / b.n)) AS brier_p,
       a.night
FROM raw_nights a JOIN raw_nights b ON b.night = a.night - 1;
SELECT abs(d.accuracy_p - r.accuracy_p) < 1e-6 AS accuracy_p_ok,
       abs(d.brier_p - r.brier_p) < 2e-3 AS brier_p_ok,
       round(r.accuracy_p::numeric, 2) AS accuracy_p, round(r.brier_p::numeric, 2) AS brier_p,
       d.ece_p > 0.01 AS ece_p_above_alpha
FROM calib.audit_drift d, raw_check r WHERE d.audit = 'drift' AND r.night = 2;

-- night 3, overconfident: flagged on all three
SELECT calib.run_audit('drift', '2026-02-05 00:00+00') > 0 AS night3;
SELECT labels, baseline, accuracy_drift, brier_drift, ece_drift, drift,
       round(accuracy::numeric, 2) AS accuracy, round(baseline_accuracy::numeric, 2) AS before,
       round(brier::numeric, 3) AS brier, round(baseline_brier::numeric, 3) AS brier_before,
       round(ece::numeric, 2) AS ece, round(baseline_ece::numeric, 2) AS ece_before,
       accuracy_p < 1e-10 AS tiny_p, ece_p = 1.0 / 2001 AS ece_p_floor
FROM calib.audit_drift WHERE audit = 'drift';
SELECT abs(d.accuracy_p - r.accuracy_p) < 1e-6 AS accuracy_p_ok,
       abs(d.brier_p - r.brier_p) < 2e-3 AS brier_p_ok
FROM calib.audit_drift d, raw_check r WHERE d.audit = 'drift' AND r.night = 3;

-- against a stored reference instead of the previous run: night 2
SELECT calib.set_audit_baseline('drift', (SELECT min(run_id) FROM calib.audit_history
                                          WHERE audit = 'drift' AND run_at = '2026-02-04 00:00+00'),
                                'after the January retrain');
SELECT labels, baseline, baseline_run_id, baseline_n, drift FROM calib.audit_drift WHERE audit = 'drift';
SELECT note FROM calib.audit_baseline;
-- other levels and bin counts through the function
SELECT bool_and(drift) AS flagged_at_1e_6 FROM calib.drift(1e-6, 20) WHERE audit = 'drift';
SELECT * FROM calib.drift(0);
SELECT * FROM calib.drift(0.01, 7);
SELECT calib.set_audit_baseline('drift', -1);
-- groups seen for the first time have no baseline, so no verdict
SELECT labels, baseline, accuracy_p, drift FROM calib.audit_drift WHERE audit = 'all';

-- Size of the tests: 200 pairs of independent samples from one distribution
-- (accuracy = confidence^1.5, 800 rows each) are flagged at the 5% level
-- about 5% of the time by each test; the 99.9% range of a binomial(200,
-- 0.05) count is 2..22.  ECE is conservative near perfect calibration
-- (docs/audits.md), hence a lower bound of 0 for it.
WITH rows AS (
    SELECT g, side, c, random() < c ^ 1.5 AS ok
    FROM generate_series(1, 200) g, generate_series(1, 2) side,
         LATERAL (SELECT random() AS c FROM generate_series(1, 800) WHERE g > 0 AND side > 0) s
), sums AS (
    SELECT g, side, calib.summary(c, ok) AS s FROM rows GROUP BY g, side
), tests AS (
    SELECT t.* FROM sums a JOIN sums b ON a.g = b.g AND a.side = 1 AND b.side = 2,
         LATERAL calib._drift_p(calib.reliability(a.s, 600), calib.brier(a.s),
                                calib.reliability(b.s, 600), calib.brier(b.s), 10, 400) t
)
SELECT count(*) FILTER (WHERE accuracy_p < 0.05) BETWEEN 2 AND 22 AS accuracy_size_ok,
       count(*) FILTER (WHERE brier_p < 0.05) BETWEEN 2 AND 22 AS brier_size_ok,
       count(*) FILTER (WHERE ece_p < 0.05) BETWEEN 0 AND 22 AS ece_size_ok
FROM tests;

-- --------------------------------------------------------------- report
SELECT length(r) > 0 AS has_report,
       (length(r) - length(replace(r, '<svg ', ''))) / 5 AS diagrams,
       position('model=m1' in r) > 0 AS labelled,
       position('<script' in r) = 0 AS no_script
FROM calib.audit_report_html('daily') r;
SELECT calib.report_html(ARRAY['a'], ARRAY[]::calib.summary[]);
SELECT position('&lt;b&gt;' in calib.report_html(ARRAY['<b>'], ARRAY[calib.summary(0.5, true)])) > 0
       AS label_escaped
FROM (SELECT 1) x;
