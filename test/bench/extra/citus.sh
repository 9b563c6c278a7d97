#!/usr/bin/env bash
# test/bench/extra/citus.sh -- calib.ece on a Citus 13.2.2 cluster on
# loopback (a coordinator and two workers, 8 shards; Citus built once from
# ../shared/citus/, see test/citus.sh): 2 million responses (x scale, at
# least 2 million at scale 1) distributed by prompt_id, grouped by domain.
#
#   row-gather: the 0.1.0 form of calib.ece (STYPE internal, the same C
#               functions), for which Citus 13 ships every row's
#               (domain, confidence, correct) to the coordinator;
#   pushdown:   calib.ece as installed (a real state type): each worker runs
#               worker_partial_agg and ships one state per shard and domain;
#   summary:    calib.ece(calib.summary(...)), the summary pushed down.
# For each: the median time (bench.measure on the coordinator, the floor
# being count(*) per domain, itself pushed down) and the bytes the
# coordinator reads from the workers (citus_shipped), in the note.  The rows
# go into the benchmark's table (run by test/bench/run.sh on its cluster).
# Skipped, saying so, without the Citus source.
source "$(dirname "$0")/../../lib.sh"
source "$CALIB_ROOT/test/citus.sh"

if [ -z "$(citus_tarball)" ]; then
	echo "citus bench: SKIPPED: no ../shared/citus/citus-$CITUS_VERSION.tar.xz (set CALIB_CITUS_TARBALL)"
	exit 0
fi
[ -n "${PGBIN:-}" ] || calib_build
scale=${CALIB_BENCH_SCALE:-1}
runs=${CALIB_BENCH_RUNS:-5}
citus_build
citus_cluster cb "shared_buffers = 1GB
work_mem = '256MB'
jit = off
max_parallel_workers_per_gather = 0
synchronous_commit = off
citus.shard_count = 8"
trap 'for n in cb_coord cb_w1 cb_w2; do calib_stop $n; done' EXIT
cd "$CALIB_ROOT"
calib_psql cb_coord -f test/bench/lib.sql >/dev/null

calib_psql cb_coord -v scale="$scale" >/dev/null <<'SQL'
\set rows (2000000 * :scale)::bigint
SELECT setseed(0.21);
CREATE TABLE responses (prompt_id int, domain text, confidence float8, correct bool);
SELECT create_distributed_table('responses', 'prompt_id');
INSERT INTO responses
SELECT i / 10, (ARRAY['general', 'medicine', 'law', 'finance'])[1 + i % 4], c, random() < c * c
FROM (SELECT i, random() AS c FROM generate_series(1, :rows) i OFFSET 0) s;
VACUUM ANALYZE responses;
-- calib.ece as 0.1.0 defined it: STYPE internal, so Citus gathers rows.
CREATE SCHEMA v010;
CREATE FUNCTION v010.binned_trans(internal, float8, bool) RETURNS internal
    AS '$libdir/calib', 'calib_binned_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION v010.binned_combine(internal, internal) RETURNS internal
    AS '$libdir/calib', 'calib_binned_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION v010.binned_serialize(internal) RETURNS bytea
    AS '$libdir/calib', 'calib_binned_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION v010.binned_deserialize(bytea, internal) RETURNS internal
    AS '$libdir/calib', 'calib_binned_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION v010.ece_final(internal) RETURNS float8
    AS '$libdir/calib', 'calib_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE v010.ece(float8, bool) (
    SFUNC = v010.binned_trans, STYPE = internal, FINALFUNC = v010.ece_final,
    COMBINEFUNC = v010.binned_combine, SERIALFUNC = v010.binned_serialize,
    DESERIALFUNC = v010.binned_deserialize, PARALLEL = SAFE);
SQL
n=$(calib_psql cb_coord -At -c "SELECT count(*) FROM responses")
echo "citus bench: $n rows on 2 workers (8 shards)"

floor="SELECT domain, count(*) FROM responses GROUP BY domain"
declare -a names=("calib.ece row-gather (0.1.0: STYPE internal)"
	"calib.ece pushdown (worker_partial_agg)"
	"calib.ece(calib.summary()) pushdown")
declare -a sqls=("SELECT domain, v010.ece(confidence, correct) FROM responses GROUP BY domain"
	"SELECT domain, calib.ece(confidence, correct) FROM responses GROUP BY domain"
	"SELECT domain, calib.ece(calib.summary(confidence, correct)) FROM responses GROUP BY domain")
for i in 0 1 2; do
	sql=${sqls[$i]}
	plan=$(calib_psql cb_coord -At -c "EXPLAIN (VERBOSE, COSTS OFF) $sql")
	grep -q worker_partial_agg <<<"$plan" && how="worker_partial_agg" || how="rows gathered"
	read -r bytes nrows < <(citus_shipped cb "$sql")
	same=$(calib_psql cb_coord -At -c "SELECT (SELECT array_agg(e ORDER BY d) FROM ($sql) t(d, e)) =
		(SELECT array_agg(e ORDER BY d) FROM (${sqls[1]}) t(d, e))")
	size=$(awk -v b="$bytes" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.1f kB", b / 1024 }')
	note="Citus, $n rows, by domain: $how; shipped $size in $nrows rows; = pushdown result: $same"
	echo "citus bench: ${names[$i]}: $note"
	r=$(calib_psql cb_coord -At -v ON_ERROR_STOP=1 <<SQL
SELECT bench.measure('citus', \$n\$${names[$i]}\$n\$, \$q\$$sql\$q\$, \$q\$$floor\$q\$, NULL, $runs, \$t\$$note\$t\$);
SELECT op_ms, floor_ms FROM bench.results ORDER BY seq DESC LIMIT 1;
SQL
)
	read -r op fl <<<"$(tr '|' ' ' <<<"$(tail -1 <<<"$r")")"
	# into the benchmark's own table when run by test/bench/run.sh
	if [ -n "${PORT_bench:-}" ]; then
		calib_psql bench -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO bench.results (section, operation, op_ms, floor_ms, note)
VALUES ('citus', \$n\$${names[$i]}\$n\$, $op, $fl, \$t\$$note\$t\$);
SQL
	fi
done
