-- Probability vectors (docs/multiclass.md): one probability per option,
-- double precision[] or real[], and the 1-based index of the correct one.
-- Numerics in src/multiclass.c (bins and binned formulas from binning.c,
-- AUROC from scores.c, the temperature solver from recal.c); glue in
-- src/pg_multiclass.c and, for the jsonb readers, src/pg_logprob_json.c.

-- ------------------------------------------------------ calib.vector_state
-- The partial state of the bounded vector aggregates classwise_ece,
-- full_ece, brier and nll: a tagged internal format with exact sums, so
-- parallel workers, shards and Citus combine states (docs/multiclass.md).
-- The top-label ece, mce and reliability use calib.binned_state, the state
-- of the binary binned aggregates, with its combine and finals.
CREATE TYPE calib.vector_state;

CREATE FUNCTION calib._vector_state_in(cstring) RETURNS calib.vector_state
AS 'MODULE_PATHNAME', 'calib_vector_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vector_state_out(calib.vector_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_vector_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vector_state_recv(internal) RETURNS calib.vector_state
AS 'MODULE_PATHNAME', 'calib_vector_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vector_state_send(calib.vector_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_vector_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.vector_state (
    INPUT = calib._vector_state_in, OUTPUT = calib._vector_state_out,
    RECEIVE = calib._vector_state_recv, SEND = calib._vector_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);

-- Transition functions: not STRICT (rows with a NULL are skipped inside).

CREATE FUNCTION calib._vec_toplabel_trans(calib.binned_state, double precision[], integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_vec_toplabel_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_toplabel_trans(calib.binned_state, double precision[], integer, integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_vec_toplabel_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_classwise_trans(calib.vector_state, double precision[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_classwise_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_classwise_trans(calib.vector_state, double precision[], integer, integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_classwise_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_full_trans(calib.vector_state, double precision[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_full_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_full_trans(calib.vector_state, double precision[], integer, integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_full_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_brier_trans(calib.vector_state, double precision[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_brier_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_nll_trans(calib.vector_state, double precision[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_nll_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_auroc_trans(internal, double precision[], integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_auroc_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_fit_trans(internal, double precision[], integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_fit_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_toplabel_trans(calib.binned_state, real[], integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_vec_toplabel_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_toplabel_trans(calib.binned_state, real[], integer, integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_vec_toplabel_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_classwise_trans(calib.vector_state, real[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_classwise_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_classwise_trans(calib.vector_state, real[], integer, integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_classwise_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_full_trans(calib.vector_state, real[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_full_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_full_trans(calib.vector_state, real[], integer, integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_full_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_brier_trans(calib.vector_state, real[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_brier_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_nll_trans(calib.vector_state, real[], integer)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_nll_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_auroc_trans(internal, real[], integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_auroc_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_fit_trans(internal, real[], integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_fit_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vec_combine(calib.vector_state, calib.vector_state)
RETURNS calib.vector_state AS 'MODULE_PATHNAME', 'calib_vec_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vec_classwise_ece_final(calib.vector_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_vec_classwise_ece_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vec_full_ece_final(calib.vector_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_vec_full_ece_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vec_brier_final(calib.vector_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_vec_brier_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vec_nll_final(calib.vector_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_vec_nll_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._vec_fit_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_fit_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._vec_fit_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_vec_fit_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vec_fit_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vec_fit_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._vec_fit_temperature_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_vec_fit_temperature_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Top-label metrics: the binary ones on (max probs, argmax probs = label),
-- ties to the lowest index.  classwise_ece: mean over options of the binary
-- ECE of (probs[k], label = k).  full_ece: Liu et al.'s Full-ECE, also over a
-- truncated (top-k) distribution with label 0 for a correct token outside it.
-- brier: mean of sum_k (probs[k] - [k = label])^2; nll: mean of -ln probs[label].
CREATE AGGREGATE calib.ece(probs double precision[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece(probs double precision[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(probs double precision[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(probs double precision[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(probs double precision[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(probs double precision[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.classwise_ece(probs double precision[], label integer) (
    SFUNC = calib._vec_classwise_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_classwise_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.classwise_ece(probs double precision[], label integer, bins integer) (
    SFUNC = calib._vec_classwise_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_classwise_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.full_ece(probs double precision[], label integer) (
    SFUNC = calib._vec_full_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_full_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.full_ece(probs double precision[], label integer, bins integer) (
    SFUNC = calib._vec_full_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_full_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.brier(probs double precision[], label integer) (
    SFUNC = calib._vec_brier_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_brier_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.nll(probs double precision[], label integer) (
    SFUNC = calib._vec_nll_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_nll_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.auroc(probs double precision[], label integer) (
    SFUNC = calib._vec_auroc_trans, STYPE = internal, FINALFUNC = calib._auroc_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.fit_temperature(logits double precision[], label integer) (
    SFUNC = calib._vec_fit_trans, STYPE = internal, FINALFUNC = calib._vec_fit_temperature_final,
    COMBINEFUNC = calib._vec_fit_combine, SERIALFUNC = calib._vec_fit_serialize,
    DESERIALFUNC = calib._vec_fit_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece(probs real[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece(probs real[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._ece_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(probs real[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(probs real[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._mce_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(probs real[], label integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(probs real[], label integer, bins integer) (
    SFUNC = calib._vec_toplabel_trans, STYPE = calib.binned_state, FINALFUNC = calib._reliability_final,
    COMBINEFUNC = calib._binned_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.classwise_ece(probs real[], label integer) (
    SFUNC = calib._vec_classwise_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_classwise_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.classwise_ece(probs real[], label integer, bins integer) (
    SFUNC = calib._vec_classwise_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_classwise_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.full_ece(probs real[], label integer) (
    SFUNC = calib._vec_full_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_full_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.full_ece(probs real[], label integer, bins integer) (
    SFUNC = calib._vec_full_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_full_ece_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.brier(probs real[], label integer) (
    SFUNC = calib._vec_brier_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_brier_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.nll(probs real[], label integer) (
    SFUNC = calib._vec_nll_trans, STYPE = calib.vector_state, FINALFUNC = calib._vec_nll_final,
    COMBINEFUNC = calib._vec_combine, PARALLEL = SAFE);
CREATE AGGREGATE calib.auroc(probs real[], label integer) (
    SFUNC = calib._vec_auroc_trans, STYPE = internal, FINALFUNC = calib._auroc_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.fit_temperature(logits real[], label integer) (
    SFUNC = calib._vec_fit_trans, STYPE = internal, FINALFUNC = calib._vec_fit_temperature_final,
    COMBINEFUNC = calib._vec_fit_combine, SERIALFUNC = calib._vec_fit_serialize,
    DESERIALFUNC = calib._vec_fit_deserialize, PARALLEL = SAFE);

-- ------------------------------------------------------ logits and maps
-- softmax(logits / temperature), computed as exp((z - max z) / T) / sum in
-- double; -Infinity logits give 0.
CREATE FUNCTION calib.softmax(logits double precision[], temperature double precision DEFAULT 1)
RETURNS double precision[] AS 'MODULE_PATHNAME', 'calib_softmax_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.softmax(logits real[], temperature double precision DEFAULT 1)
RETURNS double precision[] AS 'MODULE_PATHNAME', 'calib_softmax_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A vector_temperature map applied to logits: softmax(logits / T).
CREATE FUNCTION calib.apply(map calib.map, logits double precision[])
RETURNS double precision[] AS 'MODULE_PATHNAME', 'calib_map_apply_vector_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.apply(map calib.map, logits real[])
RETURNS double precision[] AS 'MODULE_PATHNAME', 'calib_map_apply_vector_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ------------------------------------------------ from stored responses
-- Each option's log-probability at the first generated token whose
-- top_logprobs contain any option (tokens compared after trimming white
-- space; several matching tokens add up), -Infinity where absent; NULL when
-- no token has any.  The shapes of calib.token_logprobs.
CREATE FUNCTION calib.option_logprobs(response jsonb, options text[], choice integer DEFAULT 0)
RETURNS double precision[] AS 'MODULE_PATHNAME', 'calib_option_logprobs_json'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Full-ECE's per-position inputs: for every token, its top-k alternatives
-- and their probabilities (descending) and the 1-based index of the token
-- itself among them (0 when absent).  On a teacher-forced (scored) reference
-- continuation the token is the reference token (docs/multiclass.md).
CREATE FUNCTION calib.token_distributions(response jsonb, choice integer DEFAULT 0,
    OUT "position" integer, OUT token text, OUT tokens text[], OUT probs double precision[],
    OUT label integer)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'calib_token_distributions_json'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
