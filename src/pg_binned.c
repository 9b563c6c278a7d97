/*
 * pg_binned.c -- the direct equal-width binned aggregates:
 * calib.ece, calib.mce, calib.rmsce, calib.reliability, calib.brier_decomposition.
 *
 * They share one transition state: per-bin counts plus the global Brier sum,
 * O(bins) whatever the number of rows.  The formulas live in binning.c.
 */
#include "pg_calib.h"

#include "funcapi.h"
#include "access/htup_details.h"
#include "utils/builtins.h"

#include "pointwise.h"

typedef struct BinnedState
{
	int32		bins;
	double		sum_sq_error;	/* for the Brier score in the decomposition */
	CalibBinAcc acc[FLEXIBLE_ARRAY_MEMBER];
} BinnedState;

#define BINNED_STATE_SIZE(bins) (offsetof(BinnedState, acc) + sizeof(CalibBinAcc) * (bins))

static BinnedState *
binned_state_new(MemoryContext ctx, int bins)
{
	BinnedState *st = MemoryContextAllocZero(ctx, BINNED_STATE_SIZE(bins));

	st->bins = bins;
	return st;
}

/*
 * The edges (double) k / bins, k = 0 .. bins, computed once per call site and
 * kept in fn_extra, so the per-row bin search needs no division or libm
 * call.  NULL when the call site already caches another bin count (bins
 * differing between groups): the caller then uses calib_bin_index, which
 * gives the same bin.
 */
typedef struct EdgeCache
{
	int			bins;
	double		edge[FLEXIBLE_ARRAY_MEMBER];
} EdgeCache;

static inline const double *
cached_edges(FunctionCallInfo fcinfo, int bins)
{
	EdgeCache  *ec = (EdgeCache *) fcinfo->flinfo->fn_extra;

	if (unlikely(ec == NULL))
	{
		ec = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
								offsetof(EdgeCache, edge) + sizeof(double) * (bins + 1));
		ec->bins = bins;
		calib_bin_edges(bins, ec->edge);
		fcinfo->flinfo->fn_extra = ec;
	}
	return ec->bins == bins ? ec->edge : NULL;
}

/*
 * Shared body of both transition functions; this runs for every row.  bins
 * is checked on every row, before the NULL-row skip, so a bad bins argument
 * is an error even when all of a group's rows are skipped.
 */
static inline Datum
binned_transition(FunctionCallInfo fcinfo, bool has_bins_arg)
{
	BinnedState *st = PG_ARGISNULL(0) ? NULL : (BinnedState *) PG_GETARG_POINTER(0);
	int			bins = has_bins_arg ? calib_bins_arg(fcinfo, 3) : CALIB_DEFAULT_BINS;
	const double *edge;
	double		c;
	bool		correct;
	int			k;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(st);	/* rows with a NULL are skipped */
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	correct = PG_GETARG_BOOL(2);

	if (st == NULL)				/* first row: only here is the context needed */
		st = binned_state_new(calib_agg_context(fcinfo, "calib binned transition"), bins);
	else if (unlikely(st->bins != bins))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of a group, got %d and %d",
						st->bins, bins)));

	edge = cached_edges(fcinfo, bins);
	k = likely(edge != NULL) ? calib_bin_index_edges(c, edge, bins) : calib_bin_index(c, bins);
	calib_bin_acc_add(&st->acc[k], c, correct);
	st->sum_sq_error += calib_sq_error(c, correct);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_binned_trans);
Datum
calib_binned_trans(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, false);
}

PG_FUNCTION_INFO_V1(calib_binned_trans_bins);
Datum
calib_binned_trans_bins(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, true);
}

PG_FUNCTION_INFO_V1(calib_binned_combine);
Datum
calib_binned_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_binned_combine");
	BinnedState *a = PG_ARGISNULL(0) ? NULL : (BinnedState *) PG_GETARG_POINTER(0);
	BinnedState *b = PG_ARGISNULL(1) ? NULL : (BinnedState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		CALIB_RETURN_STATE(a);
	if (a == NULL)
	{
		a = binned_state_new(ctx, b->bins);
		memcpy(a, b, BINNED_STATE_SIZE(b->bins));
		PG_RETURN_POINTER(a);
	}
	if (a->bins != b->bins)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of a group, got %d and %d",
						a->bins, b->bins)));
	calib_bins_merge(a->acc, b->acc, a->bins);
	a->sum_sq_error += b->sum_sq_error;
	PG_RETURN_POINTER(a);
}

/* Serialised form: the struct as is.  It only travels between the processes
 * of one server (parallel workers), so byte order and padding match. */
PG_FUNCTION_INFO_V1(calib_binned_serialize);
Datum
calib_binned_serialize(PG_FUNCTION_ARGS)
{
	BinnedState *st = (BinnedState *) PG_GETARG_POINTER(0);
	Size		len = BINNED_STATE_SIZE(st->bins);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), st, len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_binned_deserialize);
Datum
calib_binned_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_binned_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(in);
	BinnedState hdr;
	BinnedState *st;

	if (len < offsetof(BinnedState, acc))
		elog(ERROR, "calib: truncated binned aggregate state");
	memcpy(&hdr, VARDATA_ANY(in), offsetof(BinnedState, acc));
	if (hdr.bins < CALIB_MIN_BINS || hdr.bins > CALIB_MAX_BINS ||
		len != BINNED_STATE_SIZE(hdr.bins))
		elog(ERROR, "calib: corrupt binned aggregate state");
	st = binned_state_new(ctx, hdr.bins);
	memcpy(st, VARDATA_ANY(in), len);
	PG_RETURN_POINTER(st);
}

/* ------------------------------------------------------------- finals */

static bool
binned_final_error(FunctionCallInfo fcinfo, CalibBinnedError *err)
{
	BinnedState *st;

	if (PG_ARGISNULL(0))
		return false;
	st = (BinnedState *) PG_GETARG_POINTER(0);
	calib_binned_error(st->acc, st->bins, err);
	return err->n > 0;
}

PG_FUNCTION_INFO_V1(calib_ece_final);
Datum
calib_ece_final(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!binned_final_error(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.ece);
}

PG_FUNCTION_INFO_V1(calib_mce_final);
Datum
calib_mce_final(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!binned_final_error(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.mce);
}

PG_FUNCTION_INFO_V1(calib_rmsce_final);
Datum
calib_rmsce_final(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!binned_final_error(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.rmsce);
}

PG_FUNCTION_INFO_V1(calib_reliability_final);
Datum
calib_reliability_final(PG_FUNCTION_ARGS)
{
	BinnedState *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (BinnedState *) PG_GETARG_POINTER(0);
	return calib_reliability_array(fcinfo, st->acc, st->bins);
}

/* Also used by calib.summary: the composite from bins and the Brier sum. */
Datum
calib_brier_parts_datum(FunctionCallInfo fcinfo, const CalibBinAcc *acc,
						int bins, double sum_sq_error)
{
	TupleDesc	tupdesc;
	CalibBrierParts parts;
	CalibBinnedError err;
	Datum		values[5];
	bool		nulls[5] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib: brier decomposition must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);
	calib_binned_error(acc, bins, &err);
	calib_brier_parts(acc, bins, &parts);
	values[0] = Float8GetDatum(sum_sq_error / (double) err.n);
	values[1] = Float8GetDatum(parts.reliability);
	values[2] = Float8GetDatum(parts.resolution);
	values[3] = Float8GetDatum(parts.uncertainty);
	/* what the three-term identity leaves over: within-bin spread of conf */
	values[4] = Float8GetDatum(sum_sq_error / (double) err.n -
							   (parts.reliability - parts.resolution + parts.uncertainty));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(calib_brier_decomposition_final);
Datum
calib_brier_decomposition_final(PG_FUNCTION_ARGS)
{
	BinnedState *st;
	CalibBinnedError err;

	if (!binned_final_error(fcinfo, &err))
		PG_RETURN_NULL();
	st = (BinnedState *) PG_GETARG_POINTER(0);
	return calib_brier_parts_datum(fcinfo, st->acc, st->bins, st->sum_sq_error);
}

/* For the finals in other files over the same state (pg_recal.c). */
const CalibBinAcc *
calib_binned_state_bins(void *state, int *bins)
{
	BinnedState *st = (BinnedState *) state;

	*bins = st->bins;
	return st->acc;
}
