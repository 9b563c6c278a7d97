-- Agreement by meaning among sampled answers: semantic entropy from cluster
-- ids, and clusters of answer embeddings.  Cores in src/semantic.c;
-- definitions and conventions in docs/semantic.md.
--
-- Both states keep every row of a group (one prompt's answers), so a
-- group's state grows with its answers (16 bytes per answer for the entropy;
-- 8 + 4 d or 8 + 8 d bytes per embedding of dimension d), never with their
-- square.  Partial states are real types, so parallel workers and Citus ship
-- them; the final functions compute from the multiset of rows, so every
-- plan gives the same bits.

-- The partial state of calib.semantic_entropy (an internal format: "se1:"
-- and the binary form in hexadecimal; docs/semantic.md).
CREATE TYPE calib.semantic_entropy_state;

CREATE FUNCTION calib._semantic_entropy_state_in(cstring) RETURNS calib.semantic_entropy_state
AS 'MODULE_PATHNAME', 'calib_semantic_entropy_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_entropy_state_out(calib.semantic_entropy_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_semantic_entropy_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_entropy_state_recv(internal) RETURNS calib.semantic_entropy_state
AS 'MODULE_PATHNAME', 'calib_semantic_entropy_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_entropy_state_send(calib.semantic_entropy_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_semantic_entropy_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.semantic_entropy_state (
    INPUT = calib._semantic_entropy_state_in, OUTPUT = calib._semantic_entropy_state_out,
    RECEIVE = calib._semantic_entropy_state_recv, SEND = calib._semantic_entropy_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);

COMMENT ON TYPE calib.semantic_entropy_state IS
'partial state of calib.semantic_entropy: every (cluster id, log-probability) of a group (internal format)';

-- Transition functions are not STRICT: rows with a NULL cluster id (or
-- log-probability) are skipped inside, and the first row allocates the state.
CREATE FUNCTION calib._semantic_entropy_trans(calib.semantic_entropy_state, bigint)
RETURNS calib.semantic_entropy_state AS 'MODULE_PATHNAME', 'calib_semantic_entropy_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_entropy_trans(calib.semantic_entropy_state, bigint, double precision)
RETURNS calib.semantic_entropy_state AS 'MODULE_PATHNAME', 'calib_semantic_entropy_trans_weighted'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_entropy_combine(calib.semantic_entropy_state, calib.semantic_entropy_state)
RETURNS calib.semantic_entropy_state AS 'MODULE_PATHNAME', 'calib_semantic_entropy_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_entropy_final(calib.semantic_entropy_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_semantic_entropy_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE: a prompt's first 8 answers (24-byte header + 16 bytes each).
CREATE AGGREGATE calib.semantic_entropy(cluster_id bigint) (
    SFUNC = calib._semantic_entropy_trans, STYPE = calib.semantic_entropy_state, SSPACE = 152,
    FINALFUNC = calib._semantic_entropy_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_entropy_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.semantic_entropy(cluster_id bigint, seq_logprob double precision) (
    SFUNC = calib._semantic_entropy_trans, STYPE = calib.semantic_entropy_state, SSPACE = 152,
    FINALFUNC = calib._semantic_entropy_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_entropy_combine, PARALLEL = SAFE);

-- The partial state of the embedding aggregates ("sm1:" + hexadecimal).
CREATE TYPE calib.semantic_state;

CREATE FUNCTION calib._semantic_state_in(cstring) RETURNS calib.semantic_state
AS 'MODULE_PATHNAME', 'calib_semantic_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_state_out(calib.semantic_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_semantic_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_state_recv(internal) RETURNS calib.semantic_state
AS 'MODULE_PATHNAME', 'calib_semantic_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._semantic_state_send(calib.semantic_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_semantic_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.semantic_state (
    INPUT = calib._semantic_state_in, OUTPUT = calib._semantic_state_out,
    RECEIVE = calib._semantic_state_recv, SEND = calib._semantic_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);

COMMENT ON TYPE calib.semantic_state IS
'partial state of calib.semantic_clusters, semantic_agreement and semantic_labels: every embedding of a group (internal format)';

-- What calib.semantic_clusters returns.
CREATE TYPE calib.semantic_clusters_result AS (
    n              bigint,            -- answers with an embedding
    clusters       integer,           -- connected components at the threshold
    largest_share  double precision,  -- size of the largest cluster / n
    entropy        double precision   -- -sum share ln share over the clusters
);

CREATE FUNCTION calib._semantic_trans(calib.semantic_state, real[], double precision)
RETURNS calib.semantic_state AS 'MODULE_PATHNAME', 'calib_semantic_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_trans(calib.semantic_state, double precision[], double precision)
RETURNS calib.semantic_state AS 'MODULE_PATHNAME', 'calib_semantic_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_labels_trans(calib.semantic_state, real[], double precision)
RETURNS calib.semantic_state AS 'MODULE_PATHNAME', 'calib_semantic_labels_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_labels_trans(calib.semantic_state, double precision[], double precision)
RETURNS calib.semantic_state AS 'MODULE_PATHNAME', 'calib_semantic_labels_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_combine(calib.semantic_state, calib.semantic_state)
RETURNS calib.semantic_state AS 'MODULE_PATHNAME', 'calib_semantic_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_clusters_final(calib.semantic_state)
RETURNS calib.semantic_clusters_result AS 'MODULE_PATHNAME', 'calib_semantic_clusters_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_agreement_final(calib.semantic_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_semantic_agreement_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._semantic_labels_final(calib.semantic_state)
RETURNS integer[] AS 'MODULE_PATHNAME', 'calib_semantic_labels_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE: 10 answers of 384 dimensions as real (48 + 10 x 1544 bytes).
CREATE AGGREGATE calib.semantic_clusters(embedding real[], threshold double precision) (
    SFUNC = calib._semantic_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_clusters_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.semantic_clusters(embedding double precision[], threshold double precision) (
    SFUNC = calib._semantic_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_clusters_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.semantic_agreement(embedding real[], threshold double precision) (
    SFUNC = calib._semantic_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_agreement_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.semantic_agreement(embedding double precision[], threshold double precision) (
    SFUNC = calib._semantic_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_agreement_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);

-- Use with ORDER BY inside the call: the labels follow that order (an
-- ordered aggregate is never split, so the combine function is unused).
CREATE AGGREGATE calib.semantic_labels(embedding real[], threshold double precision) (
    SFUNC = calib._semantic_labels_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_labels_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.semantic_labels(embedding double precision[], threshold double precision) (
    SFUNC = calib._semantic_labels_trans, STYPE = calib.semantic_state, SSPACE = 15488,
    FINALFUNC = calib._semantic_labels_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._semantic_combine, PARALLEL = SAFE);
