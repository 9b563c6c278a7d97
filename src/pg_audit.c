/*
 * pg_audit.c -- glue for the pictures (src/svg.c) and the drift tests
 * (src/drift.c) behind calib.reliability_svg, calib.reliability_text,
 * calib.report_html and calib.audit_drift.
 *
 * Both work from calib.bin[] arrays, the output of calib.reliability for a
 * summary or for rows.  An array is turned back into the bins' counts
 * (n, correct = accuracy * n, confidence sum = mean_confidence * n) after
 * checking it is one calib.reliability could have produced, and the rows and
 * metrics are then recomputed by src/binning.c, the one place they are
 * defined.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "drift.h"
#include "svg.h"

/* Bootstrap replicates are capped so one drift row stays well under a second. */
#define MAX_REPS 100000

static void
bad_bin(int i, const char *what, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("calib.bin element %d: %s, got %g", i + 1, what, v),
			 errhint("Pass the output of calib.reliability unchanged.")));
}

static double
bin_field(HeapTupleHeader t, int attno, int i, const char *name, bool required)
{
	bool		isnull;
	Datum		d = GetAttributeByNum(t, attno, &isnull);

	if (isnull)
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calib.bin element %d: %s must not be NULL", i + 1, name)));
		return NAN;
	}
	return attno == 4 ? (double) DatumGetInt64(d) :
		attno == 1 ? (double) DatumGetInt32(d) : DatumGetFloat8(d);
}

/*
 * The bin counts of a calib.bin[] with `bins` elements into acc[0..bins-1].
 * NULL arr means no rows at all (calib.reliability of an empty summary).
 */
static void
bins_from_array(ArrayType *arr, int bins, CalibBinAcc *acc)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	memset(acc, 0, sizeof(CalibBinAcc) * bins);
	if (arr == NULL)
		return;
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.bin[] must be one-dimensional, got %d dimensions", ARR_NDIM(arr))));
	nelems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (nelems != bins)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.bin[] has %d elements but bins is %d", nelems, bins)));
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &nelems);
	for (int i = 0; i < nelems; i++)
	{
		HeapTupleHeader t;
		double		n,
					mean,
					accuracy,
					k,
					lower = calib_bin_edge(i, bins),
					upper = calib_bin_edge(i + 1, bins);

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calib.bin element %d is NULL", i + 1)));
		t = DatumGetHeapTupleHeader(elems[i]);
		if (bin_field(t, 1, i, "bin", true) != i + 1)
			bad_bin(i, "bins must be numbered 1, 2, ... in order", bin_field(t, 1, i, "bin", true));
		if (bin_field(t, 2, i, "lower", true) != lower || bin_field(t, 3, i, "upper", true) != upper)
			bad_bin(i, "edges must be those of equal-width bins", bin_field(t, 2, i, "lower", true));
		n = bin_field(t, 4, i, "n", true);
		if (n < 0)
			bad_bin(i, "n must not be negative", n);
		if (n == 0)
			continue;
		mean = bin_field(t, 5, i, "mean_confidence", true);
		accuracy = bin_field(t, 6, i, "accuracy", true);
		/* the mean of confidences in (lower, upper] lies there, up to rounding */
		if (!(mean >= lower - 1e-9 && mean <= upper + 1e-9))
			bad_bin(i, "mean_confidence must lie in the bin", mean);
		k = round(accuracy * n);
		/* accuracy = k/n rounded once, so accuracy * n is k within n ulps */
		if (!(accuracy >= 0.0 && accuracy <= 1.0) || fabs(accuracy * n - k) > 1e-6 + n * 1e-15)
			bad_bin(i, "accuracy must be a count of correct rows divided by n", accuracy);
		acc[i].n = (int64_t) n;
		acc[i].n_correct = (int64_t) k;
		acc[i].sum_conf = mean * n;
	}
}

static ArrayType *
array_arg_or_null(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : PG_GETARG_ARRAYTYPE_P(argno);
}

static void
to_stringinfo(void *ctx, const char *s, size_t len)
{
	appendBinaryStringInfo((StringInfo) ctx, s, (int) len);
}

/* The chart of (rows calib.bin[], bins integer, title text); NULL title is no title. */
static void
chart_from_args(FunctionCallInfo fcinfo, CalibChart *chart, bool title_utf8)
{
	int			bins = calib_checked_bins(PG_GETARG_INT32(1));
	CalibBinAcc *acc = palloc(sizeof(CalibBinAcc) * bins);
	CalibBinRow *rows = palloc(sizeof(CalibBinRow) * bins);
	CalibBinnedError err;

	bins_from_array(array_arg_or_null(fcinfo, 0), bins, acc);
	for (int k = 0; k < bins; k++)
		calib_bin_row(acc, k, bins, &rows[k]);
	calib_binned_error(acc, bins, &err);
	chart->rows = rows;
	chart->bins = bins;
	chart->n = err.n;
	chart->ece = err.n > 0 ? err.ece : NAN;
	chart->title = NULL;
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);
		char	   *s = text_to_cstring(t);

		/* the SVG escaper reads UTF-8 and writes ASCII, whatever the server
		 * encoding; the text diagram stays in the server encoding */
		chart->title = title_utf8 ? (char *) pg_server_to_any(s, strlen(s), PG_UTF8) : s;
	}
}

PG_FUNCTION_INFO_V1(calib_reliability_svg_bins);
Datum
calib_reliability_svg_bins(PG_FUNCTION_ARGS)
{
	CalibChart	chart;
	StringInfoData out;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	chart_from_args(fcinfo, &chart, true);
	initStringInfo(&out);
	calib_svg_reliability(&chart, to_stringinfo, &out);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

PG_FUNCTION_INFO_V1(calib_reliability_text_bins);
Datum
calib_reliability_text_bins(PG_FUNCTION_ARGS)
{
	CalibChart	chart;
	StringInfoData out;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	chart_from_args(fcinfo, &chart, false);
	initStringInfo(&out);
	calib_text_reliability(&chart, to_stringinfo, &out);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

PG_FUNCTION_INFO_V1(calib_xml_escape_text);
Datum
calib_xml_escape_text(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *u = (char *) pg_server_to_any(s, strlen(s), PG_UTF8);
	StringInfoData out;

	initStringInfo(&out);
	calib_xml_escape(u, strlen(u), 0, to_stringinfo, &out);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

/*
 * calib._drift_p(latest calib.bin[], latest_brier, baseline calib.bin[],
 *                baseline_brier, bins, reps)
 *   -> (accuracy_p, brier_p, ece_p)
 * The arrays are fine bins (calib.reliability(s, 600)); ECE is compared over
 * `bins` bins folded from them, which must divide the array length.
 */
PG_FUNCTION_INFO_V1(calib_drift_p);
Datum
calib_drift_p(PG_FUNCTION_ARGS)
{
	ArrayType  *a_arr = PG_GETARG_ARRAYTYPE_P(0),
			   *b_arr = PG_GETARG_ARRAYTYPE_P(2);
	double		brier_a = PG_GETARG_FLOAT8(1),
				brier_b = PG_GETARG_FLOAT8(3);
	int			bins = calib_checked_bins(PG_GETARG_INT32(4)),
				reps = PG_GETARG_INT32(5),
				fine = ArrayGetNItems(ARR_NDIM(a_arr), ARR_DIMS(a_arr));
	CalibBinAcc *a,
			   *b,
			   *ca,
			   *cb;
	int64_t		na = 0,
				nb = 0,
				ka = 0,
				kb = 0;
	double		p[3];
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3];

	if (fine < 1 || fine > CALIB_MAX_BINS || fine % bins != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins (%d) must divide the number of fine bins (%d)", bins, fine)));
	if (reps < 1 || reps > MAX_REPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reps must be between 1 and %d, got %d", MAX_REPS, reps)));
	if (!isfinite(brier_a) || !isfinite(brier_b) || brier_a < 0 || brier_b < 0 ||
		brier_a > 1 || brier_b > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Brier scores must lie in [0, 1], got %g and %g", brier_a, brier_b)));
	a = palloc(sizeof(CalibBinAcc) * fine);
	b = palloc(sizeof(CalibBinAcc) * fine);
	bins_from_array(a_arr, fine, a);
	bins_from_array(b_arr, fine, b);
	for (int k = 0; k < fine; k++)
	{
		na += a[k].n, ka += a[k].n_correct;
		nb += b[k].n, kb += b[k].n_correct;
	}
	ca = palloc(sizeof(CalibBinAcc) * bins);
	cb = palloc(sizeof(CalibBinAcc) * bins);
	calib_bins_rebin(a, fine, ca, bins);
	calib_bins_rebin(b, fine, cb, bins);

	p[0] = calib_two_sided_p(calib_two_prop_z(ka, na, kb, nb));
	p[1] = calib_two_sided_p(calib_mean_diff_z(brier_a, calib_brier_term_var(a, fine, brier_a), na,
											   brier_b, calib_brier_term_var(b, fine, brier_b), nb));
	p[2] = calib_ece_drift_p(ca, cb, bins, reps, UINT64_C(0x63616c6962),
							 palloc(sizeof(double) * reps));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib._drift_p must return a record");
	tupdesc = BlessTupleDesc(tupdesc);
	for (int i = 0; i < 3; i++)
	{
		values[i] = Float8GetDatum(p[i]);
		nulls[i] = isnan(p[i]);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
