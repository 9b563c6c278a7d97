#!/usr/bin/env bash
# test/suites/semantic_reference.sh -- calib.semantic_clusters, semantic_agreement,
# semantic_labels and semantic_entropy against a second implementation
# (test/suites/semantic_reference.py: scipy.sparse.csgraph.connected_components,
# scipy.special.logsumexp) on generated groups with planted clusters, exact
# duplicates, pairs exactly at the threshold, single rows, huge and tiny
# double precision values and 384-dimension embeddings; then parallel plans
# against serial ones and shuffled row orders against the stored order, bit
# for bit.
source "$(dirname "$0")/../lib.sh"
calib_deps
[ -n "${PGBIN:-}" ] || calib_build >/dev/null
calib_start semref
cd "$CALIB_ROOT"
work=$CALIB_TMP/semref
mkdir -p "$work"
chmod 777 "$work"
/usr/bin/python3 test/suites/semantic_reference.py gen "$work"
/usr/bin/python3 test/suites/semantic_reference.py ref "$work"
chmod 644 "$work"/*.csv

calib_psql semref -v ON_ERROR_STOP=1 -c "CREATE EXTENSION calib" >/dev/null
calib_psql semref -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE emb (prompt int, ord int, kind text, threshold float8, embedding float8[]);
\copy emb FROM '$work/emb.csv' WITH (FORMAT csv)
CREATE TABLE ids (prompt int, ord int, cluster_id bigint, seq_logprob float8);
\copy ids FROM '$work/ids.csv' WITH (FORMAT csv)
CREATE TABLE ref (prompt int, quantity text, value text);
\copy ref FROM '$work/ref.csv' WITH (FORMAT csv)
ALTER TABLE emb ADD COLUMN emb4 real[];
UPDATE emb SET emb4 = embedding::real[] WHERE kind NOT IN ('huge', 'tiny');
ANALYZE;

SQL
calib_psql semref -v ON_ERROR_STOP=1 <<'SQL'
-- One row per (prompt, quantity, element type) computed by calib.
CREATE TABLE ours AS
WITH g AS (
  SELECT prompt, 'float8' AS t, calib.semantic_clusters(embedding, threshold) AS c,
         calib.semantic_agreement(embedding, threshold) AS a,
         calib.semantic_labels(embedding, threshold ORDER BY ord) AS l
  FROM emb GROUP BY prompt
  UNION ALL
  SELECT prompt, 'real', calib.semantic_clusters(emb4, threshold),
         calib.semantic_agreement(emb4, threshold),
         calib.semantic_labels(emb4, threshold ORDER BY ord)
  FROM emb WHERE emb4 IS NOT NULL GROUP BY prompt)
SELECT prompt, t, q, v FROM g, LATERAL (VALUES
  ('n', (c).n::text), ('clusters', (c).clusters::text),
  ('largest_share', (c).largest_share::text), ('entropy', (c).entropy::text),
  ('agreement', coalesce(a::text, '')), ('labels', l::text)) AS x(q, v);
INSERT INTO ours
SELECT prompt, 'ids', 'se_counts', calib.semantic_entropy(cluster_id)::text FROM ids GROUP BY prompt
UNION ALL
SELECT prompt, 'ids', 'se_weighted', calib.semantic_entropy(cluster_id, seq_logprob)::text FROM ids GROUP BY prompt;

-- Exact for counts, clusters, labels and the pair decisions; 1e-12 for
-- the shares, entropies and agreement (scipy sums in another order).
CREATE TABLE cmp AS
SELECT r.prompt, o.t, r.quantity, r.value AS reference, o.v AS calib,
       CASE WHEN r.quantity IN ('n', 'clusters', 'labels') THEN r.value = o.v
            WHEN coalesce(r.value, '') = '' OR coalesce(o.v, '') = ''
                THEN coalesce(r.value, '') = coalesce(o.v, '')
            ELSE abs(r.value::float8 - o.v::float8) <= 1e-12 END AS ok
FROM ref r JOIN ours o ON o.prompt = r.prompt AND o.q = r.quantity;
SELECT * FROM cmp WHERE ok IS NOT TRUE ORDER BY 1, 2, 3 LIMIT 20;
SELECT count(*) AS compared, count(*) FILTER (WHERE ok IS TRUE) AS agree,
       (SELECT count(*) FROM ref) + (SELECT count(*) FROM ref r WHERE quantity NOT LIKE 'se_%'
            AND EXISTS (SELECT FROM emb e WHERE e.prompt = r.prompt AND e.emb4 IS NOT NULL)) AS expected,
       (SELECT count(*) FROM emb e JOIN emb f USING (prompt)
        WHERE e.ord < f.ord AND e.kind = 'at_threshold') AS pairs_in_threshold_groups
FROM cmp \gset
\echo semantic_reference: :agree of :compared values agree with scipy (:expected expected)
SELECT :agree = :compared AND :compared = :expected AS ok \gset
\if :ok
\else
  \echo semantic_reference: FAILED
  SELECT 1 / 0;
\endif

-- Parallel = serial, bit for bit, and any row order = the stored order.
CREATE TABLE big AS SELECT p * 1000 + prompt AS prompt, ord, threshold, embedding, emb4
FROM emb, generate_series(1, 20) p;
CREATE TABLE bigids AS SELECT p * 1000 + prompt AS prompt, ord, cluster_id, seq_logprob
FROM ids, generate_series(1, 20) p;
ANALYZE big; ANALYZE bigids;
CREATE FUNCTION pg_temp.results(tab text) RETURNS TABLE (prompt int, r text) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format(
    'SELECT prompt, concat_ws(%L, calib.semantic_clusters(embedding, threshold)::text,
            calib.semantic_agreement(embedding, threshold)::text,
            calib.semantic_clusters(emb4, threshold)::text,
            calib.semantic_agreement(emb4, threshold)::text)
     FROM %s GROUP BY prompt', ' ', tab);
END $$;
CREATE FUNCTION pg_temp.se(tab text) RETURNS TABLE (prompt int, r text) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format(
    'SELECT prompt, calib.semantic_entropy(cluster_id)::text || %L ||
            coalesce(calib.semantic_entropy(cluster_id, seq_logprob)::text, %L)
     FROM %s GROUP BY prompt', ' ', 'null', tab);
END $$;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS SELECT * FROM pg_temp.results('big');
CREATE TEMP TABLE serial_se AS SELECT * FROM pg_temp.se('bigids');
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET enable_hashagg = off;
SET parallel_leader_participation = off;
CREATE FUNCTION pg_temp.plan_has(q text, pat text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN ' || q LOOP
    IF l LIKE pat THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$;
SELECT pg_temp.plan_has('SELECT prompt, calib.semantic_clusters(embedding, threshold) FROM big GROUP BY prompt',
                        '%Partial%Aggregate%')
   AND pg_temp.plan_has('SELECT prompt, calib.semantic_entropy(cluster_id, seq_logprob) FROM bigids GROUP BY prompt',
                        '%Partial%Aggregate%') AS partial_plan \gset
CREATE TEMP TABLE par AS SELECT * FROM pg_temp.results('big');
CREATE TEMP TABLE par_se AS SELECT * FROM pg_temp.se('bigids');
RESET ALL;
CREATE TEMP TABLE shuffled_big AS SELECT * FROM big ORDER BY md5(prompt::text || ord::text);
CREATE TEMP TABLE shuffled AS SELECT * FROM pg_temp.results('shuffled_big');
SELECT (SELECT count(*) FROM serial s JOIN par p USING (prompt) WHERE s.r = p.r) AS par_equal,
       (SELECT count(*) FROM serial_se s JOIN par_se p USING (prompt) WHERE s.r = p.r) AS par_se_equal,
       (SELECT count(*) FROM serial s JOIN shuffled p USING (prompt) WHERE s.r = p.r) AS shuffled_equal,
       (SELECT count(*) FROM serial) AS groups, (SELECT count(*) FROM serial_se) AS se_groups \gset
\echo semantic_reference: parallel plan with partial aggregation: :partial_plan; parallel = serial in :par_equal of :groups groups, :par_se_equal of :se_groups entropy groups; shuffled = stored in :shuffled_equal
SELECT :'partial_plan'::boolean AND :par_equal = :groups AND :par_se_equal = :se_groups AND :shuffled_equal = :groups AS ok \gset
\if :ok
\else
  \echo semantic_reference: parallel or order check FAILED
  SELECT 1 / 0;
\endif
SQL
