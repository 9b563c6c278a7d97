/*
 * pg_scores.c -- aggregates that keep every confidence: calib.auroc (exact
 * Mann-Whitney) and calib.ace (equal-mass ECE).  The state is two growing
 * arrays, the confidences of correct and of wrong answers; the metrics are
 * computed in scores.c over the sorted arrays.
 *
 * The state and its support functions also serve pg_recal.c's aggregates
 * (pg_scores.h): one implementation, parametrised by a CalibRowsKind.
 */
#include "pg_calib.h"

#include <math.h>

#include "utils/memutils.h"

#include "bootstrap.h"
#include "pg_scores.h"

struct ScoresState
{
	CalibRowParams p;			/* the group's constant arguments */
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
	CalibRowParams p;
	int64		npos;
	int64		nneg;
} ScoresWire;

static ScoresState *
scores_new(MemoryContext ctx, const CalibRowParams *p)
{
	ScoresState *st = MemoryContextAllocZero(ctx, sizeof(ScoresState));

	st->p = *p;
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

/* ------------------------------------ support functions (pg_scores.h) */

/*
 * The constant arguments are read and checked on every row, before the
 * NULL-row skip (as pg_binned.c), so a bad one is an error even when all of
 * a group's rows are skipped.  Inline: this runs for every row, and the
 * callers in this file pass constant arguments.
 */
static inline Datum
rows_add(FunctionCallInfo fcinfo, const CalibRowsKind *kind, const CalibRowParams *p,
		 double c, bool correct)
{
	ScoresState *st = PG_ARGISNULL(0) ? NULL : (ScoresState *) PG_GETARG_POINTER(0);

	if (st == NULL)				/* first row: only here is the context needed */
		st = scores_new(calib_agg_context(fcinfo, "calib_rows_transition"), p);
	else if (unlikely(memcmp(&st->p, p, sizeof *p) != 0))
		kind->mismatch(&st->p, p);

	/* the common case inline: no function call, no memcpy */
	if (correct && st->npos < st->cap_pos)
		st->pos[st->npos++] = c;
	else if (!correct && st->nneg < st->cap_neg)
		st->neg[st->nneg++] = c;
	else
		scores_append(st, &c, 1, correct);
	PG_RETURN_POINTER(st);
}

static inline Datum
rows_transition(FunctionCallInfo fcinfo, const CalibRowsKind *kind, CalibParamsReader read)
{
	CalibRowParams p;

	memset(&p, 0, sizeof p);
	if (read)
		read(fcinfo, &p);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));	/* rows with a NULL are skipped */
	return rows_add(fcinfo, kind, &p, calib_checked_confidence(PG_GETARG_FLOAT8(1)),
					PG_GETARG_BOOL(2));
}

Datum
calib_rows_add(FunctionCallInfo fcinfo, const CalibRowsKind *kind, const CalibRowParams *p,
			   double c, bool correct)
{
	return rows_add(fcinfo, kind, p, c, correct);
}

Datum
calib_rows_transition(FunctionCallInfo fcinfo, const CalibRowsKind *kind, CalibParamsReader read)
{
	return rows_transition(fcinfo, kind, read);
}

Datum
calib_rows_combine(FunctionCallInfo fcinfo, const CalibRowsKind *kind)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_rows_combine");
	ScoresState *a = PG_ARGISNULL(0) ? NULL : (ScoresState *) PG_GETARG_POINTER(0);
	ScoresState *b = PG_ARGISNULL(1) ? NULL : (ScoresState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		CALIB_RETURN_STATE(a);
	if (a == NULL)
		a = scores_new(ctx, &b->p);
	else if (memcmp(&a->p, &b->p, sizeof(CalibRowParams)) != 0)
		kind->mismatch(&a->p, &b->p);
	scores_append(a, b->pos, b->npos, true);
	scores_append(a, b->neg, b->nneg, false);
	PG_RETURN_POINTER(a);
}

Datum
calib_rows_serialize(FunctionCallInfo fcinfo)
{
	ScoresState *st = (ScoresState *) PG_GETARG_POINTER(0);
	Size		len = sizeof(ScoresWire) + (Size) (st->npos + st->nneg) * sizeof(double);
	ScoresWire	w;
	bytea	   *out;
	char	   *dst;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("exact calib aggregate state too large to pass between parallel workers"),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	dst = VARDATA(out);
	memset(&w, 0, sizeof(w));	/* no uninitialised padding on the wire */
	w.p = st->p;
	w.npos = st->npos;
	w.nneg = st->nneg;
	memcpy(dst, &w, sizeof(w));
	memcpy(dst + sizeof(w), st->pos, st->npos * sizeof(double));
	memcpy(dst + sizeof(w) + st->npos * sizeof(double), st->neg, st->nneg * sizeof(double));
	PG_RETURN_BYTEA_P(out);
}

Datum
calib_rows_deserialize(FunctionCallInfo fcinfo, const CalibRowsKind *kind)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_rows_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	ScoresWire	w;
	ScoresState *st;

	if (len < sizeof(w))
		elog(ERROR, "calib: truncated exact aggregate state");
	memcpy(&w, p, sizeof(w));
	/* compare counts with the payload without adding them (no overflow) */
	if (w.npos < 0 || w.nneg < 0 ||
		w.p.bins < kind->min_bins || w.p.bins > CALIB_MAX_BINS ||
		w.p.resamples < 0 || w.p.resamples > CALIB_MAX_RESAMPLES ||
		(len - sizeof(w)) % sizeof(double) != 0 ||
		(Size) w.npos > (len - sizeof(w)) / sizeof(double) ||
		(Size) w.nneg != (len - sizeof(w)) / sizeof(double) - (Size) w.npos)
		elog(ERROR, "calib: corrupt exact aggregate state");
	st = scores_new(ctx, &w.p);
	scores_append(st, (const double *) (p + sizeof(w)), w.npos, true);
	scores_append(st, (const double *) (p + sizeof(w)) + w.npos, w.nneg, false);
	PG_RETURN_POINTER(st);
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

bool
calib_rows_final(FunctionCallInfo fcinfo, CalibScores *s, CalibRowParams *p)
{
	ScoresState *st;

	if (PG_ARGISNULL(0))
		return false;
	st = (ScoresState *) PG_GETARG_POINTER(0);
	scores_sorted(st, s);
	if (p)
		*p = st->p;
	return s->npos + s->nneg > 0;
}

Datum
calib_rows_metric_final(FunctionCallInfo fcinfo, double (*metric) (const CalibScores *))
{
	CalibScores s;

	if (!calib_rows_final(fcinfo, &s, NULL))
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(metric(&s));
}

/* ------------------------------------------------- calib.auroc, calib.ace */

/* bins: 10 unless given (the 4-argument transition) */
static void
read_default_bins(FunctionCallInfo fcinfo, CalibRowParams *p)
{
	p->bins = CALIB_DEFAULT_BINS;
}

static void
read_bins_arg(FunctionCallInfo fcinfo, CalibRowParams *p)
{
	p->bins = calib_bins_arg(fcinfo, 3);
}

static void
bins_must_match(const CalibRowParams *a, const CalibRowParams *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("bins must be the same for every row of a group, got %d and %d",
					a->bins, b->bins)));
}

const CalibRowsKind calib_scores_kind = {
	.mismatch = bins_must_match,
	.min_bins = CALIB_MIN_BINS,
};

PG_FUNCTION_INFO_V1(calib_scores_trans);
Datum
calib_scores_trans(PG_FUNCTION_ARGS)
{
	return rows_transition(fcinfo, &calib_scores_kind, read_default_bins);
}

PG_FUNCTION_INFO_V1(calib_scores_trans_bins);
Datum
calib_scores_trans_bins(PG_FUNCTION_ARGS)
{
	return rows_transition(fcinfo, &calib_scores_kind, read_bins_arg);
}

CALIB_ROWS_SUPPORT_FUNCTIONS(calib_scores, calib_scores_kind);

PG_FUNCTION_INFO_V1(calib_auroc_final);
Datum
calib_auroc_final(PG_FUNCTION_ARGS)
{
	return calib_rows_metric_final(fcinfo, calib_auroc);
}

PG_FUNCTION_INFO_V1(calib_ace_final);
Datum
calib_ace_final(PG_FUNCTION_ARGS)
{
	CalibScores s;
	CalibRowParams p;
	double	   *edges;

	if (!calib_rows_final(fcinfo, &s, &p))
		PG_RETURN_NULL();
	edges = palloc(sizeof(double) * p.bins);
	CALIB_RETURN_FLOAT8_OR_NULL(calib_ace(&s, p.bins, edges));
}
