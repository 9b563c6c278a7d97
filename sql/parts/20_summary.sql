-- calib.summary: a stored, mergeable summary of (confidence, correct) pairs
-- (600 fine bins + the Brier and log-loss sums, every sum exact since format
-- version 2).  Aggregate once per day x model x domain, store, merge later.
-- Core in src/summary.c.

CREATE TYPE calib.summary;

CREATE FUNCTION calib._summary_in(cstring) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_out(calib.summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'calib_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_recv(internal) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION calib._summary_send(calib.summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'calib_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aligned to double: the dense working form is a C struct read in place.
-- STORAGE main: a stored day (up to ~7 KB) stays in the row, so merging
-- thousands of them is a sequential scan, not one TOAST lookup each; the
-- rare larger value still goes out of line.
CREATE TYPE calib.summary (
    INPUT = calib._summary_in, OUTPUT = calib._summary_out,
    RECEIVE = calib._summary_recv, SEND = calib._summary_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = main);

COMMENT ON TYPE calib.summary IS
'mergeable calibration summary: 600 fine bins of (n, correct, exact sum of confidence) and the exact Brier and log-loss sums (format version 2; reads version 1)';

-- The binary receive path on a bytea (what calib._summary_send returns).
CREATE FUNCTION calib._summary_from_wire(bytea) RETURNS calib.summary
AS 'MODULE_PATHNAME', 'calib_summary_from_wire_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Transition functions are not STRICT (NULL rows are skipped inside, and the
-- first call allocates the state); inside an aggregate they update the
-- state in place.
CREATE FUNCTION calib._summary_trans(calib.summary, double precision, boolean)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_combine(calib.summary, calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Moving-window inverses: a row (or a summary) that left the frame taken
-- out again.  Exact sums subtract exactly, so a window's summary is the
-- same bytes as the summary of its frame computed directly.
CREATE FUNCTION calib._summary_inv(calib.summary, double precision, boolean)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_inv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_uncombine(calib.summary, calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_uncombine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._summary_final(calib.summary)
RETURNS calib.summary AS 'MODULE_PATHNAME', 'calib_summary_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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

-- Accessors with the names of the direct aggregates.  Binned metrics take
-- any bin count that divides 600 (default 10, like the aggregates).
CREATE FUNCTION calib.ece(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_ece'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mce(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_mce'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.rmsce(s calib.summary, bins integer DEFAULT 10)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_rmsce'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.reliability(s calib.summary, bins integer DEFAULT 10)
RETURNS calib.bin[] AS 'MODULE_PATHNAME', 'calib_summary_fn_reliability'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.brier_decomposition(s calib.summary, bins integer DEFAULT 10)
RETURNS calib.brier_parts AS 'MODULE_PATHNAME', 'calib_summary_fn_brier_decomposition'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.brier(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_brier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.nll(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_nll'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Resolution-limited: within calib.auroc_max_error(s) of the exact AUROC.
CREATE FUNCTION calib.auroc(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_auroc'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Bound on |calib.auroc(s) - exact AUROC|: half the share of (correct,
-- wrong) pairs whose confidences share a fine bin; 0 when they never do.
CREATE FUNCTION calib.auroc_max_error(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_auroc_max_error'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.n(s calib.summary)
RETURNS bigint AS 'MODULE_PATHNAME', 'calib_summary_fn_n'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.accuracy(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_accuracy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.mean_confidence(s calib.summary)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_summary_fn_mean_confidence'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
