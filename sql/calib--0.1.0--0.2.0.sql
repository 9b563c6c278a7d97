-- calib 0.1.0 -> 0.2.0: ALTER EXTENSION calib UPDATE TO '0.2.0'.
-- Every change made to sql/parts/ after 0.1.0 stands here too, in the same
-- order; test/suites/upgrade.sh checks that an updated 0.1.0 equals a fresh
-- install of 0.2.0, object by object.

\echo Use "ALTER EXTENSION calib UPDATE TO '0.2.0'" to load this file. \quit

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
