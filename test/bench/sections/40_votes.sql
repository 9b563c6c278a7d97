-- Issue "Self-consistency votes": calib.vote and friends on 1 million
-- samples, 100 000 prompts x 10 samples, stored prompt by prompt (as a
-- sampling job writes them).  Short answers, about 3.5 distinct per prompt,
-- 1% NULL (refusals).
\set prompts (100000 * :scale)::bigint
SELECT setseed(0.4) \gset
DROP TABLE IF EXISTS bench_samples;
CREATE TABLE bench_samples AS
SELECT i / 10 + 1 AS prompt_id,
       i % 10 + 1 AS sample_no,
       CASE WHEN r < 0.01 THEN NULL
            WHEN r < 0.55 THEN 'answer ' || (i / 10) % 97
            WHEN r < 0.80 THEN 'answer ' || (i / 10 + 1) % 97
            WHEN r < 0.92 THEN 'answer ' || (i / 10 + 2) % 97
            ELSE 'answer ' || (i * 7) % 1000 END AS answer,
       -(0.5 + 4 * random()) AS seq_logprob,
       r >= 0.01 AND r < 0.55 AS correct
FROM (SELECT i, random() AS r FROM generate_series(0, :prompts * 10 - 1) AS i OFFSET 0) AS s;
VACUUM ANALYZE bench_samples;

-- The plain-SQL recipe returns the same columns as calib.vote_result:
-- mode() for the winner (COLLATE "C": the same tie-break as calib.vote),
-- per-answer counts for votes, n, distinct answers and the entropy
-- ln n - sum k ln k / n.
SELECT bench.measure('votes', 'calib.vote per prompt',
    'SELECT prompt_id, calib.vote(answer) FROM bench_samples GROUP BY prompt_id',
    'SELECT prompt_id, count(*) FROM bench_samples GROUP BY prompt_id',
    $$SELECT m.prompt_id, m.answer, c.votes, c.n, c.votes / c.n AS share,
             c.entropy, c.distinct_answers
      FROM (SELECT prompt_id, mode() WITHIN GROUP (ORDER BY answer COLLATE "C") AS answer
            FROM bench_samples GROUP BY prompt_id) AS m
      JOIN (SELECT prompt_id, max(k) AS votes, sum(k) AS n, count(*) AS distinct_answers,
                   ln(sum(k)) - sum(k * ln(k)) / sum(k) AS entropy
            FROM (SELECT prompt_id, answer, count(*)::float8 AS k FROM bench_samples
                  WHERE answer IS NOT NULL GROUP BY 1, 2) AS a
            GROUP BY 1) AS c USING (prompt_id)$$,
    :runs, 'goals: ÷ floor (count(*)) <= 1.5, >= 3x faster than SQL');

SELECT bench.measure('votes', 'calib.vote weighted per prompt',
    'SELECT prompt_id, calib.vote(answer, exp(seq_logprob)) FROM bench_samples GROUP BY prompt_id',
    'SELECT prompt_id, count(*) FROM bench_samples GROUP BY prompt_id',
    $$SELECT DISTINCT ON (prompt_id) prompt_id, answer, w
      FROM (SELECT prompt_id, answer, sum(exp(seq_logprob)) AS w FROM bench_samples
            WHERE answer IS NOT NULL GROUP BY 1, 2) AS a
      ORDER BY prompt_id, w DESC, answer COLLATE "C"$$,
    :runs, 'plain SQL: winner and its weight only');

SELECT bench.measure('votes', 'calib.agreement per prompt',
    'SELECT prompt_id, calib.agreement(answer) FROM bench_samples GROUP BY prompt_id',
    'SELECT prompt_id, count(*) FROM bench_samples GROUP BY prompt_id',
    $$SELECT prompt_id, CASE WHEN sum(k) >= 2 THEN sum(k * (k - 1)) / (sum(k) * (sum(k) - 1)) END
      FROM (SELECT prompt_id, answer, count(*)::float8 AS k FROM bench_samples
            WHERE answer IS NOT NULL GROUP BY 1, 2) AS a
      GROUP BY 1$$,
    :runs);

SELECT bench.measure('votes', 'calib.best_of per prompt',
    'SELECT prompt_id, calib.best_of(seq_logprob, correct) FROM bench_samples GROUP BY prompt_id',
    'SELECT prompt_id, count(*) FROM bench_samples GROUP BY prompt_id',
    $$SELECT prompt_id, avg(correct::int) FILTER (WHERE seq_logprob = top)
      FROM (SELECT prompt_id, seq_logprob, correct,
                   max(seq_logprob) OVER (PARTITION BY prompt_id) AS top
            FROM bench_samples) AS s
      GROUP BY 1$$,
    :runs);

SELECT bench.measure('votes', 'calib.normalize_answer per row',
    'SELECT sum(length(calib.normalize_answer(answer))) FROM bench_samples',
    'SELECT sum(length(answer)) FROM bench_samples',
    'SELECT sum(length(lower(btrim(answer)))) FROM bench_samples',
    :runs, 'plain SQL: lower(btrim()), far less than normalize_answer does');
