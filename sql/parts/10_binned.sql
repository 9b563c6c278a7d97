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
