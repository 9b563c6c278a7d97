#!/usr/bin/env bash
# test/suites/fdw.sh -- calib.summary across shards with postgres_fdw.
#
# Two shard clusters hold half of the responses each; a coordinator cluster
# reaches them through postgres_fdw with `extensions 'calib'`, so calib's
# aggregates are shipped: each shard computes its summaries, only those
# travel (in the type's text form), and the coordinator merges them.  The
# result must equal the same query on all rows in one instance.  Also: a
# COPY BINARY of summaries from a shard into the coordinator.
source "$(dirname "$0")/../lib.sh"

if [ -z "${PGBIN:-}" ]; then		# run on its own, not from test/run.sh
	calib_deps
	calib_build
fi
# Stop only the clusters this suite starts (test/run.sh owns $CALIB_TMP).
trap 'for n in fdw_shard1 fdw_shard2 fdw_coord; do calib_stop $n; done' EXIT

for n in fdw_shard1 fdw_shard2 fdw_coord; do
	rm -rf "${CALIB_TMP:?}/$n"
	calib_start $n
done

# The same deterministic rows everywhere (same seed, same statement); each
# shard keeps its half, the coordinator keeps all of them as the reference.
DATA="
SELECT setseed(0.77);
CREATE TABLE responses AS
SELECT i AS id, 1 + i % 2 AS shard, i % 20 AS day,
       (ARRAY['model-a', 'model-b'])[1 + i % 3 % 2] AS model,
       (ARRAY['law', 'medicine', 'code'])[1 + i % 5 % 3] AS domain,
       CASE i % 4 WHEN 0 THEN (floor(random() * 601) / 600)::float8     -- fine edges
                  WHEN 1 THEN round(random()::numeric, 2)::float8
                  ELSE random() END AS confidence,
       random() < 0.7 AS correct
FROM generate_series(1, 60000) i;
"
for n in fdw_shard1 fdw_shard2 fdw_coord; do
	calib_psql $n -c "CREATE EXTENSION calib" -c "$DATA"
done
calib_psql fdw_shard1 -c "DELETE FROM responses WHERE shard <> 1"
calib_psql fdw_shard2 -c "DELETE FROM responses WHERE shard <> 2"

calib_psql fdw_coord <<SQL
ALTER TABLE responses RENAME TO all_responses;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '$PORT_fdw_shard1', dbname 'postgres', extensions 'calib');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '$PORT_fdw_shard2', dbname 'postgres', extensions 'calib');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');

-- One partitioned table over the shards, partitioned by the shard column.
CREATE TABLE responses (id int, shard int, day int, model text, domain text,
                        confidence float8, correct bool) PARTITION BY LIST (shard);
CREATE FOREIGN TABLE responses_1 PARTITION OF responses FOR VALUES IN (1)
    SERVER shard1 OPTIONS (table_name 'responses');
CREATE FOREIGN TABLE responses_2 PARTITION OF responses FOR VALUES IN (2)
    SERVER shard2 OPTIONS (table_name 'responses');

CREATE FUNCTION expect(ok bool, what text) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
    IF ok IS NOT TRUE THEN RAISE EXCEPTION 'fdw suite: % failed', what; END IF;
    RAISE NOTICE 'ok: %', what;
END \$\$;
-- Bin counts of a summary, to compare to the bit.
CREATE FUNCTION counts(s calib.summary) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
  SELECT calib.n(s) || ':' || string_agg(b.n || '/' || coalesce(round(b.accuracy * b.n)::text, '-'), ',' ORDER BY b.bin)
  FROM unnest(calib.reliability(s, 600)) b \$\$;
SQL

q() { calib_psql fdw_coord -At "$@"; }

# 1. The aggregate is shipped: per shard, the remote SQL computes the summaries.
SET_PW="SET enable_partitionwise_aggregate = on;"
ROLLUP="SELECT shard, model, domain, calib.summary(confidence, correct) AS s
        FROM responses GROUP BY shard, model, domain"
plan=$(q -c "$SET_PW" -c "EXPLAIN (VERBOSE, COSTS OFF) $ROLLUP")
echo "$plan" | sed 's/^/  /'
n_remote=$(echo "$plan" | grep -c "Remote SQL: SELECT .*calib.summary(confidence, correct)" || true)
if [ "$n_remote" != 2 ]; then
	echo "FAIL: calib.summary is not pushed down to both shards"; exit 1
fi
if echo "$plan" | grep -q "Partial\|HashAggregate\|GroupAggregate"; then
	echo "FAIL: the coordinator aggregates rows itself"; exit 1
fi
echo "ok: calib.summary runs on the shards (2 remote aggregates, none local)"

# 2. What travels is the type's text form: the summary fetched through the
#    foreign table is exactly the one the shard computes.
for s in 1 2; do
	remote=$(calib_psql fdw_shard$s -At -c "SELECT calib.summary(confidence, correct)::text FROM responses")
	fetched=$(q -c "SELECT calib.summary(confidence, correct)::text FROM responses_$s")
	[ "$remote" = "$fetched" ] || { echo "FAIL: shard $s summary changed in transit"; exit 1; }
	echo "ok: shard $s summary arrives unchanged (${#fetched} characters of text)"
done

# 3. Merged on the coordinator = the same query on all rows in one instance.
#    (expect() reports through NOTICEs; the empty result rows are dropped.)
calib_psql fdw_coord -o /dev/null <<SQL
$SET_PW
CREATE TEMP TABLE sharded AS
SELECT model, domain, calib.merge(s) AS s FROM ($ROLLUP) per_shard GROUP BY model, domain;
CREATE TEMP TABLE single AS
SELECT model, domain, calib.summary(confidence, correct) AS s FROM all_responses GROUP BY model, domain;

SELECT expect((SELECT count(*) FROM sharded) = 6 AND (SELECT count(*) FROM single) = 6, '6 model x domain groups');
SELECT expect(bool_and(counts(a.s) = counts(b.s)), 'bin counts equal to the bit, every group')
FROM sharded a JOIN single b USING (model, domain);
SELECT expect(bool_and(abs(calib.ece(a.s, k) - calib.ece(b.s, k)) < 1e-12
                   AND abs(calib.mce(a.s, k) - calib.mce(b.s, k)) < 1e-12
                   AND abs(calib.rmsce(a.s, k) - calib.rmsce(b.s, k)) < 1e-12),
              'ECE, MCE, RMSCE equal for bins 1, 10, 15, 100, 600')
FROM sharded a JOIN single b USING (model, domain), unnest(ARRAY[1, 10, 15, 100, 600]) k;
SELECT expect(bool_and(abs(calib.brier(a.s) - calib.brier(b.s)) < 1e-14
                   AND abs(calib.nll(a.s) - calib.nll(b.s)) < 1e-12
                   AND calib.accuracy(a.s) = calib.accuracy(b.s)
                   AND abs(calib.mean_confidence(a.s) - calib.mean_confidence(b.s)) < 1e-14
                   AND calib.auroc(a.s) = calib.auroc(b.s)),
              'Brier, log loss, accuracy, mean confidence, AUROC equal')
FROM sharded a JOIN single b USING (model, domain);
-- and equal to the direct aggregates over all rows
SELECT expect(bool_and(abs(calib.ece(a.s) - d.ece) < 1e-9 AND abs(calib.brier(a.s) - d.brier) < 1e-12),
              'sharded summaries = direct calib.ece / calib.brier over all rows')
FROM sharded a JOIN (SELECT model, domain, calib.ece(confidence, correct) ece, calib.brier(confidence, correct) brier
                     FROM all_responses GROUP BY model, domain) d USING (model, domain);

-- Rolling 7-day ECE per model from per-shard daily summaries.
CREATE TEMP TABLE daily AS
SELECT day, model, calib.merge(s) AS s
FROM (SELECT shard, day, model, calib.summary(confidence, correct) s FROM responses GROUP BY shard, day, model) x
GROUP BY day, model;
SELECT expect(bool_and(abs(w.ece - r.ece) < 1e-12), 'rolling 7-day ECE from shards = self-join over all rows')
FROM (SELECT day, model, calib.ece(calib.merge(s) OVER (PARTITION BY model ORDER BY day ROWS 6 PRECEDING)) ece FROM daily) w
JOIN LATERAL (SELECT calib.ece(confidence, correct) ece FROM all_responses a
              WHERE a.model = w.model AND a.day BETWEEN w.day - 6 AND w.day) r ON true;
SQL

# 4. COPY BINARY of stored summaries from a shard into the coordinator.
bin=$CALIB_TMP/fdw_summaries.bin
calib_psql fdw_shard1 -c "\copy (SELECT day, calib.summary(confidence, correct) FROM responses GROUP BY day) TO '$bin' WITH (FORMAT binary)"
calib_psql fdw_coord -c "CREATE TABLE copied (day int, s calib.summary)" \
	-c "\copy copied FROM '$bin' WITH (FORMAT binary)"
a=$(calib_psql fdw_shard1 -At -c "SELECT string_agg(s::text, ';' ORDER BY day) FROM (SELECT day, calib.summary(confidence, correct) s FROM responses GROUP BY day) x")
b=$(q -c "SELECT string_agg(s::text, ';' ORDER BY day) FROM copied")
[ "$a" = "$b" ] || { echo "FAIL: COPY BINARY between servers changed a summary"; exit 1; }
echo "ok: COPY BINARY from a shard into the coordinator keeps 20 summaries exactly"
echo "fdw suite passed"
