/*
 * pg_pointwise.c -- calib.brier and calib.nll: means of the per-row terms in
 * pointwise.h.  State: calib.pointwise_state (aggstate.h), the row count and
 * the exact sum of the terms, updated in place; its inverse takes a row out
 * again (moving windows).
 */
#include "pg_calib.h"

#include "libpq/pqformat.h"

#include "aggstate.h"
#include "pointwise.h"

static CalibPointwiseState *
pointwise_new(MemoryContext ctx, int kind)
{
	CalibPointwiseState *st = MemoryContextAlloc(ctx, sizeof(CalibPointwiseState));

	calib_pointwise_state_init(st, kind);
	SET_VARSIZE(st, sizeof(CalibPointwiseState));
	return st;
}

/* Argument argno as a state to read (detoasted, aligned, shape checked);
 * NULL for SQL NULL. */
static const CalibPointwiseState *
pointwise_read(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v;

	if (PG_ARGISNULL(argno))
		return NULL;
	v = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	if ((uintptr_t) v % MAXIMUM_ALIGNOF != 0)
	{
		struct varlena *copy = palloc(VARSIZE(v));

		memcpy(copy, v, VARSIZE(v));
		v = copy;
	}
	if (!calib_pointwise_state_shape_ok((const CalibPointwiseState *) v, VARSIZE(v)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("calib.pointwise_state: corrupt value of %u bytes", VARSIZE(v))));
	return (const CalibPointwiseState *) v;
}

static void
kind_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("calib.pointwise_state: cannot combine a Brier state with a log-loss state")));
}

/* The state to update: argument 0 in place inside an aggregate (a new one
 * for the first row), else a copy. */
static inline CalibPointwiseState *
pointwise_for_update(FunctionCallInfo fcinfo, int kind)
{
	CalibAggSite *site = (CalibAggSite *) fcinfo->flinfo->fn_extra;
	const CalibPointwiseState *old;
	CalibPointwiseState *st;

	if (likely(site != NULL && site->in_agg && !PG_ARGISNULL(0)))
	{
		st = (CalibPointwiseState *) PG_GETARG_POINTER(0);
		if (likely(st->kind == kind))
			return st;
	}
	if (site == NULL)
	{
		site = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(CalibAggSite));
		calib_agg_site_init(fcinfo, site);
		fcinfo->flinfo->fn_extra = site;
	}
	if (PG_ARGISNULL(0))
		return pointwise_new(calib_agg_site_new_ctx(site), kind);
	old = pointwise_read(fcinfo, 0);
	if (old->kind != kind)
		kind_mismatch();
	if (site->in_agg && (Pointer) old == DatumGetPointer(PG_GETARG_DATUM(0)))
		return (CalibPointwiseState *) old;
	st = palloc(sizeof(CalibPointwiseState));
	*st = *old;
	return st;
}

static inline Datum
pointwise_transition(FunctionCallInfo fcinfo, int kind, int sign)
{
	CalibPointwiseState *st;
	double		c,
				term;
	bool		correct;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();	/* rows with a NULL are skipped */
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	correct = PG_GETARG_BOOL(2);
	if (unlikely(sign < 0 && PG_ARGISNULL(0)))
		calib_row_not_in_state(c, correct);
	st = pointwise_for_update(fcinfo, kind);
	term = kind == CALIB_POINTWISE_BRIER ? calib_sq_error(c, correct) : calib_log_loss(c, correct);
	/* terms are at most 36.05: the sum overflows only past 2^57 rows, and
	 * the count (int64) long before */
	if (likely(sign > 0))
	{
		st->n++;
		calib_exact_add_term(&st->sum, term);
	}
	else
	{
		CalibExact	t = st->sum;

		calib_exact_sub_from(&t, calib_exact_from_double(term));
		if (st->n == 0 || calib_exact_is_negative(t))
			calib_row_not_in_state(c, correct);
		st->n--;
		st->sum = t;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_brier_trans);
Datum
calib_brier_trans(PG_FUNCTION_ARGS)
{
	return pointwise_transition(fcinfo, CALIB_POINTWISE_BRIER, 1);
}

PG_FUNCTION_INFO_V1(calib_nll_trans);
Datum
calib_nll_trans(PG_FUNCTION_ARGS)
{
	return pointwise_transition(fcinfo, CALIB_POINTWISE_NLL, 1);
}

PG_FUNCTION_INFO_V1(calib_brier_inv);
Datum
calib_brier_inv(PG_FUNCTION_ARGS)
{
	return pointwise_transition(fcinfo, CALIB_POINTWISE_BRIER, -1);
}

PG_FUNCTION_INFO_V1(calib_nll_inv);
Datum
calib_nll_inv(PG_FUNCTION_ARGS)
{
	return pointwise_transition(fcinfo, CALIB_POINTWISE_NLL, -1);
}

/* Combine function of both aggregates (states of one kind). */
PG_FUNCTION_INFO_V1(calib_mean_combine);
Datum
calib_mean_combine(PG_FUNCTION_ARGS)
{
	const CalibPointwiseState *b = pointwise_read(fcinfo, 1);
	CalibPointwiseState *a;

	if (b == NULL)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = pointwise_for_update(fcinfo, b->kind);
	if (!calib_pointwise_state_merge(a, b, 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("calib.pointwise_state: combined state would hold more than %lld rows",
						(long long) PG_INT64_MAX)));
	PG_RETURN_POINTER(a);
}

/* The 0.1.0 definitions (STYPE internal) still name these two: the state
 * is the same varlena, so its bytes are the serialised form. */
PG_FUNCTION_INFO_V1(calib_mean_serialize);
Datum
calib_mean_serialize(PG_FUNCTION_ARGS)
{
	const CalibPointwiseState *st = (const CalibPointwiseState *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(sizeof(CalibPointwiseState));

	memcpy(out, st, sizeof(CalibPointwiseState));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_mean_deserialize);
Datum
calib_mean_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_mean_deserialize");
	const CalibPointwiseState *in = pointwise_read(fcinfo, 0);
	CalibPointwiseState *st = MemoryContextAlloc(ctx, sizeof(CalibPointwiseState));

	*st = *in;
	PG_RETURN_POINTER(st);
}

/* The mean; NULL without rows (also for an emptied moving-window state). */
PG_FUNCTION_INFO_V1(calib_mean_final);
Datum
calib_mean_final(PG_FUNCTION_ARGS)
{
	const CalibPointwiseState *st = pointwise_read(fcinfo, 0);

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(calib_exact_to_double(st->sum) / (double) st->n);
}

/* ------------------------------------------------------------------ I/O */

static void
check_parse(CalibStateParse r, const char *err)
{
	if (r == CALIB_STATE_IMPOSSIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for type calib.pointwise_state: %s", err)));
	if (r != CALIB_STATE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type calib.pointwise_state: %s", err)));
}

PG_FUNCTION_INFO_V1(calib_pointwise_state_in);
Datum
calib_pointwise_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	CalibPointwiseState *st = pointwise_new(CurrentMemoryContext, CALIB_POINTWISE_BRIER);
	char		err[CALIB_AGGSTATE_ERRLEN];

	check_parse(calib_pointwise_state_from_text(str, strlen(str), st, err, sizeof err), err);
	SET_VARSIZE(st, sizeof(CalibPointwiseState));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_pointwise_state_out);
Datum
calib_pointwise_state_out(PG_FUNCTION_ARGS)
{
	const CalibPointwiseState *st = pointwise_read(fcinfo, 0);
	char	   *buf = palloc(CALIB_POINTWISE_TEXT_MAX);

	calib_pointwise_state_to_text(st, buf, CALIB_POINTWISE_TEXT_MAX);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(calib_pointwise_state_recv);
Datum
calib_pointwise_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CalibPointwiseState *st = pointwise_new(CurrentMemoryContext, CALIB_POINTWISE_BRIER);
	char		err[CALIB_AGGSTATE_ERRLEN];

	check_parse(calib_pointwise_state_from_wire((const uint8 *) buf->data + buf->cursor,
												(size_t) (buf->len - buf->cursor), st,
												err, sizeof err), err);
	SET_VARSIZE(st, sizeof(CalibPointwiseState));
	buf->cursor = buf->len;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_pointwise_state_send);
Datum
calib_pointwise_state_send(PG_FUNCTION_ARGS)
{
	const CalibPointwiseState *st = pointwise_read(fcinfo, 0);
	bytea	   *out = palloc(VARHDRSZ + CALIB_POINTWISE_WIRE_SIZE);

	calib_pointwise_state_to_wire(st, (uint8 *) VARDATA(out), CALIB_POINTWISE_WIRE_SIZE);
	SET_VARSIZE(out, VARHDRSZ + CALIB_POINTWISE_WIRE_SIZE);
	PG_RETURN_BYTEA_P(out);
}
