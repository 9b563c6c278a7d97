/*
 * pg_scores.c -- aggregates that keep every confidence: calib.auroc (exact
 * Mann-Whitney) and calib.ace (equal-mass ECE).  The state is two growing
 * arrays, the confidences of correct and of wrong answers; the metrics are
 * computed in scores.c over the sorted arrays.
 */
#include "pg_calib.h"

#include <math.h>

#include "utils/memutils.h"

#include "pg_scores.h"

struct ScoresState
{
	int32		bins;			/* for calib.ace; 10 unless given */
	int64		sorted_pos,		/* pos[0 .. sorted_pos) is in order */
				sorted_neg;		/* neg[0 .. sorted_neg) is in order */
	int64		npos,
				nneg,
				cap_pos,
				cap_neg;
	double	   *pos;
	double	   *neg;
};

/* Serialised header; the two arrays follow it. */
typedef struct ScoresWire
{
	int32		bins;
	int64		npos;
	int64		nneg;
} ScoresWire;

static ScoresState *
scores_new(MemoryContext ctx, int bins)
{
	ScoresState *st = MemoryContextAllocZero(ctx, sizeof(ScoresState));

	st->bins = bins;
	st->cap_pos = st->cap_neg = 64;
	st->pos = MemoryContextAlloc(ctx, st->cap_pos * sizeof(double));
	st->neg = MemoryContextAlloc(ctx, st->cap_neg * sizeof(double));
	return st;
}

/* Make room for `more` values in one array, doubling (huge allocations are
 * allowed: ten million rows are 80 MB). */
static double *
reserve(double *arr, int64 used, int64 *cap, int64 more)
{
	int64		need = used + more;

	if (need <= *cap)
		return arr;
	while (*cap < need)
		*cap *= 2;
	if ((Size) *cap * sizeof(double) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for one exact calib aggregate")));
	return repalloc_huge(arr, (Size) *cap * sizeof(double));
}

static void
scores_append(ScoresState *st, const double *v, int64 n, bool correct)
{
	if (n == 0)
		return;
	if (correct)
	{
		st->pos = reserve(st->pos, st->npos, &st->cap_pos, n);
		memcpy(st->pos + st->npos, v, n * sizeof(double));
		st->npos += n;
	}
	else
	{
		st->neg = reserve(st->neg, st->nneg, &st->cap_neg, n);
		memcpy(st->neg + st->nneg, v, n * sizeof(double));
		st->nneg += n;
	}
}

/* bins is checked on every row, before the NULL-row skip (as pg_binned.c). */
static inline Datum
scores_transition(FunctionCallInfo fcinfo, bool has_bins_arg)
{
	ScoresState *st = PG_ARGISNULL(0) ? NULL : (ScoresState *) PG_GETARG_POINTER(0);
	int			bins = has_bins_arg ? calib_bins_arg(fcinfo, 3) : CALIB_DEFAULT_BINS;
	double		c;
	bool		correct;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(st);	/* rows with a NULL are skipped */
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	correct = PG_GETARG_BOOL(2);
	if (st == NULL)				/* first row: only here is the context needed */
		st = scores_new(calib_agg_context(fcinfo, "calib scores transition"), bins);
	else if (unlikely(st->bins != bins))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of a group, got %d and %d",
						st->bins, bins)));

	/* the common case inline: no function call, no memcpy */
	if (correct && st->npos < st->cap_pos)
		st->pos[st->npos++] = c;
	else if (!correct && st->nneg < st->cap_neg)
		st->neg[st->nneg++] = c;
	else
		scores_append(st, &c, 1, correct);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_scores_trans);
Datum
calib_scores_trans(PG_FUNCTION_ARGS)
{
	return scores_transition(fcinfo, false);
}

PG_FUNCTION_INFO_V1(calib_scores_trans_bins);
Datum
calib_scores_trans_bins(PG_FUNCTION_ARGS)
{
	return scores_transition(fcinfo, true);
}

PG_FUNCTION_INFO_V1(calib_scores_combine);
Datum
calib_scores_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_scores_combine");
	ScoresState *a = PG_ARGISNULL(0) ? NULL : (ScoresState *) PG_GETARG_POINTER(0);
	ScoresState *b = PG_ARGISNULL(1) ? NULL : (ScoresState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		CALIB_RETURN_STATE(a);
	if (a == NULL)
		a = scores_new(ctx, b->bins);
	else if (a->bins != b->bins)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of a group, got %d and %d",
						a->bins, b->bins)));
	scores_append(a, b->pos, b->npos, true);
	scores_append(a, b->neg, b->nneg, false);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(calib_scores_serialize);
Datum
calib_scores_serialize(PG_FUNCTION_ARGS)
{
	ScoresState *st = (ScoresState *) PG_GETARG_POINTER(0);
	Size		len = calib_scores_wire_size(st);
	bytea	   *out;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("exact calib aggregate state too large to pass between parallel workers"),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	calib_scores_write(st, VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_scores_deserialize);
Datum
calib_scores_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_scores_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_POINTER(calib_scores_read(ctx, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in)));
}

/*
 * Put both arrays in order.  A final function may run many times on one
 * growing state (a window with ORDER BY calls it for every row), so only the
 * values appended since the last call are sorted, then merged.  Sorting in
 * place does not change the multiset the state stands for, so this is safe
 * for states shared between calib.auroc and calib.ace.
 */
static void
scores_sorted(ScoresState *st, CalibScores *out)
{
	if (st->sorted_pos < st->npos || st->sorted_neg < st->nneg)
	{
		int64		n = Max(st->npos, st->nneg);
		double	   *scratch = palloc_extended(Max(n, 1) * sizeof(double), MCXT_ALLOC_HUGE);

		calib_sort_tail(st->pos, st->sorted_pos, st->npos, scratch);
		calib_sort_tail(st->neg, st->sorted_neg, st->nneg, scratch);
		pfree(scratch);
		st->sorted_pos = st->npos;
		st->sorted_neg = st->nneg;
	}
	out->pos = st->pos;
	out->npos = st->npos;
	out->neg = st->neg;
	out->nneg = st->nneg;
}

PG_FUNCTION_INFO_V1(calib_auroc_final);
Datum
calib_auroc_final(PG_FUNCTION_ARGS)
{
	CalibScores s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	scores_sorted((ScoresState *) PG_GETARG_POINTER(0), &s);
	CALIB_RETURN_FLOAT8_OR_NULL(calib_auroc(&s));
}

PG_FUNCTION_INFO_V1(calib_ace_final);
Datum
calib_ace_final(PG_FUNCTION_ARGS)
{
	ScoresState *st;
	CalibScores s;
	double	   *edges;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (ScoresState *) PG_GETARG_POINTER(0);
	scores_sorted(st, &s);
	edges = palloc(sizeof(double) * st->bins);
	CALIB_RETURN_FLOAT8_OR_NULL(calib_ace(&s, st->bins, edges));
}

/* ------------------------------------------- shared state (pg_scores.h) */

ScoresState *
calib_scores_create(MemoryContext ctx)
{
	return scores_new(ctx, 10);
}

void
calib_scores_push(ScoresState *st, double c, bool correct)
{
	scores_append(st, &c, 1, correct);
}

void
calib_scores_merge(ScoresState *dst, const ScoresState *src)
{
	scores_append(dst, src->pos, src->npos, true);
	scores_append(dst, src->neg, src->nneg, false);
}

Size
calib_scores_wire_size(const ScoresState *st)
{
	return sizeof(ScoresWire) + (Size) (st->npos + st->nneg) * sizeof(double);
}

void
calib_scores_write(const ScoresState *st, char *dst)
{
	ScoresWire	w;

	memset(&w, 0, sizeof(w));	/* no uninitialised padding on the wire */
	w.bins = st->bins;
	w.npos = st->npos;
	w.nneg = st->nneg;
	memcpy(dst, &w, sizeof(w));
	memcpy(dst + sizeof(w), st->pos, st->npos * sizeof(double));
	memcpy(dst + sizeof(w) + st->npos * sizeof(double), st->neg, st->nneg * sizeof(double));
}

ScoresState *
calib_scores_read(MemoryContext ctx, const char *p, Size len)
{
	ScoresWire	w;
	ScoresState *st;

	if (len < sizeof(w))
		elog(ERROR, "calib: truncated scores aggregate state");
	memcpy(&w, p, sizeof(w));
	/* compare counts with the payload without adding them (no overflow) */
	if (w.npos < 0 || w.nneg < 0 || w.bins < CALIB_MIN_BINS || w.bins > CALIB_MAX_BINS ||
		(len - sizeof(w)) % sizeof(double) != 0 ||
		(Size) w.npos > (len - sizeof(w)) / sizeof(double) ||
		(Size) w.nneg != (len - sizeof(w)) / sizeof(double) - (Size) w.npos)
		elog(ERROR, "calib: corrupt scores aggregate state");
	st = scores_new(ctx, w.bins);
	scores_append(st, (const double *) (p + sizeof(w)), w.npos, true);
	scores_append(st, (const double *) (p + sizeof(w)) + w.npos, w.nneg, false);
	return st;
}

void
calib_scores_view(ScoresState *st, CalibScores *out)
{
	scores_sorted(st, out);
}
