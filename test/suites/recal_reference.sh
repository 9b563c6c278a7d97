#!/usr/bin/env bash
# test/suites/recal_reference.sh -- the recalibration fits and smooth ECE
# against independent Python implementations (test/suites/recal_reference.py):
# scikit-learn's IsotonicRegression and unpenalised LogisticRegression,
# scipy's minimiser on the temperature likelihood, and a numpy transcription
# of relplot's smECE.  Data are generated with setseed, exported, and both
# sides' numbers compared with a tolerance per quantity.
source "$(dirname "$0")/../lib.sh"
calib_deps
[ -n "${PGBIN:-}" ] || calib_build >/dev/null
calib_start recalref
cd "$CALIB_ROOT"
work=$CALIB_TMP/recalref
mkdir -p "$work"
chmod 777 "$work"

calib_psql recalref -c "CREATE EXTENSION calib" >/dev/null
calib_psql recalref <<'SQL' >/dev/null
SELECT setseed(0.77);
CREATE TABLE d (dataset text, confidence float8, correct boolean);
-- continuous confidences, overconfident
INSERT INTO d SELECT 'fit_cont', c, random() < c * c
FROM (SELECT random() AS c FROM generate_series(1, 2000)) s;
-- two-decimal confidences (ties, exact 0 and 1), nearly calibrated
INSERT INTO d SELECT 'fit_ties', c, random() < 0.1 + 0.8 * c
FROM (SELECT round(random()::numeric, 2)::float8 AS c FROM generate_series(1, 3000)) s;
-- underconfident: accuracy = sqrt(confidence)
INSERT INTO d SELECT 'fit_under', c, random() < sqrt(c)
FROM (SELECT random() AS c FROM generate_series(1, 1500)) s;
-- smooth ECE only: tiny and large samples
INSERT INTO d VALUES ('sm_one', 0.5, true), ('sm_seven', 0.3, true), ('sm_seven', 0.6, true),
  ('sm_seven', 0.8, false), ('sm_seven', 0.9, true), ('sm_seven', 0.95, true), ('sm_seven', 0.2, false);
INSERT INTO d SELECT 'sm_large', c, random() < c ^ 3
FROM (SELECT random() AS c FROM generate_series(1, 50000)) s;
INSERT INTO d SELECT 'sm_calibrated', c, random() < c
FROM (SELECT random() AS c FROM generate_series(1, 5000)) s;
SQL
calib_psql recalref -c "\copy (SELECT dataset, confidence, correct::int FROM d) TO '$work/data.csv' WITH (FORMAT csv)"
/usr/bin/python3 test/suites/recal_reference.py "$work/data.csv" > "$work/ref.csv"

calib_psql recalref -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE ref (dataset text, quantity text, value float8);
\copy ref FROM '$work/ref.csv' WITH (FORMAT csv)
CREATE TABLE fits AS
SELECT dataset, calib.fit_temperature(confidence, correct) AS t,
       calib.fit_platt(confidence, correct) AS p, calib.fit_isotonic(confidence, correct) AS i
FROM d WHERE dataset LIKE 'fit%' GROUP BY dataset;
CREATE TABLE ours AS
SELECT dataset, 'smooth_ece' AS quantity, calib.smooth_ece(confidence, correct) AS value
FROM d GROUP BY dataset
UNION ALL
SELECT dataset, 'temperature', (regexp_match(t::text, '\((.*)\)'))[1]::float8 FROM fits
UNION ALL
SELECT dataset, 'platt_a', split_part((regexp_match(p::text, '\((.*)\)'))[1], ',', 1)::float8 FROM fits
UNION ALL
SELECT dataset, 'platt_b', split_part((regexp_match(p::text, '\((.*)\)'))[1], ',', 2)::float8 FROM fits
UNION ALL
SELECT dataset, 'isotonic@' || x, calib.apply(i, x::float8)
FROM fits, (SELECT DISTINCT substr(quantity, 10) AS x FROM ref WHERE quantity LIKE 'isotonic@%') q;
CREATE TABLE cmp AS
SELECT r.dataset, r.quantity, r.value AS reference, o.value AS calib,
       CASE WHEN r.quantity = 'smooth_ece' THEN 1e-9
            WHEN r.quantity LIKE 'isotonic@%' THEN 1e-12
            WHEN r.quantity = 'temperature' THEN 1e-6 * r.value
            ELSE 1e-6 END AS tol
FROM ref r JOIN ours o USING (dataset, quantity);
SELECT dataset, quantity, reference, calib, abs(reference - calib) AS diff
FROM cmp WHERE NOT (abs(reference - calib) <= tol) ORDER BY 1, 2 LIMIT 30;
SELECT count(*) AS compared, count(*) FILTER (WHERE abs(reference - calib) <= tol) AS agree,
       (SELECT count(*) FROM ref WHERE quantity <> 'smooth_ece_sigma') AS reference_values
FROM cmp \gset
\echo recal_reference: :agree of :compared values agree (:reference_values reference values)
SELECT :agree = :compared AND :compared = :reference_values AS ok \gset
\if :ok
\else
  \echo recal_reference: FAILED
  SELECT 1 / 0;
\endif
SQL
