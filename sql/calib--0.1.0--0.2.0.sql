-- calib 0.1.0 -> 0.2.0: ALTER EXTENSION calib UPDATE TO '0.2.0'.
-- Every change made to sql/parts/ after 0.1.0 stands here too, in the same
-- order; test/suites/upgrade.sh checks that an updated 0.1.0 equals a fresh
-- install of 0.2.0, object by object.

\echo Use "ALTER EXTENSION calib UPDATE TO '0.2.0'" to load this file. \quit

-- calib._audit_check: the same error for a malformed relation name on every
-- PostgreSQL version (to_regclass raised on one before 16).
CREATE OR REPLACE FUNCTION calib._audit_check(a calib.audit, OUT rel regclass, OUT from_sql text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t regtype;
    g text;
BEGIN
    BEGIN
        rel := to_regclass(a.source);
    EXCEPTION WHEN invalid_name THEN
        -- before PostgreSQL 16, to_regclass raises on a malformed name
        -- instead of returning NULL: the same error on every version
        rel := NULL;
    END;
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

-- ---- issue 15: stated confidence (sql/parts/45_stated.sql) ----


-- What calib.parse_confidence_details returns.
CREATE TYPE calib.stated_confidence AS (
    confidence  double precision,  -- in [0, 1]; NULL when the value read is outside
    matched     text,              -- the text read, e.g. 'Confidence (1-10): 6'
    kind        text               -- percent, probability, fraction, scale or phrase
);

CREATE FUNCTION calib.parse_confidence(response text)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_parse_confidence'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.parse_confidence_details(response text)
RETURNS calib.stated_confidence AS 'MODULE_PATHNAME', 'calib_parse_confidence_details'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- issue 15: agreement by meaning (sql/parts/46_semantic.sql) ----

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
