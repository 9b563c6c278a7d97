-- Log-probability functions against a second implementation in plain SQL
-- (unnest ... WITH ORDINALITY, window frames) on generated arrays of many
-- lengths -- 1, window - 1, window, window + 1, long -- with and without
-- -Infinity, for double precision[] and real[]; then every bad input's
-- SQLSTATE, and parallel plans against serial ones.
BEGIN;
SELECT plan(60);

-- Equal, or within 1e-9 relative (1e-9 absolute near 0).  Infinity = Infinity.
CREATE FUNCTION pg_temp.close(a double precision, b double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT a = b OR abs(a - b) <= 1e-9 * greatest(1, abs(b))
$$;
CREATE FUNCTION pg_temp.close(a double precision[], b double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(a) = cardinality(b)
       AND bool_and(pg_temp.close(x, y))
    FROM unnest(a, b) u(x, y)
$$;

-- ------------------------------------------------------------ the data
SELECT setseed(0.2024);
-- token log-probabilities: mostly near 0, a few very unlikely tokens;
-- rows with lengths around the window (16), a long one, and copies with a
-- -Infinity token in the middle.
CREATE TEMP TABLE lp_rows AS
WITH lens(len) AS (VALUES (1), (2), (15), (16), (17), (64), (513), (3000)),
base AS (
    SELECT row_number() OVER () AS id, len, has_inf
    FROM lens, (VALUES (false), (true)) f(has_inf), generate_series(1, 3) rep
)
SELECT b.id, b.len, b.has_inf,
       array_agg(x ORDER BY i) AS a8,
       array_agg(x::real ORDER BY i) AS a4
FROM base b,
     LATERAL (SELECT i, CASE WHEN b.has_inf AND i = (b.len + 1) / 2 THEN '-Infinity'::float8
                             WHEN random() < 0.05 THEN -20 * random()
                             ELSE ln(1 - 0.999 * random()) * 0.3 END AS x
              FROM generate_series(1, b.len) i) g
GROUP BY b.id, b.len, b.has_inf;

-- The definitions, written out in SQL (seq_prob: exp() in SQL raises an
-- underflow error below about -745, where the true value is 0 in a double).
CREATE TEMP VIEW lp_ref AS
SELECT id, sum(x) AS lp_sum, avg(x) AS lp_mean, min(x) AS lp_min,
       exp(-avg(x)) AS perplexity,
       CASE WHEN sum(x) < -745 THEN 0 ELSE exp(sum(x)) END AS seq_prob,
       avg(CASE WHEN x < -745 THEN 0 ELSE exp(x) END) AS mean_token_prob,
       count(*) AS n
FROM lp_rows, unnest(a8) WITH ORDINALITY u(x, i)
GROUP BY id;
CREATE TEMP VIEW lp_ref4 AS
SELECT id, sum(x::float8) AS lp_sum, avg(x::float8) AS lp_mean,
       CASE WHEN sum(x::float8) < -745 THEN 0 ELSE exp(sum(x::float8)) END AS seq_prob,
       avg(CASE WHEN x < -745 THEN 0 ELSE exp(x::float8) END) AS mean_token_prob
FROM lp_rows, unnest(a4) WITH ORDINALITY u(x, i)
GROUP BY id;

SELECT is((SELECT count(*) FROM lp_rows), 48::bigint, '48 generated arrays');
SELECT ok((SELECT bool_and(pg_temp.close(calib.lp_sum(a8), r.lp_sum)) FROM lp_rows JOIN lp_ref r USING (id)), 'lp_sum = sum(unnest)');
SELECT ok((SELECT bool_and(pg_temp.close(calib.lp_mean(a8), r.lp_mean)) FROM lp_rows JOIN lp_ref r USING (id)), 'lp_mean = avg(unnest)');
SELECT ok((SELECT bool_and(calib.lp_min(a8) = r.lp_min) FROM lp_rows JOIN lp_ref r USING (id)), 'lp_min = min(unnest)');
SELECT ok((SELECT bool_and(pg_temp.close(calib.perplexity(a8), r.perplexity)) FROM lp_rows JOIN lp_ref r USING (id)), 'perplexity = exp(-avg)');
SELECT ok((SELECT bool_and(pg_temp.close(calib.seq_prob(a8), r.seq_prob)) FROM lp_rows JOIN lp_ref r USING (id)), 'seq_prob = exp(sum)');
SELECT ok((SELECT bool_and(pg_temp.close(calib.mean_token_prob(a8), r.mean_token_prob)) FROM lp_rows JOIN lp_ref r USING (id)), 'mean_token_prob = avg(exp)');
SELECT ok((SELECT bool_and(s.n = r.n AND pg_temp.close(s.lp_sum, r.lp_sum) AND pg_temp.close(s.lp_mean, r.lp_mean)
                           AND s.lp_min = r.lp_min AND pg_temp.close(s.perplexity, r.perplexity)
                           AND pg_temp.close(s.seq_prob, r.seq_prob)
                           AND pg_temp.close(s.mean_token_prob, r.mean_token_prob))
           FROM lp_rows JOIN lp_ref r USING (id), calib.logprob_summary(a8) s),
          'logprob_summary = every reference value');
SELECT ok((SELECT bool_and(pg_temp.close(calib.lp_sum(a4), r.lp_sum) AND pg_temp.close(calib.lp_mean(a4), r.lp_mean)
                           AND pg_temp.close(calib.seq_prob(a4), r.seq_prob)
                           AND pg_temp.close(calib.mean_token_prob(a4), r.mean_token_prob)
                           AND pg_temp.close((calib.logprob_summary(a4)).lp_mean, r.lp_mean))
           FROM lp_rows JOIN lp_ref4 r USING (id)), 'real[] versions = reference on the float4 values');
SELECT ok((SELECT bool_and(calib.lp_sum(a8) = '-Infinity' AND calib.seq_prob(a8) = 0
                           AND calib.perplexity(a8) = 'Infinity') FROM lp_rows WHERE has_inf),
          '-Infinity propagates in every row that has one');
SELECT ok((SELECT bool_and(calib.lp_sum(a8) > '-Infinity') FROM lp_rows WHERE NOT has_inf),
          'rows without -Infinity stay finite');

-- --------------------------------------------------- local confidence
-- token confidences: positive, some large, and +Infinity in copies
CREATE TEMP TABLE conf_rows AS
WITH lens(len) AS (VALUES (1), (15), (16), (17), (40), (2047), (2048), (2049), (3000)),
base AS (
    SELECT row_number() OVER () AS id, len, has_inf
    FROM lens, (VALUES (false), (true)) f(has_inf), generate_series(1, 2) rep
)
SELECT b.id, b.len, b.has_inf, array_agg(c ORDER BY i) AS c8, array_agg(c::real ORDER BY i) AS c4
FROM base b,
     LATERAL (SELECT i, CASE WHEN b.has_inf AND i = b.len / 3 + 1 THEN 'Infinity'::float8
                             ELSE 5 * random() + CASE WHEN random() < 0.02 THEN 1000 ELSE 0 END END AS c
              FROM generate_series(1, b.len) i) g
GROUP BY b.id, b.len, b.has_inf;

-- Window means by a window frame: the frame of position i covers i .. i+w-1;
-- windows start at 1 .. greatest(n - w + 1, 1) (a short trace: one window, all of it).
CREATE FUNCTION pg_temp.ref_groups(c double precision[], w integer) RETURNS double precision[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(m ORDER BY i)
    FROM (SELECT i, avg(x) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND w - 1 FOLLOWING) AS m
          FROM unnest(c) WITH ORDINALITY u(x, i)) f
    WHERE i <= greatest(cardinality(c) - w + 1, 1)
$$;
CREATE FUNCTION pg_temp.ref_tail(c double precision[], n integer) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT avg(x) FROM unnest(c) WITH ORDINALITY u(x, i) WHERE i > cardinality(c) - n
$$;

-- the reference window means, once per row and window
CREATE TEMP TABLE ref_groups AS
SELECT id, w, pg_temp.ref_groups(c8, w) AS g8, pg_temp.ref_groups(c4::float8[], w) AS g4
FROM conf_rows, (VALUES (1), (16), (2048)) ws(w);
CREATE FUNCTION pg_temp.ref_bottom(g double precision[], fraction numeric) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT avg(m) FROM (
        SELECT m, row_number() OVER (ORDER BY m) AS r
        FROM unnest(g) m) s
    WHERE r <= greatest(1, floor(fraction * cardinality(g)))
$$;

SELECT ok((SELECT bool_and(pg_temp.close(calib.group_confidence(c8, w), g8))
           FROM conf_rows JOIN ref_groups USING (id)),
          'group_confidence = window-frame means (windows 1, 16, 2048; lengths around both)');
SELECT ok((SELECT bool_and(cardinality(calib.group_confidence(c8, w)) = greatest(len - w + 1, 1))
           FROM conf_rows JOIN ref_groups USING (id)),
          'group_confidence has max(n - w + 1, 1) windows');
SELECT ok((SELECT bool_and(pg_temp.close(calib.group_confidence(c4, w), g4))
           FROM conf_rows JOIN ref_groups USING (id)), 'group_confidence(real[]) = reference');
SELECT ok((SELECT bool_and(pg_temp.close(calib.lowest_group_confidence(c8, w),
                                         (SELECT min(m) FROM unnest(g8) m)))
           FROM conf_rows JOIN ref_groups USING (id)), 'lowest_group_confidence = min of window means');
SELECT ok((SELECT bool_and(pg_temp.close(calib.lowest_group_confidence(c4, w),
                                         (SELECT min(m) FROM unnest(g4) m)))
           FROM conf_rows JOIN ref_groups USING (id)), 'lowest_group_confidence(real[]) = reference');
SELECT ok((SELECT bool_and(pg_temp.close(calib.bottom_group_confidence(c8, w, f::float8),
                                         pg_temp.ref_bottom(g8, f)))
           FROM conf_rows JOIN ref_groups USING (id), (VALUES (0.1), (0.57), (0.33), (1.0)) fs(f)),
          'bottom_group_confidence = mean of the lowest floor(fraction * m) window means');
SELECT ok((SELECT bool_and(pg_temp.close(calib.bottom_group_confidence(c4, w, 0.25), pg_temp.ref_bottom(g4, 0.25)))
           FROM conf_rows JOIN ref_groups USING (id)), 'bottom_group_confidence(real[]) = reference');
SELECT ok((SELECT bool_and(pg_temp.close(calib.bottom_group_confidence(c8, w), pg_temp.ref_bottom(g8, 0.1)))
           FROM conf_rows JOIN ref_groups USING (id)), 'bottom_group_confidence defaults to fraction 0.1');
SELECT ok((SELECT bool_and(pg_temp.close(calib.tail_confidence(c8, t), pg_temp.ref_tail(c8, t)))
           FROM conf_rows, (VALUES (1), (16), (2048), (100000)) ts(t)), 'tail_confidence = mean of the last n');
SELECT ok((SELECT bool_and(pg_temp.close(calib.tail_confidence(c4, 16), pg_temp.ref_tail(c4::float8[], 16)))
           FROM conf_rows), 'tail_confidence(real[]) = reference');
SELECT ok((SELECT bool_and(calib.bottom_group_confidence(c8, 16, 1) = 'Infinity') FROM conf_rows WHERE has_inf),
          'an infinite confidence makes its windows infinite');

-- top-k matrices: 2-D arrays of tokens x k
CREATE TEMP TABLE top_rows AS
WITH shapes(len, k) AS (VALUES (1, 1), (1, 5), (7, 2), (16, 5), (300, 20)),
base AS (SELECT row_number() OVER () AS id, len, k FROM shapes)
SELECT b.id, b.len, b.k,
       (SELECT array_agg(r ORDER BY t)
        FROM (SELECT t, array_agg(CASE WHEN t = 3 AND j = 2 THEN '-Infinity'::float8
                                       ELSE ln(1 - 0.999 * random()) * (1 + j) END ORDER BY j) AS r
              FROM generate_series(1, b.len) t, generate_series(1, b.k) j
              GROUP BY t) rows) AS top
FROM base b;
CREATE TEMP VIEW top_cells AS
SELECT id, (i - 1) / k + 1 AS t, x
FROM top_rows, unnest(top) WITH ORDINALITY u(x, i);
-- confidence -(1/k) sum; entropy of p = exp(x - max) / sum exp(x - max)
CREATE TEMP VIEW top_ref AS
SELECT id, array_agg(conf ORDER BY t) AS conf, array_agg(h ORDER BY t) AS entropy
FROM (SELECT id, t, -avg(x) AS conf,
             -sum(CASE WHEN p > 0 THEN p * ln(p) ELSE 0 END) AS h
      FROM (SELECT id, t, x, q / sum(q) OVER (PARTITION BY id, t) AS p
            FROM (SELECT id, t, x,
                         CASE WHEN x = '-Infinity' THEN 0
                              ELSE exp(x - max(x) OVER (PARTITION BY id, t)) END AS q
                  FROM top_cells) c0) c
      GROUP BY id, t) tok
GROUP BY id;

SELECT ok((SELECT bool_and(pg_temp.close(calib.token_confidence(top), r.conf)) FROM top_rows JOIN top_ref r USING (id)),
          'token_confidence = -avg(top-k) per token');
SELECT ok((SELECT bool_and(pg_temp.close(calib.token_confidence(top::real[]),
                                         (SELECT array_agg(-x ORDER BY t) FROM (
                                             SELECT t, avg(x::real::float8) AS x FROM top_cells c WHERE c.id = top_rows.id GROUP BY t) q)))
           FROM top_rows), 'token_confidence(real[]) = reference on the float4 values');
SELECT ok((SELECT bool_and(pg_temp.close(calib.token_entropy(top), r.entropy)) FROM top_rows JOIN top_ref r USING (id)),
          'token_entropy = entropy of the renormalised top-k');
SELECT ok((SELECT bool_and(pg_temp.close(calib.mean_token_entropy(top),
                                         (SELECT avg(h) FROM unnest(r.entropy) h)))
           FROM top_rows JOIN top_ref r USING (id)), 'mean_token_entropy = avg of the entropies');
SELECT ok((SELECT bool_and((calib.token_confidence(top))[3] = 'Infinity') FROM top_rows WHERE len >= 3 AND k >= 2),
          '-Infinity among the top-k gives an infinite confidence');

-- ----------------------------------------------------------- bad input
SELECT throws_ok($$SELECT calib.lp_mean('{-0.5,NULL}'::float8[])$$, '22023', 'token log-probabilities has a NULL at position 2', 'NULL element');
SELECT throws_ok($$SELECT calib.lp_sum('{-0.5,NaN}'::float8[])$$, '22023', NULL, 'NaN');
SELECT throws_ok($$SELECT calib.lp_min('{Infinity}'::real[])$$, '22023', NULL, '+Infinity');
SELECT throws_ok($$SELECT calib.perplexity('{0.5}'::float8[])$$, '22023', NULL, 'positive log-probability');
SELECT throws_ok($$SELECT calib.seq_prob('{1.1e-6}'::float8[])$$, '22023', NULL, 'just above the tolerance');
SELECT lives_ok($$SELECT calib.seq_prob('{1e-6}'::float8[])$$, 'the tolerance itself is accepted');
SELECT throws_ok($$SELECT calib.mean_token_prob('{{-1}}'::float8[])$$, '22023', NULL, '2-D where 1-D is expected');
SELECT throws_ok($$SELECT calib.logprob_summary('{-1,NULL}'::real[])$$, '22023', NULL, 'NULL element in real[]');
SELECT throws_ok($$SELECT calib.token_confidence('{-1,-2}'::float8[])$$, '22023', NULL, '1-D top_logprobs');
SELECT throws_ok($$SELECT calib.token_entropy('{{{-1}}}'::float8[])$$, '22023', NULL, '3-D top_logprobs');
SELECT throws_ok($$SELECT calib.token_confidence('{{-1,NULL}}'::float8[])$$, '22023', 'top_logprobs has a NULL at token 1, entry 2', 'NULL in top_logprobs');
SELECT throws_ok($$SELECT calib.token_entropy('{{-Infinity,-Infinity}}'::float8[])$$, '22023', NULL, 'top-k row with no candidate');
SELECT throws_ok($$SELECT calib.mean_token_entropy('{{-1,1}}'::float8[])$$, '22023', NULL, 'positive in top_logprobs');
SELECT throws_ok($$SELECT calib.group_confidence('{1}'::float8[], 0)$$, '22023', 'window must be at least 1, got 0', 'window 0');
SELECT throws_ok($$SELECT calib.lowest_group_confidence('{1}'::float8[], -1)$$, '22023', NULL, 'negative window');
SELECT throws_ok($$SELECT calib.bottom_group_confidence('{1}'::float8[], 0)$$, '22023', NULL, 'window 0 (bottom)');
SELECT throws_ok($$SELECT calib.tail_confidence('{1}'::float8[], 0)$$, '22023', NULL, 'tail 0');
SELECT throws_ok($$SELECT calib.bottom_group_confidence('{1}'::float8[], 1, 0)$$, '22023', NULL, 'fraction 0');
SELECT throws_ok($$SELECT calib.bottom_group_confidence('{1}'::float8[], 1, 1.0000001)$$, '22023', NULL, 'fraction above 1');
SELECT throws_ok($$SELECT calib.bottom_group_confidence('{1}'::float8[], 1, 'NaN')$$, '22023', NULL, 'fraction NaN');
SELECT throws_ok($$SELECT calib.lowest_group_confidence('{-0.1,-2}'::float8[], 1)$$, '22023', NULL, 'log-probabilities passed as confidences');
SELECT throws_ok($$SELECT calib.group_confidence('{1,NaN}'::real[], 1)$$, '22023', NULL, 'NaN confidence');
SELECT throws_ok($$SELECT calib.group_confidence('{{1}}'::float8[], 1)$$, '22023', NULL, '2-D confidences');
SELECT throws_ok($$SELECT calib.token_logprobs('{"choices": [{"logprobs": null}]}')$$, '22023', NULL, 'null logprobs');
SELECT throws_ok($$SELECT calib.top_logprobs('{"content": [{"logprob": -1}]}')$$, '22023', NULL, 'missing top_logprobs');
SELECT throws_ok($$SELECT calib.token_logprobs('{"content": [{"logprob": "-1"}]}')$$, '22023', NULL, 'string logprob');
SELECT throws_ok($$SELECT calib.token_logprobs('{"content": [{"logprob": 0.5}]}')$$, '22023', NULL, 'positive logprob in JSON');
SELECT throws_ok($$SELECT calib.token_logprobs('{"choices": [{"logprobs": {"content": []}}]}', 1)$$, '22023', NULL, 'choice out of range');
SELECT throws_ok($$SELECT calib.top_logprobs('[{"logprob": -1, "top_logprobs": [{"logprob": -1}]}, {"logprob": -1, "top_logprobs": []}]')$$,
                 '22023', NULL, 'ragged top_logprobs');
SELECT throws_ok($$SELECT calib.token_logprobs('true')$$, '22023', NULL, 'scalar document');
SELECT throws_ok($$SELECT calib.token_logprobs('{"id": "x"}')$$, '22023', NULL, 'unknown object');

-- ------------------------------------------- parallel plans = serial plans
CREATE TABLE lp_par AS
SELECT i AS id, array_agg(-random()::real * 3) AS a4
FROM generate_series(1, 4000) i, generate_series(1, 32) j
GROUP BY i;
ANALYZE lp_par;
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_out AS
SELECT sum(calib.lp_mean(a4)) AS s, min(calib.lowest_group_confidence(calib.token_confidence(
           ARRAY[a4, a4]::float8[]), 4)) AS l
FROM lp_par;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;
SELECT ok(pg_temp.plan_of($$SELECT sum(calib.lp_mean(a4)) FROM lp_par$$) LIKE '%Gather%',
          'the parallel plan has a Gather');
SELECT ok((SELECT pg_temp.close(p.s, o.s) AND p.l = o.l
           FROM (SELECT sum(calib.lp_mean(a4)) AS s, min(calib.lowest_group_confidence(calib.token_confidence(
                        ARRAY[a4, a4]::float8[]), 4)) AS l FROM lp_par) p, serial_out o),
          'parallel results = serial results');
SELECT * FROM finish();
ROLLBACK;
