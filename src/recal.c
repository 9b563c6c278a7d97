/*
 * recal.c -- recalibration maps (see recal.h for the forms and conventions,
 * docs/recalibration.md for the fitting rules and the degenerate cases).
 */
#include "recal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {NULL, "temperature", "platt", "histogram", "isotonic",
"vector_temperature"};

const char *
calib_map_kind_name(int kind)
{
	return (kind >= CALIB_MAP_TEMPERATURE && kind <= CALIB_MAP_LAST_KIND) ? kind_names[kind] : NULL;
}

size_t
calib_map_nvalues(int kind, int32_t n)
{
	switch (kind)
	{
		case CALIB_MAP_TEMPERATURE:
		case CALIB_MAP_VECTOR_TEMPERATURE:
			return n == 0 ? 1 : 0;
		case CALIB_MAP_PLATT:
			return n == 0 ? 2 : 0;
		case CALIB_MAP_HISTOGRAM:
			return (n >= CALIB_MIN_BINS && n <= CALIB_MAX_BINS) ? (size_t) n : 0;
		case CALIB_MAP_ISOTONIC:
			return (n >= 1 && n <= CALIB_MAP_MAX_KNOTS) ? 2 * (size_t) n : 0;
	}
	return 0;
}

static const char *fail(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static const char *
fail(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return err;
}

/* ------------------------------------------------------------ validation */

static int
unit_interval(double x)
{
	return x >= 0.0 && x <= 1.0;	/* false for NaN */
}

const char *
calib_map_check(const CalibMap *m, char *err, size_t errlen)
{
	char		a[32],
				b[32];
	const char *name = calib_map_kind_name(m->kind);

	if (name == NULL)
		return fail(err, errlen, "unknown map kind %d", (int) m->kind);
	if (calib_map_nvalues(m->kind, m->n) == 0)
		return fail(err, errlen, "%s map cannot have %d values", name, (int) m->n);
	switch (m->kind)
	{
		case CALIB_MAP_TEMPERATURE:
		case CALIB_MAP_VECTOR_TEMPERATURE:
			if (!(isfinite(m->v[0]) && m->v[0] > 0.0))
			{
				calib_format_double(m->v[0], a);
				return fail(err, errlen, "temperature must be a finite number > 0, got %s", a);
			}
			break;
		case CALIB_MAP_PLATT:
			if (!isfinite(m->v[0]) || !isfinite(m->v[1]))
			{
				calib_format_double(m->v[0], a);
				calib_format_double(m->v[1], b);
				return fail(err, errlen, "platt parameters must be finite, got a = %s, b = %s", a, b);
			}
			break;
		case CALIB_MAP_HISTOGRAM:
			for (int32_t k = 0; k < m->n; k++)
				if (!unit_interval(m->v[k]))
				{
					calib_format_double(m->v[k], a);
					return fail(err, errlen, "histogram value %d must be in [0, 1], got %s", (int) k + 1, a);
				}
			break;
		case CALIB_MAP_ISOTONIC:
			{
				const double *x = m->v,
						   *y = m->v + m->n;

				for (int32_t k = 0; k < m->n; k++)
				{
					if (!unit_interval(x[k]) || !unit_interval(y[k]))
					{
						calib_format_double(x[k], a);
						calib_format_double(y[k], b);
						return fail(err, errlen, "isotonic knot %d (%s, %s) is outside [0, 1]", (int) k + 1, a, b);
					}
					if (k > 0 && !(x[k] > x[k - 1]))
					{
						calib_format_double(x[k], a);
						return fail(err, errlen, "isotonic knot %d: x = %s does not increase", (int) k + 1, a);
					}
					if (k > 0 && y[k] < y[k - 1])
					{
						calib_format_double(y[k], a);
						return fail(err, errlen, "isotonic knot %d: y = %s decreases", (int) k + 1, a);
					}
				}
			}
			break;
	}
	return NULL;
}

/* ----------------------------------------------------------------- apply */

double
calib_clipped_logit(double p)
{
	if (p < CALIB_LOGIT_EPS)
		p = CALIB_LOGIT_EPS;
	if (p > 1.0 - CALIB_LOGIT_EPS)
		p = 1.0 - CALIB_LOGIT_EPS;
	return log(p / (1.0 - p));	/* 1 - p exact for p >= 1/2 */
}

double
calib_sigmoid(double t)
{
	if (t >= 0.0)
		return 1.0 / (1.0 + exp(-t));
	else
	{
		double		e = exp(t);

		return e / (1.0 + e);
	}
}

/* np.interp between knots: slope * (p - x_j) + y_j; ends clipped. */
static double
isotonic_apply(const double *x, const double *y, int32_t n, double p)
{
	int32_t		lo = 0,
				hi = n - 1;
	double		r;

	if (p <= x[0])
		return y[0];
	if (p >= x[n - 1])
		return y[n - 1];
	while (hi - lo > 1)			/* invariant: x[lo] < p < x[hi] */
	{
		int32_t		mid = lo + (hi - lo) / 2;

		if (x[mid] == p)
			return y[mid];
		if (x[mid] < p)
			lo = mid;
		else
			hi = mid;
	}
	r = (y[hi] - y[lo]) / (x[hi] - x[lo]) * (p - x[lo]) + y[lo];
	return r < 0.0 ? 0.0 : (r > 1.0 ? 1.0 : r);	/* rounding only */
}

double
calib_map_apply(const CalibMap *m, double p)
{
	switch (m->kind)
	{
		case CALIB_MAP_TEMPERATURE:
			return calib_sigmoid(calib_clipped_logit(p) / m->v[0]);
		case CALIB_MAP_PLATT:
			return calib_sigmoid(m->v[0] * calib_clipped_logit(p) + m->v[1]);
		case CALIB_MAP_HISTOGRAM:
			return m->v[calib_bin_index(p, m->n)];
		case CALIB_MAP_ISOTONIC:
			return isotonic_apply(m->v, m->v + m->n, m->n, p);
		case CALIB_MAP_VECTOR_TEMPERATURE:
			break;				/* applies to logit vectors (multiclass.c) */
	}
	return NAN;
}

/* ------------------------------------------------------------ text form */

void
calib_format_double(double x, char *buf)
{
	for (int prec = 15; prec <= 17; prec++)
	{
		double		back;

		snprintf(buf, 32, "%.*g", prec, x);
		back = strtod(buf, NULL);
		if (memcmp(&back, &x, sizeof x) == 0)
			return;
	}
	/* %.17g always round-trips a finite double; NaN/inf land here */
}

char *
calib_map_to_text(const CalibMap *m)
{
	size_t		nv = calib_map_nvalues(m->kind, m->n),
				cap = 32 + nv * 26,
				len;
	char	   *out = malloc(cap),
				num[32];
	const char *name = calib_map_kind_name(m->kind);

	if (out == NULL || name == NULL)
	{
		free(out);
		return NULL;
	}
	len = (size_t) snprintf(out, cap, "v%d:%s(", CALIB_MAP_VERSION, name);
	for (size_t i = 0; i < (m->kind == CALIB_MAP_ISOTONIC ? nv / 2 : nv); i++)
	{
		if (i > 0)
			out[len++] = ',';
		calib_format_double(m->v[i], num);
		memcpy(out + len, num, strlen(num));
		len += strlen(num);
		if (m->kind == CALIB_MAP_ISOTONIC)
		{
			out[len++] = ':';
			calib_format_double(m->v[m->n + i], num);
			memcpy(out + len, num, strlen(num));
			len += strlen(num);
		}
	}
	out[len++] = ')';
	out[len] = '\0';
	return out;
}

typedef struct Parser
{
	const char *buf;
	size_t		len;
	size_t		pos;
	char	   *err;
	size_t		errlen;
} Parser;

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Up to 24 characters of the input from pos, non-printables as '?'. */
static const char *
excerpt(const Parser *ps, char *out)
{
	size_t		k = 0;

	for (size_t i = ps->pos; i < ps->len && k < 24; i++)
		out[k++] = (ps->buf[i] >= 0x20 && ps->buf[i] < 0x7f) ? ps->buf[i] : '?';
	out[k] = '\0';
	return k == 0 ? "end of input" : out;
}

static const char *
expect_char(Parser *ps, char c, const char *what)
{
	char		ex[32];

	if (ps->pos < ps->len && ps->buf[ps->pos] == c)
	{
		ps->pos++;
		return NULL;
	}
	return fail(ps->err, ps->errlen, "expected %s at offset %zu, found \"%s\"",
				what, ps->pos, excerpt(ps, ex));
}

/* A decimal number: sign, digits, point, exponent; finite. */
static const char *
parse_number(Parser *ps, double *out)
{
	size_t		start = ps->pos,
				n;
	char		tok[48],
				ex[32],
			   *end;

	while (ps->pos < ps->len && strchr("0123456789+-.eE", ps->buf[ps->pos]) != NULL &&
		   ps->buf[ps->pos] != '\0')
		ps->pos++;
	n = ps->pos - start;
	if (n == 0 || n >= sizeof tok)
	{
		ps->pos = start;
		return fail(ps->err, ps->errlen, "expected a number at offset %zu, found \"%s\"",
					start, excerpt(ps, ex));
	}
	memcpy(tok, ps->buf + start, n);
	tok[n] = '\0';
	*out = strtod(tok, &end);
	if (end != tok + n || !isfinite(*out))
	{
		ps->pos = start;
		return fail(ps->err, ps->errlen, "invalid or out-of-range number \"%s\" at offset %zu", tok, start);
	}
	return NULL;
}

/* Grow a malloc'd array of doubles to hold at least need values. */
static double *
grow(double *v, size_t *cap, size_t need)
{
	double	   *nv;

	if (need <= *cap)
		return v;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 16;
	nv = realloc(v, *cap * sizeof(double));
	if (nv == NULL)
		free(v);
	return nv;
}

/*
 * The comma-separated list inside the parentheses: numbers, or x:y pairs when
 * pairs.  At most maxn items; xs and ys are malloc'd.
 */
static const char *
parse_list(Parser *ps, int pairs, size_t maxn, double **xs, double **ys, size_t *count)
{
	size_t		capx = 0,
				capy = 0,
				n = 0;
	const char *e;

	*xs = *ys = NULL;
	for (;;)
	{
		double		x,
					y = 0.0;

		if (n >= maxn)
			return fail(ps->err, ps->errlen, "too many values (the limit is %zu)", maxn);
		if ((e = parse_number(ps, &x)) != NULL)
			return e;
		if (pairs && ((e = expect_char(ps, ':', "\":\"")) != NULL || (e = parse_number(ps, &y)) != NULL))
			return e;
		if ((*xs = grow(*xs, &capx, n + 1)) == NULL ||
			(pairs && (*ys = grow(*ys, &capy, n + 1)) == NULL))
			return fail(ps->err, ps->errlen, "out of memory");
		(*xs)[n] = x;
		if (pairs)
			(*ys)[n] = y;
		n++;
		if (ps->pos < ps->len && ps->buf[ps->pos] == ',')
		{
			ps->pos++;
			continue;
		}
		break;
	}
	*count = n;
	return NULL;
}

static const char *
parse_kind(Parser *ps, int *kind)
{
	size_t		start = ps->pos;
	char		ex[32];

	while (ps->pos < ps->len && ps->buf[ps->pos] >= 'a' && ps->buf[ps->pos] <= 'z')
		ps->pos++;
	while (ps->pos < ps->len && ps->buf[ps->pos] == '_')
	{
		ps->pos++;				/* vector_temperature */
		while (ps->pos < ps->len && ps->buf[ps->pos] >= 'a' && ps->buf[ps->pos] <= 'z')
			ps->pos++;
	}
	for (int k = CALIB_MAP_TEMPERATURE; k <= CALIB_MAP_LAST_KIND; k++)
		if (ps->pos - start == strlen(kind_names[k]) &&
			memcmp(ps->buf + start, kind_names[k], ps->pos - start) == 0)
		{
			*kind = k;
			return NULL;
		}
	ps->pos = start;
	return fail(ps->err, ps->errlen,
				"unknown map kind at offset %zu, found \"%s\" (expected temperature, platt, histogram, isotonic or vector_temperature)",
				start, excerpt(ps, ex));
}

static const char *
parse_map(Parser *ps, CalibMap **out, double **xs, double **ys)
{
	const char *e;
	int			kind = 0;
	size_t		count = 0,
				maxn;
	CalibMap   *m;
	char		ex[32];
	int			scalar;

	while (ps->pos < ps->len && is_space(ps->buf[ps->pos]))
		ps->pos++;
	if (ps->len - ps->pos < 3 || memcmp(ps->buf + ps->pos, "v1:", 3) != 0)
		return fail(ps->err, ps->errlen,
					"a calib.map literal starts with \"v1:\" (format version 1), found \"%s\"",
					excerpt(ps, ex));
	ps->pos += 3;
	if ((e = parse_kind(ps, &kind)) != NULL || (e = expect_char(ps, '(', "\"(\"")) != NULL)
		return e;
	maxn = (kind == CALIB_MAP_TEMPERATURE || kind == CALIB_MAP_VECTOR_TEMPERATURE) ? 1 :
		kind == CALIB_MAP_PLATT ? 2 :
		kind == CALIB_MAP_HISTOGRAM ? CALIB_MAX_BINS : CALIB_MAP_MAX_KNOTS;
	if ((e = parse_list(ps, kind == CALIB_MAP_ISOTONIC, maxn, xs, ys, &count)) != NULL)
		return e;
	if ((e = expect_char(ps, ')', count >= maxn ? "\")\"" : "\",\" or \")\"")) != NULL)
		return e;
	while (ps->pos < ps->len && is_space(ps->buf[ps->pos]))
		ps->pos++;
	if (ps->pos != ps->len)
		return fail(ps->err, ps->errlen, "unexpected text after the map at offset %zu: \"%s\"",
					ps->pos, excerpt(ps, ex));
	if (((kind == CALIB_MAP_TEMPERATURE || kind == CALIB_MAP_VECTOR_TEMPERATURE) && count != 1) ||
		(kind == CALIB_MAP_PLATT && count != 2))
		return fail(ps->err, ps->errlen, "%s map needs %d parameter%s, got %zu",
					kind_names[kind], kind == CALIB_MAP_PLATT ? 2 : 1,
					kind == CALIB_MAP_PLATT ? "s" : "", count);
	scalar = kind != CALIB_MAP_HISTOGRAM && kind != CALIB_MAP_ISOTONIC;
	m = malloc(calib_map_size(kind, scalar ? 0 : (int32_t) count));
	if (m == NULL)
		return fail(ps->err, ps->errlen, "out of memory");
	m->kind = kind;
	m->n = scalar ? 0 : (int32_t) count;
	memcpy(m->v, *xs, count * sizeof(double));
	if (kind == CALIB_MAP_ISOTONIC)
		memcpy(m->v + count, *ys, count * sizeof(double));
	if ((e = calib_map_check(m, ps->err, ps->errlen)) != NULL)
	{
		free(m);
		return e;
	}
	*out = m;
	return NULL;
}

const char *
calib_map_from_text(const char *buf, size_t len, CalibMap **out, char *err, size_t errlen)
{
	Parser		ps = {buf, len, 0, err, errlen};
	double	   *xs = NULL,
			   *ys = NULL;
	const char *e;

	*out = NULL;
	e = parse_map(&ps, out, &xs, &ys);
	free(xs);
	free(ys);
	return e;
}

/* ---------------------------------------------------------- binary form */

#define BIN_HEADER 6

size_t
calib_map_binary_size(const CalibMap *m)
{
	return BIN_HEADER + calib_map_nvalues(m->kind, m->n) * 8;
}

void
calib_map_to_binary(const CalibMap *m, unsigned char *out)
{
	size_t		nv = calib_map_nvalues(m->kind, m->n);
	uint32_t	n = (uint32_t) m->n;

	out[0] = CALIB_MAP_VERSION;
	out[1] = (unsigned char) m->kind;
	for (int i = 0; i < 4; i++)
		out[2 + i] = (unsigned char) (n >> (24 - 8 * i));
	for (size_t k = 0; k < nv; k++)
	{
		uint64_t	u;

		memcpy(&u, &m->v[k], 8);
		for (int i = 0; i < 8; i++)
			out[BIN_HEADER + 8 * k + i] = (unsigned char) (u >> (56 - 8 * i));
	}
}

const char *
calib_map_from_binary(const unsigned char *buf, size_t len, CalibMap **out, char *err, size_t errlen)
{
	uint32_t	n = 0;
	size_t		nv;
	CalibMap   *m;
	const char *e;

	*out = NULL;
	if (len < BIN_HEADER)
		return fail(err, errlen, "binary calib.map too short: %zu bytes", len);
	if (buf[0] != CALIB_MAP_VERSION)
		return fail(err, errlen, "unsupported binary calib.map version %d", (int) buf[0]);
	if (calib_map_kind_name(buf[1]) == NULL)
		return fail(err, errlen, "unknown map kind %d", (int) buf[1]);
	for (int i = 0; i < 4; i++)
		n = (n << 8) | buf[2 + i];
	if (n > (uint32_t) INT32_MAX || (nv = calib_map_nvalues(buf[1], (int32_t) n)) == 0)
		return fail(err, errlen, "%s map cannot have %u values", calib_map_kind_name(buf[1]), n);
	if (len != BIN_HEADER + nv * 8)
		return fail(err, errlen, "binary %s map of %u values needs %zu bytes, got %zu",
					calib_map_kind_name(buf[1]), n, BIN_HEADER + nv * 8, len);
	m = malloc(calib_map_size(buf[1], (int32_t) n));
	if (m == NULL)
		return fail(err, errlen, "out of memory");
	m->kind = buf[1];
	m->n = (int32_t) n;
	for (size_t k = 0; k < nv; k++)
	{
		uint64_t	u = 0;

		for (int i = 0; i < 8; i++)
			u = (u << 8) | buf[BIN_HEADER + 8 * k + i];
		memcpy(&m->v[k], &u, 8);
	}
	if ((e = calib_map_check(m, err, errlen)) != NULL)
	{
		free(m);
		return e;
	}
	*out = m;
	return NULL;
}

/* -------------------------------------------------------------- fitting */

static CalibMap *
new_map(int kind, int32_t n)
{
	CalibMap   *m = malloc(calib_map_size(kind, n));

	if (m != NULL)
	{
		m->kind = kind;
		m->n = n;
	}
	return m;
}

/*
 * Distinct confidences ascending, as clipped logits z with the number of
 * correct (wp) and wrong (wn) rows at each; returns the count.  Grouping by
 * exact value keeps the likelihood exact while visiting each value once.
 */
static int64_t
logit_groups(const CalibScores *s, double *z, double *wp, double *wn)
{
	CalibGroupIter it;
	CalibGroup	g;
	int64_t		k = 0;

	calib_group_iter_init(&it, s, false);
	while (calib_group_next(&it, &g))
	{
		z[k] = calib_clipped_logit(g.value);
		wp[k] = (double) g.npos;
		wn[k] = (double) g.nneg;
		k++;
	}
	return k;
}

/* softplus(t) = log(1 + e^t) and sigmoid(t) from one exp. */
static inline void
softplus_sigmoid(double t, double *sp, double *sg)
{
	double		e = exp(-fabs(t));

	*sp = (t > 0.0 ? t : 0.0) + log1p(e);
	*sg = t >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/* dL/dbeta and d2L/dbeta2 of the temperature likelihood at beta = 1/T. */
static void
temperature_derivs(const double *z, const double *wp, const double *wn, int64_t k,
				   double beta, double *d1, double *d2)
{
	double		g = 0.0,
				h = 0.0;

	for (int64_t i = 0; i < k; i++)
	{
		double		sg = calib_sigmoid(beta * z[i]),
					n = wp[i] + wn[i];

		g += z[i] * (n * sg - wp[i]);
		h += z[i] * z[i] * n * sg * (1.0 - sg);
	}
	*d1 = g;
	*d2 = h;
}

/*
 * Whether the temperature MLE is a finite beta > 0 (see calib_fit_temperature):
 * 0 when it is, else why not.
 */
static const char *
temperature_exists(const double *z, const double *wp, const double *wn, int64_t k)
{
	double		d0 = 0.0;
	int			contradicted = 0;

	for (int64_t i = 0; i < k; i++)
	{
		d0 += 0.5 * z[i] * (wn[i] - wp[i]);
		contradicted |= (z[i] > 0.0 && wn[i] > 0) || (z[i] < 0.0 && wp[i] > 0);
	}
	if (d0 >= 0.0)
		return "no temperature fits: confidence is not positively associated with correctness "
			"(the likelihood is largest at 1/T <= 0)";
	if (!contradicted)
		return "no finite temperature fits: every answer above confidence 0.5 is correct and every one "
			"below is wrong (separable data, the likelihood grows as T -> 0)";
	return NULL;
}

double
calib_newton_1d(CalibDerivs derivs, void *ctx, double beta)
{
	double		lo = 0.0,
				hi = INFINITY;

	for (int it = 0; it < 3000; it++)
	{
		double		d1,
					d2,
					next;

		derivs(ctx, beta, &d1, &d2);
		if (d1 == 0.0)
			break;
		if (d1 < 0.0)
			lo = beta;
		else
			hi = beta;
		next = d2 > 0.0 ? beta - d1 / d2 : NAN;
		if (next > lo && next < hi && fabs(next - beta) <= 1e-9 * beta)
			return next;		/* quadratic convergence: the error is now ~1e-18 */
		if (!(next > lo && next < hi))
			next = isinf(hi) ? 2.0 * beta : 0.5 * (lo + hi);
		if (next == lo || next == hi)
			break;				/* bracket at rounding level */
		beta = next;
	}
	return beta;
}

/* L'(beta) = 0 for the binary temperature likelihood, by calib_newton_1d. */
typedef struct TemperatureData
{
	const double *z,
			   *wp,
			   *wn;
	int64_t		k;
} TemperatureData;

static void
temperature_derivs_cb(void *ctx, double beta, double *d1, double *d2)
{
	const TemperatureData *t = ctx;

	temperature_derivs(t->z, t->wp, t->wn, t->k, beta, d1, d2);
}

static double
temperature_solve(const double *z, const double *wp, const double *wn, int64_t k, double beta)
{
	TemperatureData t = {z, wp, wn, k};

	return calib_newton_1d(temperature_derivs_cb, &t, beta);
}

/*
 * A warm start for the Newton iterations: consecutive groups pooled into at
 * most CALIB_COARSE chunks (sums of wp and wn, weighted mean logit).  The fit
 * on the chunks is close to the full one, so the full data need only two or
 * three passes; the answer is still the exact optimum of the full likelihood.
 */
#define CALIB_COARSE 2048

static int64_t
coarsen(const double *z, const double *wp, const double *wn, int64_t k,
		double *cz, double *cwp, double *cwn)
{
	int64_t		per = (k + CALIB_COARSE - 1) / CALIB_COARSE,
				c = 0;

	for (int64_t i = 0; i < k; i += per)
	{
		double		sz = 0.0,
					sp = 0.0,
					sn = 0.0;

		for (int64_t j = i; j < k && j < i + per; j++)
		{
			sz += z[j] * (wp[j] + wn[j]);
			sp += wp[j];
			sn += wn[j];
		}
		cz[c] = sz / (sp + sn);
		cwp[c] = sp;
		cwn[c] = sn;
		c++;
	}
	return c;
}

/*
 * What the two logistic fits (temperature, Platt) work on: the groups of
 * logit_groups in the caller's work buffer (z, wp, wn: n doubles each) and
 * their coarsen chunks for the warm start.
 */
typedef struct LogitFitData
{
	double	   *z,
			   *wp,
			   *wn;
	int64_t		k;
	double		cz[CALIB_COARSE],
				cwp[CALIB_COARSE],
				cwn[CALIB_COARSE];
	int64_t		kc;
} LogitFitData;

static void
logit_fit_data(const CalibScores *s, double *work, LogitFitData *d)
{
	int64_t		n = s->npos + s->nneg;

	d->z = work;
	d->wp = work + n;
	d->wn = work + 2 * n;
	d->k = logit_groups(s, d->z, d->wp, d->wn);
	d->kc = coarsen(d->z, d->wp, d->wn, d->k, d->cz, d->cwp, d->cwn);
}

/*
 * Temperature: minimise L(beta) = sum wp softplus(-beta z) + wn softplus(beta z)
 * over beta = 1/T > 0.  L is convex; L'(0) = sum z (wn - wp) / 2.  The
 * minimiser is positive and finite iff L'(0) < 0 and some row contradicts the
 * rule "p > 1/2 means correct" (else L' < 0 everywhere: T -> 0).
 */
const char *
calib_fit_temperature(const CalibScores *s, double *work, CalibMap **out)
{
	LogitFitData d;
	double		beta = 1.0;
	int			nonzero = 0;
	const char *why;

	*out = NULL;
	logit_fit_data(s, work, &d);
	for (int64_t i = 0; i < d.k; i++)
		nonzero |= d.z[i] != 0.0;
	if (!nonzero)
	{
		/* every confidence is 1/2: every T gives the same fit; keep T = 1 */
		if ((*out = new_map(CALIB_MAP_TEMPERATURE, 0)) != NULL)
			(*out)->v[0] = 1.0;
		return *out ? NULL : "out of memory";
	}
	if ((why = temperature_exists(d.z, d.wp, d.wn, d.k)) != NULL)
		return why;
	if (d.kc < d.k && temperature_exists(d.cz, d.cwp, d.cwn, d.kc) == NULL)
		beta = temperature_solve(d.cz, d.cwp, d.cwn, d.kc, 1.0);
	beta = temperature_solve(d.z, d.wp, d.wn, d.k, beta);
	if (!(beta > 0.0 && isfinite(beta)))
		return "temperature fit did not converge";
	if ((*out = new_map(CALIB_MAP_TEMPERATURE, 0)) == NULL)
		return "out of memory";
	(*out)->v[0] = 1.0 / beta;
	return NULL;
}

/* Loss, gradient and Hessian of the Platt likelihood at (a, b). */
static double
platt_eval(const double *z, const double *wp, const double *wn, int64_t k,
		   double a, double b, double g[2], double h[3])
{
	double		loss = 0.0;

	g[0] = g[1] = h[0] = h[1] = h[2] = 0.0;
	for (int64_t i = 0; i < k; i++)
	{
		double		t = a * z[i] + b,
					sp,
					sg,
					n = wp[i] + wn[i],
					r,
					w;

		softplus_sigmoid(t, &sp, &sg);
		/* -log sigma(t) = softplus(t) - t; -log(1 - sigma(t)) = softplus(t) */
		loss += n * sp - wp[i] * t;
		r = n * sg - wp[i];
		w = n * sg * (1.0 - sg);
		g[0] += r * z[i];
		g[1] += r;
		h[0] += w * z[i] * z[i];
		h[1] += w * z[i];
		h[2] += w;
	}
	return loss;
}

/*
 * Newton with a backtracking line search on the loss from (a, b); true when
 * it converged (a step below 1e-9 relative, after which quadratic
 * convergence leaves an error of ~1e-18, or no decrease possible).
 */
static int
platt_solve(const double *z, const double *wp, const double *wn, int64_t k, double *pa, double *pb)
{
	double		a = *pa,
				b = *pb,
				g[2],
				h[3],
				loss = platt_eval(z, wp, wn, k, a, b, g, h);
	int			converged = 0;

	for (int it = 0; it < 200 && !converged; it++)
	{
		double		det = h[0] * h[2] - h[1] * h[1],
					da,
					db,
					step = 1.0;

		if (!(det > 0.0))
			break;
		da = -(h[2] * g[0] - h[1] * g[1]) / det;
		db = -(h[0] * g[1] - h[1] * g[0]) / det;
		if (fabs(da) <= 1e-9 * (1.0 + fabs(a)) && fabs(db) <= 1e-9 * (1.0 + fabs(b)))
		{
			a += da;
			b += db;
			converged = 1;
			break;
		}
		for (int ls = 0; ls < 60; ls++)
		{
			double		g2[2],
						h2[3],
						l2 = platt_eval(z, wp, wn, k, a + step * da, b + step * db, g2, h2);

			if (l2 <= loss)
			{
				a += step * da;
				b += step * db;
				loss = l2;
				memcpy(g, g2, sizeof g2);
				memcpy(h, h2, sizeof h2);
				break;
			}
			if (ls == 59)
				converged = 1;	/* no decrease possible: optimum to rounding */
			step *= 0.5;
		}
	}
	*pa = a;
	*pb = b;
	return converged && isfinite(a) && isfinite(b);
}

/*
 * Platt: unregularised logistic regression of correctness on the clipped
 * logit.  The MLE exists and is unique iff both classes occur, there are two
 * distinct logits, and the logits of correct and wrong answers overlap
 * strictly (no threshold separates them, even with ties on it).  Newton from
 * the fit on the pooled chunks (or from the identity (1, 0) when the chunks
 * have no finite fit).
 */
const char *
calib_fit_platt(const CalibScores *s, double *work, CalibMap **out)
{
	LogitFitData d;
	double		a = 1.0,
				b = 0.0;

	*out = NULL;
	if (s->nneg == 0)
		return "no Platt map fits: every answer is correct (the likelihood grows without bound as b -> +infinity)";
	if (s->npos == 0)
		return "no Platt map fits: every answer is wrong (the likelihood grows without bound as b -> -infinity)";
	logit_fit_data(s, work, &d);
	if (d.z[0] == d.z[d.k - 1])
		return "no unique Platt map: all confidences have the same (clipped) logit, so the slope is not identifiable";
	if (calib_clipped_logit(s->neg[s->nneg - 1]) <= calib_clipped_logit(s->pos[0]) ||
		calib_clipped_logit(s->pos[s->npos - 1]) <= calib_clipped_logit(s->neg[0]))
		return "no finite Platt map fits: a confidence threshold separates the correct answers from the wrong "
			"ones (separable data, the likelihood grows as the slope -> infinity)";

	if (d.kc < d.k &&
		!(platt_solve(d.cz, d.cwp, d.cwn, d.kc, &a, &b) && fabs(a) < 1e6 && fabs(b) < 1e6))
	{
		a = 1.0;				/* chunks (nearly) separable: start from identity */
		b = 0.0;
	}
	if (!platt_solve(d.z, d.wp, d.wn, d.k, &a, &b))
		return "Platt fit did not converge";
	if ((*out = new_map(CALIB_MAP_PLATT, 0)) == NULL)
		return "out of memory";
	(*out)->v[0] = a;
	(*out)->v[1] = b;
	return NULL;
}

/*
 * Isotonic: pool adjacent violators over the distinct confidences, weight =
 * rows, value = accuracy, pooling blocks whose accuracy does not increase
 * (like scikit-learn).  Knots: the first and last confidence of each block.
 */
const char *
calib_fit_isotonic(const CalibScores *s, double *work, CalibMap **out)
{
	int64_t		n = s->npos + s->nneg,
				top = 0;
	/* block stack: first x, last x, correct rows, rows */
	double	   *bx0 = work,
			   *bx1 = work + n,
			   *bp = work + 2 * n,
			   *bn = work + 3 * n;
	CalibGroupIter it;
	CalibGroup	g;
	int64_t		knots = 0;
	CalibMap   *m;

	*out = NULL;
	calib_group_iter_init(&it, s, false);
	while (calib_group_next(&it, &g))
	{
		bx0[top] = bx1[top] = g.value;
		bp[top] = (double) g.npos;
		bn[top] = (double) (g.npos + g.nneg);
		top++;
		/* pool while the previous block's accuracy >= this one's */
		while (top > 1 && bp[top - 2] / bn[top - 2] >= bp[top - 1] / bn[top - 1])
		{
			bx1[top - 2] = bx1[top - 1];
			bp[top - 2] += bp[top - 1];
			bn[top - 2] += bn[top - 1];
			top--;
		}
	}
	for (int64_t j = 0; j < top; j++)
		knots += bx0[j] == bx1[j] ? 1 : 2;
	if (knots > CALIB_MAP_MAX_KNOTS)
		return "isotonic fit has more knots than a calib.map can hold (16777216)";
	if ((m = new_map(CALIB_MAP_ISOTONIC, (int32_t) knots)) == NULL)
		return "out of memory";
	knots = 0;
	for (int64_t j = 0; j < top; j++)
	{
		double		y = bp[j] / bn[j];

		m->v[knots] = bx0[j];
		m->v[m->n + knots++] = y;
		if (bx1[j] != bx0[j])
		{
			m->v[knots] = bx1[j];
			m->v[m->n + knots++] = y;
		}
	}
	*out = m;
	return NULL;
}

/* Histogram binning: each bin's accuracy; an empty bin keeps its midpoint. */
const char *
calib_fit_histogram(const CalibBinAcc *acc, int bins, CalibMap **out)
{
	CalibMap   *m = new_map(CALIB_MAP_HISTOGRAM, bins);

	*out = NULL;
	if (m == NULL)
		return "out of memory";
	for (int k = 0; k < bins; k++)
		m->v[k] = acc[k].n > 0 ? (double) acc[k].n_correct / (double) acc[k].n
			: 0.5 * (calib_bin_edge(k, bins) + calib_bin_edge(k + 1, bins));
	*out = m;
	return NULL;
}
