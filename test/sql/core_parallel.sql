-- Parallel plans give the same answers as serial ones, for every core
-- aggregate, without and with GROUP BY.  Workers do all the scanning
-- (parallel_leader_participation = off) so every state really crosses the
-- serialize / deserialize / combine path.
SET extra_float_digits = 0;
SELECT setseed(0.77);
CREATE TABLE par (id int, domain text, c float8, y bool);
INSERT INTO par
SELECT i, (ARRAY['general', 'medicine', 'law', 'finance'])[1 + i % 4],
       CASE WHEN i % 1000 = 0 THEN NULL           -- skipped rows
            WHEN i % 3 = 0 THEN round(random()::numeric, 2)::float8
            ELSE random() END,
       random() < 0.7
FROM generate_series(1, 60000) i;
-- a domain of its own with only skipped rows: NULL in both plans
INSERT INTO par VALUES (0, 'empty', NULL, true);
ANALYZE par;

-- Every metric per domain and over the whole table (no GROUPING SETS: they
-- cannot be aggregated in parallel).
CREATE TEMP VIEW m AS
SELECT domain, calib.ece(c, y) AS ece, calib.mce(c, y) AS mce, calib.rmsce(c, y) AS rmsce,
       calib.ece(c, y, 3) AS ece3, calib.ace(c, y) AS ace, calib.ace(c, y, 7) AS ace7,
       calib.auroc(c, y) AS auroc, calib.brier(c, y) AS brier, calib.nll(c, y) AS nll,
       calib.reliability(c, y, 5) AS rel, calib.brier_decomposition(c, y) AS decomp
FROM par GROUP BY domain
UNION ALL
SELECT NULL, calib.ece(c, y), calib.mce(c, y), calib.rmsce(c, y), calib.ece(c, y, 3),
       calib.ace(c, y), calib.ace(c, y, 7), calib.auroc(c, y), calib.brier(c, y),
       calib.nll(c, y), calib.reliability(c, y, 5), calib.brier_decomposition(c, y)
FROM par;

-- The plans: Gather over Partial Aggregate, grouped and not.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT calib.ece(c, y), calib.ace(c, y), calib.auroc(c, y), calib.brier(c, y),
       calib.reliability(c, y), calib.brier_decomposition(c, y) FROM par;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT domain, calib.ece(c, y), calib.auroc(c, y), calib.nll(c, y) FROM par GROUP BY domain;
RESET enable_hashagg;

-- Workers really ran (and so serialized their states).
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
SELECT pg_temp.workers_launched('SELECT * FROM m') > 0 AS workers_ran;

-- Same values: counts and bin edges exactly; sorted-score metrics (AUROC,
-- ACE) exactly too; sums within 1e-12 (the order of additions differs).
CREATE TEMP TABLE p AS SELECT * FROM m;
RESET ALL;
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT calib.ece(c, y) FROM par;
CREATE TEMP TABLE s AS SELECT * FROM m;
RESET ALL;
SET extra_float_digits = 0;
SELECT s.domain,
       abs(s.ece - p.ece) < 1e-12 AND abs(s.mce - p.mce) < 1e-12 AND abs(s.rmsce - p.rmsce) < 1e-12
           AND abs(s.ece3 - p.ece3) < 1e-12 AS binned_same,
       s.ace = p.ace AND s.ace7 = p.ace7 AS ace_same,
       s.auroc = p.auroc AS auroc_same,
       abs(s.brier - p.brier) < 1e-12 AND abs(s.nll - p.nll) < 1e-12 AS pointwise_same,
       (SELECT bool_and(a.n = b.n AND a.lower = b.lower AND a.upper = b.upper
                        AND abs(a.gap - b.gap) < 1e-12 AND abs(a.ci_low - b.ci_low) < 1e-12)
        FROM unnest(s.rel) WITH ORDINALITY a JOIN unnest(p.rel) WITH ORDINALITY b USING (ordinality))
           AS reliability_same,
       abs((s.decomp).reliability - (p.decomp).reliability) < 1e-12
           AND abs((s.decomp).within_bin - (p.decomp).within_bin) < 1e-12 AS decomposition_same,
       round(s.ece::numeric, 4) AS ece, round(s.auroc::numeric, 4) AS auroc
FROM s JOIN p ON s.domain IS NOT DISTINCT FROM p.domain
WHERE s.domain IS DISTINCT FROM 'empty'
ORDER BY s.domain NULLS LAST;
SELECT (SELECT count(*) FROM s) AS serial_rows, (SELECT count(*) FROM p) AS parallel_rows;
-- the group with only skipped rows is NULL in both plans
SELECT s.ece IS NULL AND p.ece IS NULL AND s.auroc IS NULL AND p.auroc IS NULL
       AND s.rel IS NULL AND p.rel IS NULL AND s.brier IS NULL AND p.brier IS NULL AS empty_is_null
FROM s JOIN p USING (domain) WHERE domain = 'empty';

-- bins differing between rows is an error in a parallel plan too, whether
-- one worker meets both values or the combine step does.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
\set VERBOSITY terse
SELECT calib.ece(c, y, CASE WHEN id < 30000 THEN 5 ELSE 6 END) FROM par;
SELECT calib.ace(c, y, CASE WHEN id < 30000 THEN 5 ELSE 6 END) FROM par;
RESET ALL;
\set VERBOSITY default

DROP TABLE par CASCADE;
