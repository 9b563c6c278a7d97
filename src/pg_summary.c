/*
 * pg_summary.c -- the calib.summary type and its aggregates and accessors.
 *
 * A calib.summary value is a varlena holding the stored bytes of summary.h
 * in one of two forms: dense (the CalibSummary struct, what the aggregates
 * work on) or packed (non-empty bins only, what the final functions return
 * and tables store).  Every function accepts both.
 *
 * The aggregates' state type is calib.summary itself, not internal, so
 * partial states travel as ordinary values: between parallel workers, and
 * through the text form to anything that ships partial aggregates (Citus).
 * Inside an aggregate the transition functions update their own dense state
 * in place, O(1) per row; called any other way they copy.
 */
#include "pg_calib.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "summary.h"

/* A dense summary as a varlena: the CalibSummary starts 8-aligned. */
typedef struct DenseVar
{
	int32		vl_len_;
	uint8		hdr[CALIB_SUMMARY_STORED_HDR];
	CalibSummary s;
} DenseVar;

StaticAssertDecl(offsetof(DenseVar, s) == VARHDRSZ + CALIB_SUMMARY_STORED_HDR,
				 "dense summary payload must follow the stored header directly");
StaticAssertDecl(sizeof(DenseVar) == 19256, "SSPACE in sql/parts/20_summary.sql is the dense size");

#define DEFAULT_BINS 10

static DenseVar *
dense_new(MemoryContext ctx)
{
	DenseVar   *d = MemoryContextAllocZero(ctx, sizeof(DenseVar));

	Assert(sizeof(DenseVar) == VARHDRSZ + calib_summary_dense_size());
	SET_VARSIZE(d, sizeof(DenseVar));
	calib_summary_dense_header(d->hdr);
	calib_summary_init(&d->s);
	return d;
}

/* Add a summary Datum of either stored form to dst.  A failure here means
 * the stored bytes are damaged: input paths validated them on the way in. */
static void
summary_add_datum(CalibSummary *dst, Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	char		err[CALIB_SUMMARY_ERRLEN];

	if (!calib_summary_stored_add((const uint8 *) VARDATA(v), VARSIZE(v) - VARHDRSZ,
								  dst, err, sizeof err))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("calib.summary: %s", err)));
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
}

/* A summary argument decoded into a fresh struct. */
static CalibSummary *
summary_get(FunctionCallInfo fcinfo, int argno)
{
	CalibSummary *s = palloc(sizeof(CalibSummary));

	calib_summary_init(s);
	summary_add_datum(s, PG_GETARG_DATUM(argno));
	return s;
}

static Datum
summary_pack_datum(const CalibSummary *s)
{
	size_t		cap = calib_summary_packed_bound();
	bytea	   *v = palloc(VARHDRSZ + cap);
	size_t		len = calib_summary_pack(s, (uint8 *) VARDATA(v), cap);

	SET_VARSIZE(v, VARHDRSZ + len);
	return PointerGetDatum(v);
}

/* ----------------------------------------------------------------- I/O */

static void
bad_input(const char *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input for type calib.summary: %s", err)));
}

PG_FUNCTION_INFO_V1(calib_summary_in);
Datum
calib_summary_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	CalibSummary *s = palloc(sizeof(CalibSummary));
	char		err[CALIB_SUMMARY_ERRLEN];

	if (!calib_summary_from_text(str, strlen(str), s, err, sizeof err))
		bad_input(err);
	return summary_pack_datum(s);
}

PG_FUNCTION_INFO_V1(calib_summary_out);
Datum
calib_summary_out(PG_FUNCTION_ARGS)
{
	CalibSummary *s = summary_get(fcinfo, 0);
	size_t		cap = calib_summary_text_bound();
	char	   *buf = palloc(cap);

	calib_summary_to_text(s, buf, cap);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(calib_summary_recv);
Datum
calib_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CalibSummary *s = palloc(sizeof(CalibSummary));
	char		err[CALIB_SUMMARY_ERRLEN];

	if (!calib_summary_from_wire((const uint8 *) buf->data + buf->cursor,
								 (size_t) (buf->len - buf->cursor), s, err, sizeof err))
		bad_input(err);
	buf->cursor = buf->len;
	return summary_pack_datum(s);
}

/* calib._summary_from_wire(bytea): the receive path from SQL, for tests
 * and for clients that fetched the binary form as bytea. */
PG_FUNCTION_INFO_V1(calib_summary_from_wire_bytea);
Datum
calib_summary_from_wire_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	CalibSummary *s = palloc(sizeof(CalibSummary));
	char		err[CALIB_SUMMARY_ERRLEN];

	if (!calib_summary_from_wire((const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
								 s, err, sizeof err))
		bad_input(err);
	return summary_pack_datum(s);
}

PG_FUNCTION_INFO_V1(calib_summary_send);
Datum
calib_summary_send(PG_FUNCTION_ARGS)
{
	CalibSummary *s = summary_get(fcinfo, 0);
	size_t		cap = calib_summary_wire_bound();
	bytea	   *out = palloc(VARHDRSZ + cap);
	size_t		len = calib_summary_to_wire(s, (uint8 *) VARDATA(out), cap);

	SET_VARSIZE(out, VARHDRSZ + len);
	PG_RETURN_BYTEA_P(out);
}

/* ---------------------------------------------------------- aggregates */

/*
 * The state to update: the aggregate's own dense state, in place, when
 * called as an aggregate (the first call gets NULL, so a dense state in
 * argument 0 is always one this function allocated in the aggregate
 * context); otherwise a new dense copy of argument 0.
 */
static inline bool
is_dense(Datum v)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(v);

	return !VARATT_IS_EXTENDED(raw) && VARSIZE(raw) == sizeof(DenseVar) &&
		((DenseVar *) raw)->hdr[0] == CALIB_SUMMARY_VERSION &&
		((DenseVar *) raw)->hdr[1] == CALIB_SUMMARY_DENSE;
}

/* The call site (fn_extra): see CalibAggSite in pg_calib.h. */
static DenseVar *
state_for_update(FunctionCallInfo fcinfo)
{
	CalibAggSite *site = (CalibAggSite *) fcinfo->flinfo->fn_extra;
	DenseVar   *d;

	/* the per-row path: an FmgrInfo belongs to one aggregate (or to one
	 * plain call site), so how it is called is remembered */
	if (likely(site != NULL && site->in_agg && !PG_ARGISNULL(0) &&
			   is_dense(PG_GETARG_DATUM(0))))
		return (DenseVar *) DatumGetPointer(PG_GETARG_DATUM(0));
	if (site == NULL)
	{
		site = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(CalibAggSite));
		calib_agg_site_init(fcinfo, site);
		fcinfo->flinfo->fn_extra = site;
		/* a caller that looks the function up again for every row (Citus's
		 * worker_partial_agg does) still updates its state in place */
		if (site->in_agg && !PG_ARGISNULL(0) && is_dense(PG_GETARG_DATUM(0)))
			return (DenseVar *) DatumGetPointer(PG_GETARG_DATUM(0));
	}
	d = dense_new(site->in_agg ? calib_agg_site_new_ctx(site) : CurrentMemoryContext);
	if (!PG_ARGISNULL(0))
		summary_add_datum(&d->s, PG_GETARG_DATUM(0));
	return d;
}

/* calib.summary(confidence, correct): one row into the state. */
PG_FUNCTION_INFO_V1(calib_summary_trans);
Datum
calib_summary_trans(PG_FUNCTION_ARGS)
{
	DenseVar   *d;
	double		c;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();	/* rows with a NULL are skipped */
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	c = PG_GETARG_FLOAT8(1);
	if (unlikely(!calib_confidence_ok(c)))
		calib_checked_confidence(c);	/* reports the error */
	c += 0.0;					/* -0 counts as 0 */
	d = state_for_update(fcinfo);
	calib_summary_add(&d->s, c, PG_GETARG_BOOL(2));
	PG_RETURN_POINTER(d);
}

/* MINVFUNC of calib.summary(confidence, correct): the row that left the
 * window frame taken out again.  Exact sums: the same bytes as a summary
 * built without it. */
PG_FUNCTION_INFO_V1(calib_summary_inv);
Datum
calib_summary_inv(PG_FUNCTION_ARGS)
{
	DenseVar   *d;
	double		c;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();	/* rows with a NULL were skipped */
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	c = calib_checked_confidence(PG_GETARG_FLOAT8(1));
	if (PG_ARGISNULL(0))
		calib_row_not_in_state(c, PG_GETARG_BOOL(2));
	d = state_for_update(fcinfo);
	if (!calib_summary_sub(&d->s, c, PG_GETARG_BOOL(2)))
		calib_row_not_in_state(c, PG_GETARG_BOOL(2));
	PG_RETURN_POINTER(d);
}

/* MINVFUNC of calib.merge: the summary that left the frame subtracted. */
PG_FUNCTION_INFO_V1(calib_summary_uncombine);
Datum
calib_summary_uncombine(PG_FUNCTION_ARGS)
{
	DenseVar   *d;
	CalibSummary *s;
	char		err[CALIB_SUMMARY_ERRLEN];

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.summary: cannot take a summary out of no summary")));
	s = summary_get(fcinfo, 1);
	d = state_for_update(fcinfo);
	if (!calib_summary_unmerge(&d->s, s, err, sizeof err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.summary: %s", err)));
	pfree(s);
	PG_RETURN_POINTER(d);
}

/* Combine function of both aggregates and transition function of
 * calib.merge: argument 1 (any form) added into the state. */
PG_FUNCTION_INFO_V1(calib_summary_combine);
Datum
calib_summary_combine(PG_FUNCTION_ARGS)
{
	DenseVar   *d;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	d = state_for_update(fcinfo);
	summary_add_datum(&d->s, PG_GETARG_DATUM(1));
	PG_RETURN_POINTER(d);
}

/* The packed form for storage; never modifies the state (window frames
 * keep using it). */
PG_FUNCTION_INFO_V1(calib_summary_final);
Datum
calib_summary_final(PG_FUNCTION_ARGS)
{
	return summary_pack_datum(summary_get(fcinfo, 0));
}

/* ----------------------------------------------------------- accessors */

static int
summary_bins(int32 bins)
{
	char		err[CALIB_SUMMARY_ERRLEN];

	if (!calib_summary_bins_ok(bins, err, sizeof err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err),
				 errhint("The summary keeps %d fine bins; a bin count that divides it "
						 "reproduces the direct aggregates exactly.",
						 CALIB_SUMMARY_FINE_BINS)));
	return bins;
}

/* The summary in argument 0 folded into the bins of argument 1; NULL when
 * the summary holds no rows (like the direct aggregates over no rows). */
static CalibBinAcc *
summary_coarse(FunctionCallInfo fcinfo, int *bins, CalibSummary **sp)
{
	CalibSummary *s;
	CalibBinAcc *acc;

	*bins = summary_bins(PG_GETARG_INT32(1));
	s = summary_get(fcinfo, 0);
	if (sp)
		*sp = s;
	if (s->n == 0)
		return NULL;
	acc = palloc(sizeof(CalibBinAcc) * *bins);
	calib_summary_rebin(s, *bins, acc);
	return acc;
}

static bool
summary_error_metrics(FunctionCallInfo fcinfo, CalibBinnedError *err)
{
	int			bins;
	CalibBinAcc *acc = summary_coarse(fcinfo, &bins, NULL);

	if (acc == NULL)
		return false;
	calib_binned_error(acc, bins, err);
	return true;
}

PG_FUNCTION_INFO_V1(calib_summary_fn_ece);
Datum
calib_summary_fn_ece(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!summary_error_metrics(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.ece);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_mce);
Datum
calib_summary_fn_mce(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!summary_error_metrics(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.mce);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_rmsce);
Datum
calib_summary_fn_rmsce(PG_FUNCTION_ARGS)
{
	CalibBinnedError err;

	if (!summary_error_metrics(fcinfo, &err))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(err.rmsce);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_reliability);
Datum
calib_summary_fn_reliability(PG_FUNCTION_ARGS)
{
	int			bins;
	CalibBinAcc *acc = summary_coarse(fcinfo, &bins, NULL);

	if (acc == NULL)
		PG_RETURN_NULL();
	return calib_reliability_array(fcinfo, acc, bins);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_brier_decomposition);
Datum
calib_summary_fn_brier_decomposition(PG_FUNCTION_ARGS)
{
	int			bins;
	CalibSummary *s;
	CalibBinAcc *acc = summary_coarse(fcinfo, &bins, &s);

	if (acc == NULL)
		PG_RETURN_NULL();
	return calib_brier_parts_datum(fcinfo, acc, bins, calib_summary_sq_error(s));
}

PG_FUNCTION_INFO_V1(calib_summary_fn_n);
Datum
calib_summary_fn_n(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(summary_get(fcinfo, 0)->n);
}

/* Ratios over the rows; NULL for an empty summary. */
static Datum
summary_ratio(FunctionCallInfo fcinfo, double num_of(const CalibSummary *))
{
	CalibSummary *s = summary_get(fcinfo, 0);

	if (s->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(num_of(s) / (double) s->n);
}

static double
sum_sq(const CalibSummary *s)
{
	return calib_summary_sq_error(s);
}

static double
sum_ll(const CalibSummary *s)
{
	return calib_summary_log_loss(s);
}

static double
n_correct(const CalibSummary *s)
{
	return (double) s->n_correct;
}

PG_FUNCTION_INFO_V1(calib_summary_fn_brier);
Datum
calib_summary_fn_brier(PG_FUNCTION_ARGS)
{
	return summary_ratio(fcinfo, sum_sq);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_nll);
Datum
calib_summary_fn_nll(PG_FUNCTION_ARGS)
{
	return summary_ratio(fcinfo, sum_ll);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_accuracy);
Datum
calib_summary_fn_accuracy(PG_FUNCTION_ARGS)
{
	return summary_ratio(fcinfo, n_correct);
}

PG_FUNCTION_INFO_V1(calib_summary_fn_mean_confidence);
Datum
calib_summary_fn_mean_confidence(PG_FUNCTION_ARGS)
{
	CALIB_RETURN_FLOAT8_OR_NULL(calib_summary_mean_confidence(summary_get(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(calib_summary_fn_auroc);
Datum
calib_summary_fn_auroc(PG_FUNCTION_ARGS)
{
	double		bound;

	CALIB_RETURN_FLOAT8_OR_NULL(calib_summary_auroc(summary_get(fcinfo, 0), &bound));
}

PG_FUNCTION_INFO_V1(calib_summary_fn_auroc_max_error);
Datum
calib_summary_fn_auroc_max_error(PG_FUNCTION_ARGS)
{
	double		bound;

	calib_summary_auroc(summary_get(fcinfo, 0), &bound);
	CALIB_RETURN_FLOAT8_OR_NULL(bound);
}
