-- test/data/demo_report.sql -- the calibration report the demo prints.
\pset footer off
\echo
\echo '== Per model and domain: is the confidence worth anything?'
SELECT model, domain, count(*) AS n,
       round(avg(confidence)::numeric, 3)                       AS mean_conf,
       round(avg(correct::int)::numeric, 3)                     AS accuracy,
       round(calib.ece(confidence, correct)::numeric, 3)        AS ece,
       round(calib.mce(confidence, correct)::numeric, 3)        AS mce,
       round(calib.brier(confidence, correct)::numeric, 3)      AS brier,
       round(calib.nll(confidence, correct)::numeric, 3)        AS nll,
       round(calib.auroc(confidence, correct)::numeric, 3)      AS auroc
FROM calib_demo.responses
GROUP BY model, domain
ORDER BY ece DESC;

\echo
\echo '== Reliability diagram of atlas-1 in law (10 equal-width bins, 95% Wilson intervals)'
SELECT b.bin, b.lower, b.upper, b.n,
       round(b.mean_confidence::numeric, 3) AS mean_conf,
       round(b.accuracy::numeric, 3)        AS accuracy,
       round(b.gap::numeric, 3)             AS gap,
       round(b.ci_low::numeric, 3)          AS ci_low,
       round(b.ci_high::numeric, 3)         AS ci_high
FROM (SELECT calib.reliability(confidence, correct) AS r
      FROM calib_demo.responses
      WHERE model = 'atlas-1' AND domain = 'law') AS q,
     unnest(q.r) AS b;

\echo
\echo '== The same diagram as text, for psql (calib.reliability_text)'
SELECT calib.reliability_text(calib.summary(confidence, correct), 10)
FROM calib_demo.responses
WHERE model = 'atlas-1' AND domain = 'law' \g (format=unaligned tuples_only)

\echo
\echo '== Reasoning traces (calib_demo.traces): which signal predicts a correct answer? (docs/logprobs.md)'
SELECT predictor, round(calib.auroc(conf, correct)::numeric, 3) AS auroc
FROM calib_demo.traces,
     LATERAL (VALUES
        ('verbalized confidence', verbalized_confidence),
        ('exp(mean token log-prob), from the jsonb response', exp(calib.lp_mean(calib.token_logprobs(response)))),
        ('lowest 16-token group confidence (DeepConf)',
         (SELECT g / (1 + g) FROM calib.lowest_group_confidence(
             calib.token_confidence(calib.top_logprobs(response)), 16) g))) p(predictor, conf)
GROUP BY predictor ORDER BY auroc DESC;

\echo
\echo '== Self-consistency (calib_demo.samples, 5 samples per prompt): random pick vs best-of-5 by log-probability vs majority vote'
SELECT model,
       round(avg(random_pick), 3)                                       AS random_pick,
       round(avg(best_logprob)::numeric, 3)                             AS best_of_5_logprob,
       round(avg(((v).answer = calib.normalize_answer(gold))::int), 3)  AS majority_vote,
       round(calib.ece((v).share, (v).answer = calib.normalize_answer(gold))::numeric, 3) AS vote_share_ece
FROM (SELECT s.prompt_id, s.model,
             calib.vote(calib.normalize_answer(s.answer)) AS v,
             calib.best_of(s.seq_logprob, s.correct)     AS best_logprob,
             avg(s.correct::int)                         AS random_pick,
             min(p.gold)                                 AS gold
      FROM calib_demo.samples AS s JOIN calib_demo.prompts AS p USING (prompt_id)
      GROUP BY s.prompt_id, s.model) AS q
GROUP BY model ORDER BY model;
