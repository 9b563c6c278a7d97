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
