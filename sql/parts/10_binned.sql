-- Equal-width binned metrics over (confidence, correct [, bins]).
-- One O(bins) state shared by ece, mce, rmsce, reliability,
-- brier_decomposition, debiased_ece and fit_histogram; the formulas are in
-- src/binning.c, the state in src/aggstate.h.

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
