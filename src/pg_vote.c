/*
 * pg_vote.c -- calib.normalize_answer, calib.vote (plain and weighted),
 * calib.agreement and calib.best_of: argument checks and aggregate plumbing
 * around normalize.c and vote.c.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "normalize.h"
#include "vote.h"

/* ------------------------------------------------------ normalize_answer */

PG_FUNCTION_INFO_V1(calib_normalize_answer_fn);
Datum
calib_normalize_answer_fn(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(in),
				cap = calib_normalize_bound(len),
				n;
	char	   *buf;

	/* the rules are defined on UTF-8; other encodings would be misread */
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("calib.normalize_answer requires a UTF8 database, this one is %s",
						GetDatabaseEncodingName())));
	/* one block: the result (after its varlena header), then scratch */
	buf = palloc_extended(VARHDRSZ + 2 * cap, MCXT_ALLOC_HUGE);
	n = calib_normalize_answer(VARDATA_ANY(in), len, buf + VARHDRSZ, buf + VARHDRSZ + cap);
	if (n > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("normalized answer would be longer than the 1 GB text limit")));
	SET_VARSIZE(buf, VARHDRSZ + n);
	PG_RETURN_TEXT_P((text *) buf);
}

/* ------------------------------------------------------------ vote state */

/*
 * calib.vote_state is the flat block of src/vote.h as a varlena value.  The
 * transition and combine functions update it in place when called by an
 * aggregate; a state that must grow is a new block in the current (per
 * tuple) memory, which the executor copies into the aggregate's context,
 * freeing the old block.  The first row's state likewise starts in the
 * current memory.
 */
static void *
pg_alloc(void *arg, size_t n)
{
	void	   *p = MemoryContextAlloc((MemoryContext) arg, n);

	SET_VARSIZE(p, n);			/* every block is >= 8 bytes */
	return p;
}

static void
pg_release(void *arg, void *p)
{
	pfree(p);
}

static inline CalibVoteMem
pg_mem(MemoryContext ctx)
{
	CalibVoteMem m = {pg_alloc, pg_release, ctx};

	return m;
}

static void
vote_fail(CalibVoteStatus st, const char *err)
{
	if (st == CALIB_VOTE_TOO_MANY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a calib.vote group's state would pass the 1 GB limit")));
	if (st == CALIB_VOTE_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the total weight of a calib.vote group overflows its exact sum")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("calib.vote_state: %s", err ? err : "plain and weighted states do not mix")));
}

static inline void
vote_check(CalibVoteStatus st)
{
	if (unlikely(st != CALIB_VOTE_OK))
		vote_fail(st, NULL);
}

/* A weight must be finite, >= 0 and < 2^40 (the exact sum's bound for one
 * term); -0.0 counts as 0. */
static double
checked_weight(double w)
{
	if (!calib_vote_weight_ok(w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight must be a finite number >= 0 and < 2^40, got %s",
						float8out_internal(w))));
	return w + 0.0;
}

/* A state argument as our own full-header block (a value read from a table
 * or a parallel worker's tuple may be packed or compressed). */
static inline CalibVote *
vote_arg(FunctionCallInfo fcinfo, int argno, bool copy)
{
	Datum		d = PG_GETARG_DATUM(argno);

	if (copy)
		return (CalibVote *) PG_DETOAST_DATUM_COPY(d);
	return (CalibVote *) PG_DETOAST_DATUM(d);
}

/*
 * (state, answer [, weight]): rows with a NULL answer or a NULL weight are
 * skipped; a non-NULL weight is checked even then, so bad data never passes
 * silently.  `legacy` is the 0.1.0 form (STYPE internal): the executor
 * neither copies nor frees such a state, so it lives in the aggregate's
 * context and a replaced block is freed here.
 */
static inline Datum
vote_transition(FunctionCallInfo fcinfo, bool weighted, bool legacy)
{
	MemoryContext aggctx;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggctx);
	CalibVote  *v,
			   *old;
	CalibVoteMem m;
	double		w = 1.0;
	text	   *answer;

	if (weighted && !PG_ARGISNULL(2))
		w = checked_weight(PG_GETARG_FLOAT8(2));
	if (PG_ARGISNULL(1) || (weighted && PG_ARGISNULL(2)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (legacy && !in_agg)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("calib vote transition called in non-aggregate context")));
	m = pg_mem(legacy ? aggctx : CurrentMemoryContext);
	answer = PG_GETARG_TEXT_PP(1);
	if (PG_ARGISNULL(0))
		v = calib_vote_new(&m, weighted);
	else if (legacy)
		v = (CalibVote *) PG_GETARG_POINTER(0);
	else
	{
		/* our own block when called by the aggregate; a copy otherwise */
		v = in_agg ? (CalibVote *) PG_GETARG_POINTER(0) : vote_arg(fcinfo, 0, true);
		if (unlikely(calib_vote_weighted(v) != weighted))
			vote_fail(CALIB_VOTE_CORRUPT, NULL);
	}
	old = v;
	vote_check(calib_vote_add(&v, &m, VARDATA_ANY(answer), VARSIZE_ANY_EXHDR(answer), w));
	if (legacy && v != old && !PG_ARGISNULL(0))
		pfree(old);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(calib_vote_state_trans);
Datum
calib_vote_state_trans(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, false, false);
}

PG_FUNCTION_INFO_V1(calib_vote_state_trans_weighted);
Datum
calib_vote_state_trans_weighted(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, true, false);
}

static Datum
vote_combine(FunctionCallInfo fcinfo, bool legacy)
{
	MemoryContext aggctx;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggctx);
	CalibVoteMem m;
	CalibVote  *a,
			   *b,
			   *old;

	if (legacy && !in_agg)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("calib_vote_combine called in non-aggregate context")));
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	m = pg_mem(legacy ? aggctx : CurrentMemoryContext);
	b = legacy ? (CalibVote *) PG_GETARG_POINTER(1) : vote_arg(fcinfo, 1, false);
	if (PG_ARGISNULL(0))
	{
		/* a copy: b belongs to someone else */
		size_t		size = calib_vote_size(b);

		a = m.alloc(m.arg, size);
		memcpy((char *) a + VARHDRSZ, (char *) b + VARHDRSZ, size - VARHDRSZ);
		PG_RETURN_POINTER(a);
	}
	if (legacy)
		a = (CalibVote *) PG_GETARG_POINTER(0);
	else
		a = in_agg ? (CalibVote *) PG_GETARG_POINTER(0) : vote_arg(fcinfo, 0, true);
	old = a;
	vote_check(calib_vote_merge(&a, &m, b));
	if (legacy && a != old)
		pfree(old);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(calib_vote_state_combine);
Datum
calib_vote_state_combine(PG_FUNCTION_ARGS)
{
	return vote_combine(fcinfo, false);
}

/* The answers of a state read from outside must be text of this database. */
static void
check_answers(const CalibVote *v)
{
	int			enc = GetDatabaseEncoding();

	for (uint32 i = 0; i < calib_vote_distinct(v); i++)
	{
		size_t		len;
		const char *a = calib_vote_answer(v, i, &len);

		if (!pg_verify_mbstr(enc, a, (int) len, true))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calib.vote_state: answer %u is not valid %s text",
							(unsigned) i, GetDatabaseEncodingName())));
	}
}

static void
vote_input_fail(CalibVoteStatus st, const char *what, const char *err)
{
	if (st == CALIB_VOTE_SYNTAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type calib.vote_state: \"%s\"", what),
				 errdetail("%s", err)));
	if (st == CALIB_VOTE_CORRUPT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid calib.vote_state: \"%s\"", what),
				 errdetail("%s", err)));
	vote_fail(st, err);
}

PG_FUNCTION_INFO_V1(calib_vote_state_in);
Datum
calib_vote_state_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);
	size_t		len = strlen(s);
	CalibVoteMem m = pg_mem(CurrentMemoryContext);
	CalibVote  *v;
	char		err[160];
	CalibVoteStatus st = calib_vote_from_text(s, len, &m, &v, err, sizeof err);

	if (st != CALIB_VOTE_OK)
	{
		/* name the value, but not a megabyte of it */
		char	   *shown = pnstrdup(s, pg_mbcliplen(s, (int) Min(len, 60), 60));

		vote_input_fail(st, len > 60 ? psprintf("%s...", shown) : shown, err);
	}
	check_answers(v);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(calib_vote_state_out);
Datum
calib_vote_state_out(PG_FUNCTION_ARGS)
{
	CalibVote  *v = vote_arg(fcinfo, 0, false);
	size_t		size = calib_vote_text_size(v);
	char	   *out;

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.vote_state too large for its text form (%zu bytes)", size)));
	out = palloc(size);
	calib_vote_to_text(v, out);
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(calib_vote_state_recv);
Datum
calib_vote_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CalibVoteMem m = pg_mem(CurrentMemoryContext);
	CalibVote  *v;
	char		err[160];
	CalibVoteStatus st = calib_vote_from_wire((const uint8 *) buf->data + buf->cursor,
											  (size_t) (buf->len - buf->cursor), &m, &v,
											  err, sizeof err);

	if (st != CALIB_VOTE_OK)
		vote_input_fail(st, "(binary)", err);
	buf->cursor = buf->len;
	check_answers(v);
	PG_RETURN_POINTER(v);
}

static bytea *
vote_wire_bytea(const CalibVote *v)
{
	size_t		size = calib_vote_wire_size(v);
	bytea	   *out;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.vote_state too large for its binary form (%zu bytes)", size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	calib_vote_to_wire(v, (uint8 *) VARDATA(out));
	return out;
}

PG_FUNCTION_INFO_V1(calib_vote_state_send);
Datum
calib_vote_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(vote_wire_bytea(vote_arg(fcinfo, 0, false)));
}

/* 0.1.0's functions (STYPE internal), kept for the frozen install script:
 * the same states, in the aggregate's context, serialized in the binary
 * form between parallel workers. */
PG_FUNCTION_INFO_V1(calib_vote_trans);
Datum
calib_vote_trans(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, false, true);
}

PG_FUNCTION_INFO_V1(calib_vote_trans_weighted);
Datum
calib_vote_trans_weighted(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, true, true);
}

PG_FUNCTION_INFO_V1(calib_vote_combine);
Datum
calib_vote_combine(PG_FUNCTION_ARGS)
{
	return vote_combine(fcinfo, true);
}

PG_FUNCTION_INFO_V1(calib_vote_state_serialize);
Datum
calib_vote_state_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(vote_wire_bytea((CalibVote *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(calib_vote_state_deserialize);
Datum
calib_vote_state_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_vote_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	CalibVoteMem m = pg_mem(ctx);
	CalibVote  *v;
	char		err[160];
	CalibVoteStatus st = calib_vote_from_wire((const uint8 *) VARDATA_ANY(in),
											  VARSIZE_ANY_EXHDR(in), &m, &v, err, sizeof err);

	if (st != CALIB_VOTE_OK)
		vote_input_fail(st, "(serialized)", err);
	PG_RETURN_POINTER(v);
}

/* calib.vote_result's descriptor, looked up once per query. */
static TupleDesc
vote_result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "calib: vote final function must return a composite type");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	return desc;
}

/* The finals serve both forms: a 0.1.0 internal state is our full-header
 * block, which detoasting leaves as it is. */
PG_FUNCTION_INFO_V1(calib_vote_final);
Datum
calib_vote_final(PG_FUNCTION_ARGS)
{
	CalibVote  *v;
	CalibVoteMem m = pg_mem(CurrentMemoryContext);
	CalibVoteSummary s;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false};
	const char *answer;
	size_t		len;
	int32		short_answer[64];	/* int32: aligned for the varlena header */

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	v = vote_arg(fcinfo, 0, false);
	calib_vote_summarize(v, &m, &s);
	if (s.winner < 0)
		PG_RETURN_NULL();
	if (s.overflow)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the total weight of a calib.vote group overflows its exact sum")));
	desc = vote_result_desc(fcinfo);
	answer = calib_vote_answer(v, s.winner, &len);
	/* a short winner goes into the tuple straight from the stack */
	if (len <= sizeof(short_answer) - VARHDRSZ)
	{
		SET_VARSIZE(short_answer, VARHDRSZ + len);
		memcpy(VARDATA(short_answer), answer, len);
		values[0] = PointerGetDatum(short_answer);
	}
	else
		values[0] = PointerGetDatum(cstring_to_text_with_len(answer, (int) len));
	values[1] = Float8GetDatum(s.votes);
	values[2] = Int64GetDatum(s.n);
	values[3] = Float8GetDatum(s.share);
	nulls[3] = isnan(s.share);
	values[4] = Float8GetDatum(s.entropy);
	nulls[4] = isnan(s.entropy);
	values[5] = Int64GetDatum(s.distinct_answers);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

PG_FUNCTION_INFO_V1(calib_agreement_final);
Datum
calib_agreement_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_vote_agreement(vote_arg(fcinfo, 0, false)));
}

/* --------------------------------------------------------------- best_of */

PG_FUNCTION_INFO_V1(calib_best_of_trans);
Datum
calib_best_of_trans(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_best_of_trans");
	CalibBestOf *b = PG_ARGISNULL(0) ? NULL : (CalibBestOf *) PG_GETARG_POINTER(0);
	double		score;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (b == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(b);
	}
	score = PG_GETARG_FLOAT8(1);
	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must not be NaN")));
	if (b == NULL)
		b = MemoryContextAllocZero(ctx, sizeof(CalibBestOf));
	calib_best_of_add(b, score, PG_GETARG_BOOL(2));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(calib_best_of_combine);
Datum
calib_best_of_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_best_of_combine");
	CalibBestOf *a = PG_ARGISNULL(0) ? NULL : (CalibBestOf *) PG_GETARG_POINTER(0);
	CalibBestOf *b = PG_ARGISNULL(1) ? NULL : (CalibBestOf *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = MemoryContextAllocZero(ctx, sizeof(CalibBestOf));
	calib_best_of_merge(a, b);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(calib_best_of_serialize);
Datum
calib_best_of_serialize(PG_FUNCTION_ARGS)
{
	CalibBestOf *b = (CalibBestOf *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(VARHDRSZ + sizeof(CalibBestOf));

	SET_VARSIZE(out, VARHDRSZ + sizeof(CalibBestOf));
	memcpy(VARDATA(out), b, sizeof(CalibBestOf));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_best_of_deserialize);
Datum
calib_best_of_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_best_of_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	CalibBestOf *b;

	if (VARSIZE_ANY_EXHDR(in) != sizeof(CalibBestOf))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("calib: corrupt best_of aggregate state")));
	b = MemoryContextAlloc(ctx, sizeof(CalibBestOf));
	memcpy(b, VARDATA_ANY(in), sizeof(CalibBestOf));
	if (b->n < 0 || isnan(b->top) || b->ntop < 0 || b->ntop > b->n ||
		b->ntop_correct < 0 || b->ntop_correct > b->ntop || (b->n > 0 && b->ntop == 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("calib: corrupt best_of aggregate state")));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(calib_best_of_final);
Datum
calib_best_of_final(PG_FUNCTION_ARGS)
{
	CalibBestOf *b = PG_ARGISNULL(0) ? NULL : (CalibBestOf *) PG_GETARG_POINTER(0);

	if (b == NULL)
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_best_of_result(b));
}

/* ------------------------------------------------- calib.best_of_state */

/*
 * calib.best_of_state: the 32-byte CalibBestOf as a fixed-length type,
 * updated in place by the aggregate (the first row's state starts in the
 * current memory; the executor copies it into the aggregate's context).
 * Text form "bestof1 <n> <top> <ntop> <ntop_correct>", top in float8's
 * shortest exact form; binary: four big-endian 8-byte fields.
 */
static void
best_of_validate(const CalibBestOf *b, const char *what)
{
	if (b->n < 1 || isnan(b->top) || (b->top == 0.0 && signbit(b->top)) ||
		b->ntop < 1 || b->ntop > b->n || b->ntop_correct < 0 || b->ntop_correct > b->ntop)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid calib.best_of_state: \"%s\"", what),
				 errdetail("Needs 1 <= ntop <= n, 0 <= ntop_correct <= ntop and a top score that is a number (not -0).")));
}

PG_FUNCTION_INFO_V1(calib_best_of_state_trans);
Datum
calib_best_of_state_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	CalibBestOf *b;
	double		score;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	score = PG_GETARG_FLOAT8(1);
	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must not be NaN")));
	if (PG_ARGISNULL(0))
		b = palloc0(sizeof(CalibBestOf));
	else if (AggCheckCallContext(fcinfo, &aggctx))
		b = (CalibBestOf *) PG_GETARG_POINTER(0);
	else
	{
		b = palloc(sizeof(CalibBestOf));
		memcpy(b, PG_GETARG_POINTER(0), sizeof(CalibBestOf));
	}
	calib_best_of_add(b, score, PG_GETARG_BOOL(2));
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(calib_best_of_state_combine);
Datum
calib_best_of_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	CalibBestOf *a,
			   *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = (CalibBestOf *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0) || !AggCheckCallContext(fcinfo, &aggctx))
	{
		a = palloc0(sizeof(CalibBestOf));
		if (!PG_ARGISNULL(0))
			memcpy(a, PG_GETARG_POINTER(0), sizeof(CalibBestOf));
	}
	else
		a = (CalibBestOf *) PG_GETARG_POINTER(0);
	calib_best_of_merge(a, b);
	PG_RETURN_POINTER(a);
}

/*
 * The top score's text: the shortest decimal that reads back to the same
 * double, whatever extra_float_digits says (float8out_internal follows that
 * setting, and at 0 or below writes 15 significant digits: a state printed
 * so would not read back to itself, and one printed in a default session
 * would not be accepted in such a session).
 */
static void
best_of_top_text(double top, char *buf)
{
	double_to_shortest_decimal_buf(top, buf);
}

/* A decimal int64 >= 0 at *p, then a space or the end. */
static bool
best_of_int(const char **p, int64 *out)
{
	const char *s = *p;
	int64		x = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
	{
		if (x > (PG_INT64_MAX - (*s - '0')) / 10)
			return false;
		x = x * 10 + (*s - '0');
	}
	*p = s;
	*out = x;
	return true;
}

PG_FUNCTION_INFO_V1(calib_best_of_state_in);
Datum
calib_best_of_state_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0),
			   *p = s;
	CalibBestOf *b = palloc0(sizeof(CalibBestOf));
	char	   *num,
			   *end;
	const char *sp;
	bool		ok = false;

	if (strncmp(p, "bestof1 ", 8) == 0)
	{
		p += 8;
		if (best_of_int(&p, &b->n) && *p++ == ' ' && (sp = strchr(p, ' ')) != NULL && sp > p)
		{
			/* the top score: exactly what the output writes, no blanks */
			char		canon[DOUBLE_SHORTEST_DECIMAL_LEN];

			num = pnstrdup(p, sp - p);
			b->top = strtod(num, &end);
			best_of_top_text(b->top, canon);
			if (*end == '\0' && num[0] != ' ' && num[0] != '+' && strcmp(num, canon) == 0)
			{
				p = sp + 1;
				ok = best_of_int(&p, &b->ntop) && *p++ == ' ' &&
					best_of_int(&p, &b->ntop_correct) && *p == '\0';
			}
		}
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type calib.best_of_state: \"%.60s\"", s),
				 errdetail("Expected \"bestof1 <n> <top> <ntop> <ntop_correct>\".")));
	best_of_validate(b, s);
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(calib_best_of_state_out);
Datum
calib_best_of_state_out(PG_FUNCTION_ARGS)
{
	CalibBestOf *b = (CalibBestOf *) PG_GETARG_POINTER(0);
	char		top[DOUBLE_SHORTEST_DECIMAL_LEN];

	best_of_top_text(b->top, top);
	PG_RETURN_CSTRING(psprintf("bestof1 " INT64_FORMAT " %s " INT64_FORMAT " " INT64_FORMAT,
							   b->n, top, b->ntop, b->ntop_correct));
}

PG_FUNCTION_INFO_V1(calib_best_of_state_recv);
Datum
calib_best_of_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CalibBestOf *b = palloc0(sizeof(CalibBestOf));

	if (buf->len - buf->cursor != 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary calib.best_of_state: %d bytes, expected 32",
						buf->len - buf->cursor)));
	b->n = pq_getmsgint64(buf);
	b->top = pq_getmsgfloat8(buf);
	b->ntop = pq_getmsgint64(buf);
	b->ntop_correct = pq_getmsgint64(buf);
	best_of_validate(b, "(binary)");
	PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(calib_best_of_state_send);
Datum
calib_best_of_state_send(PG_FUNCTION_ARGS)
{
	CalibBestOf *b = (CalibBestOf *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, b->n);
	pq_sendfloat8(&buf, b->top);
	pq_sendint64(&buf, b->ntop);
	pq_sendint64(&buf, b->ntop_correct);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
