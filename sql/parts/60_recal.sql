-- Recalibration maps, selective prediction and the uncertainty of the
-- metrics (docs/recalibration.md).  Numerics in src/recal.c, selective.c,
-- bootstrap.c, smece.c and binning.c; glue in src/pg_recal.c.

-- ---------------------------------------------------------------- calib.map
CREATE TYPE calib.map;

CREATE FUNCTION calib._map_in(cstring) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_map_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_out(calib.map) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_map_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_recv(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_map_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_send(calib.map) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_map_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A fitted recalibration map: 'v1:temperature(1.5)', 'v1:platt(1.2,-0.3)',
-- 'v1:histogram(0.05,...)', 'v1:isotonic(0.1:0,0.9:0.8)'.
CREATE TYPE calib.map (
    INPUT = calib._map_in, OUTPUT = calib._map_out,
    RECEIVE = calib._map_recv, SEND = calib._map_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended);

-- The recalibrated confidence; errors (22023) for a confidence outside [0, 1].
CREATE FUNCTION calib.apply(map calib.map, confidence double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_map_apply_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- 'temperature', 'platt', 'histogram' or 'isotonic'.
CREATE FUNCTION calib.map_kind(map calib.map) RETURNS text
AS 'MODULE_PATHNAME', 'calib_map_kind_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Equality: the same stored map, byte for byte -- the same kind and every
-- value the same double, which is exactly when m1::text = m2::text
-- (docs/recalibration.md).  The stored form is canonical: format version
-- always 1, no padding (pg_recal.c's pgmap_from zeroes), and the text form
-- prints every double so that it reads back bit for bit (-0 as "-0").  So
-- bytea's equality and the generic varlena hash, which work on the bytes of
-- any varlena (sizes compared before detoasting; the hash over the bytes the
-- equality compares), are calib.map's, as in contrib/citext.  The hash
-- operator class lets DISTINCT, GROUP BY, UNION and hash joins use it; there
-- is no ordering (no btree class).
CREATE FUNCTION calib._map_eq(calib.map, calib.map) RETURNS boolean
AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_ne(calib.map, calib.map) RETURNS boolean
AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_hash(calib.map) RETURNS integer
AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._map_hash_extended(calib.map, bigint) RETURNS bigint
AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR calib.= (
    LEFTARG = calib.map, RIGHTARG = calib.map, FUNCTION = calib._map_eq,
    COMMUTATOR = OPERATOR(calib.=), NEGATOR = OPERATOR(calib.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES);
CREATE OPERATOR calib.<> (
    LEFTARG = calib.map, RIGHTARG = calib.map, FUNCTION = calib._map_ne,
    COMMUTATOR = OPERATOR(calib.<>), NEGATOR = OPERATOR(calib.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);

CREATE OPERATOR CLASS calib.map_ops DEFAULT FOR TYPE calib.map USING hash AS
    OPERATOR 1 calib.= (calib.map, calib.map),
    FUNCTION 1 calib._map_hash(calib.map),
    FUNCTION 2 calib._map_hash_extended(calib.map, bigint);

-- One point of a risk-coverage curve; also the result of threshold_for_accuracy.
CREATE TYPE calib.coverage_point AS (
    threshold double precision,   -- answer when confidence >= threshold
    coverage  double precision,   -- share of rows answered
    accuracy  double precision    -- accuracy of the answered rows
);

-- A metric with its bootstrap percentile interval.
CREATE TYPE calib.ece_interval AS (
    ece     double precision,     -- on all rows, as calib.ece
    ci_low  double precision,
    ci_high double precision
);

-- ------------------------------------------- state: every row (pg_scores.c)
CREATE FUNCTION calib._recal_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;   -- not STRICT: NULL rows are skipped inside

CREATE FUNCTION calib._recal_trans(internal, double precision, boolean, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_target'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ece_ci's transitions: 3 to 7 arguments, defaults filled in by the C code
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_trans(internal, double precision, boolean, integer, double precision, integer, bigint)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_trans_ci'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._recal_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._recal_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_recal_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._recal_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_recal_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._fit_temperature_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_temperature_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._fit_platt_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_platt_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._fit_isotonic_final(internal) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_isotonic_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._risk_coverage_final(internal) RETURNS calib.coverage_point[]
AS 'MODULE_PATHNAME', 'calib_risk_coverage_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._aurc_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_aurc_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._threshold_for_accuracy_final(internal) RETURNS calib.coverage_point
AS 'MODULE_PATHNAME', 'calib_threshold_for_accuracy_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._ece_ci_final(internal) RETURNS calib.ece_interval
AS 'MODULE_PATHNAME', 'calib_ece_ci_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._smooth_ece_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_smooth_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- finals over calib.binned_state (10_binned.sql); NULL without rows
CREATE FUNCTION calib._fit_histogram_final(calib.binned_state) RETURNS calib.map
AS 'MODULE_PATHNAME', 'calib_fit_histogram_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION calib._debiased_ece_final(calib.binned_state) RETURNS double precision
AS 'MODULE_PATHNAME', 'calib_debiased_ece_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- --------------------------------------------------------------- the fits
CREATE AGGREGATE calib.fit_temperature(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_temperature_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.fit_platt(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_platt_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.fit_isotonic(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._fit_isotonic_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

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

-- --------------------------------------------------- selective prediction
CREATE AGGREGATE calib.risk_coverage(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._risk_coverage_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.aurc(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._aurc_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.threshold_for_accuracy(confidence double precision, correct boolean,
                                              target double precision) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._threshold_for_accuracy_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

-- ------------------------------------------------- uncertainty of metrics
-- calib.ece_ci(confidence, correct [, bins 10 [, level 0.95 [, resamples 1000 [, seed 0]]]])
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision, resamples integer) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE calib.ece_ci(confidence double precision, correct boolean, bins integer, level double precision, resamples integer, seed bigint) (
    SFUNC = calib._ece_ci_trans, STYPE = internal, FINALFUNC = calib._ece_ci_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);

-- Kumar, Liang & Ma (2019) debiased L2 calibration error over equal-width bins.
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

-- Blasiok & Nakkiran (2023) smooth ECE, as relplot.metrics.smECE computes it.
CREATE AGGREGATE calib.smooth_ece(confidence double precision, correct boolean) (
    SFUNC = calib._recal_trans, STYPE = internal, FINALFUNC = calib._smooth_ece_final,
    COMBINEFUNC = calib._recal_combine, SERIALFUNC = calib._recal_serialize,
    DESERIALFUNC = calib._recal_deserialize, PARALLEL = SAFE);
