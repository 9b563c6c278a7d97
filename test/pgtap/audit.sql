-- Audits and pictures: the declared objects, their volatility, strictness
-- and parallel labels, and that nothing runs with the definer's rights.
BEGIN;
SELECT plan(22);

SELECT has_table('calib', 'audit', 'calib.audit (definitions)');
SELECT has_table('calib', 'audit_history', 'calib.audit_history');
SELECT has_table('calib', 'audit_baseline', 'calib.audit_baseline');
SELECT has_view('calib', 'audit_drift', 'calib.audit_drift');
SELECT col_type_is('calib', 'audit_history', 'summary', 'calib.summary', 'history keeps calib.summary');
SELECT col_type_is('calib', 'audit_history', 'labels', 'jsonb', 'group labels are jsonb');
SELECT col_type_is('calib', 'audit_history', 'run_at', 'timestamp with time zone', 'run time');

SELECT has_function('calib', 'reliability_svg', ARRAY['calib.summary', 'integer', 'text'],
                    'calib.reliability_svg(summary, bins, title)');
SELECT has_function('calib', 'reliability_text', ARRAY['calib.summary', 'integer', 'text'],
                    'calib.reliability_text(summary, bins, title)');
SELECT has_function('calib', 'report_html', ARRAY['text[]', 'calib.summary[]', 'text', 'integer'],
                    'calib.report_html(labels, summaries, title, bins)');

-- pictures: pure functions of their arguments
SELECT volatility_is('calib', 'reliability_svg', ARRAY['calib.summary', 'integer', 'text'], 'immutable',
                     'reliability_svg(summary) is immutable');
SELECT ok((SELECT bool_and(proisstrict AND proparallel = 's') FROM pg_proc
           WHERE pronamespace = 'calib'::regnamespace AND proname IN ('reliability_svg', 'reliability_text')),
          'reliability_svg and reliability_text are strict and parallel safe');
SELECT volatility_is('calib', 'report_html', ARRAY['text[]', 'calib.summary[]', 'text', 'integer'], 'immutable',
                     'report_html is immutable');
-- reading the history: stable; writing it: volatile and parallel unsafe
SELECT volatility_is('calib', 'audit_report_html', ARRAY['text', 'integer'], 'stable', 'audit_report_html is stable');
SELECT volatility_is('calib', 'drift', ARRAY['double precision', 'integer', 'integer'], 'stable', 'drift is stable');
SELECT volatility_is('calib', 'run_audit', ARRAY['text', 'timestamp with time zone'], 'volatile', 'run_audit is volatile');
SELECT ok((SELECT bool_and(proparallel = 'u') FROM pg_proc
           WHERE pronamespace = 'calib'::regnamespace
             AND proname IN ('run_audit', 'define_audit', 'set_audit_baseline')),
          'functions that write are parallel unsafe');
SELECT isnt_definer('calib', 'run_audit', ARRAY['text', 'timestamp with time zone'], 'run_audit runs with the caller''s rights');
SELECT isnt_definer('calib', 'define_audit', ARRAY['text', 'regclass', 'text', 'text', 'text[]', 'text', 'interval'],
                    'define_audit runs with the caller''s rights');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'calib'::regnamespace AND prosecdef),
          0, 'no SECURITY DEFINER function in calib');
SELECT ok((SELECT bool_and(proconfig @> ARRAY['search_path=pg_catalog, calib, pg_temp']) FROM pg_proc
           WHERE pronamespace = 'calib'::regnamespace
             AND proname IN ('run_audit', 'define_audit', 'drift', 'set_audit_baseline',
                             'audit_report_html', 'report_html', 'reliability_svg', 'reliability_text')),
          'audit and picture functions pin search_path');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'calib'),
          4, 'four configuration relations are dumped by pg_dump');

SELECT * FROM finish();
ROLLBACK;
