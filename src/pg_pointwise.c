/*
 * pg_pointwise.c -- calib.brier and calib.nll: means of the per-row terms in
 * pointwise.h.  State: a fixed pair (n, sum).
 */
#include "pg_calib.h"

#include "pointwise.h"

typedef struct MeanState
{
	int64		n;
	double		sum;
} MeanState;

static Datum
mean_transition(FunctionCallInfo fcinfo, double (*term) (double, bool))
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib mean transition");
	MeanState  *st = PG_ARGISNULL(0) ? NULL : (MeanState *) PG_GETARG_POINTER(0);
	double		c;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(st);	/* rows with a NULL are skipped */
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	if (st == NULL)
		st = MemoryContextAllocZero(ctx, sizeof(MeanState));
	st->n++;
	st->sum += term(c, PG_GETARG_BOOL(2));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_brier_trans);
Datum
calib_brier_trans(PG_FUNCTION_ARGS)
{
	return mean_transition(fcinfo, calib_sq_error);
}

PG_FUNCTION_INFO_V1(calib_nll_trans);
Datum
calib_nll_trans(PG_FUNCTION_ARGS)
{
	return mean_transition(fcinfo, calib_log_loss);
}

PG_FUNCTION_INFO_V1(calib_mean_combine);
Datum
calib_mean_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_mean_combine");
	MeanState  *a = PG_ARGISNULL(0) ? NULL : (MeanState *) PG_GETARG_POINTER(0);
	MeanState  *b = PG_ARGISNULL(1) ? NULL : (MeanState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		CALIB_RETURN_STATE(a);
	if (a == NULL)
	{
		a = MemoryContextAlloc(ctx, sizeof(MeanState));
		*a = *b;
		PG_RETURN_POINTER(a);
	}
	a->n += b->n;
	a->sum += b->sum;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(calib_mean_serialize);
Datum
calib_mean_serialize(PG_FUNCTION_ARGS)
{
	MeanState  *st = (MeanState *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(VARHDRSZ + sizeof(MeanState));

	SET_VARSIZE(out, VARHDRSZ + sizeof(MeanState));
	memcpy(VARDATA(out), st, sizeof(MeanState));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_mean_deserialize);
Datum
calib_mean_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_mean_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	MeanState  *st;

	if (VARSIZE_ANY_EXHDR(in) != sizeof(MeanState))
		elog(ERROR, "calib: corrupt mean aggregate state");
	st = MemoryContextAlloc(ctx, sizeof(MeanState));
	memcpy(st, VARDATA_ANY(in), sizeof(MeanState));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_mean_final);
Datum
calib_mean_final(PG_FUNCTION_ARGS)
{
	MeanState  *st = PG_ARGISNULL(0) ? NULL : (MeanState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(st->sum / (double) st->n);
}
