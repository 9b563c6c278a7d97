#!/usr/bin/env bash
# test/suites/multiclass_reference.sh -- the probability-vector metrics
# against a second implementation in numpy/scipy/scikit-learn
# (test/suites/multiclass_reference.py), on generated vectors with ties,
# exact bin edges, one-hot and uniform rows, K = 2, 4, 10, 50, and top-k
# truncations of a 200-token distribution whose Full-ECE must equal the
# full distribution's.  Also: K = 2 against calib's binary aggregates, the
# temperature fit and softmax.
source "$(dirname "$0")/../lib.sh"
calib_deps
[ -n "${PGBIN:-}" ] || calib_build >/dev/null
calib_start mcref
cd "$CALIB_ROOT"
work=$CALIB_TMP/mcref
mkdir -p "$work"
chmod 777 "$work"
/usr/bin/python3 test/suites/multiclass_reference.py "$work"

calib_psql mcref -c "CREATE EXTENSION calib" >/dev/null
calib_psql mcref -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE d (dataset text, id int, probs float8[], label int);
\copy d FROM '$work/data.csv' WITH (FORMAT csv)
CREATE TABLE z (dataset text, id int, logits float8[], label int);
\copy z FROM '$work/logits.csv' WITH (FORMAT csv)
CREATE TABLE ref (dataset text, quantity text, value float8);
\copy ref FROM '$work/ref.csv' WITH (FORMAT csv)

CREATE TABLE ours (dataset text, quantity text, value float8);
INSERT INTO ours
SELECT dataset, quantity, value FROM (
  SELECT dataset,
         calib.ece(probs, label) AS "ece@10", calib.ece(probs, label, 15) AS "ece@15",
         calib.mce(probs, label) AS "mce@10", calib.mce(probs, label, 15) AS "mce@15",
         calib.classwise_ece(probs, label) AS "classwise@10",
         calib.classwise_ece(probs, label, 15) AS "classwise@15",
         calib.full_ece(probs, label) AS "full@10", calib.full_ece(probs, label, 15) AS "full@15",
         calib.brier(probs, label) AS brier, calib.nll(probs, label) AS nll,
         calib.auroc(probs, label) AS auroc
  FROM d WHERE dataset IN ('k2', 'k4', 'k10', 'k50', 'single') GROUP BY dataset) s,
  LATERAL (VALUES ('ece@10', "ece@10"), ('ece@15', "ece@15"), ('mce@10', "mce@10"), ('mce@15', "mce@15"),
                  ('classwise@10', "classwise@10"), ('classwise@15', "classwise@15"),
                  ('full@10', "full@10"), ('full@15', "full@15"),
                  ('brier', brier), ('nll', nll), ('auroc', auroc)) v(quantity, value)
WHERE value IS NOT NULL;
-- the truncated top-k rows, and the whole 200-token vectors
INSERT INTO ours
SELECT dataset, 'full@' || substring(dataset FROM '_b(\d+)\$'),
       calib.full_ece(probs, label, substring(dataset FROM '_b(\d+)\$')::int)
FROM d WHERE dataset LIKE 'top%' GROUP BY dataset
UNION ALL
SELECT dataset, 'rows', count(*) FROM d WHERE dataset LIKE 'top%' GROUP BY dataset
UNION ALL
SELECT dataset, 'full@10', calib.full_ece(probs, label) FROM d WHERE dataset = 'full200' GROUP BY dataset
UNION ALL
SELECT dataset, 'full@15', calib.full_ece(probs, label, 15) FROM d WHERE dataset = 'full200' GROUP BY dataset;
-- temperature and softmax
INSERT INTO ours
SELECT dataset, 'temperature', (regexp_match(calib.fit_temperature(logits, label)::text, '\((.*)\)'))[1]::float8
FROM z GROUP BY dataset
UNION ALL
SELECT z.dataset, format('softmax:%s:%s:%s', z.id, t, j), s
FROM z, unnest(ARRAY[1.0, 2.5]::float8[]) t,
     LATERAL unnest(calib.softmax(z.logits, t)) WITH ORDINALITY u(s, j)
WHERE z.id < 3;

CREATE TABLE cmp AS
SELECT r.dataset, r.quantity, r.value AS reference, o.value AS calib,
       CASE WHEN r.quantity = 'temperature' THEN 1e-9 * r.value
            WHEN r.quantity LIKE 'softmax%' THEN 1e-15
            WHEN r.quantity = 'rows' THEN 0
            ELSE 1e-12 END AS tol
FROM ref r JOIN ours o USING (dataset, quantity);
SELECT dataset, quantity, reference, calib, abs(reference - calib) AS diff
FROM cmp WHERE NOT (abs(reference - calib) <= tol) ORDER BY 1, 2 LIMIT 30;
SELECT count(*) AS compared, count(*) FILTER (WHERE abs(reference - calib) <= tol) AS agree,
       (SELECT count(*) FROM ref) AS reference_values,
       (SELECT count(*) FROM ours) AS our_values
FROM cmp \gset
\echo multiclass_reference: :agree of :compared values agree with numpy (:reference_values reference values, :our_values ours)

-- K = 2 against calib's binary aggregates: top-label = binary on (max,
-- correct); classwise = mean of the binary ECEs of (p1, label 1) and
-- (p2, label 2); Brier = 2 x binary Brier of (p1, label 1).
SELECT bool_and(ok) AS binary_ok, count(*) AS binary_checks FROM (
  SELECT calib.ece(probs, label) = calib.ece(c, y) AND calib.mce(probs, label, 7) = calib.mce(c, y, 7)
         AND calib.reliability(probs, label, 5)::text = calib.reliability(c, y, 5)::text
         AND calib.auroc(probs, label) = calib.auroc(c, y) AS ok
  FROM (SELECT probs, label, greatest(probs[1], probs[2]) AS c,
               (CASE WHEN probs[1] >= probs[2] THEN 1 ELSE 2 END) = label AS y FROM d WHERE dataset = 'k2') s
  UNION ALL
  SELECT abs(calib.classwise_ece(probs, label) - (calib.ece(probs[1], label = 1) + calib.ece(probs[2], label = 2)) / 2) < 1e-15
     AND abs(calib.brier(probs, label) - 2 * calib.brier(probs[1], label = 1)) < 1e-15
  FROM d WHERE dataset = 'k2') c \gset
\echo multiclass_reference: K = 2 against the binary aggregates: :binary_ok (:binary_checks checks)

SELECT :agree = :compared AND :compared = :reference_values AND :reference_values = :our_values
       AND :'binary_ok'::boolean AS ok \gset
\if :ok
\else
  \echo multiclass_reference: FAILED
  SELECT 1 / 0;
\endif
SQL
