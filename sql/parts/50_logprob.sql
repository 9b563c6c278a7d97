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
