-- Log-probability summaries and local confidence on hand-worked arrays.
-- SQLSTATEs of the errors are checked in test/pgtap/logprob.sql; here the
-- messages are part of the expected output.

-- [-0.5, -1, -1.5]: sum -3, mean -1, min -1.5, perplexity exp(1) = 2.718281828459,
-- seq_prob exp(-3) = 0.049787068368,
-- mean_token_prob (exp(-.5) + exp(-1) + exp(-1.5)) / 3
--   = (0.606530659713 + 0.367879441171 + 0.223130160148) / 3 = 0.399180087011
SELECT calib.lp_sum(a), calib.lp_mean(a), calib.lp_min(a),
       round(calib.perplexity(a)::numeric, 12) AS perplexity,
       round(calib.seq_prob(a)::numeric, 12) AS seq_prob,
       round(calib.mean_token_prob(a)::numeric, 12) AS mean_token_prob
FROM (VALUES ('{-0.5,-1,-1.5}'::double precision[])) t(a);

-- the same through real[] (all values exact in float4) and numeric[] (ARRAY[...])
SELECT calib.lp_sum(a), calib.lp_mean(a), calib.lp_min(a),
       round(calib.perplexity(a)::numeric, 12) AS perplexity,
       round(calib.seq_prob(a)::numeric, 12) AS seq_prob,
       round(calib.mean_token_prob(a)::numeric, 12) AS mean_token_prob
FROM (VALUES ('{-0.5,-1,-1.5}'::real[])) t(a);
SELECT calib.lp_mean(ARRAY[-0.25, -0.75]) AS numeric_array_mean;

-- the composite: one pass, every field equal to the function of that name
SELECT s.n, s.lp_sum, s.lp_mean, s.lp_min, round(s.perplexity::numeric, 12) AS perplexity,
       round(s.seq_prob::numeric, 12) AS seq_prob,
       round(s.mean_token_prob::numeric, 12) AS mean_token_prob
FROM calib.logprob_summary('{-0.5,-1,-1.5}'::real[]) s;

-- -Infinity is probability 0 and propagates: sum, mean and min -Infinity,
-- perplexity Infinity, seq_prob 0; mean_token_prob exp(-0.5) / 2 = 0.303265329856
SELECT (calib.logprob_summary(a)).n, calib.lp_sum(a), calib.lp_mean(a), calib.lp_min(a),
       calib.perplexity(a), calib.seq_prob(a),
       round(calib.mean_token_prob(a)::numeric, 12) AS mean_token_prob
FROM (VALUES ('{-0.5,-Infinity}'::double precision[])) t(a);

-- values in (0, 1e-6] are rounding noise and count as 0 (no -0 either)
SELECT calib.lp_sum(a), calib.lp_mean(a), calib.lp_min(a), calib.perplexity(a),
       calib.seq_prob(a), calib.mean_token_prob(a)
FROM (VALUES ('{1e-6,0,-0,5e-7}'::double precision[])) t(a);

-- one token
SELECT calib.logprob_summary('{-2}'::double precision[]);

-- empty arrays give NULL; NULL arguments give NULL (STRICT)
SELECT calib.lp_sum('{}'::double precision[]) IS NULL AS sum_null,
       calib.lp_mean('{}'::real[]) IS NULL AS mean_null,
       calib.logprob_summary('{}'::real[]) IS NULL AS summary_null,
       calib.token_confidence('{}'::double precision[]) IS NULL AS conf_null,
       calib.token_entropy('{}'::double precision[]) IS NULL AS entropy_null,
       calib.mean_token_entropy('{}'::double precision[]) IS NULL AS mean_entropy_null,
       calib.group_confidence('{}'::double precision[], 3) IS NULL AS group_null,
       calib.lowest_group_confidence('{}'::real[], 3) IS NULL AS lowest_null,
       calib.bottom_group_confidence('{}'::real[], 3) IS NULL AS bottom_null,
       calib.tail_confidence('{}'::real[], 3) IS NULL AS tail_null,
       calib.lp_mean(NULL::real[]) IS NULL AS arg_null,
       calib.group_confidence('{1}'::double precision[], NULL) IS NULL AS window_null;

-- ---------------------------------------------------- local confidence
-- confidences 1..5, window 2: means 1.5 2.5 3.5 4.5; lowest 1.5;
-- bottom 50%: floor(.5 * 4) = 2 windows, (1.5 + 2.5) / 2 = 2;
-- bottom 10%: max(1, floor(.4)) = 1 window, 1.5; bottom 100%: mean of means 3;
-- window 5 and window 9 (longer than the trace): one group, the mean 3;
-- tail 2: (4 + 5) / 2 = 4.5; tail 9: all, 3
SELECT calib.group_confidence(c, 2) AS groups,
       calib.lowest_group_confidence(c, 2) AS lowest,
       calib.bottom_group_confidence(c, 2, 0.5) AS bottom_half,
       calib.bottom_group_confidence(c, 2) AS bottom_default,
       calib.bottom_group_confidence(c, 2, 1) AS bottom_all,
       calib.group_confidence(c, 5) AS one_group,
       calib.group_confidence(c, 9) AS short_trace,
       calib.lowest_group_confidence(c, 9) AS short_lowest,
       calib.tail_confidence(c, 2) AS tail2,
       calib.tail_confidence(c, 9) AS tail9
FROM (VALUES ('{1,2,3,4,5}'::double precision[])) t(c);

-- a trace that derails for two tokens: confidences 5 5 5 .5 .5 5 5, window 2
-- means 5 5 2.75 .5 2.75 5; the global mean 26/7 = 3.714 hides the dip,
-- the lowest window shows it (0.5); bottom 34% of 6 windows: floor(2.04) = 2,
-- (.5 + 2.75) / 2 = 1.625
SELECT calib.group_confidence(c, 2) AS groups,
       calib.lowest_group_confidence(c, 2) AS lowest,
       calib.bottom_group_confidence(c, 2, 0.34) AS bottom,
       round(calib.tail_confidence(c, 7)::numeric, 3) AS overall
FROM (VALUES ('{5,5,5,0.5,0.5,5,5}'::real[])) t(c);

-- +Infinity confidence (a -Infinity among the top-k): windows holding it are
-- Infinity, the others stay finite
SELECT calib.group_confidence(c, 2) AS w2, calib.group_confidence(c, 1) AS w1,
       calib.lowest_group_confidence(c, 1) AS lowest1,
       calib.bottom_group_confidence(c, 1, 1) AS bottom_all,
       calib.tail_confidence(c, 1) AS tail1
FROM (VALUES ('{1,Infinity,3}'::double precision[])) t(c);

-- token confidence: -(1/k) sum of the top-k log-probabilities
-- [-1 -2 -3] -> 2; [0 -Infinity -1] -> Infinity
SELECT calib.token_confidence('{{-1,-2,-3},{0,-Infinity,-1}}'::double precision[]) AS conf8,
       calib.token_confidence('{{-0.5,-1.5}}'::real[]) AS conf4,
       calib.token_confidence(ARRAY[[-0.25, -0.75], [-1, -3]]) AS conf_numeric;

-- entropy of the renormalised top-k, in nats:
-- [ln .5, ln .25] -> p = (2/3, 1/3): ln 3 - (2/3) ln 2 = 0.636514168295
-- [-3, -3] -> ln 2 = 0.693147180560; [-5 -5 -5 -5] -> ln 4 = 1.386294361120;
-- [0] -> 0; [-Infinity, -1] -> 0 (one candidate left)
-- mean over [ln .5, ln .25] and [-5, -5]: (0.636514168295 + ln 2) / 2 = 0.664830674427
SELECT (SELECT array_agg(round(h::numeric, 12)) FROM unnest(calib.token_entropy(
            ARRAY[[ln(0.5), ln(0.25)], [-3, -3]]::double precision[])) h) AS entropies,
       round((calib.token_entropy('{{-5,-5,-5,-5}}'::real[]))[1]::numeric, 12) AS uniform4,
       calib.token_entropy('{{0},{-1}}'::double precision[]) AS single,
       calib.token_entropy('{{-Infinity,-1}}'::double precision[]) AS one_left,
       round(calib.mean_token_entropy(
            ARRAY[[ln(0.5), ln(0.25)], [-5, -5]]::double precision[])::numeric, 12) AS mean_entropy;

-- ----------------------------------------------------------- bad input
\set VERBOSITY default
SELECT calib.lp_mean('{-0.5,NULL,-1}'::double precision[]);
SELECT calib.lp_sum('{-0.5,-1,NaN}'::double precision[]);
SELECT calib.lp_min('{-0.5,Infinity}'::real[]);
SELECT calib.perplexity('{-0.5,0.3}'::real[]);
SELECT calib.seq_prob('{-0.5,1.1e-6}'::double precision[]);
SELECT calib.logprob_summary('{{-0.5,-1},{-1,-2}}'::double precision[]);
SELECT calib.mean_token_prob('[0:1]={-0.5,0.25}'::double precision[]);  -- positions are 1-based ordinals
SELECT calib.token_confidence('{-0.5,-1}'::double precision[]);
SELECT calib.token_entropy('{{{-1}}}'::double precision[]);
SELECT calib.token_confidence('{{-1,-2},{-3,NULL}}'::double precision[]);
SELECT calib.token_confidence('{{-1,-2},{-3,0.5}}'::double precision[]);
SELECT calib.token_entropy('{{-1,-2},{-Infinity,-Infinity}}'::double precision[]);
SELECT calib.mean_token_entropy('{{-1,NaN}}'::real[]);
SELECT calib.group_confidence('{1,2}'::double precision[], 0);
SELECT calib.lowest_group_confidence('{1,2}'::double precision[], -3);
SELECT calib.tail_confidence('{1,2}'::double precision[], 0);
SELECT calib.bottom_group_confidence('{1,2}'::double precision[], 1, 0);
SELECT calib.bottom_group_confidence('{1,2}'::double precision[], 1, 1.5);
SELECT calib.bottom_group_confidence('{1,2}'::double precision[], 1, 'NaN');
SELECT calib.bottom_group_confidence('{1,2}'::double precision[], 1, -0.1);
SELECT calib.lowest_group_confidence('{-0.5,-1}'::double precision[], 2);  -- log-probabilities, not confidences
SELECT calib.group_confidence('{1,NaN}'::real[], 2);
SELECT calib.tail_confidence('{1,-Infinity}'::double precision[], 1);
SELECT calib.group_confidence('{1,NULL}'::double precision[], 1);
SELECT calib.group_confidence('{{1,2}}'::double precision[], 1);
