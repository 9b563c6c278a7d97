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
