/*
 * pg_multiclass.c -- glue for probability vectors (docs/multiclass.md):
 * the state type calib.vector_state, the aggregates over (probs, label)
 * (top-label ece/mce/reliability/auroc, classwise_ece, full_ece, brier,
 * nll), calib.softmax, calib.fit_temperature over logit vectors and
 * calib.apply(map, logits).  The numbers are in multiclass.c, binning.c,
 * scores.c and recal.c.
 *
 * Every vector argument may be double precision[] or real[]: the element
 * type is read from the array, so one C function serves both SQL
 * signatures.
 */
#include "pg_calib.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "multiclass.h"
#include "pg_binned.h"
#include "pg_logprob.h"
#include "pg_recal.h"
#include "pg_scores.h"

/* ======================================================= vector input */

/*
 * What a call site keeps across rows in fn_extra: the bin edges of the last
 * bin count and a buffer for real[] input converted to double.
 */
typedef struct VecCache
{
	bool		agg_known;		/* in_agg is set */
	bool		in_agg;			/* this call site runs as an aggregate */
	int			bins;
	double	   *edge;
	int			cap;
	double	   *buf;
} VecCache;

static VecCache *
vec_cache(FunctionCallInfo fcinfo)
{
	VecCache   *c = (VecCache *) fcinfo->flinfo->fn_extra;

	if (unlikely(c == NULL))
		c = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(VecCache));
	return c;
}

static const double *
cached_edges(VecCache *c, FunctionCallInfo fcinfo, int bins)
{
	if (unlikely(c->bins != bins))
	{
		if (c->edge)
			pfree(c->edge);
		c->edge = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * (bins + 1));
		calib_bin_edges(bins, c->edge);
		c->bins = bins;
	}
	return c->edge;
}

/* The 1-based position of the first NULL element of a. */
static int
first_null(ArrayType *a, int n)
{
	bits8	   *bitmap = ARR_NULLBITMAP(a);

	for (int i = 0; i < n; i++)
		if (!(bitmap[i / 8] & (1 << (i % 8))))
			return i + 1;
	return 0;
}

/*
 * Arrays short enough for a 1-byte varlena header (at most 13 doubles or
 * 26 floats) are stored that way in a table, and detoasting would copy
 * each one into a new 4-byte-header array on every row.  Such an array is
 * read in place instead: the bytes after the header are the same as in the
 * 4-byte form, only shifted by 3, so the elements start at
 * ARR_OVERHEAD_NONULLS(1) - 3 bytes into the data (memcpy: they are not
 * aligned).  Arrays with NULLs, other shapes and long arrays take the
 * general path.
 */
#define VEC_SMALL 32

static inline bool
short_array(struct varlena *v, Oid *elemtype, int *n, const char **data)
{
	const char *p = VARDATA_SHORT(v);
	Size		len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT;
	int32		hdr[4];			/* ndim, dataoffset, elemtype, dims[0] */
	Size		off = ARR_OVERHEAD_NONULLS(1) - VARHDRSZ,
				width;

	if (len < sizeof hdr)
		return false;
	memcpy(hdr, p, sizeof hdr);
	if (hdr[0] != 1 || hdr[1] != 0 || hdr[3] < 1 || hdr[3] > VEC_SMALL)
		return false;
	width = (Oid) hdr[2] == FLOAT8OID ? 8 : (Oid) hdr[2] == FLOAT4OID ? 4 : 0;
	if (width == 0 || len != off + width * (Size) hdr[3])
		return false;
	*elemtype = (Oid) hdr[2];
	*n = hdr[3];
	*data = p + off;
	return true;
}

/*
 * Array argument argno as doubles: one-dimensional, non-empty, no NULL
 * element.  Short arrays are copied into small (VEC_SMALL doubles, the
 * caller's); real[] is converted into the call site's buffer (c NULL: into
 * memory of the current context, reset after each row).  what names the
 * argument ("probs", "logits") in messages.
 */
static const double *
vec_arg(FunctionCallInfo fcinfo, VecCache *c, int argno, const char *what, int *k, double *small)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	ArrayType  *a;
	int			n;

	if (likely(VARATT_IS_SHORT(v)))
	{
		Oid			elemtype;
		const char *data;

		if (likely(short_array(v, &elemtype, &n, &data)))
		{
			*k = n;
			if (elemtype == FLOAT8OID)
				memcpy(small, data, sizeof(double) * n);
			else
			{
				float		f[VEC_SMALL];

				memcpy(f, data, sizeof(float) * n);
				for (int i = 0; i < n; i++)
					small[i] = f[i];
			}
			return small;
		}
	}
	a = DatumGetArrayTypeP(PG_GETARG_DATUM(argno));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 ARR_NDIM(a) == 0 ? errmsg("%s is an empty array", what)
				 : errmsg("%s must be a one-dimensional array, got %d dimensions", what, ARR_NDIM(a))));
	n = ARR_DIMS(a)[0];
	if (ARR_HASNULL(a))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: element %d is NULL", what, first_null(a, n))));
	*k = n;
	if (ARR_ELEMTYPE(a) == FLOAT8OID)
		return (const double *) ARR_DATA_PTR(a);
	if (ARR_ELEMTYPE(a) != FLOAT4OID)
		elog(ERROR, "calib: %s must be double precision[] or real[]", what);
	if (c == NULL)
	{
		const float *f = (const float *) ARR_DATA_PTR(a);
		double	   *buf = palloc_extended(sizeof(double) * (Size) n, MCXT_ALLOC_HUGE);

		for (int i = 0; i < n; i++)
			buf[i] = f[i];
		return buf;
	}
	if (unlikely(c->cap < n))
	{
		if (c->buf)
			pfree(c->buf);
		c->cap = Max(n, 2 * c->cap);
		c->buf = MemoryContextAllocHuge(fcinfo->flinfo->fn_mcxt, sizeof(double) * (Size) c->cap);
	}
	{
		const float *f = (const float *) ARR_DATA_PTR(a);

		for (int i = 0; i < n; i++)
			c->buf[i] = f[i];
	}
	return c->buf;
}

pg_noreturn static void
vec_error(const char *msg);
static void
vec_error(const char *msg)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", msg)));
}

/* A validated probability vector; *sum gets its sum. */
static inline const double *
probs_arg(FunctionCallInfo fcinfo, VecCache *c, int argno, bool truncated_ok, int *k, double *sum,
		  double *small)
{
	const double *p = vec_arg(fcinfo, c, argno, "probs", k, small);
	char		err[CALIB_MC_ERRLEN];

	if (unlikely(calib_probs_check(p, *k, truncated_ok, sum, err, sizeof err) != NULL))
		vec_error(err);
	return p;
}

static inline int
label_arg(FunctionCallInfo fcinfo, int argno, int k, bool zero_ok)
{
	int32		label = PG_GETARG_INT32(argno);

	if (unlikely(label < (zero_ok ? 0 : 1) || label > k))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("label %d is outside %d..%d (the 1-based index of the correct option among %d)",
						label, zero_ok ? 0 : 1, k, k),
				 zero_ok ? errhint("Label 0 means the correct token is not among the given probabilities.") : 0));
	return label;
}

/* ================================================= calib.vector_state */

/* Stored: varlena header, 4 bytes of padding (zero), the CalibVecState
 * (its 64-bit words 8-aligned). */
#define PGVS_HDR 8
#define PGVS_BODY(p) ((CalibVecState *) ((char *) (p) + PGVS_HDR))

static struct varlena *
pgvs_alloc(MemoryContext ctx, int kind, int32 k, int32 bins)
{
	Size		body = calib_vs_size(kind, k, bins);
	struct varlena *v = MemoryContextAllocZero(ctx, PGVS_HDR + body);

	SET_VARSIZE(v, PGVS_HDR + body);
	calib_vs_init(PGVS_BODY(v), kind, k, bins);
	return v;
}

/* A state from a core state (malloc'd, freed here). */
static struct varlena *
pgvs_from(CalibVecState *st)
{
	Size		body = calib_vs_size(st->kind, st->k, st->bins);
	struct varlena *v = palloc0(PGVS_HDR + body);

	SET_VARSIZE(v, PGVS_HDR + body);
	memcpy(PGVS_BODY(v), st, body);
	free(st);
	return v;
}

/* The O(1) checks that keep the code in bounds on a stored value. */
static CalibVecState *
pgvs_checked(struct varlena *v)
{
	CalibVecState *st = PGVS_BODY(v);

	if (VARSIZE(v) < PGVS_HDR + offsetof(CalibVecState, w) ||
		calib_vs_words(st->kind, st->k, st->bins) == 0 ||
		VARSIZE(v) != PGVS_HDR + calib_vs_size(st->kind, st->k, st->bins))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt calib.vector_state value")));
	return st;
}

/*
 * Argument argno as a state.  The aggregate's own running state (created
 * here in the aggregate context) is used in place; anything in another
 * form (short header, compressed, a value from a table) is detoasted.
 */
static struct varlena *
pgvs_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));

	if (unlikely(VARATT_IS_EXTENDED(v)))
		v = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	pgvs_checked(v);
	return v;
}

pg_noreturn static void
state_error(const char *msg, bool syntax, const char *what);
static void
state_error(const char *msg, bool syntax, const char *what)
{
	ereport(ERROR,
			(errcode(strcmp(msg, "out of memory") == 0 ? ERRCODE_OUT_OF_MEMORY :
					 syntax ? ERRCODE_INVALID_TEXT_REPRESENTATION : ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s for type calib.vector_state: %s", what, msg)));
}

PG_FUNCTION_INFO_V1(calib_vector_state_in);
Datum
calib_vector_state_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);
	char		err[CALIB_MC_ERRLEN];
	CalibVecState *st;
	bool		syntax;
	const char *msg = calib_vs_from_text(s, strlen(s), &st, &syntax, err, sizeof err);

	if (msg != NULL)
		state_error(msg, syntax, "input");
	PG_RETURN_POINTER(pgvs_from(st));
}

PG_FUNCTION_INFO_V1(calib_vector_state_out);
Datum
calib_vector_state_out(PG_FUNCTION_ARGS)
{
	char	   *s = calib_vs_to_text(pgvs_checked(PG_GETARG_VARLENA_P(0)));
	char	   *out;

	if (s == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	out = pstrdup(s);
	free(s);
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(calib_vector_state_recv);
Datum
calib_vector_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	char		err[CALIB_MC_ERRLEN];
	CalibVecState *st;
	const char *msg = calib_vs_from_wire((const unsigned char *) buf->data + buf->cursor,
										 (size_t) (buf->len - buf->cursor), &st, err, sizeof err);

	if (msg != NULL)
		state_error(msg, true, "binary input");
	buf->cursor = buf->len;
	PG_RETURN_POINTER(pgvs_from(st));
}

PG_FUNCTION_INFO_V1(calib_vector_state_send);
Datum
calib_vector_state_send(PG_FUNCTION_ARGS)
{
	const CalibVecState *st = pgvs_checked(PG_GETARG_VARLENA_P(0));
	Size		len = calib_vs_wire_size(st);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	calib_vs_to_wire(st, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/* ======================================================== transitions */

pg_noreturn static void
full_state_error(void);
static void
full_state_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("calib.vector_state: a count or sum is out of range")));
}

pg_noreturn static void
shape_mismatch(const CalibVecState *a, int32 k, int32 bins);
static void
shape_mismatch(const CalibVecState *a, int32 k, int32 bins)
{
	if (a->bins != bins)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be the same for every row of a group, got %d and %d",
						a->bins, bins)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("every row of a calib.classwise_ece group must have the same number of options, got %d and %d",
					a->k, k)));
}

/*
 * The running state of a transition: argument 0 in place when called as an
 * aggregate, a copy otherwise; a new one (in the aggregate context) for the
 * first row.  Checks the shape.
 */
static CalibVecState *running_state_slow(FunctionCallInfo fcinfo, VecCache *c, int kind,
										 int32 k, int32 bins, struct varlena **out);

/* The common case inline: an aggregate's own running state of the right
 * shape (created by running_state_slow or copied by the combine function in
 * the aggregate context: a plain 4-byte-header varlena). */
static inline CalibVecState *
running_state(FunctionCallInfo fcinfo, VecCache *c, int kind, int32 k, int32 bins,
			  struct varlena **out)
{
	if (likely(c->agg_known && c->in_agg && !PG_ARGISNULL(0)))
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(0));
		CalibVecState *st = PGVS_BODY(v);

		if (likely(st->kind == kind && st->k == k && st->bins == bins))
		{
			*out = v;
			return st;
		}
	}
	return running_state_slow(fcinfo, c, kind, k, bins, out);
}

static CalibVecState *
running_state_slow(FunctionCallInfo fcinfo, VecCache *c, int kind, int32 k, int32 bins,
				   struct varlena **out)
{
	MemoryContext aggctx;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggctx);
	struct varlena *v;
	CalibVecState *st;

	c->agg_known = true;
	c->in_agg = in_agg;

	if (PG_ARGISNULL(0))
	{
		if (kind == CALIB_VS_CLASSWISE && calib_vs_words(kind, k, bins) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calib.classwise_ece keeps options x bins = %lld accumulators, more than %d",
							(long long) k * bins, CALIB_VS_MAX_CELLS)));
		/* the current (per-row) context: the executor copies a new state
		 * into the aggregate context itself (docs/development.md) */
		v = pgvs_alloc(CurrentMemoryContext, kind, k, bins);
	}
	else
	{
		v = pgvs_arg(fcinfo, 0);
		if (!in_agg)
		{
			struct varlena *copy = palloc(VARSIZE(v));

			memcpy(copy, v, VARSIZE(v));
			v = copy;
		}
	}
	st = PGVS_BODY(v);
	if (unlikely(st->kind != kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected a %s state, got a %s state",
						calib_vs_kind_name(kind), calib_vs_kind_name(st->kind))));
	if (unlikely(st->k != k || st->bins != bins))
		shape_mismatch(st, k, bins);
	*out = v;
	return st;
}

/* bins: argument 3 when given (checked on every row, before the NULL-row
 * skip, as the binary aggregates), else 10 */
static inline int
bins_of(FunctionCallInfo fcinfo)
{
	return PG_NARGS() > 3 ? calib_bins_arg(fcinfo, 3) : CALIB_DEFAULT_BINS;
}

#define SKIP_NULL_ROW() \
	do { if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) { \
		if (PG_ARGISNULL(0)) PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); } } while (0)

/*
 * Top-label: (max probs, argmax = label) as one row of the binary binned
 * aggregates' calib.binned_state (pg_binned.h), whose combine and finals
 * (calib._ece_final, _mce_final, _reliability_final) the SQL reuses.  That
 * API keeps its call site data in fn_extra, so real[] input is converted
 * into the per-row memory here.
 */
PG_FUNCTION_INFO_V1(calib_vec_toplabel_trans);
Datum
calib_vec_toplabel_trans(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	int			bins = bins_of(fcinfo);
	const double *p;
	double		sum;
	int			k,
				label,
				top;
	CalibBinnedState *st;

	SKIP_NULL_ROW();
	p = probs_arg(fcinfo, NULL, 1, false, &k, &sum, small);
	label = label_arg(fcinfo, 2, k, false);
	top = calib_argmax(p, k);
	st = calib_binned_state_for_update(fcinfo, bins);
	calib_binned_add(fcinfo, st, calib_prob_clamp(p[top]), top == label - 1, 1);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_vec_classwise_trans);
Datum
calib_vec_classwise_trans(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	int			bins = bins_of(fcinfo);
	VecCache   *c = vec_cache(fcinfo);
	const double *p;
	double		sum;
	int			k,
				label;
	struct varlena *v;
	CalibVecState *st;

	SKIP_NULL_ROW();
	p = probs_arg(fcinfo, c, 1, false, &k, &sum, small);
	label = label_arg(fcinfo, 2, k, false);
	st = running_state(fcinfo, c, CALIB_VS_CLASSWISE, k, bins, &v);
	if (!calib_vs_add_classwise(st, p, label, cached_edges(c, fcinfo, bins)))
		full_state_error();
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(calib_vec_full_trans);
Datum
calib_vec_full_trans(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	int			bins = bins_of(fcinfo);
	VecCache   *c = vec_cache(fcinfo);
	const double *p;
	double		sum;
	int			k,
				label;
	char		err[CALIB_MC_ERRLEN];
	struct varlena *v;
	CalibVecState *st;

	SKIP_NULL_ROW();
	p = probs_arg(fcinfo, c, 1, true, &k, &sum, small);
	label = label_arg(fcinfo, 2, k, true);
	if (unlikely(calib_full_row_check(p, k, sum, label, bins, err, sizeof err) != NULL))
		vec_error(err);
	st = running_state(fcinfo, c, CALIB_VS_FULL, 0, bins, &v);
	if (!calib_vs_add_full(st, p, k, label, cached_edges(c, fcinfo, bins)))
		full_state_error();
	PG_RETURN_POINTER(v);
}

static inline Datum
term_transition(FunctionCallInfo fcinfo, int kind)
{
	double		small[VEC_SMALL];
	VecCache   *c = vec_cache(fcinfo);
	const double *p;
	double		sum;
	int			k,
				label;
	struct varlena *v;
	CalibVecState *st;

	SKIP_NULL_ROW();
	p = probs_arg(fcinfo, c, 1, false, &k, &sum, small);
	label = label_arg(fcinfo, 2, k, false);
	st = running_state(fcinfo, c, kind, 0, 0, &v);
	if (!calib_vs_add_term(st, kind == CALIB_VS_BRIER ? calib_vec_brier_term(p, k, label)
						   : calib_vec_nll_term(p, k, label)))
		full_state_error();
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(calib_vec_brier_trans);
Datum
calib_vec_brier_trans(PG_FUNCTION_ARGS)
{
	return term_transition(fcinfo, CALIB_VS_BRIER);
}

PG_FUNCTION_INFO_V1(calib_vec_nll_trans);
Datum
calib_vec_nll_trans(PG_FUNCTION_ARGS)
{
	return term_transition(fcinfo, CALIB_VS_NLL);
}

PG_FUNCTION_INFO_V1(calib_vec_combine);
Datum
calib_vec_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggctx);
	struct varlena *a,
			   *b;
	CalibVecState *sa,
			   *sb;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = pgvs_arg(fcinfo, 1);
	sb = PGVS_BODY(b);
	if (PG_ARGISNULL(0) || !in_agg)
	{
		/* a copy: of b for the first partial state, of a outside an aggregate */
		struct varlena *src = PG_ARGISNULL(0) ? b : pgvs_arg(fcinfo, 0);

		a = palloc(VARSIZE(src));	/* per-row: the executor reparents it */
		memcpy(a, src, VARSIZE(src));
		if (PG_ARGISNULL(0))
			PG_RETURN_POINTER(a);
	}
	else
		a = pgvs_arg(fcinfo, 0);
	sa = PGVS_BODY(a);
	if (!calib_vs_same_shape(sa, sb))
	{
		if (sa->kind != sb->kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot combine a %s state with a %s state",
							calib_vs_kind_name(sa->kind), calib_vs_kind_name(sb->kind))));
		shape_mismatch(sa, sb->k, sb->bins);
	}
	if (!calib_vs_merge(sa, sb))
		full_state_error();
	PG_RETURN_POINTER(a);
}

/* ============================================================= finals */

static const CalibVecState *
final_state(FunctionCallInfo fcinfo, int kind)
{
	const CalibVecState *st;

	if (PG_ARGISNULL(0))
		return NULL;
	st = pgvs_checked(PG_DETOAST_DATUM(PG_GETARG_DATUM(0)));
	if (st->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected a %s state, got a %s state",
						calib_vs_kind_name(kind), calib_vs_kind_name(st->kind))));
	return st->n > 0 ? st : NULL;
}

PG_FUNCTION_INFO_V1(calib_vec_classwise_ece_final);
Datum
calib_vec_classwise_ece_final(PG_FUNCTION_ARGS)
{
	const CalibVecState *st = final_state(fcinfo, CALIB_VS_CLASSWISE);

	if (st == NULL)
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_vs_classwise_ece(st));
}

PG_FUNCTION_INFO_V1(calib_vec_full_ece_final);
Datum
calib_vec_full_ece_final(PG_FUNCTION_ARGS)
{
	const CalibVecState *st = final_state(fcinfo, CALIB_VS_FULL);

	if (st == NULL)
		PG_RETURN_NULL();
	CALIB_RETURN_FLOAT8_OR_NULL(calib_vs_full_ece(st));
}

PG_FUNCTION_INFO_V1(calib_vec_brier_final);
Datum
calib_vec_brier_final(PG_FUNCTION_ARGS)
{
	const CalibVecState *st = final_state(fcinfo, CALIB_VS_BRIER);

	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(calib_vs_mean(st));
}

PG_FUNCTION_INFO_V1(calib_vec_nll_final);
Datum
calib_vec_nll_final(PG_FUNCTION_ARGS)
{
	const CalibVecState *st = final_state(fcinfo, CALIB_VS_NLL);

	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(calib_vs_mean(st));
}

/* ====================================================== calib.auroc */

/* (max p, argmax = label) into pg_scores.c's keep-every-row state: the
 * state, combine, serialize and final of the binary calib.auroc. */
PG_FUNCTION_INFO_V1(calib_vec_auroc_trans);
Datum
calib_vec_auroc_trans(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	VecCache   *c = vec_cache(fcinfo);
	CalibRowParams params;
	const double *p;
	double		sum;
	int			k,
				label,
				top;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
	p = probs_arg(fcinfo, c, 1, false, &k, &sum, small);
	label = label_arg(fcinfo, 2, k, false);
	top = calib_argmax(p, k);
	memset(&params, 0, sizeof params);
	params.bins = CALIB_DEFAULT_BINS;	/* what calib.auroc's own rows carry */
	return calib_rows_add(fcinfo, &calib_scores_kind, &params,
						  calib_prob_clamp(p[top]), top == label - 1);
}

/* ============================================== softmax and the map */

static double
temperature_arg(FunctionCallInfo fcinfo, int argno)
{
	double		t = PG_GETARG_FLOAT8(argno);

	if (!(isfinite(t) && t > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("temperature must be a finite number > 0, got %s", float8out_internal(t))));
	return t;
}

static const double *
logits_arg(FunctionCallInfo fcinfo, VecCache *c, int argno, int *k, double *small)
{
	const double *z = vec_arg(fcinfo, c, argno, "logits", k, small);
	char		err[CALIB_MC_ERRLEN];

	if (calib_logits_check(z, *k, err, sizeof err) != NULL)
		vec_error(err);
	return z;
}

static Datum
softmax_datum(const double *z, int k, double t)
{
	ArrayType  *r = calib_new_float8_array(1, &k);

	calib_softmax(z, k, t, (double *) ARR_DATA_PTR(r));
	PG_RETURN_ARRAYTYPE_P(r);
}

PG_FUNCTION_INFO_V1(calib_softmax_sql);
Datum
calib_softmax_sql(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	double		t = PG_NARGS() > 1 ? temperature_arg(fcinfo, 1) : 1.0;
	int			k;
	const double *z = logits_arg(fcinfo, vec_cache(fcinfo), 0, &k, small);

	return softmax_datum(z, k, t);
}

/* calib.apply(map, logits): the map cache of pg_recal.c owns fn_extra, so
 * real[] logits are converted into a local buffer here. */
PG_FUNCTION_INFO_V1(calib_map_apply_vector_sql);
Datum
calib_map_apply_vector_sql(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	const CalibMap *m = pgmap_get_cached(fcinfo, PG_GETARG_DATUM(0));
	VecCache	local = {0};
	int			k;
	const double *z;

	if (!calib_map_is_vector(m->kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s map applies to one confidence, not to a vector of logits",
						calib_map_kind_name(m->kind)),
				 errhint("Fit a map for logit vectors with calib.fit_temperature(logits double precision[], label integer).")));
	z = logits_arg(fcinfo, &local, 1, &k, small);
	return softmax_datum(z, k, m->v[0]);
}

/* ============================================ calib.fit_temperature */

/*
 * Keeps every row: the logits of all rows back to back, each row's end
 * offset and label.  Internal (its size grows with the rows), serialised
 * for parallel workers as counts plus the three arrays.
 */
typedef struct FitState
{
	int64		nrows,
				nz,
				cap_rows,
				cap_z;
	double	   *z;
	int64	   *off;			/* nrows + 1 entries, off[0] = 0 */
	int32	   *label;
} FitState;

static FitState *
fit_new(MemoryContext ctx)
{
	FitState   *st = MemoryContextAllocZero(ctx, sizeof(FitState));

	st->cap_rows = 64;
	st->cap_z = 256;
	st->z = MemoryContextAlloc(ctx, st->cap_z * sizeof(double));
	st->off = MemoryContextAllocZero(ctx, (st->cap_rows + 1) * sizeof(int64));
	st->label = MemoryContextAlloc(ctx, st->cap_rows * sizeof(int32));
	return st;
}

static void
fit_reserve(FitState *st, int64 rows, int64 values)
{
	if (st->nrows + rows > st->cap_rows)
	{
		while (st->nrows + rows > st->cap_rows)
			st->cap_rows *= 2;
		if ((Size) st->cap_rows * sizeof(int64) > MaxAllocHugeSize / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many rows for calib.fit_temperature")));
		st->off = repalloc_huge(st->off, (st->cap_rows + 1) * sizeof(int64));
		st->label = repalloc_huge(st->label, st->cap_rows * sizeof(int32));
	}
	if (st->nz + values > st->cap_z)
	{
		while (st->nz + values > st->cap_z)
			st->cap_z *= 2;
		if ((Size) st->cap_z * sizeof(double) > MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many logits for calib.fit_temperature")));
		st->z = repalloc_huge(st->z, st->cap_z * sizeof(double));
	}
}

/* Appends rows (their logits z[0 .. off[rows]), offsets relative to z). */
static void
fit_append(FitState *st, const double *z, const int64 *off, const int32 *label, int64 rows)
{
	int64		values = off[rows] - off[0];

	fit_reserve(st, rows, values);
	memcpy(st->z + st->nz, z + off[0], values * sizeof(double));
	for (int64 i = 0; i < rows; i++)
	{
		st->label[st->nrows + i] = label[i];
		st->off[st->nrows + i + 1] = st->nz + (off[i + 1] - off[0]);
	}
	st->nrows += rows;
	st->nz += values;
}

PG_FUNCTION_INFO_V1(calib_vec_fit_trans);
Datum
calib_vec_fit_trans(PG_FUNCTION_ARGS)
{
	double		small[VEC_SMALL];
	MemoryContext ctx = calib_agg_context(fcinfo, "calib.fit_temperature");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	VecCache   *c = vec_cache(fcinfo);
	const double *z;
	int			k;
	int32		label;
	int64		off[2];

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		CALIB_RETURN_STATE(st);
	z = logits_arg(fcinfo, c, 1, &k, small);
	label = label_arg(fcinfo, 2, k, false);
	if (isinf(z[label - 1]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the logit of the correct option (%d) is -Infinity: its probability is 0 at every temperature",
						label)));
	if (st == NULL)
		st = fit_new(ctx);
	off[0] = 0;
	off[1] = k;
	fit_append(st, z, off, &label, 1);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_vec_fit_combine);
Datum
calib_vec_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib._vec_fit_combine");
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		CALIB_RETURN_STATE(a);
	if (a == NULL)
		a = fit_new(ctx);
	fit_append(a, b->z, b->off, b->label, b->nrows);
	PG_RETURN_POINTER(a);
}

/* Wire: int64 nrows, int64 nz, then the nrows + 1 offsets, the nrows labels
 * (padded to 8 bytes) and the nz logits; same server, native byte order. */
PG_FUNCTION_INFO_V1(calib_vec_fit_serialize);
Datum
calib_vec_fit_serialize(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	Size		lab = MAXALIGN(st->nrows * sizeof(int32)),
				len = 16 + (st->nrows + 1) * sizeof(int64) + lab + st->nz * sizeof(double);
	bytea	   *out;
	char	   *p;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.fit_temperature state too large to pass between parallel workers"),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	out = palloc0(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	p = VARDATA(out);
	memcpy(p, &st->nrows, 8);
	memcpy(p + 8, &st->nz, 8);
	p += 16;
	memcpy(p, st->off, (st->nrows + 1) * sizeof(int64));
	p += (st->nrows + 1) * sizeof(int64);
	memcpy(p, st->label, st->nrows * sizeof(int32));
	p += lab;
	memcpy(p, st->z, st->nz * sizeof(double));
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(calib_vec_fit_deserialize);
Datum
calib_vec_fit_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = calib_agg_context(fcinfo, "calib._vec_fit_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	int64		nrows,
				nz;
	int64	   *off;
	int32	   *label;
	double	   *z;
	Size		lab;
	FitState   *st;

	if (len < 16)
		elog(ERROR, "calib: truncated fit_temperature state");
	memcpy(&nrows, p, 8);
	memcpy(&nz, p + 8, 8);
	if (nrows < 0 || nz < 0 || nrows > (int64) (len / 12) || nz > (int64) (len / 8))
		elog(ERROR, "calib: corrupt fit_temperature state");
	lab = MAXALIGN(nrows * sizeof(int32));
	if (len != 16 + (nrows + 1) * sizeof(int64) + lab + nz * sizeof(double))
		elog(ERROR, "calib: corrupt fit_temperature state");
	/* copies: the payload need not be aligned */
	off = palloc((nrows + 1) * sizeof(int64));
	label = palloc(Max(nrows, 1) * sizeof(int32));
	z = palloc_extended(Max(nz, 1) * sizeof(double), MCXT_ALLOC_HUGE);
	memcpy(off, p + 16, (nrows + 1) * sizeof(int64));
	memcpy(label, p + 16 + (nrows + 1) * sizeof(int64), nrows * sizeof(int32));
	memcpy(z, p + 16 + (nrows + 1) * sizeof(int64) + lab, nz * sizeof(double));
	if (off[0] != 0 || off[nrows] != nz)
		elog(ERROR, "calib: corrupt fit_temperature state");
	for (int64 i = 0; i < nrows; i++)
		if (off[i + 1] <= off[i] || off[i + 1] - off[i] > PG_INT32_MAX ||
			label[i] < 1 || label[i] > off[i + 1] - off[i])
			elog(ERROR, "calib: corrupt fit_temperature state");
	st = fit_new(ctx);
	fit_append(st, z, off, label, nrows);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(calib_vec_fit_temperature_final);
Datum
calib_vec_fit_temperature_final(PG_FUNCTION_ARGS)
{
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	CalibLogitRows rows;
	CalibMap   *m;
	const char *msg;

	if (st == NULL || st->nrows == 0)
		PG_RETURN_NULL();
	rows.z = st->z;
	rows.off = st->off;
	rows.label = st->label;
	rows.nrows = st->nrows;
	msg = calib_fit_vector_temperature(&rows, &m);
	if (msg != NULL)
	{
		if (strcmp(msg, "out of memory") == 0)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("calib.fit_temperature: %s", msg),
				 errhint("See docs/multiclass.md: degenerate data.")));
	}
	PG_RETURN_POINTER(pgmap_from(m));
}
