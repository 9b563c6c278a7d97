/*
 * pg_logprob.c -- glue for the array functions of logprob.h: argument
 * checks with positions in the messages, real[] / double precision[]
 * views without copies, result arrays.
 *
 * Every function here is STRICT.  Arrays are detoasted once
 * (PG_GETARG_ARRAYTYPE_P) and only read; a real[] is read element by element
 * through CalibVec, never converted into a double precision[] copy.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "logprob.h"
#include "pg_logprob.h"

/* ------------------------------------------------------ array input */

/* 1-based ordinal of the first NULL element, 0 when there is none. */
static int
first_null(ArrayType *arr, int nitems)
{
	bits8	   *bitmap = ARR_NULLBITMAP(arr);

	if (bitmap == NULL)
		return 0;
	for (int i = 0; i < nitems; i++)
		if (!(bitmap[i / 8] & (1 << (i % 8))))
			return i + 1;
	return 0;
}

/*
 * The array argument `argno` as a view.  false for an empty array (the
 * caller returns NULL); errors unless it has `ndim` dimensions, float4 or
 * float8 elements and no NULLs.  dims (when ndim == 2) gets rows and k.
 */
static bool
lp_array_arg(FunctionCallInfo fcinfo, int argno, const char *what, int ndim,
			 CalibLpInput *in)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int			nitems;
	int			nullpos;

	if (elemtype != FLOAT8OID && elemtype != FLOAT4OID)
		elog(ERROR, "calib: %s must be real[] or double precision[]", what);
	in->what = what;
	in->is_float4 = (elemtype == FLOAT4OID);
	in->rows = in->k = 0;
	if (ARR_NDIM(arr) == 0)
		return false;
	if (ARR_NDIM(arr) != ndim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a %s array, got %d dimension%s",
						what, ndim == 1 ? "one-dimensional" : "two-dimensional",
						ARR_NDIM(arr), ARR_NDIM(arr) == 1 ? "" : "s"),
				 ndim == 2 ? errhint("One row per token, one column per top-k alternative: ARRAY[[-0.1, -2.5], [-0.02, -4.1]]; calib.top_logprobs(jsonb) builds it from an API response.") : 0));
	nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if ((nullpos = first_null(arr, nitems)) != 0)
	{
		if (ndim == 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has a NULL at token %d, entry %d",
							what, (nullpos - 1) / ARR_DIMS(arr)[1] + 1,
							(nullpos - 1) % ARR_DIMS(arr)[1] + 1)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has a NULL at position %d", what, nullpos)));
	}
	in->v.n = nitems;
	in->v.f4 = in->is_float4 ? (const float *) ARR_DATA_PTR(arr) : NULL;
	in->v.f8 = in->is_float4 ? NULL : (const double *) ARR_DATA_PTR(arr);
	if (ndim == 2)
	{
		in->rows = ARR_DIMS(arr)[0];
		in->k = ARR_DIMS(arr)[1];
	}
	else
		in->rows = nitems;
	return true;
}

/* The bad value as the user wrote it: real values printed as real. */
static const char *
bad_value_text(const CalibLpInput *in, double value)
{
	if (in->is_float4 && !isnan(value))
		return DatumGetCString(DirectFunctionCall1(float4out,
												   Float4GetDatum((float4) value)));
	return float8out_internal(value);
}

void
calib_lp_report(const CalibLpInput *in, const CalibLpError *err)
{
	char		where[64];
	const char *val = bad_value_text(in, err->value);

	if (in->k > 0)
		snprintf(where, sizeof where, "token %lld, entry %lld",
				 (long long) (err->index / in->k + 1), (long long) (err->index % in->k + 1));
	else
		snprintf(where, sizeof where, "position %lld", (long long) (err->index + 1));

	switch (err->kind)
	{
		case CALIB_LP_ERR_LOGPROB:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s at %s is not a log-probability", in->what, val, where),
					 errhint("Log-probabilities are <= 0 (values up to %g count as 0) or -Infinity; NaN and +Infinity are not accepted.",
							 CALIB_LP_TOLERANCE)));
			break;
		case CALIB_LP_ERR_CONFIDENCE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s at %s is not a token confidence", in->what, val, where),
					 errhint("Token confidences are >= 0 or +Infinity (the negative mean of the top-k log-probabilities); pass calib.token_confidence(...), not log-probabilities.")));
			break;
		case CALIB_LP_ERR_ZERO_ROW:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: every entry of token %lld is -Infinity, so its renormalised distribution is undefined",
							in->what, (long long) (err->index / in->k + 1))));
			break;
		case CALIB_LP_ERR_NONE:
			break;
	}
	elog(ERROR, "calib: log-probability check failed without a reason");
}

/* ----------------------------------------------------- array output */

/* A new double precision array with the given shape, elements zeroed. */
ArrayType *
calib_new_float8_array(int ndim, const int *dims)
{
	int			lbs[2] = {1, 1};
	int			nitems = ArrayGetNItems(ndim, dims);
	Size		bytes = ARR_OVERHEAD_NONULLS(ndim) + (Size) nitems * sizeof(float8);
	ArrayType  *a;

	ArrayCheckBounds(ndim, dims, lbs);
	a = palloc0(bytes);
	SET_VARSIZE(a, bytes);
	a->ndim = ndim;
	a->dataoffset = 0;
	a->elemtype = FLOAT8OID;
	memcpy(ARR_DIMS(a), dims, ndim * sizeof(int));
	memcpy(ARR_LBOUND(a), lbs, ndim * sizeof(int));
	return a;
}

/* --------------------------------------------------- sequence summary */

/* Validate and summarise argument 0; false for an empty array. */
static bool
summary_of_arg(FunctionCallInfo fcinfo, int flags, CalibLpSummary *s)
{
	CalibLpInput in;
	CalibLpError err;

	if (!lp_array_arg(fcinfo, 0, "token log-probabilities", 1, &in))
		return false;
	if (!calib_lp_summarize(&in.v, flags, s, &err))
		calib_lp_report(&in, &err);
	return true;
}

#define LP_SCALAR(fname, field, flags) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	CalibLpSummary s; \
	if (!summary_of_arg(fcinfo, flags, &s)) \
		PG_RETURN_NULL(); \
	PG_RETURN_FLOAT8(s.field); \
}

LP_SCALAR(calib_lp_sum, lp_sum, 0)
LP_SCALAR(calib_lp_mean, lp_mean, 0)
LP_SCALAR(calib_lp_min, lp_min, 0)
LP_SCALAR(calib_perplexity, perplexity, CALIB_LP_WANT_EXP)
LP_SCALAR(calib_seq_prob, seq_prob, CALIB_LP_WANT_EXP)
LP_SCALAR(calib_mean_token_prob, mean_token_prob, CALIB_LP_WANT_PROB)

PG_FUNCTION_INFO_V1(calib_logprob_summary);
Datum
calib_logprob_summary(PG_FUNCTION_ARGS)
{
	CalibLpSummary s;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (!summary_of_arg(fcinfo, CALIB_LP_WANT_PROB | CALIB_LP_WANT_EXP, &s))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib: logprob_summary must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(s.n);
	values[1] = Float8GetDatum(s.lp_sum);
	values[2] = Float8GetDatum(s.lp_mean);
	values[3] = Float8GetDatum(s.lp_min);
	values[4] = Float8GetDatum(s.perplexity);
	values[5] = Float8GetDatum(s.seq_prob);
	values[6] = Float8GetDatum(s.mean_token_prob);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* --------------------------------------------------- local confidence */

static int64
checked_window(int32 w, const char *what)
{
	if (w <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at least 1, got %d", what, w)));
	return w;
}

/* Confidences of argument 0; false when empty. */
static bool
conf_arg(FunctionCallInfo fcinfo, CalibLpInput *in)
{
	return lp_array_arg(fcinfo, 0, "token confidences", 1, in);
}

/*
 * Walk the windows of argument 0 (validating it); means into out when not
 * NULL.  Returns the lowest window mean.
 */
static double
walk_windows(const CalibLpInput *in, int64 window, double *out)
{
	int64		w = in->v.n < window ? in->v.n : window;
	double	   *scratch = palloc(sizeof(double) * 2 * w);
	double		lowest;
	CalibLpError err;

	if (!calib_group_walk(&in->v, window, scratch, out, &lowest, &err))
		calib_lp_report(in, &err);
	pfree(scratch);
	return lowest;
}

PG_FUNCTION_INFO_V1(calib_group_confidence);
Datum
calib_group_confidence(PG_FUNCTION_ARGS)
{
	int64		window = checked_window(PG_GETARG_INT32(1), "window");
	CalibLpInput in;
	ArrayType  *result;
	int			m;

	if (!conf_arg(fcinfo, &in))
		PG_RETURN_NULL();
	m = (int) calib_group_count(in.v.n, window);
	result = calib_new_float8_array(1, &m);
	(void) walk_windows(&in, window, (double *) ARR_DATA_PTR(result));
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(calib_lowest_group_confidence);
Datum
calib_lowest_group_confidence(PG_FUNCTION_ARGS)
{
	int64		window = checked_window(PG_GETARG_INT32(1), "window");
	CalibLpInput in;

	if (!conf_arg(fcinfo, &in))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(walk_windows(&in, window, NULL));
}

PG_FUNCTION_INFO_V1(calib_bottom_group_confidence);
Datum
calib_bottom_group_confidence(PG_FUNCTION_ARGS)
{
	int64		window = checked_window(PG_GETARG_INT32(1), "window");
	double		fraction = PG_GETARG_FLOAT8(2);
	CalibLpInput in;
	double	   *means,
			   *scratch,
				result;
	int64		m;

	if (!(fraction > 0.0 && fraction <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fraction must be in (0, 1], got %s", float8out_internal(fraction)),
				 errhint("0.1 averages the lowest 10%% of the window means (at least one window).")));
	if (!conf_arg(fcinfo, &in))
		PG_RETURN_NULL();
	m = calib_group_count(in.v.n, window);
	means = palloc(sizeof(double) * m);
	(void) walk_windows(&in, window, means);
	scratch = palloc(sizeof(double) * m);
	result = calib_bottom_mean(means, m, calib_bottom_count(m, fraction), scratch);
	pfree(scratch);
	pfree(means);
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(calib_tail_confidence);
Datum
calib_tail_confidence(PG_FUNCTION_ARGS)
{
	int64		tail = checked_window(PG_GETARG_INT32(1), "n (tail length)");
	CalibLpInput in;
	CalibLpError err;

	if (!conf_arg(fcinfo, &in))
		PG_RETURN_NULL();
	if (!calib_conf_check(&in.v, &err))
		calib_lp_report(&in, &err);
	PG_RETURN_FLOAT8(calib_tail_mean(&in.v, tail));
}

/* ------------------------------------------------ top-k matrix rows */

typedef bool (*RowFn) (const CalibVec *v, int64_t k, double *out, CalibLpError *err);

/* Per-token values of a top-k matrix argument; NULL when it is empty. */
static ArrayType *
per_token(FunctionCallInfo fcinfo, RowFn fn)
{
	CalibLpInput in;
	CalibLpError err;
	ArrayType  *result;
	int			rows;

	if (!lp_array_arg(fcinfo, 0, "top_logprobs", 2, &in))
		return NULL;
	rows = (int) in.rows;
	result = calib_new_float8_array(1, &rows);
	if (!fn(&in.v, in.k, (double *) ARR_DATA_PTR(result), &err))
		calib_lp_report(&in, &err);
	return result;
}

PG_FUNCTION_INFO_V1(calib_token_confidence_fn);
Datum
calib_token_confidence_fn(PG_FUNCTION_ARGS)
{
	ArrayType  *r = per_token(fcinfo, calib_token_confidence);

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(r);
}

PG_FUNCTION_INFO_V1(calib_token_entropy_fn);
Datum
calib_token_entropy_fn(PG_FUNCTION_ARGS)
{
	ArrayType  *r = per_token(fcinfo, calib_token_entropy);

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(r);
}

PG_FUNCTION_INFO_V1(calib_mean_token_entropy);
Datum
calib_mean_token_entropy(PG_FUNCTION_ARGS)
{
	ArrayType  *r = per_token(fcinfo, calib_token_entropy);

	if (r == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(calib_mean((double *) ARR_DATA_PTR(r), ARR_DIMS(r)[0]));
}
