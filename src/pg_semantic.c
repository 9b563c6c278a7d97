/*
 * pg_semantic.c -- calib.semantic_entropy, calib.semantic_clusters,
 * calib.semantic_agreement and calib.semantic_labels: argument checks, the
 * two state types (calib.semantic_entropy_state, calib.semantic_state) and
 * their I/O.  Cores in src/semantic.c; docs/semantic.md.
 *
 * Both states keep every row of the group in one varlena with spare
 * capacity.  Inside an aggregate the transition function appends in place
 * and returns the same pointer.  The entropy state, when full, returns a
 * copy with twice the capacity (allocated in the per-row context: the
 * executor copies it into the aggregate context and frees the old state
 * itself).  The embedding state (15 kB for 10 answers of 384 floats) is an
 * expanded object instead, grown in place, so that it is never copied
 * whole (see SemExp below).  Called outside an aggregate both copy first.
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "semantic.h"

#define SE_TEXT_TAG "se1:"
#define SM_TEXT_TAG "sm1:"

/* ------------------------------------------------ semantic entropy state */

typedef struct SeState
{
	int32		vl_len_;
	uint8		magic;			/* 'e' */
	uint8		flags;			/* CALIB_SE_WEIGHTED */
	uint16		pad0;
	int32		pad1;
	int64		n;
	int64		cap;
	CalibSeEntry e[FLEXIBLE_ARRAY_MEMBER];
} SeState;

#define SE_SIZE(cap) (offsetof(SeState, e) + (size_t) (cap) * sizeof(CalibSeEntry))
#define SE_MAX_CAP ((int64) ((MaxAllocSize - offsetof(SeState, e)) / sizeof(CalibSeEntry)))

static SeState *
se_alloc(uint8 flags, int64 cap)
{
	SeState    *s;

	if (cap > SE_MAX_CAP)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.semantic_entropy: a group of more than %lld answers exceeds 1 GB",
						(long long) SE_MAX_CAP)));
	s = palloc(SE_SIZE(cap));
	SET_VARSIZE(s, SE_SIZE(cap));
	s->magic = 'e';
	s->flags = flags;
	s->pad0 = 0;
	s->pad1 = 0;
	s->n = 0;
	s->cap = cap;
	return s;
}

/* A state argument as a readable pointer (detoasted if need be). */
static SeState *
se_arg(FunctionCallInfo fcinfo, int argno)
{
	return (SeState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
}

/* The state to append `more` entries to: in place when it is the
 * aggregate's own and has room; otherwise a copy with room. */
static SeState *
se_for_update(FunctionCallInfo fcinfo, uint8 flags, int64 more)
{
	SeState    *old;
	SeState    *s;
	int64		cap;

	if (PG_ARGISNULL(0))
		return se_alloc(flags, Max(more, 8));
	old = (SeState *) DatumGetPointer(PG_GETARG_DATUM(0));
	if (AggCheckCallContext(fcinfo, NULL) && !VARATT_IS_EXTENDED(old) &&
		old->n + more <= old->cap)
		return old;
	old = se_arg(fcinfo, 0);
	if (old->flags != flags)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.semantic_entropy: a weighted and an unweighted state cannot be combined")));
	cap = Max(old->cap, 4);
	while (cap < old->n + more)
		cap = cap > SE_MAX_CAP / 2 ? SE_MAX_CAP + 1 : cap * 2;
	s = se_alloc(flags, cap);
	s->n = old->n;
	memcpy(s->e, old->e, (size_t) old->n * sizeof(CalibSeEntry));
	return s;
}

static Datum
se_trans(FunctionCallInfo fcinfo, bool weighted)
{
	SeState    *s;
	int64		id;
	double		lp = 0;

	if (PG_ARGISNULL(1) || (weighted && PG_ARGISNULL(2)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	id = PG_GETARG_INT64(1);
	if (weighted)
	{
		lp = PG_GETARG_FLOAT8(2);
		if (isnan(lp) || lp == get_float8_infinity())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("seq_logprob must be finite or -Infinity, got %s",
							float8out_internal(lp))));
		lp += 0.0;				/* -0 is 0 */
	}
	s = se_for_update(fcinfo, weighted ? CALIB_SE_WEIGHTED : 0, 1);
	s->e[s->n].id = id;
	s->e[s->n].lp = lp;
	s->n++;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_trans);
Datum
calib_semantic_entropy_trans(PG_FUNCTION_ARGS)
{
	return se_trans(fcinfo, false);
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_trans_weighted);
Datum
calib_semantic_entropy_trans_weighted(PG_FUNCTION_ARGS)
{
	return se_trans(fcinfo, true);
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_combine);
Datum
calib_semantic_entropy_combine(PG_FUNCTION_ARGS)
{
	SeState    *b,
			   *s;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = se_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
	{
		s = se_alloc(b->flags, Max(b->n, 1));
		s->n = b->n;
		memcpy(s->e, b->e, (size_t) b->n * sizeof(CalibSeEntry));
		PG_RETURN_POINTER(s);
	}
	s = se_for_update(fcinfo, b->flags, b->n);
	memcpy(s->e + s->n, b->e, (size_t) b->n * sizeof(CalibSeEntry));
	s->n += b->n;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_final);
Datum
calib_semantic_entropy_final(PG_FUNCTION_ARGS)
{
	SeState    *s;
	CalibSeEntry *e;
	CalibSeMass *scratch;
	uint64		clusters;
	double		h;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = se_arg(fcinfo, 0);
	if (s->n == 0)
		PG_RETURN_NULL();
	/* sorted on a copy: the final function leaves the state as it is */
	e = palloc((size_t) s->n * sizeof(CalibSeEntry));
	memcpy(e, s->e, (size_t) s->n * sizeof(CalibSeEntry));
	scratch = palloc((size_t) s->n * sizeof(CalibSeMass));
	h = calib_se_entropy(e, (uint64) s->n, (s->flags & CALIB_SE_WEIGHTED) != 0, &clusters, scratch);
	pfree(e);
	pfree(scratch);
	CALIB_RETURN_FLOAT8_OR_NULL(h);
}

/* ---- I/O: the wire form, and the text form "se1:" + hex of it */

static Datum
se_from_wire(const uint8 *in, size_t len)
{
	char		err[CALIB_SEM_ERRLEN];
	uint8		flags;
	uint64		n;
	SeState    *s;

	if (!calib_se_wire_check(in, len, &flags, &n, err, sizeof err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type calib.semantic_entropy_state: %s", err)));
	s = se_alloc(flags, (int64) n);
	s->n = (int64) n;
	calib_se_wire_decode(in, flags, n, s->e);
	return PointerGetDatum(s);
}

static bytea *
se_to_wire(SeState *s)
{
	size_t		len = calib_se_wire_size(s->flags, (uint64) s->n);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	calib_se_to_wire(s->flags, s->e, (uint64) s->n, (uint8 *) VARDATA(out));
	return out;
}

/* "<tag><hex>": the wire bytes, or an error naming the problem */
static uint8 *
hex_body(const char *str, const char *tag, const char *type, size_t *len)
{
	size_t		tl = strlen(tag),
				sl = strlen(str);
	uint8	   *bytes;

	if (sl < tl || memcmp(str, tag, tl) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type %s: must start with \"%s\"", type, tag)));
	if ((sl - tl) % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type %s: odd number of hexadecimal digits", type)));
	*len = (sl - tl) / 2;
	bytes = palloc(*len + 1);
	if (!calib_hex_decode(str + tl, *len, bytes))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type %s: not a hexadecimal digit", type)));
	return bytes;
}

static char *
hex_text(const char *tag, const bytea *wire)
{
	size_t		len = VARSIZE(wire) - VARHDRSZ,
				tl = strlen(tag);
	char	   *out = palloc(tl + 2 * len + 1);

	memcpy(out, tag, tl);
	calib_hex_encode((const uint8 *) VARDATA(wire), len, out + tl);
	out[tl + 2 * len] = '\0';
	return out;
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_state_in);
Datum
calib_semantic_entropy_state_in(PG_FUNCTION_ARGS)
{
	size_t		len;
	uint8	   *bytes = hex_body(PG_GETARG_CSTRING(0), SE_TEXT_TAG,
								 "calib.semantic_entropy_state", &len);

	return se_from_wire(bytes, len);
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_state_out);
Datum
calib_semantic_entropy_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(hex_text(SE_TEXT_TAG, se_to_wire(se_arg(fcinfo, 0))));
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_state_recv);
Datum
calib_semantic_entropy_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Datum		d = se_from_wire((const uint8 *) buf->data + buf->cursor,
								 (size_t) (buf->len - buf->cursor));

	buf->cursor = buf->len;
	return d;
}

PG_FUNCTION_INFO_V1(calib_semantic_entropy_state_send);
Datum
calib_semantic_entropy_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(se_to_wire(se_arg(fcinfo, 0)));
}

/* --------------------------------------------------- embedding state */

typedef struct SemState
{
	int32		vl_len_;
	uint8		magic;			/* 's' */
	uint8		elem;			/* 4 real, 8 double precision; 0 until the
								 * first embedding */
	uint8		flags;			/* CALIB_SEM_KEEPS_NULLS */
	uint8		pad0;
	uint32		dim;
	int32		pad1;
	double		threshold;
	int64		n;				/* rows with an embedding */
	int64		cap;
	int64		trailing;		/* NULL rows after the last embedding */
	/* rows from here: int64 nulls_before, then dim values */
} SemState;

#define SEM_ROWS(s) ((unsigned char *) (s) + sizeof(SemState))

StaticAssertDecl(sizeof(SemState) % 8 == 0, "rows must start 8-aligned");

static size_t
sem_size(int elem, uint32 dim, int64 cap)
{
	double		sz = (double) sizeof(SemState) + (double) cap * (double) calib_sem_stride(elem, dim);

	if (sz > (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.semantic: a group of %lld embeddings of dimension %u exceeds 1 GB",
						(long long) cap, dim)));
	return (size_t) sz;
}

static SemState *
sem_alloc(int elem, uint32 dim, uint8 flags, double threshold, int64 cap)
{
	size_t		size = sem_size(elem, dim, cap);
	SemState   *s = palloc(size);

	memset(s, 0, sizeof(SemState));
	SET_VARSIZE(s, size);
	s->magic = 's';
	s->elem = (uint8) elem;
	s->dim = dim;
	s->flags = flags;
	s->threshold = threshold;
	s->cap = cap;
	return s;
}

static SemState *
sem_arg(FunctionCallInfo fcinfo, int argno)
{
	return (SemState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
}

static void
sem_rows(const SemState *s, CalibSemRows *r)
{
	r->base = SEM_ROWS(s);
	r->elem = s->elem ? s->elem : 4;
	r->dim = s->dim;
	r->stride = calib_sem_stride(r->elem, r->dim);
	r->n = (uint64) s->n;
}

/* A copy of old with room for `more` rows of the given shape (capacity
 * doubled as needed). */
static SemState *
sem_grow(const SemState *old, int elem, uint32 dim, int64 more)
{
	int64		cap = Max(old->cap, 4);
	SemState   *s;

	if (old->n == 0)
		cap = Max(more, 4);
	while (cap < old->n + more)
		cap *= 2;
	s = sem_alloc(elem, dim, old->flags, old->threshold, cap);
	s->n = old->n;
	s->trailing = old->trailing;
	if (old->n > 0)
		memcpy(SEM_ROWS(s), SEM_ROWS(old), (size_t) old->n * calib_sem_stride(elem, dim));
	return s;
}

/*
 * Inside an aggregate the state is a read-write expanded object
 * (utils/expandeddatum.h) in a memory context that is a child of the
 * aggregate context (sem_states_cxt): the executor adopts such a value
 * without copying it
 * (ExecAggTransReparent), and the rows grow in place with repalloc.  A
 * group's rows are so written once, and neither the state nor its spare
 * capacity is copied into the aggregate context when it is created or
 * grows (a flat state would be copied whole, spare capacity included, each
 * time: three copies of 6, 12 and 25 kB for 10 answers of 384 floats, and
 * every byte of them touched).  Its flat form (what a value of type
 * calib.semantic_state holds, what parallel workers ship) is a SemState of
 * exactly its n rows.
 */
typedef struct SemExp
{
	ExpandedObjectHeader hdr;
	SemState   *s;				/* rows with spare capacity, in
								 * hdr.eoh_context */
} SemExp;

static Size
sem_flat_size(ExpandedObjectHeader *eoh)
{
	const SemState *s = ((SemExp *) eoh)->s;

	return sizeof(SemState) + (size_t) s->n * calib_sem_stride(s->elem, s->dim);
}

static void
sem_flatten_into(ExpandedObjectHeader *eoh, void *result, Size allocated_size)
{
	const SemState *s = ((SemExp *) eoh)->s;
	SemState   *out = (SemState *) result;

	Assert(allocated_size == sem_flat_size(eoh));
	memcpy(out, s, sizeof(SemState));
	SET_VARSIZE(out, allocated_size);
	out->cap = out->n;
	memcpy(SEM_ROWS(out), SEM_ROWS(s), allocated_size - sizeof(SemState));
}

static const ExpandedObjectMethods sem_methods = {
	sem_flat_size,
	sem_flatten_into
};

/* Our expanded state in argument argno (read-write only if rw), or NULL. */
static SemExp *
sem_expanded(FunctionCallInfo fcinfo, int argno, bool rw)
{
	Datum		d;
	ExpandedObjectHeader *eoh;

	if (PG_ARGISNULL(argno))
		return NULL;
	d = PG_GETARG_DATUM(argno);
	if (!(rw ? VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d))
		  : VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d))))
		return NULL;
	eoh = DatumGetEOHP(d);
	return eoh->eoh_methods == &sem_methods ? (SemExp *) eoh : NULL;
}

/* A state argument for reading: an expanded state's rows where they are,
 * or the flat value (detoasted if need be).  Never modify it. */
static SemState *
sem_view(FunctionCallInfo fcinfo, int argno)
{
	SemExp	   *x = sem_expanded(fcinfo, argno, false);

	return x ? x->s : sem_arg(fcinfo, argno);
}

/*
 * The memory context of the expanded states of one aggregate context: one
 * child of it shared by all its groups (a context per group would make a
 * hashed aggregate's memory check, which walks every child context at each
 * new group, quadratic in the groups).  It is found among the aggregate
 * context's children by its name, when a group's first row makes a state:
 * nothing is cached across calls, because a caller may give every call a
 * new FmgrInfo (Citus's worker_partial_agg does, in per-row memory: a cache
 * in fn_extra, with a reset callback on the aggregate context pointing
 * into it, was left dangling there).  Resetting or deleting the aggregate
 * context deletes the child with it.  The executor deletes an expanded
 * transition value only when the transition function returns another
 * value, which these functions never do once a group's state is expanded.
 */
#define SEM_STATES_CXT_NAME "calib.semantic_state"

static MemoryContext
sem_states_cxt(MemoryContext aggcontext)
{
	MemoryContext c;

	for (c = aggcontext->firstchild; c != NULL; c = c->nextchild)
		if (strcmp(c->name, SEM_STATES_CXT_NAME) == 0)
			return c;

	/* small blocks: every row buffer (> 1 kB) is a block of its own, which
	 * repalloc grows with realloc, in place where it can */
	return AllocSetContextCreate(aggcontext, SEM_STATES_CXT_NAME, ALLOCSET_SMALL_SIZES);
}

/* A new expanded state (in the shared child of aggcontext): a copy of
 * `from` (or an empty state when from is NULL) with room for `more` rows
 * of the shape. */
static SemExp *
sem_exp_new(FunctionCallInfo fcinfo, MemoryContext aggcontext, const SemState *from,
			uint8 flags, double threshold, int elem, uint32 dim, int64 more)
{
	MemoryContext cxt = sem_states_cxt(aggcontext);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SemExp	   *x = palloc(sizeof(SemExp));

	EOH_init_header(&x->hdr, &sem_methods, cxt);
	x->s = from ? sem_grow(from, elem, dim, more)
		: sem_alloc(elem, dim, flags, threshold, Max(more, 4));
	MemoryContextSwitchTo(old);
	return x;
}

/* Room in an expanded state for `more` rows of the shape (capacity doubled
 * as needed; a state without rows takes the new shape). */
static void
sem_exp_reserve(SemExp *x, int elem, uint32 dim, int64 more)
{
	SemState   *s = x->s;
	int64		cap;
	size_t		size;

	if (s->n > 0 && s->n + more <= s->cap)
		return;
	cap = s->n == 0 ? Max(more, 4) : Max(s->cap, 4);
	while (cap < s->n + more)
		cap *= 2;
	if (s->n == 0 && cap == s->cap && s->elem == elem && s->dim == dim)
		return;
	size = sem_size(elem, dim, cap);
	s = repalloc(s, size);
	SET_VARSIZE(s, size);
	s->cap = cap;
	if (s->n == 0)
	{
		s->elem = (uint8) elem;
		s->dim = dim;
	}
	x->s = s;
}

/* The state to modify, with room for `more` rows of the shape: the
 * aggregate's expanded state itself (*x), a new expanded state copied from
 * s inside an aggregate, else (called as a plain function) a flat copy. */
static SemState *
sem_writable(FunctionCallInfo fcinfo, bool in_agg, MemoryContext aggcontext, SemExp **x, const SemState *s,
			 uint8 flags, double threshold, int elem, uint32 dim, int64 more)
{
	if (*x)
	{
		sem_exp_reserve(*x, elem, dim, more);
		return (*x)->s;
	}
	if (in_agg)
	{
		*x = sem_exp_new(fcinfo, aggcontext, s, flags, threshold, elem, dim, more);
		return (*x)->s;
	}
	if (s == NULL)
		return sem_alloc(elem, dim, flags, threshold, more == 0 ? 0 : Max(more, 4));
	return sem_grow(s, elem, dim, more);
}

static Datum
sem_result(SemExp *x, SemState *s)
{
	return x ? EOHPGetRWDatum(&x->hdr) : PointerGetDatum(s);
}

static double
checked_threshold(FunctionCallInfo fcinfo, int argno)
{
	double		t;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must not be NULL")));
	t = PG_GETARG_FLOAT8(argno);
	if (!(t >= -1 && t <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must be between -1 and 1, got %s", float8out_internal(t))));
	return t + 0.0;
}

/* Checks an embedding array; returns its values and sets *elem, *dim. */
static const void *
checked_embedding(ArrayType *a, int *elem, uint32 *dim)
{
	Oid			et = ARR_ELEMTYPE(a);
	int			n;
	const void *v;
	uint32		at;

	if (et != FLOAT4OID && et != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embedding must be real[] or double precision[]")));
	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embedding must not be empty")));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embedding must be one-dimensional, got %d dimensions", ARR_NDIM(a))));
	n = ARR_DIMS(a)[0];
	if (ARR_HASNULL(a))
	{
		bits8	   *nb = ARR_NULLBITMAP(a);

		for (int i = 0; i < n; i++)
			if (!(nb[i / 8] & (1 << (i % 8))))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("embedding has a NULL element at position %d", i + 1)));
	}
	*elem = et == FLOAT4OID ? 4 : 8;
	*dim = (uint32) n;
	v = ARR_DATA_PTR(a);
	switch (calib_sem_check_values(v, *elem, *dim, &at))
	{
		case 1:
			{
				double		x = *elem == 4 ? (double) ((const float *) v)[at] : ((const double *) v)[at];

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("embedding element %u is %s; elements must be finite",
								at + 1, float8out_internal(x))));
			}
			break;
		case 2:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("embedding is all zero: its cosine with anything is undefined")));
			break;
	}
	return v;
}

static Datum
sem_trans(FunctionCallInfo fcinfo, uint8 flags)
{
	double		threshold = checked_threshold(fcinfo, 2);
	MemoryContext aggcontext = NULL;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	SemExp	   *x = in_agg ? sem_expanded(fcinfo, 0, true) : NULL;
	SemState   *s = x ? x->s : PG_ARGISNULL(0) ? NULL : sem_view(fcinfo, 0);
	ArrayType  *a;
	const void *v;
	int			elem;
	uint32		dim;
	unsigned char *row;
	int64		before;

	if (s && s->threshold != threshold)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must be the same for every row of a group, got %s after %s",
						float8out_internal(threshold), float8out_internal(s->threshold))));

	if (PG_ARGISNULL(1))
	{
		if (!(flags & CALIB_SEM_KEEPS_NULLS))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
		/* semantic_labels: a NULL row gets a NULL label */
		s = sem_writable(fcinfo, in_agg, aggcontext, &x, s, flags, threshold,
						 s ? s->elem : 0, s ? s->dim : 0, 0);
		s->trailing++;
		if (s->trailing + s->n > (int64) CALIB_SEM_MAX_ROWS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("calib.semantic_labels: more than %llu rows in a group",
							(unsigned long long) CALIB_SEM_MAX_ROWS)));
		return sem_result(x, s);
	}

	a = PG_GETARG_ARRAYTYPE_P(1);
	v = checked_embedding(a, &elem, &dim);
	if (s && s->n > 0 && (s->dim != dim || s->elem != elem))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embeddings of different dimensions in one group: %u and %u",
						s->dim, dim)));
	if (s && s->trailing + s->n + 1 > (int64) CALIB_SEM_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("calib.semantic: more than %llu rows in a group",
						(unsigned long long) CALIB_SEM_MAX_ROWS)));
	s = sem_writable(fcinfo, in_agg, aggcontext, &x, s, flags, threshold, elem, dim, 1);
	s->elem = (uint8) elem;
	s->dim = dim;
	row = SEM_ROWS(s) + (size_t) s->n * calib_sem_stride(elem, dim);
	before = s->trailing;
	memcpy(row, &before, 8);
	memcpy(row + 8, v, (size_t) dim * elem);
	s->trailing = 0;
	s->n++;
	return sem_result(x, s);
}

PG_FUNCTION_INFO_V1(calib_semantic_trans);
Datum
calib_semantic_trans(PG_FUNCTION_ARGS)
{
	return sem_trans(fcinfo, 0);
}

PG_FUNCTION_INFO_V1(calib_semantic_labels_trans);
Datum
calib_semantic_labels_trans(PG_FUNCTION_ARGS)
{
	return sem_trans(fcinfo, CALIB_SEM_KEEPS_NULLS);
}

PG_FUNCTION_INFO_V1(calib_semantic_combine);
Datum
calib_semantic_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = NULL;
	bool		in_agg;
	SemExp	   *x;
	SemState   *a,
			   *b,
			   *s;
	size_t		stride;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = sem_view(fcinfo, 1);
	in_agg = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	x = in_agg ? sem_expanded(fcinfo, 0, true) : NULL;
	if (PG_ARGISNULL(0))
	{
		s = sem_writable(fcinfo, in_agg, aggcontext, &x, b, b->flags, b->threshold, b->elem, b->dim, 0);
		return sem_result(x, s);
	}
	a = x ? x->s : sem_view(fcinfo, 0);
	if (a->threshold != b->threshold)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must be the same for every row of a group, got %s after %s",
						float8out_internal(b->threshold), float8out_internal(a->threshold))));
	if (a->flags != b->flags)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calib.semantic: states of different aggregates cannot be combined")));
	if (a->n > 0 && b->n > 0 && (a->dim != b->dim || a->elem != b->elem))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embeddings of different dimensions in one group: %u and %u",
						a->dim, b->dim)));
	if (b->n == 0)
	{
		s = sem_writable(fcinfo, in_agg, aggcontext, &x, a, a->flags, a->threshold, a->elem, a->dim, 0);
		s->trailing += b->trailing;
		return sem_result(x, s);
	}
	s = sem_writable(fcinfo, in_agg, aggcontext, &x, a, a->flags, a->threshold, b->elem, b->dim, b->n);
	stride = calib_sem_stride(b->elem, b->dim);
	memcpy(SEM_ROWS(s) + (size_t) s->n * stride, SEM_ROWS(b), (size_t) b->n * stride);
	{
		int64		before;
		unsigned char *first = SEM_ROWS(s) + (size_t) s->n * stride;

		memcpy(&before, first, 8);
		before += s->trailing;
		memcpy(first, &before, 8);
	}
	s->elem = b->elem;
	s->dim = b->dim;
	s->n += b->n;
	s->trailing = b->trailing;
	return sem_result(x, s);
}

/* Components of a state's rows: labels (1-based, first appearance), the
 * number of clusters, and the edge count when wanted. */
static uint64
sem_components(const SemState *s, int32 *label, uint64 *edges)
{
	CalibSemRows r;
	double	   *norm = palloc(sizeof(double) * Max(s->n, 1));
	int64	   *parent = palloc(sizeof(int64) * Max(s->n, 1));
	double	   *scaled = NULL;
	uint64		k;

	sem_rows(s, &r);
	if (r.elem == 8)
		scaled = palloc(sem_size(8, s->dim, s->n));
	k = calib_sem_components(&r, s->threshold, label, norm, parent, scaled, edges);
	pfree(norm);
	pfree(parent);
	if (scaled)
		pfree(scaled);
	return k;
}

PG_FUNCTION_INFO_V1(calib_semantic_clusters_final);
Datum
calib_semantic_clusters_final(PG_FUNCTION_ARGS)
{
	SemState   *s = PG_ARGISNULL(0) ? NULL : sem_view(fcinfo, 0);
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, true, true};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib.semantic_clusters must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(0);
	values[1] = Int32GetDatum(0);
	if (s && s->n > 0)
	{
		int32	   *label = palloc(sizeof(int32) * s->n);
		uint64		k = sem_components(s, label, NULL);
		uint64	   *sizes = palloc0(sizeof(uint64) * k);
		double		largest,
					h;

		for (int64 i = 0; i < s->n; i++)
			sizes[label[i] - 1]++;
		h = calib_sem_size_entropy(sizes, k, (uint64) s->n, &largest);
		values[0] = Int64GetDatum(s->n);
		values[1] = Int32GetDatum((int32) k);
		values[2] = Float8GetDatum(largest);
		values[3] = Float8GetDatum(h);
		nulls[2] = nulls[3] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(calib_semantic_agreement_final);
Datum
calib_semantic_agreement_final(PG_FUNCTION_ARGS)
{
	SemState   *s;
	int32	   *label;
	uint64		edges;
	double		pairs;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = sem_view(fcinfo, 0);
	if (s->n < 2)
		PG_RETURN_NULL();
	label = palloc(sizeof(int32) * s->n);
	sem_components(s, label, &edges);
	pairs = (double) s->n * (double) (s->n - 1) / 2;
	PG_RETURN_FLOAT8((double) edges / pairs);
}

PG_FUNCTION_INFO_V1(calib_semantic_labels_final);
Datum
calib_semantic_labels_final(PG_FUNCTION_ARGS)
{
	SemState   *s;
	int32	   *label;
	int64		total;
	Datum	   *elems;
	bool	   *nulls;
	int64		pos = 0;
	CalibSemRows r;
	int			dims[1],
				lbs[1] = {1};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = sem_view(fcinfo, 0);
	total = s->n + s->trailing;
	for (int64 i = 0; i < s->n; i++)
	{
		int64		before;

		memcpy(&before, SEM_ROWS(s) + (size_t) i * calib_sem_stride(s->elem, s->dim), 8);
		total += before;
	}
	label = palloc(sizeof(int32) * Max(s->n, 1));
	if (s->n > 0)
		sem_components(s, label, NULL);
	elems = palloc(sizeof(Datum) * Max(total, 1));
	nulls = palloc(sizeof(bool) * Max(total, 1));
	sem_rows(s, &r);
	for (int64 i = 0; i < s->n; i++)
	{
		int64		before;

		memcpy(&before, r.base + (size_t) i * r.stride, 8);
		for (int64 j = 0; j < before; j++)
			nulls[pos++] = true;
		elems[pos] = Int32GetDatum(label[i]);
		nulls[pos++] = false;
	}
	for (int64 j = 0; j < s->trailing; j++)
		nulls[pos++] = true;
	Assert(pos == total);
	dims[0] = (int) total;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, INT4OID, 4, true, TYPALIGN_INT));
}

/* ---- I/O */

static Datum
sem_from_wire(const uint8 *in, size_t len)
{
	char		err[CALIB_SEM_ERRLEN];
	CalibSemWireInfo info;
	SemState   *s;

	if (!calib_sem_wire_check(in, len, &info, err, sizeof err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input for type calib.semantic_state: %s", err)));
	s = sem_alloc(info.n ? info.elem : 0, info.dim, info.flags, info.threshold, (int64) info.n);
	if (info.n == 0)
		s->elem = 0;
	s->n = (int64) info.n;
	s->trailing = (int64) info.trailing;
	calib_sem_wire_decode(in, &info, SEM_ROWS(s));
	return PointerGetDatum(s);
}

static bytea *
sem_to_wire(SemState *s)
{
	CalibSemRows r;
	size_t		len;
	bytea	   *out;

	sem_rows(s, &r);
	if (s->n == 0)
		r.elem = 4;
	len = calib_sem_wire_size(&r);
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	calib_sem_to_wire(&r, s->flags, s->threshold, (uint64) s->trailing, (uint8 *) VARDATA(out));
	return out;
}

PG_FUNCTION_INFO_V1(calib_semantic_state_in);
Datum
calib_semantic_state_in(PG_FUNCTION_ARGS)
{
	size_t		len;
	uint8	   *bytes = hex_body(PG_GETARG_CSTRING(0), SM_TEXT_TAG, "calib.semantic_state", &len);

	return sem_from_wire(bytes, len);
}

PG_FUNCTION_INFO_V1(calib_semantic_state_out);
Datum
calib_semantic_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(hex_text(SM_TEXT_TAG, sem_to_wire(sem_view(fcinfo, 0))));
}

PG_FUNCTION_INFO_V1(calib_semantic_state_recv);
Datum
calib_semantic_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Datum		d = sem_from_wire((const uint8 *) buf->data + buf->cursor,
								  (size_t) (buf->len - buf->cursor));

	buf->cursor = buf->len;
	return d;
}

PG_FUNCTION_INFO_V1(calib_semantic_state_send);
Datum
calib_semantic_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(sem_to_wire(sem_view(fcinfo, 0)));
}
