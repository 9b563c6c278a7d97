/*
 * pg_calib.c -- module magic and the glue helpers every file shares.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

PG_MODULE_MAGIC;

void
calib_confidence_error(double c)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("confidence must be between 0 and 1, got %s",
					float8out_internal(c)),
			 errhint("Confidences are probabilities; NaN and infinity are not accepted.")));
}

int
calib_checked_bins(int32 bins)
{
	if (bins < CALIB_MIN_BINS || bins > CALIB_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be between %d and %d, got %d",
						CALIB_MIN_BINS, CALIB_MAX_BINS, bins)));
	return bins;
}

int
calib_bins_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bins must not be NULL")));
	return calib_checked_bins(PG_GETARG_INT32(argno));
}

MemoryContext
calib_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext ctx;

	if (!AggCheckCallContext(fcinfo, &ctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fname)));
	return ctx;
}

void
calib_agg_site_init(FunctionCallInfo fcinfo, CalibAggSite *site)
{
	MemoryContext aggctx = NULL;

	site->in_agg = AggCheckCallContext(fcinfo, &aggctx) != 0;
	site->new_state_ctx = site->in_agg &&
		get_fn_expr_argtype(fcinfo->flinfo, 0) == INTERNALOID ? aggctx : NULL;
}

void
calib_row_not_in_state(double c, bool correct)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot take the row (%s, %s) out of a state that does not hold it",
					float8out_internal(c), correct ? "true" : "false"),
			 errhint("The _inv functions are the inverse transitions of moving-window aggregates.")));
}

/* Tuple descriptor of calib.bin, found from the function's result type. */
static TupleDesc
bin_tupdesc(FunctionCallInfo fcinfo, Oid *elemtype)
{
	Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);

	*elemtype = get_element_type(rettype);
	if (!OidIsValid(*elemtype))
		elog(ERROR, "calib: function does not return an array of calib.bin");
	return lookup_rowtype_tupdesc_copy(*elemtype, -1);
}

Datum
calib_reliability_array(FunctionCallInfo fcinfo, const CalibBinAcc *acc, int bins)
{
	Oid			elemtype;
	TupleDesc	tupdesc = bin_tupdesc(fcinfo, &elemtype);
	Datum	   *elems = palloc(sizeof(Datum) * bins);
	int16		typlen;
	bool		typbyval;
	char		typalign;

	tupdesc = BlessTupleDesc(tupdesc);
	for (int k = 0; k < bins; k++)
	{
		CalibBinRow r;
		Datum		values[9];
		bool		nulls[9] = {false};
		double		d[6];

		calib_bin_row(acc, k, bins, &r);
		values[0] = Int32GetDatum(r.bin);
		values[1] = Float8GetDatum(r.lower);
		values[2] = Float8GetDatum(r.upper);
		values[3] = Int64GetDatum(r.n);
		d[0] = r.mean_confidence;
		d[1] = r.accuracy;
		d[2] = r.gap;
		d[3] = r.ci_low;
		d[4] = r.ci_high;
		for (int i = 0; i < 5; i++)
		{
			values[4 + i] = Float8GetDatum(d[i]);
			nulls[4 + i] = isnan(d[i]);
		}
		elems[k] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, bins, elemtype, typlen, typbyval, typalign));
}
