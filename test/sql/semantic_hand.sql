-- Semantic entropy and embedding clusters on hand-worked cases; errors;
-- the state types' text and binary forms.
\pset null '(null)'

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

------------------------------------------------------------ semantic_entropy
-- ids {1,1,2,3}: p = 1/2, 1/4, 1/4; H = ln 2 / 2 + ln 4 / 2 = 1.5 ln 2 = 1.0397207708399179
SELECT calib.semantic_entropy(c) AS h, 1.5 * ln(2) AS want
FROM unnest(ARRAY[1, 1, 2, 3, NULL]::bigint[]) c;
-- one cluster: 0; no rows: NULL
SELECT calib.semantic_entropy(c) FROM unnest(ARRAY[7, 7, 7]::bigint[]) c;
SELECT calib.semantic_entropy(c) FROM unnest(ARRAY[]::bigint[]) c;
-- weighted: cluster 1 = e^-1 + e^-2, cluster 2 = e^-1; p1 = (1 + e^-1) / (2 + e^-1)
SELECT round(h::numeric, 12) AS h, round((-(p * ln(p) + (1 - p) * ln(1 - p)))::numeric, 12) AS want
FROM (SELECT calib.semantic_entropy(c, lp) AS h
      FROM (VALUES (1::bigint, -1::float8), (1, -2), (2, -1), (NULL, -0.5), (3, NULL)) v(c, lp)) a,
     (SELECT (1 + exp(-1)) / (2 + exp(-1)) AS p) w;
-- equal log-probs give the count entropy; -Infinity weighs nothing
SELECT calib.semantic_entropy(c, -3) = calib.semantic_entropy(c) AS same
FROM unnest(ARRAY[1, 1, 2, 3]::bigint[]) c;
SELECT calib.semantic_entropy(c, lp) FROM (VALUES (1::bigint, '-Infinity'::float8), (2, -1)) v(c, lp);
SELECT calib.semantic_entropy(c, lp) FROM (VALUES (1::bigint, '-Infinity'::float8)) v(c, lp);
-- log-sum-exp: total log-probs of -2000 (exp underflows) still work: two equal clusters, ln 2
SELECT calib.semantic_entropy(c, lp) = ln(2) AS lse
FROM (VALUES (1::bigint, -2000::float8), (2, -2000)) v(c, lp);
SELECT pg_temp.err($$SELECT calib.semantic_entropy(1::bigint, 'NaN'::float8)$$);
SELECT pg_temp.err($$SELECT calib.semantic_entropy(1::bigint, 'Infinity'::float8)$$);

------------------------------------------------------------ embeddings
-- (3,4) and (4,3): cosine 24/25 = 0.96 exactly at the threshold: an edge.
-- (1,0) and (-1,0) are alone.  Clusters {1,2}, {3}, {4}: shares 1/2, 1/4, 1/4.
CREATE TEMP TABLE e (g int, i int, v real[]);
INSERT INTO e VALUES (1, 1, '{3,4}'), (1, 2, '{1,0}'), (1, 3, '{4,3}'), (1, 4, '{-1,0}'),
                     (1, 5, NULL),
                     (2, 1, '{1,2,3}'), (2, 2, '{2,4,6}'), (2, 3, '{1,2,3}'),   -- one cluster (cosine 1)
                     (3, 1, '{1,0}'),                                          -- a single answer
                     (4, 1, NULL);                                             -- no embedding
SELECT g, (calib.semantic_clusters(v, 0.96)).*, calib.semantic_agreement(v, 0.96) AS agreement,
       calib.semantic_labels(v, 0.96 ORDER BY i) AS labels
FROM e GROUP BY g ORDER BY g;
-- a threshold just above 0.96 separates (3,4) and (4,3): agreement 0 of 6 pairs
SELECT (calib.semantic_clusters(v, 0.9600000000000001)).clusters, calib.semantic_agreement(v, 0.9600000000000001)
FROM e WHERE g = 1;
-- threshold -1: everything is one cluster, agreement 1
SELECT (calib.semantic_clusters(v, -1)).*, calib.semantic_agreement(v, -1) FROM e WHERE g = 1;
-- opposite directions whose quotient rounds to -1.0000000000000002 (a float
-- rounding of -3 x the first): clamped to -1, still an edge at threshold -1
SELECT (calib.semantic_clusters(v, -1)).clusters, calib.semantic_agreement(v, -1),
       calib.semantic_agreement(v, -0.9999999999999999) AS just_above
FROM (VALUES ('{0.04,-0.21,-0.02}'::real[]), ('{-0.12,0.63,0.06}')) AS t(v);
-- chaining: a-b and b-c are edges, a-c is not; one component, agreement 2/3
SELECT (calib.semantic_clusters(v, 0.7)).clusters, calib.semantic_agreement(v, 0.7)
FROM (VALUES ('{1,0}'::float8[]), ('{1,1}'), ('{0,1}')) x(v);
-- labels follow the ORDER BY
SELECT calib.semantic_labels(v, 0.96 ORDER BY i DESC) FROM e WHERE g = 1;
-- double precision and real give the same answer on the same values
SELECT calib.semantic_clusters(v::float8[], 0.96) = calib.semantic_clusters(v, 0.96) AS same
FROM e WHERE g = 1;
-- huge and tiny doubles: cosines are scale-free
SELECT (calib.semantic_clusters(v, 0.96)).*
FROM (VALUES ('{3e300,4e300}'::float8[]), ('{4e-300,3e-300}')) x(v);

------------------------------------------------------------ errors (22023)
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 1.5) FROM (VALUES ('{1,2}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 'NaN') FROM (VALUES ('{1,2}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, NULL) FROM (VALUES ('{1,2}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, t) FROM (VALUES ('{1,2}'::real[], 0.5), ('{1,2}', 0.6)) x(v, t)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{1,2}'::real[]), ('{1,2,3}')) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{0,0}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{1,NULL}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{1,NaN}'::float8[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{1,-Infinity}'::float8[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{}'::real[])) x(v)$$);
SELECT pg_temp.err($$SELECT calib.semantic_clusters(v, 0.5) FROM (VALUES ('{{1,2},{3,4}}'::real[])) x(v)$$);

------------------------------------------------------------ state types
-- text form: tag + hexadecimal wire form; round trips exactly
SELECT calib._semantic_entropy_trans(calib._semantic_entropy_trans(NULL, 5, -1.5), -2, '-Infinity') AS s \gset
SELECT :'s';
SELECT :'s'::calib.semantic_entropy_state::text = :'s' AS text_round_trip;
SELECT calib._semantic_trans(calib._semantic_trans(NULL, '{3,4}'::real[], 0.96), '{4,3}'::real[], 0.96) AS m \gset
SELECT :'m';
SELECT :'m'::calib.semantic_state::text = :'m' AS text_round_trip,
       calib._semantic_clusters_final(:'m') AS clusters;
-- labels keep NULL rows: NULL, (1,0), NULL
SELECT calib._semantic_labels_final(calib._semantic_labels_trans(calib._semantic_labels_trans(
       calib._semantic_labels_trans(NULL, NULL::real[], 0.5), '{1,0}'::real[], 0.5), NULL::real[], 0.5));
-- called outside an aggregate the transition function copies: m is unchanged
SELECT calib._semantic_trans(:'m'::calib.semantic_state, '{1,0}'::real[], 0.96) IS NOT NULL AS copied,
       :'m'::calib.semantic_state::text = :'m' AS unchanged;
-- binary: send then receive through a table copy
CREATE TEMP TABLE st (s calib.semantic_state, e calib.semantic_entropy_state);
INSERT INTO st VALUES (:'m', :'s');
COPY st TO '/tmp/calib_semantic_hand.bin' WITH (FORMAT binary);
CREATE TEMP TABLE st2 (LIKE st);
COPY st2 FROM '/tmp/calib_semantic_hand.bin' WITH (FORMAT binary);
SELECT s::text = :'m' AS binary_round_trip, e::text = :'s' AS binary_round_trip_entropy FROM st2;
SELECT length(calib._semantic_state_send(s)) AS wire_bytes, length(calib._semantic_entropy_state_send(e)) FROM st;
-- hostile text: 22P02, never a crash
SELECT pg_temp.err($$SELECT 'garbage'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:5'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:zz'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:53010400000000023fe0000000000000000000000000ffff000000000000000000000000000000003f80000040000000'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:53010400000000023ff8000000000000000000000000000100000000000000000000000000000000003f80000040000000'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:530104000000000200000000000000000000000000000001000000000000000000000000000000000000000000000000'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'sm1:53010400000000023fe00000000000000000000000000001000000000000000000000000000000007fc0000040000000'::calib.semantic_state$$);
SELECT pg_temp.err($$SELECT 'se1:4501000000000000000000020000000000000005'::calib.semantic_entropy_state$$);
SELECT pg_temp.err($$SELECT 'se1:450101000000000000000001fffffffffffffffe7ff8000000000000'::calib.semantic_entropy_state$$);
SELECT pg_temp.err($$SELECT 'se1:450100000000000000000000'::calib.semantic_entropy_state$$);
