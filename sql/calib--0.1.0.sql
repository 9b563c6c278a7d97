-- calib: calibration metrics for model responses.
-- This install script is assembled by the Makefile from sql/parts/*.sql.
-- Everything lives in schema calib (see calib.control).

\echo Use "CREATE EXTENSION calib" to load this file. \quit

-- One row of a reliability diagram; calib.reliability returns every bin.
CREATE TYPE calib.bin AS (
    bin             integer,            -- 1 .. bins
    lower           double precision,   -- (lower, upper]; the first bin holds 0
    upper           double precision,
    n               bigint,
    mean_confidence double precision,   -- NULL when n = 0
    accuracy        double precision,   -- NULL when n = 0
    gap             double precision,   -- mean_confidence - accuracy
    ci_low          double precision,   -- 95% Wilson score interval of accuracy
    ci_high         double precision
);

-- Murphy's (1973) decomposition of the Brier score over equal-width bins.
CREATE TYPE calib.brier_parts AS (
    brier        double precision,  -- exact mean squared error
    reliability  double precision,  -- sum n_b/n (conf_b - acc_b)^2
    resolution   double precision,  -- sum n_b/n (acc_b - acc)^2
    uncertainty  double precision,  -- acc (1 - acc)
    within_bin   double precision   -- brier - (reliability - resolution + uncertainty)
);
-- Equal-width binned metrics over (confidence, correct [, bins]).
-- One O(bins) state shared by ece, mce, rmsce, reliability and
-- brier_decomposition; the formulas are in src/binning.c.

CREATE FUNCTION calib._binned_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_binned_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;   -- not STRICT: NULL rows are skipped inside

CREATE FUNCTION calib._binned_trans(internal, double precision, boolean, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_binned_trans_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_binned_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_binned_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._binned_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_binned_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._ece_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_ece_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._mce_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_mce_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._rmsce_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_rmsce_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._reliability_final(internal)
RETURNS calib.bin[] AS 'MODULE_PATHNAME', 'calib_reliability_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._brier_decomposition_final(internal)
RETURNS calib.brier_parts AS 'MODULE_PATHNAME', 'calib_brier_decomposition_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Each metric with the default 10 bins and with an explicit bin count.
CREATE AGGREGATE calib.ece(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.mce(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.rmsce(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._rmsce_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.rmsce(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._rmsce_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.reliability(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.brier_decomposition(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._brier_decomposition_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.brier_decomposition(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._brier_decomposition_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
-- Exact metrics that keep every confidence (O(rows) state): AUROC and the
-- equal-mass ECE.  Formulas in src/scores.c.

CREATE FUNCTION calib._scores_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_trans(internal, double precision, boolean, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_trans_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_scores_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._scores_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._auroc_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_auroc_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._ace_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_ace_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE calib.auroc(confidence double precision, correct boolean) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._auroc_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.ace(confidence double precision, correct boolean) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._ace_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ace(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._ace_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
-- Proper scoring rules: means of per-row terms (src/pointwise.h).

CREATE FUNCTION calib._brier_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_brier_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._nll_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_nll_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._mean_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_mean_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._mean_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_mean_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._mean_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_mean_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._mean_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_mean_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Brier score: mean of (confidence - correct)^2.
CREATE AGGREGATE calib.brier(confidence double precision, correct boolean) (
    SFUNC = calib._brier_trans, STYPE = internal, FINALFUNC = calib._mean_final,
    COMBINEFUNC = calib._mean_combine, SERIALFUNC = calib._mean_serialize,
    DESERIALFUNC = calib._mean_deserialize, PARALLEL = SAFE);

-- Mean log loss, confidence clipped to [eps, 1 - eps], eps = 2^-52.
CREATE AGGREGATE calib.nll(confidence double precision, correct boolean) (
    SFUNC = calib._nll_trans, STYPE = internal, FINALFUNC = calib._mean_final,
    COMBINEFUNC = calib._mean_combine, SERIALFUNC = calib._mean_serialize,
    DESERIALFUNC = calib._mean_deserialize, PARALLEL = SAFE);
-- calib.summary: a stored, mergeable summary of (confidence, correct) pairs
-- (600 fine bins + the exact Brier and log-loss sums).  Aggregate once per
-- day x model x domain, store, merge later.  Core in src/summary.c.

CREATE TYPE calib.summary;

CREATE FUNCTION calib._summary_in(cstring) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_out(calib.summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_recv(internal) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_send(calib.summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aligned to double: the dense working form is a C struct read in place.
-- STORAGE main: a stored day (up to ~7 KB) stays in the row, so merging
-- thousands of them is a sequential scan, not one TOAST lookup each; the
-- rare larger value still goes out of line.
CREATE TYPE calib.summary (
    INPUT = calib._summary_in, OUTPUT = calib._summary_out,
    RECEIVE = calib._summary_recv, SEND = calib._summary_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = main);

COMMENT ON TYPE calib.summary IS
'mergeable calibration summary: 600 fine bins of (n, correct, sum of confidence) and the exact Brier and log-loss sums';

-- The binary receive path on a bytea (what calib._summary_send returns).
CREATE FUNCTION calib._summary_from_wire(bytea) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_from_wire_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Transition functions are not STRICT (NULL rows are skipped inside, and the
-- first call allocates the state); inside an aggregate they update the
-- state in place.
CREATE FUNCTION calib._summary_trans(calib.summary, double precision, boolean)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_combine(calib.summary, calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_final(calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The state type is calib.summary itself (not internal), so partial states
-- travel as values: to parallel workers, and by their text form to engines
-- that ship partial aggregates (Citus).  No inverse (MSFUNC): a moving
-- window re-merges its frame, which keeps window results bit-identical to
-- a plain merge of the same rows.
-- SSPACE: the dense working state is 14 456 bytes (for hash aggregation
-- memory estimates).
CREATE AGGREGATE calib.summary(confidence double precision, correct boolean) (
    SFUNC = calib._summary_trans, STYPE = calib.summary, SSPACE = 14456,
    FINALFUNC = calib._summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._summary_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.merge(calib.summary) (
    SFUNC = calib._summary_combine, STYPE = calib.summary, SSPACE = 14456,
    FINALFUNC = calib._summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._summary_combine, PARALLEL = SAFE);

-- Accessors with the names of the direct aggregates.  Binned metrics take
-- any bin count that divides 600 (default 10, like the aggregates).
CREATE FUNCTION calib.ece(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_ece'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mce(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_mce'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.rmsce(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_rmsce'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.reliability(s calib.summary, bins integer DEFAULT 10)
RETURNS calib.bin[] AS 'MODULE_PATHNAME', 'calib_summary_fn_reliability'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.brier_decomposition(s calib.summary, bins integer DEFAULT 10)
RETURNS calib.brier_parts AS 'MODULE_PATHNAME', 'calib_summary_fn_brier_decomposition'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.brier(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_brier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.nll(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_nll'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Resolution-limited: within calib.auroc_max_error(s) of the exact AUROC.
CREATE FUNCTION calib.auroc(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_auroc'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Bound on |calib.auroc(s) - exact AUROC|: half the share of (correct,
-- wrong) pairs whose confidences share a fine bin; 0 when they never do.
CREATE FUNCTION calib.auroc_max_error(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_auroc_max_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.n(s calib.summary)
RETURNS bigint AS 'MODULE_PATHNAME', 'calib_summary_fn_n'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.accuracy(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_accuracy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mean_confidence(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_mean_confidence'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Self-consistency: answer normalisation, majority votes, pairwise
-- agreement and best-of-N selection.  Cores in src/normalize.c and
-- src/vote.c; conventions in docs/votes.md.

-- The canonical form of a short answer (case folding, whitespace,
-- surrounding punctuation, leading articles, numbers).  Depends on the bytes
-- only -- no locale or collation -- hence IMMUTABLE.
CREATE FUNCTION calib.normalize_answer(answer text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_normalize_answer_fn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- What calib.vote returns for a group.
CREATE TYPE calib.vote_result AS (
    answer            text,             -- the winner; ties: smallest in byte order
    votes             double precision, -- its count, or its total weight
    n                 bigint,           -- rows counted (non-NULL answer and weight)
    share             double precision, -- votes / total votes (or total weight)
    entropy           double precision, -- of the answer distribution, natural log
    distinct_answers  bigint
);

-- One state for vote, the weighted vote and agreement: answer -> count
-- (and the weights of the weighted vote).
CREATE FUNCTION calib._vote_trans(internal, text)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;   -- not STRICT: NULL answers are skipped inside

CREATE FUNCTION calib._vote_trans(internal, text, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_trans_weighted'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_vote_state_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._vote_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_state_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._vote_final(internal)
RETURNS calib.vote_result AS 'MODULE_PATHNAME', 'calib_vote_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._agreement_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_agreement_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE (what the planner expects a group's state to take when it sizes a
-- hash aggregation): the plain vote's state is one 128-byte block plus the
-- allocator's 16-byte header while a group has at most 6 distinct answers
-- of 63 bytes in all (src/vote.h); the weighted vote adds a 512-byte table
-- for a prompt's first 12 samples.
CREATE AGGREGATE calib.vote(answer text) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 144,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.vote(answer text, weight double precision) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 672,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

-- Probability that two different samples of the group agree:
-- sum c (c - 1) / (n (n - 1)); NULL for fewer than two answers.
CREATE AGGREGATE calib.agreement(answer text) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 144,
    FINALFUNC = calib._agreement_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

-- Best-of-N: is the highest-scoring sample correct?  Ties at the top count
-- as a uniform pick among them (the fraction of them that is correct).
CREATE FUNCTION calib._best_of_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_best_of_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._best_of_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._best_of_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_best_of_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE calib.best_of(score double precision, correct boolean) (
    SFUNC = calib._best_of_trans, STYPE = internal, SSPACE = 32,
    FINALFUNC = calib._best_of_final,
    COMBINEFUNC = calib._best_of_combine, SERIALFUNC = calib._best_of_serialize,
    DESERIALFUNC = calib._best_of_deserialize, PARALLEL = SAFE);
-- Log-probability summaries over token arrays and stored API responses
-- (docs/logprobs.md).  Formulas in src/logprob.c, JSON shapes in
-- src/pg_logprob_json.c.  Every function is IMMUTABLE, STRICT (a NULL
-- argument gives NULL) and PARALLEL SAFE; an empty array gives NULL.
-- Each array function exists for double precision[] and real[]; both point
-- at the same C function, which reads real[] element by element.

-- Everything calib.logprob_summary(arr) returns; each field equals the
-- function of the same name.
CREATE TYPE calib.logprob_summary AS (
    n               bigint,             -- tokens
    lp_sum          double precision,   -- sum of log-probabilities
    lp_mean         double precision,   -- lp_sum / n
    lp_min          double precision,   -- the weakest token
    perplexity      double precision,   -- exp(-lp_mean)
    seq_prob        double precision,   -- exp(lp_sum)
    mean_token_prob double precision    -- mean of exp(logprob)
);

CREATE FUNCTION calib.lp_sum(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.lp_sum(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.lp_mean(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.lp_mean(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.lp_min(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.lp_min(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lp_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.perplexity(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_perplexity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.perplexity(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_perplexity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.seq_prob(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_seq_prob' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.seq_prob(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_seq_prob' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mean_token_prob(token_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_mean_token_prob' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.mean_token_prob(token_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_mean_token_prob' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.logprob_summary(token_logprobs double precision[]) RETURNS calib.logprob_summary
AS 'MODULE_PATHNAME', 'calib_logprob_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.logprob_summary(token_logprobs real[]) RETURNS calib.logprob_summary
AS 'MODULE_PATHNAME', 'calib_logprob_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- DeepConf (Fu et al., 2025) local confidence.
-- token confidence: -(1/k) * sum of the token's top-k log-probabilities.
CREATE FUNCTION calib.token_confidence(top_logprobs double precision[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_token_confidence_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.token_confidence(top_logprobs real[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_token_confidence_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Sliding-window means, stride 1; a trace shorter than the window is one group.
CREATE FUNCTION calib.group_confidence(token_conf double precision[], "window" integer)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.group_confidence(token_conf real[], "window" integer)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.lowest_group_confidence(token_conf double precision[], "window" integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lowest_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.lowest_group_confidence(token_conf real[], "window" integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_lowest_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Mean of the lowest max(1, floor(fraction * #windows)) window means;
-- fraction must be in (0, 1].
CREATE FUNCTION calib.bottom_group_confidence(token_conf double precision[], "window" integer,
                                              fraction double precision DEFAULT 0.1)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_bottom_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.bottom_group_confidence(token_conf real[], "window" integer,
                                              fraction double precision DEFAULT 0.1)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_bottom_group_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Mean of the last n token confidences (all of them when the trace is shorter).
CREATE FUNCTION calib.tail_confidence(token_conf double precision[], n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_tail_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.tail_confidence(token_conf real[], n integer)
RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_tail_confidence' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Entropy (nats) of each token's top-k distribution renormalised to sum 1,
-- and the mean over tokens.
CREATE FUNCTION calib.token_entropy(top_logprobs double precision[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_token_entropy_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.token_entropy(top_logprobs real[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_token_entropy_fn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mean_token_entropy(top_logprobs double precision[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_mean_token_entropy' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.mean_token_entropy(top_logprobs real[]) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_mean_token_entropy' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- numeric[] wrappers, so ARRAY[-0.1, -2.3] (a numeric[]) resolves without a
-- cast: with only real[] and double precision[] versions it would be
-- ambiguous.  Untyped string literals ('{-0.1,-2.3}') still need a cast.
CREATE FUNCTION calib.lp_sum(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.lp_sum(token_logprobs::double precision[]);
CREATE FUNCTION calib.lp_mean(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.lp_mean(token_logprobs::double precision[]);
CREATE FUNCTION calib.lp_min(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.lp_min(token_logprobs::double precision[]);
CREATE FUNCTION calib.perplexity(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.perplexity(token_logprobs::double precision[]);
CREATE FUNCTION calib.seq_prob(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.seq_prob(token_logprobs::double precision[]);
CREATE FUNCTION calib.mean_token_prob(token_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.mean_token_prob(token_logprobs::double precision[]);
CREATE FUNCTION calib.logprob_summary(token_logprobs numeric[]) RETURNS calib.logprob_summary
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.logprob_summary(token_logprobs::double precision[]);
CREATE FUNCTION calib.token_confidence(top_logprobs numeric[]) RETURNS double precision[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.token_confidence(top_logprobs::double precision[]);
CREATE FUNCTION calib.group_confidence(token_conf numeric[], "window" integer) RETURNS double precision[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.group_confidence(token_conf::double precision[], "window");
CREATE FUNCTION calib.lowest_group_confidence(token_conf numeric[], "window" integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.lowest_group_confidence(token_conf::double precision[], "window");
CREATE FUNCTION calib.bottom_group_confidence(token_conf numeric[], "window" integer,
                                              fraction double precision DEFAULT 0.1) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.bottom_group_confidence(token_conf::double precision[], "window", fraction);
CREATE FUNCTION calib.tail_confidence(token_conf numeric[], n integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.tail_confidence(token_conf::double precision[], n);
CREATE FUNCTION calib.token_entropy(top_logprobs numeric[]) RETURNS double precision[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.token_entropy(top_logprobs::double precision[]);
CREATE FUNCTION calib.mean_token_entropy(top_logprobs numeric[]) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN calib.mean_token_entropy(top_logprobs::double precision[]);

-- Per-token log-probabilities out of a stored OpenAI-compatible response,
-- choice, logprobs object or content array (docs/logprobs.md lists the
-- shapes).  choice: 0-based position in "choices" (only for whole responses).
CREATE FUNCTION calib.token_logprobs(response jsonb, choice integer DEFAULT 0)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_token_logprobs_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- tokens x k matrix of each token's top-k alternatives' log-probabilities.
CREATE FUNCTION calib.top_logprobs(response jsonb, choice integer DEFAULT 0)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'calib_top_logprobs_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Recalibration maps, selective prediction and the uncertainty of the
-- metrics (docs/recalibration.md).  Numerics in src/recal.c, selective.c,
-- bootstrap.c, smece.c and binning.c; glue in src/pg_recal.c.

-- ---------------------------------------------------------------- calib.map
CREATE TYPE calib.map;

CREATE FUNCTION calib._map_in(cstring) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_map_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_out(calib.map) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_map_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_recv(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_map_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_send(calib.map) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_map_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A fitted recalibration map: 'v1:temperature(1.5)', 'v1:platt(1.2,-0.3)',
-- 'v1:histogram(0.05,...)', 'v1:isotonic(0.1:0,0.9:0.8)'.
CREATE TYPE calib.map (
    INPUT = calib._map_in, OUTPUT = calib._map_out,
    RECEIVE = calib._map_recv, SEND = calib._map_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);

-- The recalibrated confidence; errors (22023) for a confidence outside [0, 1].
CREATE FUNCTION calib.apply(map calib.map, confidence double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_map_apply_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- 'temperature', 'platt', 'histogram' or 'isotonic'.
CREATE FUNCTION calib.map_kind(map calib.map) RETURNS text
AS 'MODULE_PATHNAME', 'calib_map_kind_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Equality: the same stored map, byte for byte -- the same kind and every
-- value the same double, which is exactly when m1::text = m2::text
-- (docs/recalibration.md).  The stored form is canonical: format version
-- always 1, no padding (pg_recal.c's pgmap_from zeroes), and the text form
-- prints every double so that it reads back bit for bit (-0 as "-0").  So
-- bytea's equality and the generic varlena hash, which work on the bytes of
-- any varlena (sizes compared before detoasting; the hash over the bytes the
-- equality compares), are calib.map's, as in contrib/citext.  The hash
-- operator class lets DISTINCT, GROUP BY, UNION and hash joins use it; there
-- is no ordering (no btree class).
CREATE FUNCTION calib._map_eq(calib.map, calib.map) RETURNS boolean
AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_ne(calib.map, calib.map) RETURNS boolean
AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_hash(calib.map) RETURNS integer
AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_hash_extended(calib.map, bigint) RETURNS bigint
AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR calib.= (
    LEFTARG = calib.map, RIGHTARG = calib.map, FUNCTION = calib._map_eq,
    COMMUTATOR = OPERATOR(calib.=), NEGATOR = OPERATOR(calib.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES);
CREATE OPERATOR calib.<> (
    LEFTARG = calib.map, RIGHTARG = calib.map, FUNCTION = calib._map_ne,
    COMMUTATOR = OPERATOR(calib.<>), NEGATOR = OPERATOR(calib.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);

CREATE OPERATOR CLASS calib.map_ops DEFAULT FOR TYPE calib.map USING hash AS
    OPERATOR 1 calib.= (calib.map, calib.map),
    FUNCTION 1 calib._map_hash(calib.map),
    FUNCTION 2 calib._map_hash_extended(calib.map, bigint);

-- One point of a risk-coverage curve; also the result of threshold_for_accuracy.
CREATE TYPE calib.coverage_point AS (
    threshold double precision,   -- answer when confidence >= threshold
    coverage  double precision,   -- share of rows answered
    accuracy  double precision    -- accuracy of the answered rows
);

-- A metric with its bootstrap percentile interval.
CREATE TYPE calib.ece_interval AS (
    ece     double precision,     -- on all rows, as calib.ece
    ci_low  double precision,
    ci_high double precision
);

-- ------------------------------------------- state: every row (pg_scores.c)
CREATE FUNCTION calib._recal_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;   -- not STRICT: NULL rows are skipped inside

CREATE FUNCTION calib._recal_trans(internal, double precision, boolean, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_target'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ece_ci's transitions: 3 to 7 arguments, defaults filled in by the C code
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision, integer, bigint)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._recal_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._recal_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_recal_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._recal_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._fit_temperature_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_temperature_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._fit_platt_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_platt_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._fit_isotonic_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_isotonic_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._risk_coverage_final(internal) RETURNS calib.coverage_point[]
AS 'MODULE_PATHNAME', 'calib_risk_coverage_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._aurc_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_aurc_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._threshold_for_accuracy_final(internal) RETURNS calib.coverage_point
AS 'MODULE_PATHNAME', 'calib_threshold_for_accuracy_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_final(internal) RETURNS calib.ece_interval
AS 'MODULE_PATHNAME', 'calib_ece_ci_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._smooth_ece_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_smooth_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- finals over the equal-width binned state of 10_binned.sql
CREATE FUNCTION calib._fit_histogram_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_histogram_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._debiased_ece_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_debiased_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- --------------------------------------------------------------- the fits
CREATE AGGREGATE calib.fit_temperature(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_temperature_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.fit_platt(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_platt_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.fit_isotonic(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_isotonic_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.fit_histogram(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._fit_histogram_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.fit_histogram(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._fit_histogram_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

-- --------------------------------------------------- selective prediction
CREATE AGGREGATE calib.risk_coverage(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._risk_coverage_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.aurc(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._aurc_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.threshold_for_accuracy(confidence double precision, correct boolean,
                                              target double precision) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._threshold_for_accuracy_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

-- ------------------------------------------------- uncertainty of metrics
-- calib.ece_ci(confidence, correct [, bins 10 [, level 0.95 [, resamples 1000 [, seed 0]]]])
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision, resamples integer) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision, resamples integer, seed bigint) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

-- Kumar, Liang & Ma (2019) debiased L2 calibration error over equal-width bins.
CREATE AGGREGATE calib.debiased_ece(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._debiased_ece_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.debiased_ece(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = internal, FINALFUNC = calib._debiased_ece_final,
    COMBINEFUNC = calib._binned_combine, SERIALFUNC = calib._binned_serialize,
    DESERIALFUNC = calib._binned_deserialize, PARALLEL = SAFE);

-- Blasiok & Nakkiran (2023) smooth ECE, as relplot.metrics.smECE computes it.
CREATE AGGREGATE calib.smooth_ece(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._smooth_ece_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
-- Pictures of calibration: SVG and text reliability diagrams, the HTML
-- report.  Drawing in src/svg.c; every number is recomputed from the
-- calib.bin[] by src/binning.c.

-- The drawing functions take the bins of calib.reliability (of rows or of a
-- summary), the bin count (so an empty summary, whose reliability is NULL,
-- still draws its empty bins) and an optional title.  A NULL bin count gives
-- NULL.  Not STRICT: NULL rows and NULL title are meaningful.
CREATE FUNCTION calib._reliability_svg(reliability calib.bin[], bins integer, title text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_reliability_svg_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._reliability_text(reliability calib.bin[], bins integer, title text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_reliability_text_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Text escaped for XML and HTML, as ASCII (non-ASCII as &#x..;).
CREATE FUNCTION calib._xml_escape(text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_xml_escape_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The diagram of calib.reliability(confidence, correct [, bins]) output;
-- title '' draws none.
CREATE FUNCTION calib.reliability_svg(reliability calib.bin[], title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_svg(reliability, cardinality(reliability), title);

CREATE FUNCTION calib.reliability_text(reliability calib.bin[], title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_text(reliability, cardinality(reliability), title);

-- The diagram of a summary, over any bin count that divides the summary's
-- resolution (see calib.reliability(calib.summary, integer)).  STRICT like
-- every summary accessor: the title defaults to '' (none), a NULL argument
-- gives NULL.  A summary of no rows draws every bin empty.
CREATE FUNCTION calib.reliability_svg(s calib.summary, bins integer DEFAULT 10,
                                      title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_svg(calib.reliability(s, bins), bins, title);

CREATE FUNCTION calib.reliability_text(s calib.summary, bins integer DEFAULT 10,
                                       title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_text(calib.reliability(s, bins), bins, title);

-- A number for the report: three decimals, or a dash when undefined.
CREATE FUNCTION calib._fmt(x double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN coalesce(to_char(x, 'FM0.000'), '&#8212;');

-- A self-contained HTML page: a table of key numbers, then one reliability
-- diagram per group, side by side, in the order given.  Labels and title
-- are escaped; the page loads nothing from outside.
CREATE FUNCTION calib.report_html(labels text[], summaries calib.summary[],
                                  title text DEFAULT 'Calibration report',
                                  bins integer DEFAULT 10)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t      text := calib._xml_escape(coalesce(title, 'Calibration report'));
    rows   text;
    charts text;
BEGIN
    IF labels IS NULL OR summaries IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(labels) <> cardinality(summaries) THEN
        RAISE EXCEPTION 'labels and summaries must have the same length, got % and %',
            cardinality(labels), cardinality(summaries)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(format(
               '<tr><th scope="row">%s</th><td>%s</td><td>%s</td><td>%s</td>'
               '<td class="ece">%s</td><td>%s</td><td>%s</td></tr>',
               calib._xml_escape(coalesce(g.label, '(null)')),
               coalesce(calib.n(g.s), 0),
               calib._fmt(calib.accuracy(g.s)), calib._fmt(calib.mean_confidence(g.s)),
               calib._fmt(calib.ece(g.s, bins)), calib._fmt(calib.brier(g.s)),
               calib._fmt(calib.auroc(g.s))), E'\n' ORDER BY g.i),
           string_agg(format('<figure>%s</figure>',
               calib._reliability_svg(calib.reliability(g.s, bins), bins, g.label)),
               E'\n' ORDER BY g.i)
      INTO rows, charts
      FROM unnest(labels, summaries) WITH ORDINALITY AS g(label, s, i)
     WHERE g.s IS NOT NULL;
    RETURN concat_ws(E'\n',
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="utf-8">',
        '<title>' || t || '</title>',
        '<style>body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px;color:#222}'
        'table{border-collapse:collapse;margin-bottom:24px}'
        'th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}'
        'th[scope=row]{text-align:left}thead th{background:#f2f2f2}'
        '.charts{display:flex;flex-wrap:wrap;gap:16px}'
        'figure{margin:0;border:1px solid #ddd;padding:8px}</style></head><body>',
        '<h1>' || t || '</h1>',
        format('<p>%s groups; ECE over %s equal-width bins; whiskers are 95%% Wilson intervals '
               'of the accuracy; red: over-confident, yellow: under-confident.</p>',
               coalesce(cardinality(labels), 0), bins),
        '<table class="key-numbers"><thead><tr><th>group</th><th>n</th><th>accuracy</th>'
        '<th>mean confidence</th><th>ECE</th><th>Brier</th><th>AUROC</th></tr></thead><tbody>',
        rows,
        '</tbody></table>',
        '<div class="charts">',
        charts,
        '</div></body></html>');
END
$$;
-- Audits: named definitions over a user's table or view, a history of
-- summaries per run and group, baselines, and the drift view.
-- docs/audits.md explains the tests; src/drift.c implements them.
--
-- Everything here runs with the caller's rights (no SECURITY DEFINER): an
-- audit reads only what its caller may read, row-level security included.
-- Functions pin search_path; identifiers reaching dynamic SQL are looked up
-- in the catalogs by OID and quoted with format('%I').

-- What to audit.  source is stored as text (schema-qualified, quoted), not
-- regclass: pg_upgrade refuses reg* columns in user tables.  It is
-- re-resolved and re-checked on every run.
CREATE TABLE calib.audit (
    name        text PRIMARY KEY,
    source      text NOT NULL,
    confidence  text NOT NULL,                  -- column of confidences in [0, 1]
    correct     text NOT NULL,                  -- boolean column
    group_by    text[] NOT NULL DEFAULT '{}',   -- columns; one summary per group
    time_column text,                           -- NULL: every row on every run
    lookback    interval,                       -- rows in [run_at - lookback, run_at)
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (lookback IS NULL OR (time_column IS NOT NULL AND lookback > interval '0'))
);

CREATE SEQUENCE calib.audit_run_seq;

-- One row per run and group.
CREATE TABLE calib.audit_history (
    run_id       bigint NOT NULL,
    audit        text NOT NULL,
    run_at       timestamptz NOT NULL,
    window_start timestamptz,                   -- NULL: unbounded
    window_end   timestamptz,
    labels       jsonb NOT NULL,                -- {"column": value, ...} of the group
    summary      calib.summary NOT NULL
);
CREATE INDEX audit_history_run ON calib.audit_history (run_id);
CREATE INDEX audit_history_latest ON calib.audit_history (audit, labels, run_at DESC, run_id DESC);

-- A stored reference per group: when present, drift compares with it
-- instead of with the previous run.
CREATE TABLE calib.audit_baseline (
    audit   text NOT NULL,
    labels  jsonb NOT NULL,
    summary calib.summary NOT NULL,
    note    text,
    set_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (audit, labels)
);

-- User data, not extension objects: pg_dump keeps their rows.
SELECT pg_catalog.pg_extension_config_dump('calib.audit', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_history', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_baseline', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_run_seq', '');

-- The type of a column of rel, or an error naming it (22023 / 42703).
CREATE FUNCTION calib._audit_column(rel regclass, col text, what text)
RETURNS regtype
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t regtype;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION '% column must not be NULL', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.atttypid INTO t
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION '% column % does not exist in %', what, quote_ident(col), rel
            USING ERRCODE = 'undefined_column';
    END IF;
    RETURN t;
END
$$;

-- The checked definition: relation OID and FROM text from the catalogs.
CREATE FUNCTION calib._audit_check(a calib.audit, OUT rel regclass, OUT from_sql text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t regtype;
    g text;
BEGIN
    rel := to_regclass(a.source);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'audit %: relation % does not exist', quote_literal(a.name), a.source
            USING ERRCODE = 'undefined_table';
    END IF;
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = rel) NOT IN ('r', 'v', 'm', 'p', 'f') THEN
        RAISE EXCEPTION 'audit %: % is not a table or view', quote_literal(a.name), rel
            USING ERRCODE = 'wrong_object_type';
    END IF;
    SELECT format('%I.%I', n.nspname, c.relname) INTO from_sql
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    t := calib._audit_column(rel, a.confidence, 'confidence');
    IF t NOT IN ('double precision'::regtype, 'real'::regtype, 'numeric'::regtype) THEN
        RAISE EXCEPTION 'confidence column % must be double precision, real or numeric, not %',
            quote_ident(a.confidence), t USING ERRCODE = 'datatype_mismatch';
    END IF;
    t := calib._audit_column(rel, a.correct, 'correct');
    IF t <> 'boolean'::regtype THEN
        RAISE EXCEPTION 'correct column % must be boolean, not %', quote_ident(a.correct), t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF a.time_column IS NOT NULL THEN
        t := calib._audit_column(rel, a.time_column, 'time');
        IF t NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype,
                     'date'::regtype) THEN
            RAISE EXCEPTION 'time column % must be timestamptz, timestamp or date, not %',
                quote_ident(a.time_column), t USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;
    FOREACH g IN ARRAY a.group_by LOOP
        PERFORM calib._audit_column(rel, g, 'group');
    END LOOP;
    IF cardinality(a.group_by) <> (SELECT count(DISTINCT x) FROM unnest(a.group_by) x) THEN
        RAISE EXCEPTION 'group_by lists a column twice: %', a.group_by
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- Create or replace a named audit.  source is resolved now, in the caller's
-- search_path, and stored schema-qualified.
CREATE FUNCTION calib.define_audit(name text, source regclass, confidence text, correct text,
                                   group_by text[] DEFAULT '{}',
                                   time_column text DEFAULT NULL,
                                   lookback interval DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    a calib.audit;
BEGIN
    IF name IS NULL OR source IS NULL THEN
        RAISE EXCEPTION 'name and source must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT format('%I.%I', n.nspname, c.relname) INTO a.source
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
    a.name := name;
    a.confidence := confidence;
    a.correct := correct;
    a.group_by := coalesce(group_by, '{}');
    a.time_column := time_column;
    a.lookback := lookback;
    IF lookback IS NOT NULL AND time_column IS NULL THEN
        RAISE EXCEPTION 'lookback needs a time column' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM calib._audit_check(a);
    INSERT INTO calib.audit AS t (name, source, confidence, correct, group_by, time_column, lookback)
    VALUES (a.name, a.source, a.confidence, a.correct, a.group_by, a.time_column, a.lookback)
    ON CONFLICT ON CONSTRAINT audit_pkey DO UPDATE
       SET source = excluded.source, confidence = excluded.confidence,
           correct = excluded.correct, group_by = excluded.group_by,
           time_column = excluded.time_column, lookback = excluded.lookback;
END
$$;

-- Run a named audit: one calib.summary per group of the rows in its window
-- appended to calib.audit_history under one run_id, which is returned.
-- run_at defaults to now(); pass another time to backfill.
CREATE FUNCTION calib.run_audit(name text, run_at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    a       calib.audit;
    chk     record;
    run     bigint;
    wstart  timestamptz;
    wend    timestamptz;
    labels  text;
    grp     text;
    cond    text;
BEGIN
    SELECT * INTO a FROM calib.audit WHERE audit.name = run_audit.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit % is not defined', quote_literal(name)
            USING ERRCODE = 'undefined_object', HINT = 'Define it with calib.define_audit().';
    END IF;
    IF run_at IS NULL THEN
        RAISE EXCEPTION 'run_at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Re-check every identifier against the catalogs: the definition is data
    -- anyone with UPDATE on calib.audit could have changed.
    chk := calib._audit_check(a);

    SELECT coalesce('jsonb_build_object(' || string_agg(format('%L, %I', g, g), ', ' ORDER BY o) || ')',
                    '''{}''::jsonb'),
           coalesce(string_agg(format('%I', g), ', ' ORDER BY o), '()')
      INTO labels, grp
      FROM unnest(a.group_by) WITH ORDINALITY AS u(g, o);

    cond := format('%I IS NOT NULL AND %I IS NOT NULL', a.confidence, a.correct);
    IF a.time_column IS NOT NULL THEN
        wend := run_at;
        wstart := run_at - a.lookback;     -- NULL without a lookback: unbounded
        cond := cond || format(' AND %I < $4', a.time_column);
        IF wstart IS NOT NULL THEN
            cond := cond || format(' AND %I >= $3', a.time_column);
        END IF;
    END IF;

    run := nextval('calib.audit_run_seq');
    EXECUTE format(
        'INSERT INTO calib.audit_history (run_id, audit, run_at, window_start, window_end, labels, summary) '
        'SELECT $1, $2, $5, $3, $4, %s, calib.summary(%I::double precision, %I) '
        'FROM %s WHERE %s GROUP BY %s',
        labels, a.confidence, a.correct, chk.from_sql, cond, grp)
    USING run, a.name, wstart, wend, run_at;
    RETURN run;
END
$$;

-- Store the summaries of a run (default: each group's latest) as the
-- reference drift compares with.  Returns the number of groups set.
CREATE FUNCTION calib.set_audit_baseline(audit text, run_id bigint DEFAULT NULL, note text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    k integer;
BEGIN
    INSERT INTO calib.audit_baseline AS b (audit, labels, summary, note, set_at)
    SELECT DISTINCT ON (h.labels) h.audit, h.labels, h.summary, set_audit_baseline.note, now()
      FROM calib.audit_history h
     WHERE h.audit = set_audit_baseline.audit
       AND (set_audit_baseline.run_id IS NULL OR h.run_id = set_audit_baseline.run_id)
     ORDER BY h.labels, h.run_at DESC, h.run_id DESC
    ON CONFLICT ON CONSTRAINT audit_baseline_pkey DO UPDATE
       SET summary = excluded.summary, note = excluded.note, set_at = excluded.set_at;
    GET DIAGNOSTICS k = ROW_COUNT;
    IF k = 0 THEN
        RAISE EXCEPTION 'audit % has no run%', quote_literal(audit),
            coalesce(' ' || run_id, '') USING ERRCODE = 'no_data_found';
    END IF;
    RETURN k;
END
$$;

-- The three tests of src/drift.c on two summaries; see docs/audits.md.
-- The arrays are the summaries' 600 fine bins.
CREATE FUNCTION calib._drift_p(latest calib.bin[], latest_brier double precision,
                               baseline calib.bin[], baseline_brier double precision,
                               bins integer, reps integer,
                               OUT accuracy_p double precision, OUT brier_p double precision,
                               OUT ece_p double precision)
AS 'MODULE_PATHNAME', 'calib_drift_p'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The latest run of every audit and group against its baseline (the stored
-- reference if there is one, else the previous run), each change tested at
-- level alpha; drift = any of the three flagged (false-alarm rate per group
-- at most 3 alpha, by Bonferroni).  Flags are NULL without a baseline.
CREATE FUNCTION calib.drift(alpha double precision DEFAULT 0.01, bins integer DEFAULT 10,
                            reps integer DEFAULT 2000)
RETURNS TABLE (audit text, labels jsonb, run_id bigint, run_at timestamptz,
               baseline text, baseline_run_id bigint, baseline_at timestamptz,
               n bigint, baseline_n bigint,
               accuracy double precision, baseline_accuracy double precision,
               accuracy_p double precision,
               brier double precision, baseline_brier double precision,
               brier_p double precision,
               ece double precision, baseline_ece double precision,
               ece_p double precision,
               accuracy_drift boolean, brier_drift boolean, ece_drift boolean,
               drift boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
BEGIN
    IF alpha IS NULL OR NOT (alpha > 0 AND alpha < 1) THEN
        RAISE EXCEPTION 'alpha must be between 0 and 1, got %', alpha
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH ranked AS (
        SELECT h.*, row_number() OVER (PARTITION BY h.audit, h.labels
                                       ORDER BY h.run_at DESC, h.run_id DESC) AS rn
          FROM calib.audit_history h
    ), pairs AS (
        SELECT l.audit, l.labels, l.run_id, l.run_at, l.summary AS s,
               CASE WHEN b.summary IS NOT NULL THEN 'reference'
                    WHEN p.summary IS NOT NULL THEN 'previous run' END AS baseline,
               CASE WHEN b.summary IS NULL THEN p.run_id END AS baseline_run_id,
               coalesce(b.set_at, p.run_at) AS baseline_at,
               coalesce(b.summary, p.summary) AS bs
          FROM ranked l
          LEFT JOIN calib.audit_baseline b ON b.audit = l.audit AND b.labels = l.labels
          LEFT JOIN ranked p ON p.audit = l.audit AND p.labels = l.labels AND p.rn = 2
         WHERE l.rn = 1
    )
    SELECT q.audit, q.labels, q.run_id, q.run_at, q.baseline, q.baseline_run_id, q.baseline_at,
           calib.n(q.s), calib.n(q.bs),
           calib.accuracy(q.s), calib.accuracy(q.bs), t.accuracy_p,
           calib.brier(q.s), calib.brier(q.bs), t.brier_p,
           calib.ece(q.s, drift.bins), calib.ece(q.bs, drift.bins), t.ece_p,
           t.accuracy_p < alpha, t.brier_p < alpha, t.ece_p < alpha,
           t.accuracy_p < alpha OR t.brier_p < alpha OR t.ece_p < alpha
      FROM pairs q
      LEFT JOIN LATERAL calib._drift_p(calib.reliability(q.s, 600), calib.brier(q.s),
                                       calib.reliability(q.bs, 600), calib.brier(q.bs),
                                       drift.bins, drift.reps) t ON true
     ORDER BY q.audit, q.labels;
END
$$;

-- What dashboards and alerting queries select from: drift at alpha = 0.01
-- over 10 bins (SELECT * FROM calib.audit_drift WHERE drift).
CREATE VIEW calib.audit_drift AS SELECT * FROM calib.drift();

-- {"domain": "law", "model": "atlas-1"} -> 'domain=law, model=atlas-1'
CREATE FUNCTION calib._labels_text(labels jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
    SELECT coalesce(string_agg(e.key || '=' || coalesce(e.value #>> '{}', 'NULL'), ', '
                               ORDER BY e.key), 'all rows')
      FROM jsonb_each(labels) e
$$;

-- The HTML report of an audit's latest run: one diagram per group.
CREATE FUNCTION calib.audit_report_html(audit text, bins integer DEFAULT 10)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
    SELECT calib.report_html(
               array_agg(calib._labels_text(h.labels) ORDER BY h.labels),
               array_agg(h.summary ORDER BY h.labels),
               format('Calibration audit %s, run %s at %s', audit_report_html.audit,
                      max(h.run_id), to_char(max(h.run_at) AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD HH24:MI "UTC"')),
               bins)
      FROM calib.audit_history h
     WHERE h.audit = audit_report_html.audit
       AND h.run_id = (SELECT max(x.run_id) FROM calib.audit_history x
                        WHERE x.audit = audit_report_html.audit)
$$;
-- Who may use calib (docs/security.md).  CREATE EXTENSION creates schema
-- calib and, like any new schema, it is closed to PUBLIC.  The functions
-- and types compute only from their arguments and run with the caller's
-- rights (nothing is SECURITY DEFINER), and EXECUTE on functions is granted
-- to PUBLIC by default, so every role may use them.  Tables the extension
-- creates get no grants here: what they hold is for their owner to share.
GRANT USAGE ON SCHEMA calib TO PUBLIC;
