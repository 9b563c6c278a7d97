#!/usr/bin/env bash
# test/suites/citus.sh -- calib on a real Citus 13.2.2 cluster: a coordinator
# and two workers on loopback, Citus built from ../shared/citus/ (cached,
# see test/citus.sh).
#
# For every aggregate of calib whose state has a bounded size (the list
# below), on a `responses` table distributed by prompt_id and a
# `daily` table of stored summaries distributed by day:
#   - EXPLAIN (VERBOSE) shows worker_partial_agg in the task query: each
#     worker ships one state per group, not its rows;
#   - the result is byte-identical (as text) to the same query on a local,
#     non-distributed copy of the rows: grouped by a column that is not the
#     distribution column, ungrouped, grouped by the distribution column,
#     and joined with a reference table of business data (customer tier per
#     prompt, business unit per domain) grouped by one of its columns, which
#     still pushes down.
# For the aggregates that keep every row it records what Citus does (the
# plan) and whether the answer is still identical, and for all of them the
# bytes the coordinator reads from the workers (every task's result as
# COPY text, see citus_shipped in test/citus.sh).  The table it prints is the one in docs/sharding.md.
#
# Without the Citus source the suite says so and is skipped (exit 0).
source "$(dirname "$0")/../lib.sh"
source "$CALIB_ROOT/test/citus.sh"

tarball=$(citus_tarball)
if [ -z "$tarball" ]; then
	echo "citus: SKIPPED: no Citus source: looked for ../shared/citus/citus-$CITUS_VERSION.tar.xz"
	echo "citus: relative to $CALIB_ROOT (and its parent); set CALIB_CITUS_TARBALL to its path"
	exit 0
fi
if [ -z "${PGBIN:-}" ]; then		# run on its own, not from test/run.sh
	calib_deps
	calib_build
fi
trap 'for n in cz_coord cz_w1 cz_w2; do calib_stop $n; done' EXIT
citus_build
citus_cluster cz "citus.shard_count = 8"

q() { calib_psql cz_coord -At "$@"; }

# The same deterministic rows in a local table and a distributed one.
# Confidences: random doubles, values on a 1/100 grid, exact fine-bin edges
# k/600, 0 and 1; some NULL rows; answers with ties and long ones.
q <<'SQL' >/dev/null
SELECT setseed(0.13);
CREATE TABLE responses_local AS
SELECT id, prompt_id, day, model, domain, confidence,
       random() < 0.05 + 0.8 * coalesce(confidence, 0.5) AS correct,   -- informative, overconfident
       answer, weight, score, probs,
       CASE WHEN random() < 0.7 THEN array_position(probs, (SELECT max(x) FROM unnest(probs) x))
            ELSE 1 + floor(random() * 4)::int END AS label,     -- informative
       embedding, cluster_id
FROM (
SELECT i AS id, i % 600 AS prompt_id, i % 30 AS day,
       (ARRAY['model-a', 'model-b'])[1 + i % 3 % 2] AS model,
       (ARRAY['law', 'medicine', 'code', 'math', 'finance'])[1 + i % 7 % 5] AS domain,
       CASE WHEN i % 997 = 0 THEN NULL
            WHEN i % 5 = 0 THEN round(random()::numeric, 2)::float8
            WHEN i % 5 = 1 THEN (floor(random() * 601) / 600)::float8
            WHEN i % 101 = 2 THEN (i % 2)::float8
            ELSE random() END AS confidence,
       CASE WHEN i % 211 = 0 THEN NULL
            WHEN i % 13 = 0 THEN repeat('long answer ', 8) || (i % 3)
            ELSE 'answer ' || (i % 600 + (random() * 3)::int) % 9 END AS answer,
       CASE WHEN i % 4 = 0 THEN 0.5 ELSE random() * 3 END AS weight,
       -3 * random() AS score,
       -- a 4-option probability vector (issue 14)
       calib.softmax(ARRAY[3 * random(), 3 * random(), 3 * random(), 3 * random()]) AS probs,
       -- an 8-dimension embedding: one of three meanings with small noise,
       -- an exact duplicate every 17th row (issue 15)
       CASE WHEN i % 499 = 0 THEN NULL
            ELSE ARRAY(SELECT ((k = (i / 17) % 3)::int + 0.01 * ((i / 17 * 7 + k * 5) % 11 - 5))::real
                       FROM generate_series(0, 7) k) END AS embedding,
       (i % 600 + i % 3) % 4 AS cluster_id
FROM generate_series(1, 60000) i OFFSET 0) AS r0;
CREATE TABLE responses (LIKE responses_local);
SELECT create_distributed_table('responses', 'prompt_id');
INSERT INTO responses SELECT * FROM responses_local;

-- Stored daily summaries, one per day, model and domain.
CREATE TABLE daily_local AS
SELECT day, model, domain, calib.summary(confidence, correct) AS s
FROM responses_local GROUP BY day, model, domain;
CREATE TABLE daily (LIKE daily_local);
SELECT create_distributed_table('daily', 'day');
INSERT INTO daily SELECT * FROM daily_local;

-- Business data: reference tables (a copy on every node).
CREATE TABLE tiers AS
SELECT p AS prompt_id, (ARRAY['free', 'pro', 'enterprise'])[1 + p % 3] AS tier
FROM generate_series(0, 599) p;
SELECT create_reference_table('tiers');
CREATE TABLE units AS
SELECT d AS domain, CASE WHEN d IN ('law', 'finance') THEN 'legal' ELSE 'product' END AS unit
FROM unnest(ARRAY['law', 'medicine', 'code', 'math', 'finance']) d;
SELECT create_reference_table('units');
ANALYZE;
SQL
echo "citus: cluster up (coordinator + 2 workers, 8 shards), 60000 responses, $(q -c 'SELECT count(*) FROM daily') daily summaries"

# kind | aggregate call (over responses: confidence, correct, answer, weight,
# score; over daily: s).  bounded: must push down and be byte-identical.
# rows: keeps every row; measured and reported.
AGGS="
bounded|calib.summary(confidence, correct)
bounded|calib.merge(s)
bounded|calib.ece(confidence, correct)
bounded|calib.ece(confidence, correct, 15)
bounded|calib.mce(confidence, correct)
bounded|calib.mce(confidence, correct, 7)
bounded|calib.rmsce(confidence, correct)
bounded|calib.rmsce(confidence, correct, 20)
bounded|calib.reliability(confidence, correct)
bounded|calib.reliability(confidence, correct, 5)
bounded|calib.brier_decomposition(confidence, correct)
bounded|calib.brier_decomposition(confidence, correct, 4)
bounded|calib.debiased_ece(confidence, correct)
bounded|calib.debiased_ece(confidence, correct, 12)
bounded|calib.fit_histogram(confidence, correct)
bounded|calib.fit_histogram(confidence, correct, 8)
bounded|calib.brier(confidence, correct)
bounded|calib.nll(confidence, correct)
bounded|calib.vote(answer)
bounded|calib.vote(answer, weight)
bounded|calib.agreement(answer)
bounded|calib.best_of(score, correct)
bounded|calib.ece(probs, label)
bounded|calib.ece(probs, label, 10)
bounded|calib.mce(probs, label)
bounded|calib.reliability(probs, label)
bounded|calib.classwise_ece(probs, label)
bounded|calib.full_ece(probs, label)
bounded|calib.brier(probs, label)
bounded|calib.nll(probs, label)
bounded|calib.semantic_clusters(embedding, 0.95) FILTER (WHERE id <= 3000)
bounded|calib.semantic_agreement(embedding, 0.95) FILTER (WHERE id <= 3000)
bounded|calib.semantic_entropy(cluster_id)
bounded|calib.semantic_entropy(cluster_id, score)
rows|calib.auroc(confidence, correct)
rows|calib.ace(confidence, correct)
rows|calib.aurc(confidence, correct)
rows|calib.risk_coverage(confidence, correct)
rows|calib.threshold_for_accuracy(confidence, correct, 0.8)
rows|calib.fit_temperature(confidence, correct)
rows|calib.fit_platt(confidence, correct) FILTER (WHERE confidence BETWEEN 0.01 AND 0.99)
rows|calib.fit_isotonic(confidence, correct)
rows|calib.smooth_ece(confidence, correct)
rows|calib.ece_ci(confidence, correct)
rows|calib.auroc(probs, label)
rows|calib.fit_temperature(probs, label)
rows|calib.semantic_labels(embedding, 0.95 ORDER BY id) FILTER (WHERE id <= 3000)
"

# One aggregate call, checked in one session on the coordinator (a new
# session per query would open new connections to every worker each time):
# for each query form, whether EXPLAIN (VERBOSE) shows worker_partial_agg
# and whether the result, row by row as text, is the local copy's.
q >/dev/null <<'SQL'
CREATE FUNCTION citus_check(kind text, agg text, tbl text, dist text, ref text, refcol text,
                            OUT pushed text, OUT same text, OUT detail text)
LANGUAGE plpgsql AS $$
DECLARE
    forms text[] := ARRAY[
        format('SELECT domain, (%s)::text FROM %%s GROUP BY domain ORDER BY domain', agg),
        format('SELECT (%s)::text FROM %%s', agg),
        format('SELECT %s, (%s)::text FROM %%s r %s GROUP BY %s ORDER BY 1', refcol, agg, ref, refcol),
        format('SELECT %s, (%s)::text FROM %%s GROUP BY %s ORDER BY 1', dist, agg, dist)];
    names text[] := ARRAY['grouped', 'ungrouped', 'reference-join', 'by-distribution-column'];
    -- per prompt, a fit of 20 rows may not exist: keep-every-row ones skip it
    todo int[] := CASE WHEN kind = 'bounded' THEN ARRAY[1, 2, 3, 4] ELSE ARRAY[1, 3] END;
    i int;
    line text;
    plan text;
    got text;
    want text;
    r record;
BEGIN
    pushed := 'yes'; same := 'yes'; detail := '';
    FOREACH i IN ARRAY todo LOOP
        BEGIN
            plan := '';
            FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || format(forms[i], tbl) LOOP
                plan := plan || line || E'\n';
            END LOOP;
            IF i < 4 AND plan !~ 'worker_partial_agg' THEN
                pushed := 'no'; detail := detail || ' ' || names[i] || ':row-gather';
            END IF;
            got := ''; want := '';
            FOR r IN EXECUTE format(forms[i], tbl) LOOP got := got || r::text || E'\n'; END LOOP;
            FOR r IN EXECUTE format(forms[i], tbl || '_local') LOOP want := want || r::text || E'\n'; END LOOP;
            IF got <> want THEN
                same := 'no'; detail := detail || ' ' || names[i] || ':differs';
                IF kind = 'bounded' THEN
                    RAISE NOTICE E'%: %\n  distributed: %\n  one node:    %', agg, names[i],
                        left(got, 300), left(want, 300);
                END IF;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            same := 'error'; detail := detail || ' ' || names[i] || ':' || SQLERRM;
        END;
    END LOOP;
END $$;
SQL

# Bytes the coordinator reads from the workers for a query (test/citus.sh).
received() { citus_shipped cz "$1" || echo "? ?"; }

failures=0
fail() { echo "citus: FAILED: $*"; failures=$((failures + 1)); }

while IFS='|' read -r kind agg; do
	[ -n "$kind" ] || continue
	if [[ "$agg" == *"(s)"* ]]; then
		t=daily; dist=day; ref="JOIN units u USING (domain)"; refcol=u.unit
	else
		t=responses; dist=prompt_id; ref="JOIN tiers u USING (prompt_id)"; refcol=u.tier
	fi
	out=$(q -c "SELECT * FROM citus_check(\$\$$kind\$\$, \$\$$agg\$\$, '$t', '$dist', \$\$$ref\$\$, '$refcol')" 2>&1) || true
	IFS='|' read -r pushed same detail <<<"$(tail -1 <<<"$out")"
	[ "$(wc -l <<<"$out")" -le 1 ] || sed '$d' <<<"$out"	# the differences, if any
	read -r bytes nrows < <(received "SELECT domain, ($agg)::text FROM $t GROUP BY domain")
	if [ "$kind" = bounded ]; then
		[ "$pushed" = yes ] || fail "$agg is not pushed down ($detail)"
		[ "$same" = yes ] || fail "$agg is not byte-identical to one node ($detail)"
	elif [ "$same" = error ]; then
		fail "$agg failed:$detail"
	elif [ "$same" != yes ]; then
		# gathered rows arrive in another order than one node's scan: the
		# keep-every-row aggregates still give the same bits
		fail "$agg is not byte-identical to one node ($detail)"
	fi
	echo "citus: $(printf '%-8s %-55s pushed down: %-4s byte-identical to one node: %-4s shipped (grouped by domain): %s bytes in %s rows' \
		"$kind" "$agg" "$pushed" "$same" "$bytes" "$nrows")"
done <<<"$AGGS"

# The summary-based way for the keep-every-row aggregates: a summary per
# shard and group, merged on the coordinator (pushed down), then the
# answer from the merged summary -- calib.auroc(s) is the AUROC at the
# summary's resolution (within calib.auroc_max_error(s)).
for agg in "calib.auroc(calib.summary(confidence, correct))" "calib.ece(calib.summary(confidence, correct))"; do
	dq="SELECT domain, ($agg)::text FROM responses GROUP BY domain ORDER BY domain"
	plan=$(q -c "EXPLAIN (VERBOSE, COSTS OFF) $dq")
	grep -q worker_partial_agg <<<"$plan" && pushed=yes || pushed=no
	[ "$(q -c "$dq")" = "$(q -c "${dq//responses/responses_local}")" ] && same=yes || same=no
	read -r bytes nrows < <(received "$dq")
	echo "citus: $(printf 'summary  %-55s pushed down: %-4s byte-identical to one node: %-4s shipped (grouped by domain): %s bytes in %s rows' "$agg" "$pushed" "$same" "$bytes" "$nrows")"
	[ "$pushed" = yes ] || fail "$agg is not pushed down"
done

# The summary's AUROC (pushed down) is within its documented bound of the
# exact AUROC (rows gathered), per domain.
bad=$(q -c "SELECT count(*) FROM (SELECT domain, calib.auroc(calib.summary(confidence, correct)) AS a,
                                        calib.auroc_max_error(calib.summary(confidence, correct)) AS e
                                 FROM responses GROUP BY domain) s
            JOIN (SELECT domain, calib.auroc(confidence, correct) AS a FROM responses GROUP BY domain) r
            USING (domain) WHERE abs(s.a - r.a) > s.e")
[ "$bad" = 0 ] && echo "citus: calib.auroc(summary) within calib.auroc_max_error of calib.auroc(rows) for every domain" \
	|| fail "calib.auroc(summary) outside its bound for $bad domains"

# Exact merges: the daily summaries merged on Citus equal the summary of
# the same rows computed directly on one node.
got=$(q -c "SELECT domain, calib.merge(s)::text FROM daily GROUP BY domain ORDER BY 1")
want=$(q -c "SELECT domain, calib.summary(confidence, correct)::text FROM responses_local GROUP BY domain ORDER BY 1")
if [ "$got" = "$want" ]; then echo "citus: merged daily summaries (Citus) = direct summaries (one node)"
else fail "merged daily summaries on Citus differ from the direct summary on one node"; fi

echo "citus: $(grep -c . <<<"$AGGS") aggregate calls, $failures failures"
[ $failures = 0 ]
