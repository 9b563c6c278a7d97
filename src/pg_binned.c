/*
 * pg_binned.c -- the calib.binned_state type and the direct equal-width
 * binned aggregates: calib.ece, calib.mce, calib.rmsce, calib.reliability,
 * calib.brier_decomposition (debiased_ece and fit_histogram have their
 * finals in pg_recal.c).
 *
 * The state is calib.binned_state (aggstate.h): per-bin counts and exact
 * confidence sums plus the exact Brier sum, O(bins) whatever the number of
 * rows, updated in place row by row, shipped between parallel workers and
 * Citus nodes as a value, and subtractable (moving windows).  The formulas
 * live in binning.c.
 */
#include "pg_binned.h"

#include "funcapi.h"
#include "access/htup_details.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

static void
set_size(CalibBinnedState *st)
{
	SET_VARSIZE(st, calib_binned_state_size(st->bins));
}

static CalibBinnedState *
binned_new(MemoryContext ctx, int bins)
{
	CalibBinnedState *st = MemoryContextAlloc(ctx, calib_binned_state_size(bins));

	calib_binned_state_init(st, bins);
	set_size(st);
	return st;
}

CalibBinnedSite *
calib_binned_site_setup(FunctionCallInfo fcinfo, int bins)
{
	CalibBinnedSite *site;

	site = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
							  offsetof(CalibBinnedSite, edge) + sizeof(double) * (bins + 1));
	calib_agg_site_init(fcinfo, &site->agg);
	site->bins = bins;
	calib_bin_edges(bins, site->edge);
	fcinfo->flinfo->fn_extra = site;
	return site;
}

static void
bins_mismatch(int a, int b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("bins must be the same for every row of a group, got %d and %d", a, b)));
}

const CalibBinnedState *
calib_binned_state_read(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v;
	CalibBinnedState *st;

	if (PG_ARGISNULL(argno))
		return NULL;
	v = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	if ((uintptr_t) v % MAXIMUM_ALIGNOF != 0)
	{
		struct varlena *copy = palloc(VARSIZE(v));

		memcpy(copy, v, VARSIZE(v));
		v = copy;
	}
	st = (CalibBinnedState *) v;
	if (!calib_binned_state_shape_ok(st, VARSIZE(v)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("calib.binned_state: corrupt value of %u bytes", VARSIZE(v))));
	return st;
}

CalibBinnedState *
calib_binned_state_for_update_slow(FunctionCallInfo fcinfo, int bins)
{
	CalibBinnedSite *site = calib_binned_site(fcinfo, bins);
	const CalibBinnedState *old;
	CalibBinnedState *st;

	if (PG_ARGISNULL(0))
		return binned_new(calib_agg_site_new_ctx(&site->agg), bins);
	old = calib_binned_state_read(fcinfo, 0);
	if (old->bins != bins)
		bins_mismatch(old->bins, bins);
	if (site->agg.in_agg && (Pointer) old == DatumGetPointer(PG_GETARG_DATUM(0)))
		return (CalibBinnedState *) old;
	/* outside an aggregate (or a value that had to be detoasted): a copy */
	st = palloc(VARSIZE(old));
	memcpy(st, old, VARSIZE(old));
	return st;
}

CalibBinAcc *
calib_binned_final_acc(FunctionCallInfo fcinfo, int *bins, const CalibBinnedState **stp)
{
	const CalibBinnedState *st = calib_binned_state_read(fcinfo, 0);
	CalibBinAcc *acc;

	if (st == NULL || calib_binned_state_rows(st) == 0)
		return NULL;
	*bins = st->bins;
	acc = palloc(sizeof(CalibBinAcc) * st->bins);
	calib_bins_exact_to_acc(st->acc, st->bins, acc);
	if (stp)
		*stp = st;
	return acc;
}

/* ------------------------------------------------------------------ I/O */

static void
bad_input(const char *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input for type calib.binned_state: %s", err)));
}

/* Malformed input is 22P02, a well-formed value that no aggregate could
 * have produced 22023. */
static void
check_parse(CalibStateParse r, const char *err)
{
	if (r == CALIB_STATE_IMPOSSIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for type calib.binned_state: %s", err)));
	if (r != CALIB_STATE_OK)
		bad_input(err);
}

PG_FUNCTION_INFO_V1(calib_binned_state_in);
Datum
calib_binned_state_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	char		err[CALIB_AGGSTATE_ERRLEN];
	int			bins;
	CalibBinnedState *st;

	if (!calib_binned_state_text_bins(str, len, &bins, err, sizeof err))
		bad_input(err);
	st = binned_new(CurrentMemoryContext, bins);
	check_parse(calib_binned_state_from_text(str, len, st, err, sizeof err), err);
	set_size(st);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_binned_state_out);
Datum
calib_binned_state_out(PG_FUNCTION_ARGS)
{
	const CalibBinnedState *st = calib_binned_state_read(fcinfo, 0);
	size_t		cap = calib_binned_state_text_bound(st->bins);
	char	   *buf = palloc(cap);

	calib_binned_state_to_text(st, buf, cap);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(calib_binned_state_recv);
Datum
calib_binned_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const uint8 *p = (const uint8 *) buf->data + buf->cursor;
	size_t		len = (size_t) (buf->len - buf->cursor);
	char		err[CALIB_AGGSTATE_ERRLEN];
	int			bins;
	CalibBinnedState *st;

	if (!calib_binned_state_wire_bins(p, len, &bins, err, sizeof err))
		bad_input(err);
	st = binned_new(CurrentMemoryContext, bins);
	check_parse(calib_binned_state_from_wire(p, len, st, err, sizeof err), err);
	set_size(st);
	buf->cursor = buf->len;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_binned_state_send);
Datum
calib_binned_state_send(PG_FUNCTION_ARGS)
{
	const CalibBinnedState *st = calib_binned_state_read(fcinfo, 0);
	size_t		cap = calib_binned_state_wire_bound(st->bins);
	bytea	   *out = palloc(VARHDRSZ + cap);
	size_t		len = calib_binned_state_to_wire(st, (uint8 *) VARDATA(out), cap);

	SET_VARSIZE(out, VARHDRSZ + len);
	PG_RETURN_BYTEA_P(out);
}

/* ---------------------------------------------------------- aggregates */

/*
 * Shared body of the transition functions and of their inverses; this runs
 * for every row.  bins is checked on every row, before the NULL-row skip,
 * so a bad bins argument is an error even when all of a group's rows are
 * skipped.
 */
static inline Datum
binned_transition(FunctionCallInfo fcinfo, bool has_bins_arg, int sign)
{
	int			bins = has_bins_arg ? calib_bins_arg(fcinfo, 3) : CALIB_DEFAULT_BINS;
	CalibBinnedState *st;
	double		c;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();	/* rows with a NULL are skipped */
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	if (unlikely(sign < 0 && PG_ARGISNULL(0)))
		calib_row_not_in_state(c, PG_GETARG_BOOL(2));
	st = calib_binned_state_for_update(fcinfo, bins);
	calib_binned_add(fcinfo, st, c, PG_GETARG_BOOL(2), sign);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_binned_trans);
Datum
calib_binned_trans(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, false, 1);
}

PG_FUNCTION_INFO_V1(calib_binned_trans_bins);
Datum
calib_binned_trans_bins(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, true, 1);
}

/* MINVFUNC: takes a row that left the window frame out again.  Exact sums
 * make the result the same bytes as a state built without that row. */
PG_FUNCTION_INFO_V1(calib_binned_inv);
Datum
calib_binned_inv(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, false, -1);
}

PG_FUNCTION_INFO_V1(calib_binned_inv_bins);
Datum
calib_binned_inv_bins(PG_FUNCTION_ARGS)
{
	return binned_transition(fcinfo, true, -1);
}

PG_FUNCTION_INFO_V1(calib_binned_combine);
Datum
calib_binned_combine(PG_FUNCTION_ARGS)
{
	const CalibBinnedState *b = calib_binned_state_read(fcinfo, 1);
	CalibBinnedState *a;

	if (b == NULL)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = calib_binned_state_for_update(fcinfo, b->bins);
	if (!calib_binned_state_merge(a, b, 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("calib.binned_state: combined state would hold more than %lld rows",
						(long long) PG_INT64_MAX)));
	PG_RETURN_POINTER(a);
}

/*
 * The 0.1.0 definitions (STYPE internal) still name these two: the state
 * is the same varlena, so its bytes are the serialised form.
 */
PG_FUNCTION_INFO_V1(calib_binned_serialize);
Datum
calib_binned_serialize(PG_FUNCTION_ARGS)
{
	const CalibBinnedState *st = (const CalibBinnedState *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(VARSIZE(st));

	memcpy(out, st, VARSIZE(st));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_binned_deserialize);
Datum
calib_binned_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib_binned_deserialize");
	const CalibBinnedState *in = calib_binned_state_read(fcinfo, 0);
	CalibBinnedState *st = MemoryContextAlloc(ctx, VARSIZE(in));

	memcpy(st, in, VARSIZE(in));
	PG_RETURN_POINTER(st);
}

/* ------------------------------------------------------------- finals */

static bool
binned_final_error(FunctionCallInfo fcinfo, CalibBinnedError *err)
{
	int			bins;
	CalibBinAcc *acc = calib_binned_final_acc(fcinfo, &bins, NULL);

	if (acc == NULL)
		return false;
	calib_binned_error(acc, bins, err);
	return true;
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
	int			bins;
	CalibBinAcc *acc = calib_binned_final_acc(fcinfo, &bins, NULL);

	if (acc == NULL)
		PG_RETURN_NULL();
	return calib_reliability_array(fcinfo, acc, bins);
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
	const CalibBinnedState *st;
	int			bins;
	CalibBinAcc *acc = calib_binned_final_acc(fcinfo, &bins, &st);

	if (acc == NULL)
		PG_RETURN_NULL();
	return calib_brier_parts_datum(fcinfo, acc, bins, calib_exact_to_double(st->sum_sq_error));
}
