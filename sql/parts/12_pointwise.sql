-- Proper scoring rules: means of per-row terms (src/pointwise.h).

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
