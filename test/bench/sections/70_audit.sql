-- Issue "nightly audits": what a nightly run costs beyond the aggregate it
-- stores, the drift view over a year of history (365 runs x 14 groups), and
-- drawing diagrams and reports.
\set rows (1000000 * :scale)::bigint
SELECT setseed(0.7) \gset
DROP TABLE IF EXISTS bench_audit_rows;
TRUNCATE calib.audit_history, calib.audit_baseline;
DELETE FROM calib.audit;
CREATE TABLE bench_audit_rows AS
SELECT i AS id,
       (ARRAY['m1', 'm2'])[1 + i % 2] AS model,
       (i / 2) % 7 AS domain,
       timestamptz '2026-01-01' + (i % 365) * interval '1 day' AS at,
       c AS confidence,
       random() < c * c AS correct
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE bench_audit_rows;

-- A run over every row, 14 groups, against the same summaries without the
-- audit machinery (catalog checks, dynamic SQL, the INSERT).
SELECT calib.define_audit('bench', 'bench_audit_rows', 'confidence', 'correct', '{model,domain}');
SELECT bench.measure('audit', 'calib.run_audit, 1M rows, 14 groups',
    $$SELECT calib.run_audit('bench')$$,
    'SELECT model, domain, calib.summary(confidence, correct) FROM bench_audit_rows GROUP BY model, domain',
    NULL, :runs, 'floor = the bare GROUP BY of calib.summary');

-- A year of nightly history: 365 runs x 14 groups.
TRUNCATE calib.audit_history;
INSERT INTO calib.audit_history (run_id, audit, run_at, labels, summary)
SELECT extract(day FROM at - timestamptz '2026-01-01')::bigint + 1, 'bench', at,
       jsonb_build_object('model', model, 'domain', domain), calib.summary(confidence, correct)
FROM bench_audit_rows GROUP BY at, model, domain;
VACUUM ANALYZE calib.audit_history;

SELECT bench.measure('audit', 'calib.audit_drift, 365 runs x 14 groups',
    'SELECT * FROM calib.audit_drift',
    'SELECT calib.ece(summary) FROM calib.audit_history WHERE run_id >= 364',
    NULL, :runs, '2000 bootstrap replicates per group; floor = reading the 28 summaries');

SELECT bench.measure('audit', 'calib.reliability_svg x 5110 summaries',
    'SELECT sum(length(calib.reliability_svg(summary))) FROM calib.audit_history',
    'SELECT sum(calib.ece(summary)) FROM calib.audit_history',
    NULL, :runs, 'floor = decoding each summary and its ECE');

SELECT bench.measure('audit', 'calib.audit_report_html (14 groups)',
    $$SELECT length(calib.audit_report_html('bench'))$$,
    'SELECT calib.ece(summary) FROM calib.audit_history WHERE run_id = 365',
    NULL, :runs, NULL);

TRUNCATE calib.audit_history;
DELETE FROM calib.audit;
