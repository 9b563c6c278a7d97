/*
 * pg_vote.c -- calib.normalize_answer, calib.vote (plain and weighted),
 * calib.agreement and calib.best_of: argument checks and aggregate plumbing
 * around normalize.c and vote.c.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
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

/* Memory for vote states: the aggregate's context; errors instead of NULL. */
static void *
pg_grow(void *arg, void *p, size_t old_size, size_t new_size)
{
	if (p == NULL)
		return MemoryContextAllocHuge((MemoryContext) arg, new_size);
	return repalloc_huge(p, new_size);
}

static void
pg_release(void *arg, void *p)
{
	pfree(p);
}

static const CalibMem pg_mem = {pg_grow, pg_release};

static CalibVote *
vote_new(MemoryContext ctx, bool weighted)
{
	CalibVote  *v = MemoryContextAlloc(ctx, sizeof(CalibVote));

	calib_vote_init(v, &pg_mem, ctx, weighted);
	return v;
}

static void
vote_fail(CalibVoteStatus st)
{
	if (st == CALIB_VOTE_TOO_MANY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct answers in one calib.vote group (at most %u)",
						(unsigned) CALIB_VOTE_MAX_ENTRIES)));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("calib: corrupt vote aggregate state")));
}

static inline void
vote_check(CalibVoteStatus st)
{
	if (unlikely(st != CALIB_VOTE_OK))
		vote_fail(st);
}

/* A weight must be a finite number >= 0; -0.0 counts as 0. */
static double
checked_weight(double w)
{
	if (!(w >= 0.0) || isinf(w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight must be a finite number >= 0, got %s",
						float8out_internal(w))));
	return w + 0.0;
}

/*
 * (state, answer [, weight]): rows with a NULL answer or a NULL weight are
 * skipped; a non-NULL weight is checked even then, so bad data never passes
 * silently.
 */
static inline Datum
vote_transition(FunctionCallInfo fcinfo, bool weighted)
{
	CalibVote  *v = PG_ARGISNULL(0) ? NULL : (CalibVote *) PG_GETARG_POINTER(0);
	double		w = 1.0;
	text	   *answer;

	if (weighted && !PG_ARGISNULL(2))
		w = checked_weight(PG_GETARG_FLOAT8(2));
	if (PG_ARGISNULL(1) || (weighted && PG_ARGISNULL(2)))
	{
		if (v == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(v);
	}
	answer = PG_GETARG_TEXT_PP(1);
	if (v == NULL)				/* only a real aggregate call gets a state */
		v = vote_new(calib_agg_context(fcinfo, "calib vote transition"), weighted);
	vote_check(calib_vote_add(v, VARDATA_ANY(answer), VARSIZE_ANY_EXHDR(answer), w));
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(calib_vote_trans);
Datum
calib_vote_trans(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, false);
}

PG_FUNCTION_INFO_V1(calib_vote_trans_weighted);
Datum
calib_vote_trans_weighted(PG_FUNCTION_ARGS)
{
	return vote_transition(fcinfo, true);
}

PG_FUNCTION_INFO_V1(calib_vote_combine);
Datum
calib_vote_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_vote_combine");
	CalibVote  *a = PG_ARGISNULL(0) ? NULL : (CalibVote *) PG_GETARG_POINTER(0);
	CalibVote  *b = PG_ARGISNULL(1) ? NULL : (CalibVote *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = vote_new(ctx, b->weighted);	/* a copy in the aggregate's context */
	vote_check(calib_vote_merge(a, b));
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(calib_vote_state_serialize);
Datum
calib_vote_state_serialize(PG_FUNCTION_ARGS)
{
	CalibVote  *v = (CalibVote *) PG_GETARG_POINTER(0);
	uint64		size = calib_vote_wire_size(v);
	bytea	   *out;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.vote state too large to pass between parallel workers"),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	calib_vote_serialize(v, VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_vote_state_deserialize);
Datum
calib_vote_state_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_vote_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	CalibVote  *v = vote_new(ctx, false);	/* the wire says whether weighted */

	vote_check(calib_vote_deserialize(v, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in)));
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

PG_FUNCTION_INFO_V1(calib_vote_final);
Datum
calib_vote_final(PG_FUNCTION_ARGS)
{
	CalibVote  *v = PG_ARGISNULL(0) ? NULL : (CalibVote *) PG_GETARG_POINTER(0);
	CalibVoteSummary s;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false};
	const char *answer;
	size_t		len;
	int32		short_answer[64];	/* int32: aligned for the varlena header */

	if (v == NULL)
		PG_RETURN_NULL();
	calib_vote_summarize(v, &s);
	if (s.winner < 0)
		PG_RETURN_NULL();
	if (s.overflow)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the total weight of a calib.vote group overflows double precision")));
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
	CalibVote  *v = PG_ARGISNULL(0) ? NULL : (CalibVote *) PG_GETARG_POINTER(0);

	if (v == NULL)
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_vote_agreement(v));
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
