/*
 * pg_recal.c -- glue for recalibration maps (type calib.map, calib.apply,
 * the fit_* aggregates), selective prediction (risk_coverage, aurc,
 * threshold_for_accuracy) and the uncertainty metrics (ece_ci, debiased_ece,
 * smooth_ece).  The numerical work is in recal.c, selective.c, bootstrap.c,
 * smece.c and binning.c.
 *
 * The aggregates that need every row share pg_scores.c's state and support
 * functions, which also carry the per-group constant arguments (bins, level,
 * resamples, seed, target).
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "bootstrap.h"
#include "pg_binned.h"
#include "pg_scores.h"
#include "recal.h"
#include "selective.h"
#include "smece.h"

/* ============================================================ calib.map */

/* On disk: varlena header, format version, then the CalibMap (whose doubles
 * land 8-aligned at offset 16). */
typedef struct PgMap
{
	int32		vl_len_;
	int32		version;
} PgMap;

#define PGMAP_HDR 8
#define PGMAP_BODY(p) ((CalibMap *) ((char *) (p) + PGMAP_HDR))

static PgMap *
pgmap_from(CalibMap *m)
{
	Size		body = calib_map_size(m->kind, m->n);
	PgMap	   *p = palloc0(PGMAP_HDR + body);

	SET_VARSIZE(p, PGMAP_HDR + body);
	p->version = CALIB_MAP_VERSION;
	memcpy(PGMAP_BODY(p), m, body);
	free(m);					/* the core allocates with malloc */
	return p;
}

/* The O(1) checks that keep apply in bounds on a detoasted map. */
static const CalibMap *
pgmap_checked(PgMap *p)
{
	const CalibMap *m = PGMAP_BODY(p);

	if (VARSIZE(p) < PGMAP_HDR + offsetof(CalibMap, v) || p->version != CALIB_MAP_VERSION ||
		calib_map_nvalues(m->kind, m->n) == 0 ||
		VARSIZE(p) != PGMAP_HDR + calib_map_size(m->kind, m->n))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt calib.map value")));
	return m;
}

static const CalibMap *
pgmap_get(Datum d)
{
	return pgmap_checked((PgMap *) PG_DETOAST_DATUM(d));
}

/*
 * calib.apply is called once per row, usually with the same map (a join to
 * a table of maps): keep the last detoasted map in fn_extra, keyed by the
 * datum's raw bytes -- the whole value when it is inline (possibly
 * compressed), the TOAST pointer (relation and value OIDs) when it is stored
 * out of line.  Other external forms (in-memory pointers) are not cached.
 */
typedef struct MapCache
{
	Size		keylen;
	char	   *key;
	const CalibMap *map;
} MapCache;

static const CalibMap *
pgmap_get_cached(FunctionCallInfo fcinfo, Datum d)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(d);
	MapCache   *c = (MapCache *) fcinfo->flinfo->fn_extra;
	Size		len;
	MemoryContext old;

	if (VARATT_IS_EXTERNAL(raw) && !VARATT_IS_EXTERNAL_ONDISK(raw))
		return pgmap_get(d);
	len = VARSIZE_ANY(raw);
	if (c != NULL && c->keylen == len && memcmp(c->key, raw, len) == 0)
		return c->map;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (c == NULL)
		c = fcinfo->flinfo->fn_extra = palloc0(sizeof(MapCache));
	else
	{
		pfree(c->key);
		pfree((void *) ((const char *) c->map - PGMAP_HDR));
	}
	c->key = palloc(len);
	memcpy(c->key, raw, len);
	c->keylen = len;
	{
		PgMap	   *p = (PgMap *) PG_DETOAST_DATUM_COPY(d);

		c->map = pgmap_checked(p);
	}
	MemoryContextSwitchTo(old);
	return c->map;
}

static void
map_error(const char *msg, const char *what)
{
	ereport(ERROR,
			(errcode(strcmp(msg, "out of memory") == 0 ? ERRCODE_OUT_OF_MEMORY
					 : ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid %s for type calib.map: %s", what, msg)));
}

PG_FUNCTION_INFO_V1(calib_map_in);
Datum
calib_map_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	char		err[CALIB_MAP_ERRLEN];
	CalibMap   *m;
	const char *msg = calib_map_from_text(str, strlen(str), &m, err, sizeof err);

	if (msg != NULL)
		map_error(msg, "input");
	PG_RETURN_POINTER(pgmap_from(m));
}

PG_FUNCTION_INFO_V1(calib_map_out);
Datum
calib_map_out(PG_FUNCTION_ARGS)
{
	char	   *s = calib_map_to_text(pgmap_get(PG_GETARG_DATUM(0)));
	char	   *out;

	if (s == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	out = pstrdup(s);
	free(s);
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(calib_map_recv);
Datum
calib_map_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	char		err[CALIB_MAP_ERRLEN];
	CalibMap   *m;
	const char *msg = calib_map_from_binary((const unsigned char *) buf->data + buf->cursor,
											(size_t) (buf->len - buf->cursor), &m, err, sizeof err);

	if (msg != NULL)
		map_error(msg, "binary input");
	buf->cursor = buf->len;
	PG_RETURN_POINTER(pgmap_from(m));
}

PG_FUNCTION_INFO_V1(calib_map_send);
Datum
calib_map_send(PG_FUNCTION_ARGS)
{
	const CalibMap *m = pgmap_get(PG_GETARG_DATUM(0));
	Size		len = calib_map_binary_size(m);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	calib_map_to_binary(m, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_map_apply_sql);
Datum
calib_map_apply_sql(PG_FUNCTION_ARGS)
{
	const CalibMap *m = pgmap_get_cached(fcinfo, PG_GETARG_DATUM(0));
	double		p = calib_checked_confidence(PG_GETARG_FLOAT8(1));

	PG_RETURN_FLOAT8(calib_map_apply(m, p));
}

PG_FUNCTION_INFO_V1(calib_map_kind_sql);
Datum
calib_map_kind_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(calib_map_kind_name(pgmap_get(PG_GETARG_DATUM(0))->kind)));
}

/* ============================================== the keep-every-row state */

/*
 * pg_scores.c's state and support functions (pg_scores.h), with this
 * family's constant arguments: none (the fits, risk_coverage, aurc,
 * smooth_ece), bins/level/resamples/seed (ece_ci) or target
 * (threshold_for_accuracy).
 */

static void
null_arg_error(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be NULL", name)));
}

/* ece_ci's optional arguments (bins, level, resamples, seed), by position. */
static void
read_ci_params(FunctionCallInfo fcinfo, CalibRowParams *p)
{
	static const char *const names[] = {"bins", "level", "resamples", "seed"};
	int			nextra = PG_NARGS() - 3;

	p->bins = 10;
	p->level = 0.95;
	p->resamples = 1000;
	p->seed = 0;
	for (int i = 0; i < nextra; i++)
		if (PG_ARGISNULL(3 + i))
			null_arg_error(names[i]);
	if (nextra >= 1)
		p->bins = calib_checked_bins(PG_GETARG_INT32(3));
	if (nextra >= 2)
	{
		p->level = PG_GETARG_FLOAT8(4);
		if (!(p->level > 0.0 && p->level < 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("level must be between 0 and 1 (exclusive), got %s",
							float8out_internal(p->level))));
	}
	if (nextra >= 3)
	{
		p->resamples = PG_GETARG_INT32(5);
		if (p->resamples < 1 || p->resamples > CALIB_MAX_RESAMPLES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("resamples must be between 1 and %d, got %d",
							CALIB_MAX_RESAMPLES, p->resamples)));
	}
	if (nextra >= 4)
		p->seed = PG_GETARG_INT64(6);
}

static void
read_target_param(FunctionCallInfo fcinfo, CalibRowParams *p)
{
	if (PG_ARGISNULL(3))
		null_arg_error("target");
	p->target = PG_GETARG_FLOAT8(3);
	if (!(p->target >= 0.0 && p->target <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target accuracy must be between 0 and 1, got %s",
						float8out_internal(p->target))));
}

static void
params_mismatch(const CalibRowParams *a, const CalibRowParams *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the extra arguments of a calib aggregate must be the same for every row of a group")));
}

static const CalibRowsKind recal_kind = {
	.mismatch = params_mismatch,
	.min_bins = 0,				/* bins is 0 where an aggregate takes none */
};

CALIB_ROWS_TRANSITION(calib_recal_trans, recal_kind, NULL);
CALIB_ROWS_TRANSITION(calib_recal_trans_ci, recal_kind, read_ci_params);
CALIB_ROWS_TRANSITION(calib_recal_trans_target, recal_kind, read_target_param);
CALIB_ROWS_SUPPORT_FUNCTIONS(calib_recal, recal_kind);

/* ============================================================ the fits */

static void
fit_error(const char *fname, const char *msg)
{
	if (strcmp(msg, "out of memory") == 0)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (strstr(msg, "more knots") != NULL)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("%s: %s", fname, msg)));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("%s: %s", fname, msg),
			 errhint("See docs/recalibration.md: degenerate data; calib.fit_histogram and calib.fit_isotonic always fit.")));
}

typedef const char *(*FitFn) (const CalibScores *, double *, CalibMap **);

static Datum
fit_final(FunctionCallInfo fcinfo, const char *fname, FitFn fit)
{
	CalibScores s;
	CalibMap   *m;
	double	   *work;
	const char *msg;

	if (!calib_rows_final(fcinfo, &s, NULL))
		PG_RETURN_NULL();
	work = palloc_extended(CALIB_FIT_WORK(s.npos + s.nneg) * sizeof(double), MCXT_ALLOC_HUGE);
	msg = fit(&s, work, &m);
	pfree(work);
	if (msg != NULL)
		fit_error(fname, msg);
	PG_RETURN_POINTER(pgmap_from(m));
}

PG_FUNCTION_INFO_V1(calib_fit_temperature_final);
Datum
calib_fit_temperature_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, "calib.fit_temperature", calib_fit_temperature);
}

PG_FUNCTION_INFO_V1(calib_fit_platt_final);
Datum
calib_fit_platt_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, "calib.fit_platt", calib_fit_platt);
}

PG_FUNCTION_INFO_V1(calib_fit_isotonic_final);
Datum
calib_fit_isotonic_final(PG_FUNCTION_ARGS)
{
	return fit_final(fcinfo, "calib.fit_isotonic", calib_fit_isotonic);
}

/* Over calib.binned_state (pg_binned.h); NULL without rows. */
PG_FUNCTION_INFO_V1(calib_fit_histogram_final);
Datum
calib_fit_histogram_final(PG_FUNCTION_ARGS)
{
	int			bins;
	const CalibBinAcc *acc = calib_binned_final_acc(fcinfo, &bins, NULL);
	CalibMap   *m;
	const char *msg;

	if (acc == NULL)
		PG_RETURN_NULL();
	msg = calib_fit_histogram(acc, bins, &m);
	if (msg != NULL)
		fit_error("calib.fit_histogram", msg);
	PG_RETURN_POINTER(pgmap_from(m));
}

PG_FUNCTION_INFO_V1(calib_debiased_ece_final);
Datum
calib_debiased_ece_final(PG_FUNCTION_ARGS)
{
	int			bins;
	const CalibBinAcc *acc = calib_binned_final_acc(fcinfo, &bins, NULL);

	if (acc == NULL)
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_debiased_ece(acc, bins));
}

/* ================================================= selective prediction */

static Datum
coverage_point_datum(TupleDesc tupdesc, const CalibCoveragePoint *pt)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = Float8GetDatum(pt->threshold);
	values[1] = Float8GetDatum(pt->coverage);
	values[2] = Float8GetDatum(pt->accuracy);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

PG_FUNCTION_INFO_V1(calib_risk_coverage_final);
Datum
calib_risk_coverage_final(PG_FUNCTION_ARGS)
{
	CalibScores s;
	Oid			elemtype;
	TupleDesc	tupdesc;
	int64		npoints;
	CalibCoveragePoint *pts;
	Datum	   *elems;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (!calib_rows_final(fcinfo, &s, NULL))
		PG_RETURN_NULL();
	elemtype = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	if (!OidIsValid(elemtype))
		elog(ERROR, "calib: risk_coverage must return an array of calib.coverage_point");
	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	npoints = calib_coverage_points(&s);
	if ((Size) npoints > MaxAllocSize / sizeof(Datum))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct confidences for one risk-coverage array: " INT64_FORMAT, npoints)));
	pts = palloc_extended(npoints * sizeof(CalibCoveragePoint), MCXT_ALLOC_HUGE);
	calib_risk_coverage(&s, pts);
	elems = palloc_extended(npoints * sizeof(Datum), MCXT_ALLOC_HUGE);
	for (int64 k = 0; k < npoints; k++)
		elems[k] = coverage_point_datum(tupdesc, &pts[k]);
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, (int) npoints, elemtype, typlen, typbyval, typalign));
}

PG_FUNCTION_INFO_V1(calib_aurc_final);
Datum
calib_aurc_final(PG_FUNCTION_ARGS)
{
	return calib_rows_metric_final(fcinfo, calib_aurc);
}

PG_FUNCTION_INFO_V1(calib_threshold_for_accuracy_final);
Datum
calib_threshold_for_accuracy_final(PG_FUNCTION_ARGS)
{
	CalibScores s;
	CalibRowParams p;
	CalibCoveragePoint pt;
	TupleDesc	tupdesc;

	if (!calib_rows_final(fcinfo, &s, &p))
		PG_RETURN_NULL();
	if (!calib_threshold_for_accuracy(&s, p.target, &pt))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib: threshold_for_accuracy must return a composite");
	PG_RETURN_DATUM(coverage_point_datum(BlessTupleDesc(tupdesc), &pt));
}

/* ================================================ uncertainty of metrics */

/*
 * Percentile bootstrap: `resamples` resamples of n rows with replacement
 * from the canonical row order (bootstrap.h), the ECE of each, and the
 * (1 - level)/2 and (1 + level)/2 percentile_cont quantiles of those.
 */
PG_FUNCTION_INFO_V1(calib_ece_ci_final);
Datum
calib_ece_ci_final(PG_FUNCTION_ARGS)
{
	CalibScores s;
	CalibRowParams p;
	CalibBinAcc *acc;
	CalibBinnedError err;
	CalibBootstrap bs;
	uint32	   *count;
	int64	   *start;
	double	   *eces;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (!calib_rows_final(fcinfo, &s, &p))
		PG_RETURN_NULL();
	acc = palloc0(sizeof(CalibBinAcc) * p.bins);
	for (int64 j = 0; j < s.npos; j++)
		calib_bins_add(acc, p.bins, s.pos[j], true);
	for (int64 j = 0; j < s.nneg; j++)
		calib_bins_add(acc, p.bins, s.neg[j], false);
	calib_binned_error(acc, p.bins, &err);

	count = palloc_extended((s.npos + s.nneg) * sizeof(uint32), MCXT_ALLOC_HUGE);
	start = palloc(2 * (p.bins + 1) * sizeof(int64));
	eces = palloc(p.resamples * sizeof(double));
	calib_bootstrap_init(&bs, &s, p.bins, (uint64) p.seed, count, start, acc);
	for (int r = 0; r < p.resamples; r++)
	{
		CHECK_FOR_INTERRUPTS();
		eces[r] = calib_bootstrap_ece(&bs);
	}
	qsort(eces, p.resamples, sizeof(double), calib_cmp_double);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib: ece_ci must return a composite");
	values[0] = Float8GetDatum(err.ece);
	values[1] = Float8GetDatum(calib_percentile_sorted(eces, p.resamples, (1.0 - p.level) / 2.0));
	values[2] = Float8GetDatum(calib_percentile_sorted(eces, p.resamples, (1.0 + p.level) / 2.0));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

PG_FUNCTION_INFO_V1(calib_smooth_ece_final);
Datum
calib_smooth_ece_final(PG_FUNCTION_ARGS)
{
	CalibScores s;
	double		sigma;
	double	   *work;

	if (!calib_rows_final(fcinfo, &s, NULL))
		PG_RETURN_NULL();
	work = palloc(CALIB_SMECE_WORK * sizeof(double));
	PG_RETURN_FLOAT8(calib_smooth_ece(&s, &sigma, work));
}
