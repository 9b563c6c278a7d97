-- Self-consistency: answer normalisation, majority votes, pairwise
-- agreement and best-of-N selection.  Cores in src/normalize.c and
-- src/vote.c; conventions in docs/votes.md.

-- The canonical form of a short answer (case folding, whitespace,
-- surrounding punctuation, leading articles, numbers).  Depends on the bytes
-- only -- no locale or collation -- hence IMMUTABLE.
CREATE FUNCTION calib.normalize_answer(answer text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_normalize_answer_fn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- What calib.vote returns for a group.
CREATE TYPE calib.vote_result AS (
    answer            text,             -- the winner; ties: smallest in byte order
    votes             double precision, -- its count, or its total weight
    n                 bigint,           -- rows counted (non-NULL answer and weight)
    share             double precision, -- votes / total votes (or total weight)
    entropy           double precision, -- of the answer distribution, natural log
    distinct_answers  bigint
);

-- One state for vote, the weighted vote and agreement: answer -> count
-- (and the weights of the weighted vote).
CREATE FUNCTION calib._vote_trans(internal, text)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;   -- not STRICT: NULL answers are skipped inside

CREATE FUNCTION calib._vote_trans(internal, text, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_trans_weighted'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._vote_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_vote_state_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._vote_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_vote_state_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._vote_final(internal)
RETURNS calib.vote_result AS 'MODULE_PATHNAME', 'calib_vote_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._agreement_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_agreement_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- SSPACE (what the planner expects a group's state to take when it sizes a
-- hash aggregation): the plain vote's state is one 128-byte block plus the
-- allocator's 16-byte header while a group has at most 6 distinct answers
-- of 63 bytes in all (src/vote.h); the weighted vote adds a 512-byte table
-- for a prompt's first 12 samples.
CREATE AGGREGATE calib.vote(answer text) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 144,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE calib.vote(answer text, weight double precision) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 672,
    FINALFUNC = calib._vote_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

-- Probability that two different samples of the group agree:
-- sum c (c - 1) / (n (n - 1)); NULL for fewer than two answers.
CREATE AGGREGATE calib.agreement(answer text) (
    SFUNC = calib._vote_trans, STYPE = internal, SSPACE = 144,
    FINALFUNC = calib._agreement_final,
    COMBINEFUNC = calib._vote_combine, SERIALFUNC = calib._vote_serialize,
    DESERIALFUNC = calib._vote_deserialize, PARALLEL = SAFE);

-- Best-of-N: is the highest-scoring sample correct?  Ties at the top count
-- as a uniform pick among them (the fraction of them that is correct).
CREATE FUNCTION calib._best_of_trans(internal, double precision, boolean)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._best_of_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'calib_best_of_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._best_of_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'calib_best_of_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib._best_of_final(internal)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_best_of_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE calib.best_of(score double precision, correct boolean) (
    SFUNC = calib._best_of_trans, STYPE = internal, SSPACE = 32,
    FINALFUNC = calib._best_of_final,
    COMBINEFUNC = calib._best_of_combine, SERIALFUNC = calib._best_of_serialize,
    DESERIALFUNC = calib._best_of_deserialize, PARALLEL = SAFE);
