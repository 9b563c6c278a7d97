-- Issue 15: calib.parse_confidence over 1 million ~200-byte responses, and
-- calib.semantic_clusters / semantic_agreement over 100 000 prompts x 10
-- answers with 384-dimension real[] embeddings (three meanings per prompt).
\set texts (1000000 * :scale)::bigint
\set prompts (100000 * :scale)::bigint
SELECT setseed(0.15) \gset
DROP TABLE IF EXISTS bench_stated;
CREATE TABLE bench_stated AS
SELECT i AS id,
       (ARRAY['The capital of the country in question is answer ',
              'Reasoning: the treaty was signed after the war ended, so the year is ',
              'Step 1: compute the total. Step 2: divide by the count, giving '])[1 + i % 3]
       || (i % 997) || '. ' || repeat('Supporting prose about the question at hand. ', 2)
       || (ARRAY['Confidence: ' || (i % 101) || '%',
                 'Confidence (1-10): ' || (i % 10 + 1),
                 'I am ' || (i % 100) || '% sure.',
                 'Probability: 0.' || (i % 100),
                 'It is highly likely to be right.',
                 'My confidence is ' || (i % 11) || '/10'])[1 + i % 6] AS response
FROM generate_series(1, :texts) AS i;
VACUUM ANALYZE bench_stated;

SELECT bench.measure('stated', 'calib.parse_confidence per row (~200 B)',
    'SELECT sum(calib.parse_confidence(response)) FROM bench_stated',
    'SELECT sum(length(response)) FROM bench_stated',
    $$SELECT sum(coalesce((regexp_match(response, '(\d+(?:\.\d+)?)\s*%'))[1]::float8 / 100,
                          (regexp_match(response, '[Cc]onfidence[^0-9]*(\d+(?:\.\d+)?)'))[1]::float8))
      FROM bench_stated$$,
    :runs, 'goal: ÷ floor (sum(length)) <= 3; plain SQL: two regular expressions, fewer rules');

-- 10 answers per prompt; answer j of prompt p is meaning (p + j % 3) % 384,
-- a unit vector with small deterministic noise (cosine >= 0.98 within a
-- meaning, about 0 across): three clusters per prompt at threshold 0.9.
-- The table has the key a table of sampled answers has, (prompt_id,
-- sample_no), and its rows are in the order they would be written (a
-- prompt's answers together), so the grouped calib queries read each
-- prompt's rows in key order (GroupAggregate over the key's index) while
-- the floor, whose state is 12 bytes, hashes.  docs/performance.md has the
-- same queries on rows without a usable order (a sort of the whole table).
DROP TABLE IF EXISTS bench_emb;
CREATE TABLE bench_emb AS
SELECT p AS prompt_id, j AS sample_no,
       ARRAY(SELECT (CASE WHEN k = (p + j % 3) % 384 THEN 1 ELSE 0 END
                     + 0.002 * ((p * 31 + j * 17 + k * 7) % 13 - 6))::real
             FROM generate_series(0, 383) k) AS embedding
FROM generate_series(1, :prompts) p, generate_series(1, 10) j;
ALTER TABLE bench_emb ADD PRIMARY KEY (prompt_id, sample_no);
VACUUM ANALYZE bench_emb;
-- The planted clusters are found (the benchmark measures the real case,
-- where the union-find skips pairs already joined).
SELECT CASE WHEN sum((c).clusters) = 3 * :prompts THEN 'three clusters per prompt'
            ELSE 'unexpected clusters: ' || sum((c).clusters) END AS bench_emb_check
FROM (SELECT calib.semantic_clusters(embedding, 0.9) AS c FROM bench_emb GROUP BY prompt_id) s;

SELECT bench.measure('semantic', 'calib.semantic_clusters per prompt (10 x 384)',
    'SELECT prompt_id, calib.semantic_clusters(embedding, 0.9) FROM bench_emb GROUP BY prompt_id',
    'SELECT prompt_id, sum(array_length(embedding, 1)) FROM bench_emb GROUP BY prompt_id',
    NULL, :runs, 'goal: ÷ floor (sum(array_length)) <= 3');

SELECT bench.measure('semantic', 'calib.semantic_agreement per prompt (10 x 384)',
    'SELECT prompt_id, calib.semantic_agreement(embedding, 0.9) FROM bench_emb GROUP BY prompt_id',
    'SELECT prompt_id, sum(array_length(embedding, 1)) FROM bench_emb GROUP BY prompt_id',
    NULL, :runs, 'every pair compared');

-- What keeping a group's rows costs by itself: the built-in array_agg holds
-- the same 15 kB per prompt that the semantic states hold (no comparison).
SELECT bench.measure('semantic', 'array_agg(embedding) per prompt (keeps the rows, no calib)',
    'SELECT prompt_id, array_length(array_agg(embedding), 1) FROM bench_emb GROUP BY prompt_id',
    'SELECT prompt_id, sum(array_length(embedding, 1)) FROM bench_emb GROUP BY prompt_id',
    NULL, :runs, 'reference: the memory every row-keeping aggregate needs');

-- Plain SQL: the pairwise self-join with the cosine computed by unnest, on
-- the first tenth of the prompts (the whole table would take a quarter of
-- an hour per run); calib and the floor on the same rows.
\set tenth (:prompts / 10)::bigint
SELECT bench.measure('semantic', 'calib.semantic_agreement, a tenth of the prompts, against SQL',
    format('SELECT prompt_id, calib.semantic_agreement(embedding, 0.9) FROM bench_emb WHERE prompt_id <= %s GROUP BY prompt_id', :tenth),
    format('SELECT prompt_id, sum(array_length(embedding, 1)) FROM bench_emb WHERE prompt_id <= %s GROUP BY prompt_id', :tenth),
    format($$SELECT a.prompt_id,
             avg((c.dot / sqrt(c.na * c.nb) >= 0.9)::int)
      FROM bench_emb a JOIN bench_emb b ON a.prompt_id = b.prompt_id AND a.sample_no < b.sample_no,
           LATERAL (SELECT sum(x::float8 * y) AS dot, sum(x::float8 * x) AS na, sum(y::float8 * y) AS nb
                    FROM unnest(a.embedding, b.embedding) AS u(x, y)) c
      WHERE a.prompt_id <= %s
      GROUP BY a.prompt_id$$, :tenth),
    :runs, 'goal: >= 20x faster than the plain-SQL self-join');
