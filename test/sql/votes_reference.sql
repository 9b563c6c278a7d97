-- calib.vote, the weighted vote, calib.agreement and calib.best_of against a
-- second implementation in plain SQL (mode() WITHIN GROUP, counts, ln) on
-- generated samples: many prompts, ties, single-sample prompts, NULLs,
-- Unicode answers, long answers, weights.  Then parallel plans against serial ones.
SELECT setseed(0.31);

-- Not TEMP: parallel workers cannot read temporary tables.  Rows are
-- stored in random order, so one prompt's samples are spread over pages and
-- parallel workers build partial states of the same prompt that have to be
-- combined.
CREATE TABLE vote_samples AS
SELECT prompt_id, sample_no,
       CASE WHEN r1 < 0.07 THEN NULL
            -- 13 answers: the first ones short; the last two long (40 and 72 bytes), so
            -- groups outgrow the vote's small form by bytes as well as by count
            ELSE (ARRAY['Paris', 'paris', 'Lyon', U&'Z\00FCrich', U&'Z\00DCRICH', U&'\6771\4EAC',
                        '1,000', '1000', '', 'the answer', 'x',
                        'a somewhat longer answer with many words',
                        repeat('long answer ', 6)])[1 + floor(r2 * (1 + prompt_id % 13))::int]
       END AS answer,
       -- multiples of 1/4: every sum is exact in any order
       CASE WHEN r3 < 0.05 THEN NULL ELSE floor(r4 * 9) / 4 END AS weight,
       -- arbitrary weights: sums depend on order in the last bits
       r5 AS w_any,
       -- 13 distinct scores, so ties at the top are common
       CASE WHEN r3 > 0.97 THEN NULL ELSE round(r6 * 6) / 2 - 3 END AS score,
       CASE WHEN r7 < 0.03 THEN NULL ELSE r1 < 0.5 END AS correct
FROM (SELECT p AS prompt_id, k AS sample_no, random() AS r1, random() AS r2, random() AS r3,
             random() AS r4, random() AS r5, random() AS r6, random() AS r7
      FROM generate_series(1, 3000) AS p, LATERAL generate_series(1, 1 + p % 13) AS k
      OFFSET 0) AS g
ORDER BY md5(prompt_id || '/' || sample_no);
ANALYZE vote_samples;

-- What the data covers (all plain SQL).
WITH c AS (SELECT prompt_id, answer, count(*) AS k FROM vote_samples
           WHERE answer IS NOT NULL GROUP BY 1, 2),
     t AS (SELECT prompt_id, max(k) AS top, count(*) FILTER (WHERE k = max_k) AS at_top
           FROM (SELECT *, max(k) OVER (PARTITION BY prompt_id) AS max_k FROM c) AS x GROUP BY 1)
SELECT (SELECT count(*) FROM vote_samples) AS rows_,
       (SELECT count(DISTINCT prompt_id) FROM vote_samples) AS prompts,
       (SELECT count(*) FROM t WHERE at_top > 1) AS tied_prompts,
       (SELECT count(*) FROM (SELECT prompt_id FROM vote_samples GROUP BY 1 HAVING count(*) = 1) AS s) AS single_sample,
       (SELECT count(*) FROM (SELECT prompt_id FROM vote_samples GROUP BY 1 HAVING count(answer) = 0) AS s) AS all_null,
       (SELECT count(*) FROM vote_samples WHERE answer IS NULL) AS null_answers,
       (SELECT count(*) FROM vote_samples WHERE answer ~ '[^\x01-\x7F]') AS non_ascii,
       -- groups beyond calib.vote's small form (6 answers, 63 bytes)
       (SELECT count(*) FROM (SELECT prompt_id FROM vote_samples GROUP BY 1
                              HAVING count(DISTINCT answer) > 6) AS s) AS over_6_answers,
       (SELECT count(*) FROM (SELECT prompt_id FROM (SELECT DISTINCT prompt_id, answer FROM vote_samples
                                                     WHERE answer IS NOT NULL) AS d
                              GROUP BY 1 HAVING sum(octet_length(answer)) > 63) AS s) AS over_63_bytes;

-------------------------------------------------------------- plain vote
CREATE VIEW ref_vote AS
WITH c AS (SELECT prompt_id, answer, count(*)::float8 AS k
           FROM vote_samples WHERE answer IS NOT NULL GROUP BY 1, 2),
     t AS (SELECT prompt_id, sum(k) AS n, max(k) AS votes, count(*) AS d FROM c GROUP BY 1),
     e AS (SELECT prompt_id, -sum(k / n * ln(k / n)) AS entropy FROM c JOIN t USING (prompt_id) GROUP BY 1)
SELECT t.prompt_id, m.answer, t.votes, t.n::bigint AS n, t.votes / t.n AS share,
       e.entropy, t.d AS distinct_answers
FROM t JOIN e USING (prompt_id)
JOIN (SELECT prompt_id, mode() WITHIN GROUP (ORDER BY answer COLLATE "C") AS answer
      FROM vote_samples GROUP BY prompt_id) AS m USING (prompt_id);

SELECT count(*) AS prompts,
       bool_and((c.v IS NULL) = (r.prompt_id IS NULL)) AS null_iff_no_answers,
       bool_and((c.v).answer = r.answer) AS answer,
       bool_and((c.v).votes = r.votes) AS votes,
       bool_and((c.v).n = r.n) AS n,
       bool_and((c.v).share = r.share) AS share,
       bool_and(abs((c.v).entropy - r.entropy) < 1e-12) AS entropy,
       bool_and((c.v).distinct_answers = r.distinct_answers) AS distinct_answers
FROM (SELECT prompt_id, calib.vote(answer) AS v FROM vote_samples GROUP BY prompt_id) AS c
FULL JOIN ref_vote AS r USING (prompt_id);

-- The same after normalisation (Zürich/ZÜRICH, Paris/paris, 1,000/1000 merge).
WITH n AS (SELECT prompt_id, calib.normalize_answer(answer) AS a FROM vote_samples),
     m AS (SELECT prompt_id, mode() WITHIN GROUP (ORDER BY a COLLATE "C") AS answer FROM n GROUP BY 1),
     r AS (SELECT prompt_id, m.answer, (count(*) FILTER (WHERE n.a = m.answer))::float8 AS votes
           FROM m JOIN n USING (prompt_id) GROUP BY 1, 2)
SELECT count(*) FILTER (WHERE (c.v).answer IS DISTINCT FROM r.answer) AS answer_mismatches,
       count(*) FILTER (WHERE (c.v).votes IS DISTINCT FROM r.votes) AS vote_mismatches,
       count(*) FILTER (WHERE (c.v).distinct_answers < (raw.v).distinct_answers) AS merged_groups
FROM (SELECT prompt_id, calib.vote(calib.normalize_answer(answer)) AS v FROM vote_samples GROUP BY 1) AS c
JOIN (SELECT prompt_id, calib.vote(answer) AS v FROM vote_samples GROUP BY 1) AS raw USING (prompt_id)
JOIN r USING (prompt_id)
WHERE (raw.v) IS NOT NULL;

----------------------------------------------------------- weighted vote
CREATE VIEW ref_weighted AS
WITH c AS (SELECT prompt_id, answer, sum(weight) AS w, count(*) AS k
           FROM vote_samples WHERE answer IS NOT NULL AND weight IS NOT NULL GROUP BY 1, 2),
     t AS (SELECT prompt_id, sum(w) AS total, max(w) AS votes, sum(k)::bigint AS n, count(*) AS d
           FROM c GROUP BY 1),
     e AS (SELECT prompt_id, -sum(w / total * ln(w / total)) FILTER (WHERE w > 0) AS entropy
           FROM c JOIN t USING (prompt_id) WHERE total > 0 GROUP BY 1),
     top AS (SELECT DISTINCT ON (prompt_id) prompt_id, answer FROM c
             ORDER BY prompt_id, w DESC, answer COLLATE "C")
SELECT t.prompt_id, top.answer, t.votes, t.n,
       CASE WHEN t.total > 0 THEN t.votes / t.total END AS share,
       e.entropy, t.d AS distinct_answers
FROM t JOIN top USING (prompt_id) LEFT JOIN e USING (prompt_id);

SELECT count(*) AS prompts,
       count(*) FILTER (WHERE r.share IS NULL AND r.prompt_id IS NOT NULL) AS zero_weight_prompts,
       bool_and((c.v IS NULL) = (r.prompt_id IS NULL)) AS null_iff_no_rows,
       bool_and((c.v).answer = r.answer) AS answer,
       bool_and((c.v).votes = r.votes) AS votes,
       bool_and((c.v).n = r.n) AS n,
       bool_and((c.v).share IS NOT DISTINCT FROM r.share) AS share,
       bool_and(coalesce(abs((c.v).entropy - r.entropy) < 1e-12,
                         (c.v).entropy IS NULL AND r.entropy IS NULL)) AS entropy,
       bool_and((c.v).distinct_answers = r.distinct_answers) AS distinct_answers
FROM (SELECT prompt_id, calib.vote(answer, weight) AS v FROM vote_samples GROUP BY prompt_id) AS c
FULL JOIN ref_weighted AS r USING (prompt_id);

-- Arbitrary weights: the reference sums in its own order, so totals agree
-- to rounding (relative 1e-12) and winners agree (no near-ties here).
SELECT count(*) AS prompts,
       bool_and((c.v).answer = r.answer) AS answer,
       bool_and(abs((c.v).votes - r.votes) <= 1e-12 * r.votes) AS votes,
       bool_and(abs((c.v).entropy - r.entropy) < 1e-12) AS entropy
FROM (SELECT prompt_id, calib.vote(answer, w_any) AS v FROM vote_samples GROUP BY 1) AS c
JOIN (WITH c AS (SELECT prompt_id, answer, sum(w_any) AS w FROM vote_samples
                 WHERE answer IS NOT NULL GROUP BY 1, 2),
           t AS (SELECT prompt_id, sum(w) AS total, max(w) AS votes FROM c GROUP BY 1)
      SELECT t.prompt_id, top.answer, t.votes, e.entropy
      FROM t
      JOIN (SELECT DISTINCT ON (prompt_id) prompt_id, answer FROM c
            ORDER BY prompt_id, w DESC, answer COLLATE "C") AS top USING (prompt_id)
      JOIN (SELECT prompt_id, -sum(w / total * ln(w / total)) AS entropy
            FROM c JOIN t USING (prompt_id) GROUP BY 1) AS e USING (prompt_id)) AS r USING (prompt_id);

--------------------------------------------------------------- agreement
SELECT count(*) AS prompts,
       count(r.a) AS defined,
       bool_and(coalesce(abs(c.a - r.a) < 1e-15, c.a IS NULL AND r.a IS NULL)) AS agreement
FROM (SELECT prompt_id, calib.agreement(answer) AS a FROM vote_samples GROUP BY 1) AS c
LEFT JOIN (SELECT prompt_id,
                  CASE WHEN sum(k) >= 2 THEN sum(k * (k - 1))::float8 / (sum(k) * (sum(k) - 1))::float8 END AS a
           FROM (SELECT prompt_id, answer, count(*) AS k FROM vote_samples
                 WHERE answer IS NOT NULL GROUP BY 1, 2) AS x
           GROUP BY 1) AS r USING (prompt_id);

----------------------------------------------------------------- best_of
SELECT count(*) AS prompts,
       count(r.b) AS defined,
       count(*) FILTER (WHERE r.b NOT IN (0, 1)) AS tied_tops,
       bool_and(coalesce(abs(c.b - r.b) < 1e-15, c.b IS NULL AND r.b IS NULL)) AS best_of
FROM (SELECT prompt_id, calib.best_of(score, correct) AS b FROM vote_samples GROUP BY 1) AS c
LEFT JOIN (SELECT v.prompt_id, avg(v.correct::int)::float8 AS b
           FROM vote_samples AS v
           JOIN (SELECT prompt_id, max(score) AS top FROM vote_samples
                 WHERE score IS NOT NULL AND correct IS NOT NULL GROUP BY 1) AS t
             ON t.prompt_id = v.prompt_id AND v.score = t.top
           WHERE v.correct IS NOT NULL
           GROUP BY 1) AS r USING (prompt_id);

--------------------------------------------------- parallel equals serial
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;

-- Grouped (many prompts, some with more than 8 distinct answers, so both
-- the linear scan and the slot index are serialised) and ungrouped.
CREATE VIEW grouped AS
SELECT prompt_id, calib.vote(answer) AS v, calib.vote(answer, weight) AS vw,
       calib.vote(answer, w_any) AS va, calib.vote(answer || sample_no) AS vmany,
       calib.agreement(answer) AS ag, calib.best_of(score, correct) AS b
FROM vote_samples GROUP BY prompt_id;
CREATE VIEW ungrouped AS
SELECT calib.vote(answer) AS v, calib.vote(answer, weight) AS vw,
       calib.vote(answer, w_any) AS va, calib.vote(answer || (prompt_id % 300)) AS vmany,
       calib.agreement(answer) AS ag, calib.best_of(score, correct) AS b
FROM vote_samples;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial_grouped AS SELECT * FROM grouped;
CREATE TABLE serial_ungrouped AS SELECT * FROM ungrouped;
SELECT pg_temp.plan('SELECT * FROM grouped') !~ 'Gather' AS serial_plan;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT p ~ 'Gather' AND p ~ 'Partial (Hash|Group)?Aggregate' AND p ~ 'Parallel Seq Scan' AS grouped_parallel_plan
FROM pg_temp.plan('CREATE TABLE parallel_grouped AS SELECT * FROM grouped') AS p;
SELECT p ~ 'Gather' AND p ~ 'Partial Aggregate' AS ungrouped_parallel_plan
FROM pg_temp.plan('CREATE TABLE parallel_ungrouped AS SELECT * FROM ungrouped') AS p;
CREATE TABLE parallel_grouped AS SELECT * FROM grouped;
CREATE TABLE parallel_ungrouped AS SELECT * FROM ungrouped;
RESET ALL;

-- Bit-identical results (float8 '=' is exact), not just close ones.
SELECT count(*) AS prompts,
       count(*) FILTER (WHERE s.v IS DISTINCT FROM p.v OR s.vw IS DISTINCT FROM p.vw
                          OR s.va IS DISTINCT FROM p.va OR s.vmany IS DISTINCT FROM p.vmany
                          OR s.ag IS DISTINCT FROM p.ag OR s.b IS DISTINCT FROM p.b) AS differences
FROM serial_grouped AS s FULL JOIN parallel_grouped AS p USING (prompt_id);
SELECT s.v IS NOT DISTINCT FROM p.v AS v, s.vw IS NOT DISTINCT FROM p.vw AS vw,
       s.va IS NOT DISTINCT FROM p.va AS va, s.vmany IS NOT DISTINCT FROM p.vmany AS vmany,
       s.ag IS NOT DISTINCT FROM p.ag AS ag, s.b IS NOT DISTINCT FROM p.b AS b,
       (s.vmany).distinct_answers AS many_distinct
FROM serial_ungrouped AS s, parallel_ungrouped AS p;

DROP VIEW grouped, ungrouped, ref_vote, ref_weighted;
DROP TABLE vote_samples, serial_grouped, serial_ungrouped, parallel_grouped, parallel_ungrouped;
