/*
 * pg_logprob_json.c -- calib.token_logprobs(jsonb) and calib.top_logprobs(jsonb):
 * per-token log-probabilities out of stored OpenAI-compatible API responses.
 *
 * The jsonb is walked in its binary form (key lookups and array iterators),
 * never printed to text.  Accepted shapes, outermost first:
 *
 *   response   {"choices": [choice, ...], ...}      pick one with `choice` (0-based position)
 *   choice     {"logprobs": logprobs, ...}
 *   logprobs   chat completions:  {"content": [{"logprob": x, "top_logprobs": [{"logprob": y}, ...]}, ...]}
 *              completions:       {"token_logprobs": [x, ...], "top_logprobs": [{"tok": y, ...}, ...]}
 *   a bare array: the chat "content" list itself
 *
 * Paths in messages are SQL/JSON paths from the document's root ("$").
 * Anything else -- null logprobs, a missing key, a value of the wrong type,
 * a ragged top-k list -- is a 22023 error naming the path where it was found
 * (choices[1].logprobs.content[7].top_logprobs) and what was expected there.
 */
#include "pg_calib.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "logprob.h"
#include "pg_logprob.h"

/* Where the per-token entries are, once the outer shape is resolved. */
typedef struct LpDoc
{
	bool		legacy;			/* completions-style token_logprobs / top_logprobs */
	JsonbContainer *obj;		/* the logprobs object; NULL for a bare content array */
	JsonbContainer *list;		/* chat: content; legacy: token_logprobs */
	const char *obj_path;		/* path of obj ("" at the top) */
	const char *list_path;
} LpDoc;

/* ------------------------------------------------------------ helpers */

static const char *
path_key(const char *base, const char *key)
{
	return psprintf("%s.%s", base, key);
}

static const char *
path_index(const char *base, int64 i)
{
	return psprintf("%s[%lld]", base, (long long) i);
}

/* Paths are SQL/JSON paths ("$.choices[0].logprobs"), so they can be pasted
 * into jsonb_path_query; the top level reads "the document". */
static const char *
path_name(const char *path)
{
	return strcmp(path, "$") == 0 ? "the document" : path;
}

static const char *
json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "an unexpected value";
	}
}

pg_noreturn static void
expected_error(const char *path, const char *expected, const JsonbValue *got,
			   const char *hint);
static void
expected_error(const char *path, const char *expected, const JsonbValue *got,
			   const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be %s, got %s", path_name(path), expected,
					got ? json_type_name(got) : "nothing (the key is missing)"),
			 hint ? errhint("%s", hint) : 0));
}

static bool
is_container(const JsonbValue *v, bool array)
{
	return v->type == jbvBinary &&
		(array ? JsonContainerIsArray(v->val.binary.data)
		 : JsonContainerIsObject(v->val.binary.data));
}

/* Value of key in object c, or NULL when absent; res is the storage. */
static JsonbValue *
get_key(JsonbContainer *c, const char *key, JsonbValue *res)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), res);
}

/* The container under key, which must be an array or object. */
static JsonbContainer *
need_container(JsonbContainer *c, const char *base, const char *key, bool array,
			   const char *hint)
{
	JsonbValue	res;
	JsonbValue *v = get_key(c, key, &res);

	if (v == NULL || !is_container(v, array))
		expected_error(path_key(base, key), array ? "an array" : "an object", v, hint);
	return v->val.binary.data;
}

/* A JSON number that is a log-probability, into *x (as given); false if v
 * is missing, not a number or not a log-probability. */
static bool
json_lp(const JsonbValue *v, double *x)
{
	double		used;

	if (v == NULL || v->type != jbvNumeric)
		return false;
	*x = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
											NumericGetDatum(v->val.numeric)));
	return calib_lp_value(*x, &used);
}

/* The error for a value json_lp refused, at path. */
pg_noreturn static void
bad_logprob(const char *path, const JsonbValue *v);
static void
bad_logprob(const char *path, const JsonbValue *v)
{
	double		x;

	if (v == NULL || v->type != jbvNumeric)
		expected_error(path, "a number (a log-probability)", v, NULL);
	(void) json_lp(v, &x);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s is not a log-probability", path, float8out_internal(x)),
			 errhint("Log-probabilities are <= 0 (values up to %g count as 0).",
					 CALIB_LP_TOLERANCE)));
}

/* Array iteration without per-element allocation. */
typedef struct ArrWalk
{
	JsonbIterator *it;
	int64		i;				/* index of the element just returned */
} ArrWalk;

static void
arr_begin(ArrWalk *w, JsonbContainer *c)
{
	JsonbValue	v;

	w->it = JsonbIteratorInit(c);
	w->i = -1;
	(void) JsonbIteratorNext(&w->it, &v, true);	/* WJB_BEGIN_ARRAY */
}

static bool
arr_next(ArrWalk *w, JsonbValue *v)
{
	if (JsonbIteratorNext(&w->it, v, true) != WJB_ELEM)
		return false;
	w->i++;
	return true;
}

/* ------------------------------------------------------ outer shapes */

static const char *const shape_hint =
"Pass an OpenAI-compatible response ({\"choices\": [...]}), one choice ({\"logprobs\": {...}}), "
"its logprobs object ({\"content\": [...]} or {\"token_logprobs\": [...]}), or the content array.";

/* The logprobs object at path (already known to be an object). */
static void
resolve_logprobs(JsonbContainer *obj, const char *path, LpDoc *d)
{
	JsonbValue	res;
	JsonbValue *v;

	d->obj = obj;
	d->obj_path = path;
	if ((v = get_key(obj, "content", &res)) != NULL)
	{
		if (!is_container(v, true))
			expected_error(path_key(path, "content"), "an array of tokens", v,
						   v->type == jbvNull ? "A null content list usually means a refusal or a response without logprobs." : NULL);
		d->legacy = false;
		d->list = v->val.binary.data;
		d->list_path = path_key(path, "content");
		return;
	}
	if (get_key(obj, "token_logprobs", &res) != NULL)
	{
		d->legacy = true;
		d->list = need_container(obj, path, "token_logprobs", true, NULL);
		d->list_path = path_key(path, "token_logprobs");
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be a logprobs object with \"content\" (chat completions) or \"token_logprobs\" (completions)",
					path_name(path)),
			 errhint("%s", shape_hint)));
}

/* A choice object at path: its "logprobs" member. */
static void
resolve_choice(JsonbContainer *choice, const char *path, LpDoc *d)
{
	JsonbValue	res;
	JsonbValue *v = get_key(choice, "logprobs", &res);

	if (v == NULL || !is_container(v, false))
		expected_error(path_key(path, "logprobs"), "an object", v,
					   v && v->type == jbvNull ?
					   "The request did not ask for log-probabilities (\"logprobs\": true)." : NULL);
	resolve_logprobs(v->val.binary.data, path_key(path, "logprobs"), d);
}

static void
not_a_response(int32 choice, const char *what)
{
	if (choice != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("choice %d requested, but the document is %s, not a response with \"choices\"",
						choice, what)));
}

static void
resolve(Jsonb *jb, int32 choice, LpDoc *d)
{
	JsonbContainer *root = &jb->root;
	JsonbValue	res;

	memset(d, 0, sizeof *d);
	if (JsonContainerIsScalar(root))
		expected_error("$", "a JSON object or array", getIthJsonbValueFromContainer(root, 0),
					   shape_hint);
	if (JsonContainerIsArray(root))
	{
		not_a_response(choice, "an array (a content list)");
		d->list = root;
		d->list_path = "$";
		return;
	}
	if (get_key(root, "choices", &res) != NULL)
	{
		JsonbContainer *choices = need_container(root, "$", "choices", true, NULL);
		int			n = JsonContainerSize(choices);
		JsonbValue *c;
		const char *cpath;

		if (choice < 0 || choice >= n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("choice %d requested, but \"choices\" has %d element%s",
							choice, n, n == 1 ? "" : "s"),
					 errhint("choice is the 0-based position in \"choices\".")));
		c = getIthJsonbValueFromContainer(choices, choice);
		cpath = path_index("$.choices", choice);
		if (!is_container(c, false))
			expected_error(cpath, "an object", c, NULL);
		resolve_choice(c->val.binary.data, cpath, d);
		return;
	}
	if (get_key(root, "logprobs", &res) != NULL)
	{
		not_a_response(choice, "a choice");
		resolve_choice(root, "$", d);
		return;
	}
	not_a_response(choice, "a logprobs object");
	resolve_logprobs(root, "$", d);
}

/* ------------------------------------------------- token log-probs */

static ArrayType *
read_token_logprobs(const LpDoc *d)
{
	int			n = JsonContainerSize(d->list);
	ArrayType  *result;
	double	   *out;
	ArrWalk		w;
	JsonbValue	e;

	if (n == 0)
		return NULL;
	result = calib_new_float8_array(1, &n);
	out = (double *) ARR_DATA_PTR(result);
	arr_begin(&w, d->list);
	while (arr_next(&w, &e))
	{
		JsonbValue	res;
		JsonbValue *lp;

		if (d->legacy)
		{
			if (!json_lp(&e, &out[w.i]))
				bad_logprob(path_index(d->list_path, w.i), &e);
			continue;
		}
		if (!is_container(&e, false))
			expected_error(path_index(d->list_path, w.i), "an object (a token)", &e, NULL);
		lp = get_key(e.val.binary.data, "logprob", &res);
		if (!json_lp(lp, &out[w.i]))
			bad_logprob(path_key(path_index(d->list_path, w.i), "logprob"), lp);
	}
	return result;
}

/* ---------------------------------------------------- top log-probs */

static const char *const top_hint =
"Ask the API for top-k alternatives (\"top_logprobs\": k with k >= 1).";

/* The list holding one top-k entry per token: chat content, or the legacy
 * logprobs object's "top_logprobs" array. */
static JsonbContainer *
top_list(const LpDoc *d, const char **path)
{
	if (!d->legacy)
	{
		*path = d->list_path;
		return d->list;
	}
	*path = path_key(d->obj_path, "top_logprobs");
	return need_container(d->obj, d->obj_path, "top_logprobs", true, top_hint);
}

/* Token i's top-k container (chat: an array of objects; legacy: an object
 * of token: log-probability pairs) and its path. */
static JsonbContainer *
top_row(const LpDoc *d, const char *list_path, int64 i, const JsonbValue *e,
		const char **path)
{
	JsonbValue	res;
	JsonbValue *v;

	if (d->legacy)
	{
		*path = path_index(list_path, i);
		if (!is_container(e, false))
			expected_error(*path, "an object of token: log-probability pairs", e, top_hint);
		return e->val.binary.data;
	}
	if (!is_container(e, false))
		expected_error(path_index(list_path, i), "an object (a token)", e, NULL);
	*path = path_key(path_index(list_path, i), "top_logprobs");
	v = get_key(e->val.binary.data, "top_logprobs", &res);
	if (v == NULL || !is_container(v, true))
		expected_error(*path, "an array of alternatives", v, top_hint);
	return v->val.binary.data;
}

/* One token's k log-probabilities into out.  Legacy rows are sorted
 * descending, because jsonb keeps object keys in its own order, not by rank. */
static void
read_top_row(const LpDoc *d, JsonbContainer *row, const char *path, double *out)
{
	JsonbIterator *it = JsonbIteratorInit(row);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			j = 0;
	const char *key = NULL;
	int			keylen = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (d->legacy && tok == WJB_KEY)
		{
			key = v.val.string.val;
			keylen = v.val.string.len;
		}
		else if (d->legacy && tok == WJB_VALUE)
		{
			if (!json_lp(&v, &out[j]))
				bad_logprob(psprintf("%s.\"%.*s\"", path, keylen, key), &v);
			j++;
		}
		else if (!d->legacy && tok == WJB_ELEM)
		{
			JsonbValue	res;
			JsonbValue *lp;

			if (!is_container(&v, false))
				expected_error(path_index(path, j), "an object (an alternative)", &v, NULL);
			lp = get_key(v.val.binary.data, "logprob", &res);
			if (!json_lp(lp, &out[j]))
				bad_logprob(path_key(path_index(path, j), "logprob"), lp);
			j++;
		}
	}
	if (d->legacy)
		for (int a = 1; a < j; a++)
			for (int b = a; b > 0 && out[b - 1] < out[b]; b--)
			{
				double		t = out[b];

				out[b] = out[b - 1];
				out[b - 1] = t;
			}
}

static ArrayType *
read_top_logprobs(const LpDoc *d)
{
	const char *list_path;
	JsonbContainer *list = top_list(d, &list_path);
	int			dims[2] = {JsonContainerSize(list), 0};
	const char *first_path = NULL;
	ArrayType  *result = NULL;
	double	   *out = NULL;
	ArrWalk		w;
	JsonbValue	e;

	if (dims[0] == 0)
		return NULL;
	arr_begin(&w, list);
	while (arr_next(&w, &e))
	{
		const char *path;
		JsonbContainer *row = top_row(d, list_path, w.i, &e, &path);
		int			k = JsonContainerSize(row);

		if (w.i == 0)
		{
			if (k == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s is empty", path),
						 errhint("%s", top_hint)));
			dims[1] = k;
			first_path = path;
			result = calib_new_float8_array(2, dims);
			out = (double *) ARR_DATA_PTR(result);
		}
		else if (k != dims[1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has %d alternative%s but %s has %d; a top_logprobs matrix needs the same number for every token",
							path, k, k == 1 ? "" : "s", first_path, dims[1])));
		read_top_row(d, row, path, out + w.i * dims[1]);
	}
	return result;
}

/* ----------------------------------------------------------- entries */

PG_FUNCTION_INFO_V1(calib_token_logprobs_json);
Datum
calib_token_logprobs_json(PG_FUNCTION_ARGS)
{
	LpDoc		d;
	ArrayType  *r;

	resolve(PG_GETARG_JSONB_P(0), PG_GETARG_INT32(1), &d);
	if ((r = read_token_logprobs(&d)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(r);
}

PG_FUNCTION_INFO_V1(calib_top_logprobs_json);
Datum
calib_top_logprobs_json(PG_FUNCTION_ARGS)
{
	LpDoc		d;
	ArrayType  *r;

	resolve(PG_GETARG_JSONB_P(0), PG_GETARG_INT32(1), &d);
	if ((r = read_top_logprobs(&d)) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(r);
}

/* ================================================ probability vectors */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* s[0 .. *len) without leading and trailing white space. */
static const char *
trimmed(const char *s, int *len)
{
	while (*len > 0 && is_blank(s[0]))
	{
		s++;
		(*len)--;
	}
	while (*len > 0 && is_blank(s[*len - 1]))
		(*len)--;
	return s;
}

/* log(exp(a) + exp(b)) */
static double
log_add(double a, double b)
{
	double		hi = a > b ? a : b,
				lo = a > b ? b : a;

	if (isinf(lo))
		return hi;
	return hi + log1p(exp(lo - hi));
}

/* The string under "token" of a chat token or alternative object, at path. */
static void
token_string(JsonbContainer *obj, const char *path, const char **s, int *len)
{
	JsonbValue	res;
	JsonbValue *v = get_key(obj, "token", &res);

	if (v == NULL || v->type != jbvString)
		expected_error(path_key(path, "token"), "a string", v, NULL);
	*s = v->val.string.val;
	*len = v->val.string.len;
}

/*
 * Calls fn(ctx, token, len, logprob) for each alternative of one position's
 * top-k container, in the document's order.
 */
typedef void (*AltFn) (void *ctx, const char *tok, int len, double lp);

static void
each_alternative(const LpDoc *d, JsonbContainer *row, const char *path, AltFn fn, void *ctx)
{
	JsonbIterator *it = JsonbIteratorInit(row);
	JsonbValue	v;
	JsonbIteratorToken tok;
	const char *key = NULL;
	int			keylen = 0,
				j = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		double		lp;

		if (d->legacy && tok == WJB_KEY)
		{
			key = v.val.string.val;
			keylen = v.val.string.len;
		}
		else if (d->legacy && tok == WJB_VALUE)
		{
			if (!json_lp(&v, &lp))
				bad_logprob(psprintf("%s.\"%.*s\"", path, keylen, key), &v);
			fn(ctx, key, keylen, lp);
		}
		else if (!d->legacy && tok == WJB_ELEM)
		{
			JsonbValue	res;
			JsonbValue *lpv;
			const char *apath = path_index(path, j),
					   *s;
			int			len;

			if (!is_container(&v, false))
				expected_error(apath, "an object (an alternative)", &v, NULL);
			token_string(v.val.binary.data, apath, &s, &len);
			lpv = get_key(v.val.binary.data, "logprob", &res);
			if (!json_lp(lpv, &lp))
				bad_logprob(path_key(apath, "logprob"), lpv);
			fn(ctx, s, len, lp);
			j++;
		}
	}
}

typedef struct OptionMatch
{
	int			n;
	const char **opt;
	int		   *optlen;
	double	   *out;
	bool		any;
} OptionMatch;

static void
match_option(void *ctx, const char *tok, int len, double lp)
{
	OptionMatch *m = ctx;
	const char *t = trimmed(tok, &len);

	for (int i = 0; i < m->n; i++)
		if (m->optlen[i] == len && memcmp(m->opt[i], t, len) == 0)
		{
			m->out[i] = log_add(m->out[i], lp);
			m->any = true;
		}
}

PG_FUNCTION_INFO_V1(calib_option_logprobs_json);
Datum
calib_option_logprobs_json(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	ArrayType  *opts = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	OptionMatch m;
	LpDoc		d;
	const char *list_path;
	JsonbContainer *list;
	ArrWalk		w;
	JsonbValue	e;
	ArrayType  *result;

	if (ARR_NDIM(opts) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a one-dimensional array")));
	deconstruct_array(opts, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options is an empty array")));
	m.n = n;
	m.opt = palloc(sizeof(char *) * n);
	m.optlen = palloc(sizeof(int) * n);
	m.any = false;
	result = calib_new_float8_array(1, &n);
	m.out = (double *) ARR_DATA_PTR(result);
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("options: element %d is NULL", i + 1)));
		t = DatumGetTextPP(elems[i]);
		m.optlen[i] = VARSIZE_ANY_EXHDR(t);
		m.opt[i] = trimmed(VARDATA_ANY(t), &m.optlen[i]);
		if (m.optlen[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("options: element %d is empty or white space", i + 1)));
		m.out[i] = -INFINITY;
	}

	resolve(jb, PG_GETARG_INT32(2), &d);
	list = top_list(&d, &list_path);
	arr_begin(&w, list);
	while (arr_next(&w, &e))
	{
		const char *path;
		JsonbContainer *row = top_row(&d, list_path, w.i, &e, &path);

		each_alternative(&d, row, path, match_option, &m);
		if (m.any)
			PG_RETURN_ARRAYTYPE_P(result);
	}
	PG_RETURN_NULL();
}

/* One position's alternatives, collected. */
typedef struct AltList
{
	int			n,
				cap;
	text	  **tok;
	double	   *lp;
} AltList;

static void
collect_alternative(void *ctx, const char *tok, int len, double lp)
{
	AltList    *a = ctx;

	if (a->n == a->cap)
	{
		a->cap = a->cap ? 2 * a->cap : 32;
		a->tok = a->tok ? repalloc(a->tok, sizeof(text *) * a->cap) : palloc(sizeof(text *) * a->cap);
		a->lp = a->lp ? repalloc(a->lp, sizeof(double) * a->cap) : palloc(sizeof(double) * a->cap);
	}
	a->tok[a->n] = cstring_to_text_with_len(tok, len);
	a->lp[a->n] = lp;
	a->n++;
}

static const double *sort_lp;

static int
by_lp_desc(const void *a, const void *b)
{
	int			i = *(const int *) a,
				j = *(const int *) b;

	if (sort_lp[i] != sort_lp[j])
		return sort_lp[i] > sort_lp[j] ? -1 : 1;
	return (i > j) - (i < j);
}

PG_FUNCTION_INFO_V1(calib_token_distributions_json);
Datum
calib_token_distributions_json(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LpDoc		d;
	const char *list_path;
	JsonbContainer *list;
	JsonbContainer *tokens = NULL;
	ArrWalk		w;
	JsonbValue	e;
	AltList		alts = {0};

	InitMaterializedSRF(fcinfo, 0);
	resolve(PG_GETARG_JSONB_P(0), PG_GETARG_INT32(1), &d);
	list = top_list(&d, &list_path);
	if (d.legacy)
	{
		tokens = need_container(d.obj, d.obj_path, "tokens", true,
								"A completions logprobs object lists the tokens in \"tokens\".");
		if (JsonContainerSize(tokens) != JsonContainerSize(list))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has %d entries but %s has %d",
							path_key(d.obj_path, "tokens"), JsonContainerSize(tokens),
							list_path, JsonContainerSize(list))));
	}
	arr_begin(&w, list);
	while (arr_next(&w, &e))
	{
		const char *path;
		JsonbContainer *row = top_row(&d, list_path, w.i, &e, &path);
		const char *tok;
		int			toklen,
					label = 0,
					n;
		int		   *order;
		Datum	   *tdat;
		ArrayType  *probs;
		Datum		values[5];
		bool		nulls[5] = {false};

		if (d.legacy)
		{
			JsonbValue *t = getIthJsonbValueFromContainer(tokens, w.i);

			if (t == NULL || t->type != jbvString)
				expected_error(path_index(path_key(d.obj_path, "tokens"), w.i), "a string", t, NULL);
			tok = t->val.string.val;
			toklen = t->val.string.len;
		}
		else
			token_string(e.val.binary.data, path_index(list_path, w.i), &tok, &toklen);
		alts.n = 0;
		each_alternative(&d, row, path, collect_alternative, &alts);
		n = alts.n;
		/* descending log-probability, the document's order on ties */
		order = palloc(sizeof(int) * Max(n, 1));
		for (int i = 0; i < n; i++)
			order[i] = i;
		sort_lp = alts.lp;
		qsort(order, n, sizeof(int), by_lp_desc);
		tdat = palloc(sizeof(Datum) * Max(n, 1));
		probs = n > 0 ? calib_new_float8_array(1, &n) : construct_empty_array(FLOAT8OID);
		for (int i = 0; i < n; i++)
		{
			text	   *t = alts.tok[order[i]];

			tdat[i] = PointerGetDatum(t);
			((double *) ARR_DATA_PTR(probs))[i] = exp(alts.lp[order[i]]);
			if (label == 0 && VARSIZE_ANY_EXHDR(t) == toklen &&
				memcmp(VARDATA_ANY(t), tok, toklen) == 0)
				label = i + 1;
		}
		values[0] = Int32GetDatum((int32) (w.i + 1));
		values[1] = PointerGetDatum(cstring_to_text_with_len(tok, toklen));
		values[2] = PointerGetDatum(construct_array(tdat, n, TEXTOID, -1, false, TYPALIGN_INT));
		values[3] = PointerGetDatum(probs);
		values[4] = Int32GetDatum(label);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
