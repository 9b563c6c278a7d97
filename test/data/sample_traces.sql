-- test/data/sample_traces.sql -- generated reasoning traces with per-token
-- log-probabilities, seeded and reproducible (loaded by the demo).
--
--   calib_demo.traces(id, question_id, model, answer, gold_answer, correct,
--                     verbalized_confidence, token_logprobs real[], response jsonb)
--
-- 160 questions, 8 sampled traces each.  A trace "derails" with a
-- probability that grows with the question's difficulty: somewhere in the
-- middle it has a stretch of 12-24 unsure tokens, and a derailed trace is
-- right only by luck (1 in 4).  Outside the stretch, how sure a trace
-- sounds is a matter of style (a per-trace scale unrelated to correctness),
-- which blurs the mean log-probability; the stretch dominates the lowest
-- 16-token window, which is what DeepConf's lowest group confidence reads.
-- Verbalized confidence is overconfident and only weakly informative.
--
-- response is an OpenAI chat-completion document with logprobs and the top
-- 3 alternatives per token; token_logprobs holds the same sampled-token
-- log-probabilities as real[].
SELECT setseed(0.77);

CREATE SCHEMA IF NOT EXISTS calib_demo;
CREATE TABLE calib_demo.traces (
    id                    bigint PRIMARY KEY,
    question_id           integer NOT NULL,
    model                 text NOT NULL,
    answer                text NOT NULL,
    gold_answer           text NOT NULL,
    correct               boolean NOT NULL,
    verbalized_confidence double precision NOT NULL,
    token_logprobs        real[] NOT NULL,
    response              jsonb NOT NULL
);

CREATE TEMP TABLE trace_plan AS
SELECT t.*,
       -- a derailed trace's unsure stretch: where it starts and how long it is
       1 + floor(random() * greatest(t.n_tokens - 30, 1))::int AS dip_start,
       12 + floor(random() * 13)::int AS dip_len,
       -- a derailed trace is right by luck (1 in 4); a clean one 9 times in 10
       CASE WHEN t.derailed THEN random() < 0.25 ELSE random() < 0.9 END AS is_right,
       random() AS u_answer, random() AS u_conf
FROM (SELECT q.question_id, q.difficulty, s.sample,
             (q.question_id - 1) * 8 + s.sample AS id,
             60 + floor(random() * 81)::int AS n_tokens,
             -- how sure the model sounds overall: style, not correctness
             0.04 + 0.3 * random() AS scale,
             random() < 0.1 + 0.7 * q.difficulty AS derailed
      FROM (SELECT question_id, random() AS difficulty
            FROM generate_series(1, 160) question_id OFFSET 0) q,
           generate_series(1, 8) s(sample)
      OFFSET 0) t;

-- one row per token: the sampled token's log-probability l and two
-- alternatives sharing the rest of the mass, 1 - exp(l)
CREATE TEMP TABLE trace_tokens AS
SELECT p.id, g.i,
       round(l::numeric, 6) AS l,
       round(ln((1 - exp(l)) * 0.7 * v)::numeric, 6) AS alt1,
       round(ln((1 - exp(l)) * 0.25 * v)::numeric, 6) AS alt2
FROM trace_plan p,
     LATERAL generate_series(1, p.n_tokens) g(i),
     LATERAL (SELECT least(-1e-4,
                  ln(1 - 0.98 * random())
                  * CASE WHEN p.derailed AND g.i BETWEEN p.dip_start AND p.dip_start + p.dip_len - 1
                         THEN 1.2 ELSE p.scale END) AS l,
                  0.5 + 0.5 * random() AS v) x;

INSERT INTO calib_demo.traces
SELECT p.id, p.question_id,
       CASE WHEN p.question_id % 2 = 0 THEN 'atlas-1' ELSE 'borealis-2' END,
       CASE WHEN p.is_right THEN 'A' ELSE (ARRAY['B', 'C', 'D'])[1 + floor(p.u_answer * 3)::int] END,
       'A',
       p.is_right,
       round(least(1.0, 0.65 + 0.3 * p.u_conf + CASE WHEN p.derailed THEN 0 ELSE 0.05 END)::numeric, 2),
       tok.lps,
       jsonb_build_object(
           'id', 'chatcmpl-demo-' || p.id,
           'object', 'chat.completion',
           'created', 1764000000 + p.id,
           'model', CASE WHEN p.question_id % 2 = 0 THEN 'atlas-1' ELSE 'borealis-2' END,
           'choices', jsonb_build_array(jsonb_build_object(
               'index', 0,
               'message', jsonb_build_object('role', 'assistant',
                   'content', 'Reasoning ... so the answer is ' ||
                              CASE WHEN p.is_right THEN 'A' ELSE 'another option' END),
               'logprobs', jsonb_build_object('content', tok.content, 'refusal', NULL),
               'finish_reason', 'stop')),
           'usage', jsonb_build_object('prompt_tokens', 50, 'completion_tokens', p.n_tokens,
                                       'total_tokens', 50 + p.n_tokens))
FROM trace_plan p
JOIN (SELECT t.id, array_agg(t.l::real ORDER BY t.i) AS lps,
                     jsonb_agg(jsonb_build_object(
                         'token', 't' || t.i, 'logprob', t.l, 'bytes', NULL,
                         'top_logprobs', jsonb_build_array(
                             jsonb_build_object('token', 't' || t.i, 'logprob', t.l),
                             jsonb_build_object('token', 'u' || t.i, 'logprob', t.alt1),
                             jsonb_build_object('token', 'v' || t.i, 'logprob', t.alt2)))
                         ORDER BY t.i) AS content
      FROM trace_tokens t GROUP BY t.id) tok ON tok.id = p.id;

DROP TABLE trace_tokens;
DROP TABLE trace_plan;
ANALYZE calib_demo.traces;
