-- Exact metrics that keep every confidence (O(rows) state): AUROC and the
-- equal-mass ECE.  Formulas in src/scores.c.

CREATE FUNCTION calib._scores_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_trans(internal, double precision, boolean, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_trans_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._scores_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_scores_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._scores_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_scores_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._auroc_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_auroc_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._ace_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_ace_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE calib.auroc(confidence double precision, correct boolean) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._auroc_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.ace(confidence double precision, correct boolean) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._ace_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ace(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._scores_trans, STYPE = internal, FINALFUNC = calib._ace_final,
    COMBINEFUNC = calib._scores_combine, SERIALFUNC = calib._scores_serialize,
    DESERIALFUNC = calib._scores_deserialize, PARALLEL = SAFE);
