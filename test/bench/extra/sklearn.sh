#!/usr/bin/env bash
# test/bench/extra/sklearn.sh -- scikit-learn as the reference a user would
# otherwise pick, on the same table as the core section (bench_responses).
# Run by test/bench/run.sh on its cluster; skipped without Debian's
# python3-sklearn (the system /usr/bin/python3, not a pyenv one).
#
# For each metric one row in bench.results: calib's median time and scan
# floor (bench.measure), sklearn's median compute time (sklearn_ms), and
# separately the cost of getting the data there (export_ms = COPY to a file
# + parsing it into numpy, each a median).  The note records how far the two
# values are apart, so the comparison is also a cross-check.
source "$(dirname "$0")/../../lib.sh"

PY=/usr/bin/python3
if ! [ -x $PY ] || ! $PY -c 'import sklearn, numpy' 2>/dev/null; then
	echo "sklearn: python3-sklearn is not installed; skipped"
	exit 0
fi
scale=${CALIB_BENCH_SCALE:-1}
runs=${CALIB_BENCH_RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd)
file=$CALIB_TMP/bench/sklearn_export.txt
export PGOPTIONS="-c max_parallel_workers_per_gather=0"

# The core section's table, created the same way when that section was not run.
calib_psql bench -v scale="$scale" <<'SQL'
SELECT to_regclass('bench_responses') IS NULL AS missing \gset
\if :missing
\set rows (10000000 * :scale)::bigint
SELECT setseed(0.1) \gset
CREATE TABLE bench_responses AS
SELECT i AS id,
       (ARRAY['general', 'medicine', 'law', 'finance'])[1 + i % 4] AS domain,
       c AS confidence,
       random() < c * c AS correct
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE bench_responses;
\endif
SQL

copy_ms=$(calib_psql bench -At -c "SELECT bench.time_ms(\$\$COPY (SELECT confidence, correct::int FROM bench_responses) TO '$file' (DELIMITER ' ')\$\$, $runs)")
echo "sklearn: COPY export $copy_ms ms; timing scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)')"
out=$($PY "$here/sklearn_ref.py" "$file" "$runs")
load_ms=$(awk -F'\t' '$1 == "load" {print $2}' <<<"$out")
rm -f "$file"

declare -A CALIB_SQL=(
	[ece]="calib.ece(confidence, correct)"
	[brier]="calib.brier(confidence, correct)"
	[nll]="calib.nll(confidence, correct)"
	[auroc]="calib.auroc(confidence, correct)")
declare -A SK_NAME=(
	[ece]="calibration_curve + bincount weights"
	[brier]="brier_score_loss"
	[nll]="log_loss"
	[auroc]="roc_auc_score")

while IFS=$'\t' read -r name sk_ms sk_value; do
	[ "$name" = load ] && continue
	expr=${CALIB_SQL[$name]}
	calib_psql bench -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT bench.measure('sklearn', '$expr',
    'SELECT $expr FROM bench_responses',
    'SELECT sum(confidence) FROM bench_responses',
    NULL, $runs);
UPDATE bench.results
SET sklearn_ms = $sk_ms,
    export_ms = $copy_ms + $load_ms,
    note = format('sklearn %s; export = COPY %s ms + numpy parse %s ms; calib vs sklearn differ by %s',
                  '${SK_NAME[$name]}', round($copy_ms::numeric), round($load_ms::numeric),
                  to_char(abs((SELECT $expr FROM bench_responses) - $sk_value::float8), '9.9EEEE'))
WHERE seq = (SELECT max(seq) FROM bench.results);
SQL
done <<<"$out"
