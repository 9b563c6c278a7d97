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

-- ---------------------------------------------------------------------------
-- Issue 13: the binned aggregates get a real state type, calib.binned_state,
-- with exact sums, a combine function and a moving-window inverse
-- (sql/parts/10_binned.sql, and the two binned aggregates of 60_recal.sql).
-- A new STYPE needs DROP + CREATE AGGREGATE; nothing in the extension
-- depends on these aggregates (the audit functions are PL/pgSQL and SQL
-- without BEGIN ATOMIC, which record no dependencies).
DROP AGGREGATE calib.ece(double precision, boolean);
DROP AGGREGATE calib.ece(double precision, boolean, integer);
DROP AGGREGATE calib.mce(double precision, boolean);
DROP AGGREGATE calib.mce(double precision, boolean, integer);
DROP AGGREGATE calib.rmsce(double precision, boolean);
DROP AGGREGATE calib.rmsce(double precision, boolean, integer);
DROP AGGREGATE calib.reliability(double precision, boolean);
DROP AGGREGATE calib.reliability(double precision, boolean, integer);
DROP AGGREGATE calib.brier_decomposition(double precision, boolean);
DROP AGGREGATE calib.brier_decomposition(double precision, boolean, integer);
DROP AGGREGATE calib.fit_histogram(double precision, boolean);
DROP AGGREGATE calib.fit_histogram(double precision, boolean, integer);
DROP AGGREGATE calib.debiased_ece(double precision, boolean);
DROP AGGREGATE calib.debiased_ece(double precision, boolean, integer);
DROP FUNCTION calib._binned_trans(internal, double precision, boolean);
DROP FUNCTION calib._binned_trans(internal, double precision, boolean, integer);
DROP FUNCTION calib._binned_combine(internal, internal);
DROP FUNCTION calib._binned_serialize(internal);
DROP FUNCTION calib._binned_deserialize(bytea, internal);
DROP FUNCTION calib._ece_final(internal);
DROP FUNCTION calib._mce_final(internal);
DROP FUNCTION calib._rmsce_final(internal);
DROP FUNCTION calib._reliability_final(internal);
DROP FUNCTION calib._brier_decomposition_final(internal);
DROP FUNCTION calib._fit_histogram_final(internal);
DROP FUNCTION calib._debiased_ece_final(internal);

-- The transition state as a real type (an internal format, documented in
-- docs/development.md): partial states travel as values between parallel
-- workers, postgres_fdw shards and Citus nodes (text and binary I/O).
-- Every sum in it is exact, so a state is the same bytes whatever the split
-- and the order of its rows.  Aligned to double: the exact sums are read in
-- place.  STORAGE main: kept in the row when stored, compressed if large.
CREATE TYPE calib.binned_state;

CREATE FUNCTION calib._binned_state_in(cstring) RETURNS calib.binned_state
AS 'MODULE_PATHNAME', 'calib_binned_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._binned_state_out(calib.binned_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_binned_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._binned_state_recv(internal) RETURNS calib.binned_state
AS 'MODULE_PATHNAME', 'calib_binned_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._binned_state_send(calib.binned_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_binned_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.binned_state (
    INPUT = calib._binned_state_in, OUTPUT = calib._binned_state_out,
    RECEIVE = calib._binned_state_recv, SEND = calib._binned_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = main);

COMMENT ON TYPE calib.binned_state IS
'internal format: transition state of the equal-width binned aggregates (per-bin counts, exact confidence sums, exact Brier sum)';

-- Transition functions are not STRICT: NULL rows are skipped inside, and
-- the first row creates the state.  Inside an aggregate they update the
-- state in place.  The _inv functions take a row out again (MINVFUNC of
-- the moving-window form): exact sums subtract exactly.
CREATE FUNCTION calib._binned_trans(calib.binned_state, double precision, boolean)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_binned_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_trans(calib.binned_state, double precision, boolean, integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_binned_trans_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_inv(calib.binned_state, double precision, boolean)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_binned_inv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_inv(calib.binned_state, double precision, boolean, integer)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_binned_inv_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._binned_combine(calib.binned_state, calib.binned_state)
RETURNS calib.binned_state AS 'MODULE_PATHNAME', 'calib_binned_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Finals: NULL for a NULL state and for a state without rows (an emptied
-- moving-window frame answers like no rows at all).  They never modify it.
CREATE FUNCTION calib._ece_final(calib.binned_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_ece_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._mce_final(calib.binned_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_mce_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._rmsce_final(calib.binned_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_rmsce_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._reliability_final(calib.binned_state)
RETURNS calib.bin[] AS 'MODULE_PATHNAME', 'calib_reliability_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._brier_decomposition_final(calib.binned_state)
RETURNS calib.brier_parts AS 'MODULE_PATHNAME', 'calib_brier_decomposition_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Each metric with the default 10 bins and with an explicit bin count;
-- SSPACE: the state with 10 bins.  MSFUNC/MINVFUNC: a moving window frame
-- (OVER (... ROWS n PRECEDING)) adds the entering row and takes the leaving
-- one out, O(1) per row, with the same bytes as recomputing the frame.
CREATE AGGREGATE calib.ece(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._ece_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._ece_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.ece(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._ece_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._ece_final,
    PARALLEL = SAFE);

CREATE AGGREGATE calib.mce(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._mce_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._mce_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.mce(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._mce_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._mce_final,
    PARALLEL = SAFE);

CREATE AGGREGATE calib.rmsce(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._rmsce_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._rmsce_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.rmsce(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._rmsce_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._rmsce_final,
    PARALLEL = SAFE);

CREATE AGGREGATE calib.reliability(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._reliability_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._reliability_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.reliability(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._reliability_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._reliability_final,
    PARALLEL = SAFE);

CREATE AGGREGATE calib.brier_decomposition(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._brier_decomposition_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._brier_decomposition_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.brier_decomposition(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._brier_decomposition_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._brier_decomposition_final,
    PARALLEL = SAFE);

-- finals over calib.binned_state (10_binned.sql); NULL without rows
CREATE FUNCTION calib._fit_histogram_final(calib.binned_state) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_histogram_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._debiased_ece_final(calib.binned_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_debiased_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE calib.fit_histogram(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._fit_histogram_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._fit_histogram_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.fit_histogram(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._fit_histogram_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._fit_histogram_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.debiased_ece(confidence double precision, correct boolean) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._debiased_ece_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._debiased_ece_final,
    PARALLEL = SAFE);
CREATE AGGREGATE calib.debiased_ece(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._binned_trans, STYPE = calib.binned_state, SSPACE = 352,
    FINALFUNC = calib._debiased_ece_final, COMBINEFUNC = calib._binned_combine,
    MSFUNC = calib._binned_trans, MINVFUNC = calib._binned_inv,
    MSTYPE = calib.binned_state, MSSPACE = 352, MFINALFUNC = calib._debiased_ece_final,
    PARALLEL = SAFE);

-- ---------------------------------------------------------------------------
-- Issue 13: calib.brier and calib.nll get a real state type,
-- calib.pointwise_state, with an exact sum and a moving-window inverse
-- (sql/parts/12_pointwise.sql).
DROP AGGREGATE calib.brier(double precision, boolean);
DROP AGGREGATE calib.nll(double precision, boolean);
DROP FUNCTION calib._brier_trans(internal, double precision, boolean);
DROP FUNCTION calib._nll_trans(internal, double precision, boolean);
DROP FUNCTION calib._mean_combine(internal, internal);
DROP FUNCTION calib._mean_serialize(internal);
DROP FUNCTION calib._mean_deserialize(bytea, internal);
DROP FUNCTION calib._mean_final(internal);

-- The transition state as a real type (an internal format, documented in
-- docs/development.md): the row count and the exact sum of the terms, so
-- partial states travel as values and merge to the same bytes in any order.
CREATE TYPE calib.pointwise_state;

CREATE FUNCTION calib._pointwise_state_in(cstring) RETURNS calib.pointwise_state
AS 'MODULE_PATHNAME', 'calib_pointwise_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._pointwise_state_out(calib.pointwise_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_pointwise_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._pointwise_state_recv(internal) RETURNS calib.pointwise_state
AS 'MODULE_PATHNAME', 'calib_pointwise_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._pointwise_state_send(calib.pointwise_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_pointwise_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.pointwise_state (
    INPUT = calib._pointwise_state_in, OUTPUT = calib._pointwise_state_out,
    RECEIVE = calib._pointwise_state_recv, SEND = calib._pointwise_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = main);

COMMENT ON TYPE calib.pointwise_state IS
'internal format: transition state of calib.brier and calib.nll (row count, exact sum of the per-row terms)';

-- Not STRICT: NULL rows are skipped inside.  The _inv functions take a row
-- out again (MINVFUNC).
CREATE FUNCTION calib._brier_trans(calib.pointwise_state, double precision, boolean)
RETURNS calib.pointwise_state AS 'MODULE_PATHNAME', 'calib_brier_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._nll_trans(calib.pointwise_state, double precision, boolean)
RETURNS calib.pointwise_state AS 'MODULE_PATHNAME', 'calib_nll_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._brier_inv(calib.pointwise_state, double precision, boolean)
RETURNS calib.pointwise_state AS 'MODULE_PATHNAME', 'calib_brier_inv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._nll_inv(calib.pointwise_state, double precision, boolean)
RETURNS calib.pointwise_state AS 'MODULE_PATHNAME', 'calib_nll_inv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._mean_combine(calib.pointwise_state, calib.pointwise_state)
RETURNS calib.pointwise_state AS 'MODULE_PATHNAME', 'calib_mean_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- NULL for no rows (and for an emptied moving-window state).
CREATE FUNCTION calib._mean_final(calib.pointwise_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_mean_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Brier score: mean of (confidence - correct)^2.
CREATE AGGREGATE calib.brier(confidence double precision, correct boolean) (
    SFUNC = calib._brier_trans, STYPE = calib.pointwise_state, SSPACE = 32,
    FINALFUNC = calib._mean_final, COMBINEFUNC = calib._mean_combine,
    MSFUNC = calib._brier_trans, MINVFUNC = calib._brier_inv,
    MSTYPE = calib.pointwise_state, MSSPACE = 32, MFINALFUNC = calib._mean_final,
    PARALLEL = SAFE);

-- Mean log loss, confidence clipped to [eps, 1 - eps], eps = 2^-52.
CREATE AGGREGATE calib.nll(confidence double precision, correct boolean) (
    SFUNC = calib._nll_trans, STYPE = calib.pointwise_state, SSPACE = 32,
    FINALFUNC = calib._mean_final, COMBINEFUNC = calib._mean_combine,
    MSFUNC = calib._nll_trans, MINVFUNC = calib._nll_inv,
    MSTYPE = calib.pointwise_state, MSSPACE = 32, MFINALFUNC = calib._mean_final,
    PARALLEL = SAFE);
-- ---------------------------------------------------------------------------
-- Issue 13: calib.summary format version 2 (exact sums; version 1 values
-- still read) and moving-window inverses for calib.summary and calib.merge
-- (sql/parts/20_summary.sql).  The type and its I/O functions keep their
-- names and C symbols; the aggregates are recreated with MSFUNC/MINVFUNC.
COMMENT ON TYPE calib.summary IS
'mergeable calibration summary: 600 fine bins of (n, correct, exact sum of confidence) and the exact Brier and log-loss sums (format version 2; reads version 1)';
DROP AGGREGATE calib.summary(double precision, boolean);
DROP AGGREGATE calib.merge(calib.summary);

-- Moving-window inverses: a row (or a summary) that left the frame taken
-- out again.  Exact sums subtract exactly, so a window's summary is the
-- same bytes as the summary of its frame computed directly.
CREATE FUNCTION calib._summary_inv(calib.summary, double precision, boolean)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_inv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_uncombine(calib.summary, calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_uncombine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The state type is calib.summary itself (not internal), so partial states
-- travel as values: to parallel workers, and by their text form to engines
-- that ship partial aggregates (Citus).  MSFUNC/MINVFUNC: in a moving window
-- (OVER (ORDER BY day ROWS 29 PRECEDING)) each row adds what enters the
-- frame and subtracts what leaves it, O(1) per row instead of re-merging
-- the frame, with the same bytes.
-- SSPACE: the dense working state is 19 256 bytes (for hash aggregation
-- memory estimates).
CREATE AGGREGATE calib.summary(confidence double precision, correct boolean) (
    SFUNC = calib._summary_trans, STYPE = calib.summary, SSPACE = 19256,
    FINALFUNC = calib._summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._summary_combine,
    MSFUNC = calib._summary_trans, MINVFUNC = calib._summary_inv,
    MSTYPE = calib.summary, MSSPACE = 19256,
    MFINALFUNC = calib._summary_final, MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE);

CREATE AGGREGATE calib.merge(calib.summary) (
    SFUNC = calib._summary_combine, STYPE = calib.summary, SSPACE = 19256,
    FINALFUNC = calib._summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = calib._summary_combine,
    MSFUNC = calib._summary_combine, MINVFUNC = calib._summary_uncombine,
    MSTYPE = calib.summary, MSSPACE = 19256,
    MFINALFUNC = calib._summary_final, MFINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE);
-- Votes, agreement and best-of-N: real state types instead of internal
-- (issue 13), so Citus ships states instead of rows.  The aggregates and
-- their support functions are dropped and created again.
DROP AGGREGATE calib.vote(text);
DROP AGGREGATE calib.vote(text, double precision);
DROP AGGREGATE calib.agreement(text);
DROP AGGREGATE calib.best_of(double precision, boolean);
DROP FUNCTION calib._vote_trans(internal, text);
DROP FUNCTION calib._vote_trans(internal, text, double precision);
DROP FUNCTION calib._vote_combine(internal, internal);
DROP FUNCTION calib._vote_serialize(internal);
DROP FUNCTION calib._vote_deserialize(bytea, internal);
DROP FUNCTION calib._vote_final(internal);
DROP FUNCTION calib._agreement_final(internal);
DROP FUNCTION calib._best_of_trans(internal, double precision, boolean);
DROP FUNCTION calib._best_of_combine(internal, internal);
DROP FUNCTION calib._best_of_serialize(internal);
DROP FUNCTION calib._best_of_deserialize(bytea, internal);
DROP FUNCTION calib._best_of_final(internal);


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

-- ---------------------------------------------------------------------
-- issue 14: probability vectors (sql/parts/80_multiclass.sql, verbatim).
-- calib.map gains the kind vector_temperature: no SQL change (the type's
-- input and output functions are the same C symbols).
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

-- One state for vote, the weighted vote and agreement: answer -> count
-- (and each answer's exact total weight for the weighted vote).  A real
-- type, so that Citus and postgres_fdw ship a group's state instead of its
-- rows; an internal format (docs/votes.md, "State types"), not meant to be
-- written by hand.  Text: "vote1 <n> <k> <count>:<hex answer> ..." or
-- "wvote1 <n> <k> <count>:<exact weight>:<hex answer> ...".
CREATE TYPE calib.vote_state;

CREATE FUNCTION calib.vote_state_in(cstring) RETURNS calib.vote_state
AS 'MODULE_PATHNAME', 'calib_vote_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.vote_state_out(calib.vote_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_vote_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.vote_state_recv(internal) RETURNS calib.vote_state
AS 'MODULE_PATHNAME', 'calib_vote_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.vote_state_send(calib.vote_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_vote_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.vote_state (
    INPUT = calib.vote_state_in, OUTPUT = calib.vote_state_out,
    RECEIVE = calib.vote_state_recv, SEND = calib.vote_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);
COMMENT ON TYPE calib.vote_state IS
    'internal format: the partial state of calib.vote and calib.agreement';

-- Not STRICT: NULL answers (and weights) are skipped inside.
CREATE FUNCTION calib._vote_trans(calib.vote_state, text)
RETURNS calib.vote_state AS 'MODULE_PATHNAME', 'calib_vote_state_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_trans(calib.vote_state, text, double precision)
RETURNS calib.vote_state AS 'MODULE_PATHNAME', 'calib_vote_state_trans_weighted'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_combine(calib.vote_state, calib.vote_state)
RETURNS calib.vote_state AS 'MODULE_PATHNAME', 'calib_vote_state_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_final(calib.vote_state)
RETURNS calib.vote_result AS 'MODULE_PATHNAME', 'calib_vote_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._agreement_final(calib.vote_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_agreement_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- SSPACE (what the planner expects a group's state to take when it sizes a
-- hash aggregation): the plain vote's state is one 112-byte block plus the
-- allocator's header while a group has at most 6 distinct answers of 63
-- bytes in all (src/vote.h); the weighted vote's is a 416-byte table with
-- room for 6 answers of 64 bytes.
CREATE AGGREGATE calib.vote(answer text) (
    SFUNC = calib._vote_trans, STYPE = calib.vote_state, SSPACE = 128,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, PARALLEL = SAFE);

CREATE AGGREGATE calib.vote(answer text, weight double precision) (
    SFUNC = calib._vote_trans, STYPE = calib.vote_state, SSPACE = 432,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, PARALLEL = SAFE);

-- Probability that two different samples of the group agree:
-- sum c (c - 1) / (n (n - 1)); NULL for fewer than two answers.
CREATE AGGREGATE calib.agreement(answer text) (
    SFUNC = calib._vote_trans, STYPE = calib.vote_state, SSPACE = 128,
    FINALFUNC = calib._agreement_final,
    COMBINEFUNC = calib._vote_combine, PARALLEL = SAFE);

-- Best-of-N: is the highest-scoring sample correct?  Ties at the top count
-- as a uniform pick among them (the fraction of them that is correct).
-- State: rows, top score, rows at the top, correct ones among them; text
-- "bestof1 <n> <top> <ntop> <ntop_correct>".
CREATE TYPE calib.best_of_state;

CREATE FUNCTION calib.best_of_state_in(cstring) RETURNS calib.best_of_state
AS 'MODULE_PATHNAME', 'calib_best_of_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.best_of_state_out(calib.best_of_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_best_of_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.best_of_state_recv(internal) RETURNS calib.best_of_state
AS 'MODULE_PATHNAME', 'calib_best_of_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib.best_of_state_send(calib.best_of_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_best_of_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE calib.best_of_state (
    INPUT = calib.best_of_state_in, OUTPUT = calib.best_of_state_out,
    RECEIVE = calib.best_of_state_recv, SEND = calib.best_of_state_send,
    INTERNALLENGTH = 32, ALIGNMENT = double);
COMMENT ON TYPE calib.best_of_state IS
    'internal format: the partial state of calib.best_of';

CREATE FUNCTION calib._best_of_trans(calib.best_of_state, double precision, boolean)
RETURNS calib.best_of_state AS 'MODULE_PATHNAME', 'calib_best_of_state_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_combine(calib.best_of_state, calib.best_of_state)
RETURNS calib.best_of_state AS 'MODULE_PATHNAME', 'calib_best_of_state_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_final(calib.best_of_state)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_best_of_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE calib.best_of(score double precision, correct boolean) (
    SFUNC = calib._best_of_trans, STYPE = calib.best_of_state, SSPACE = 32,
    FINALFUNC = calib._best_of_final,
    COMBINEFUNC = calib._best_of_combine, PARALLEL = SAFE);
