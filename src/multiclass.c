/*
 * multiclass.c -- probability vectors: validation, softmax, the mergeable
 * states of the vector aggregates and their text and wire forms, and
 * temperature scaling of logit vectors.  See multiclass.h and
 * docs/multiclass.md.
 */
#include "multiclass.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pointwise.h"

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

/* ------------------------------------------------------------ vectors */

const char *
calib_probs_check(const double *p, int k, bool truncated_ok, double *sum,
				  char *err, size_t errlen)
{
	double		s = 0.0;
	char		num[32];

	for (int i = 0; i < k; i++)
	{
		double		x = p[i];

		if (!(x >= 0.0 && x <= 1.0 + CALIB_PROBS_TOL))
		{
			if (isnan(x))
				return fail(err, errlen, "probability %d is NaN", i + 1);
			if (isinf(x))
				return fail(err, errlen, "probability %d is %s", i + 1, x > 0 ? "Infinity" : "-Infinity");
			calib_format_double(x, num);
			return fail(err, errlen, "probability %d is %s, outside [0, 1]", i + 1, num);
		}
		s += x;
	}
	if (!(s <= 1.0 + CALIB_PROBS_TOL && (truncated_ok || s >= 1.0 - CALIB_PROBS_TOL)))
	{
		calib_format_double(s, num);
		return fail(err, errlen, "the probabilities sum to %s, not 1 (within 1e-6)%s", num,
					truncated_ok ? "; a truncated distribution sums to at most 1" : "");
	}
	*sum = s;
	return NULL;
}

const char *
calib_logits_check(const double *z, int k, char *err, size_t errlen)
{
	bool		finite = false;

	for (int i = 0; i < k; i++)
	{
		if (isnan(z[i]))
			return fail(err, errlen, "logit %d is NaN", i + 1);
		if (isinf(z[i]) && z[i] > 0)
			return fail(err, errlen, "logit %d is Infinity", i + 1);
		finite |= isfinite(z[i]);
	}
	if (!finite)
		return fail(err, errlen, "every logit is -Infinity: no probability distribution");
	return NULL;
}

void
calib_softmax(const double *z, int k, double temperature, double *out)
{
	double		m = -INFINITY,
				s = 0.0;

	for (int i = 0; i < k; i++)
		if (z[i] > m)
			m = z[i];
	for (int i = 0; i < k; i++)
	{
		out[i] = isinf(z[i]) ? 0.0 : exp((z[i] - m) / temperature);
		s += out[i];
	}
	/* s >= 1: the largest entry contributes exp(0) */
	for (int i = 0; i < k; i++)
		out[i] /= s;
}

double
calib_vec_brier_term(const double *p, int k, int label)
{
	double		s = 0.0;

	for (int i = 0; i < k; i++)
	{
		double		d = calib_prob_clamp(p[i]) - (i == label - 1 ? 1.0 : 0.0);

		s += d * d;
	}
	return s;
}

double
calib_vec_nll_term(const double *p, int k, int label)
{
	(void) k;
	return calib_log_loss(calib_prob_clamp(p[label - 1]), true);
}

/* ------------------------------------------------------------- states */

static const char *const vs_names[] = {NULL, "classwise", "full_ece", "brier", "nll"};

const char *
calib_vs_kind_name(int kind)
{
	return (kind >= CALIB_VS_CLASSWISE && kind <= CALIB_VS_NLL) ? vs_names[kind] : NULL;
}

size_t
calib_vs_words(int kind, int32_t k, int32_t bins)
{
	bool		binned = bins >= CALIB_MIN_BINS && bins <= CALIB_MAX_BINS;

	switch (kind)
	{
		case CALIB_VS_CLASSWISE:
			if (!binned || k < 1 || (int64_t) k * bins > CALIB_VS_MAX_CELLS)
				return 0;
			return (size_t) k * (size_t) bins * (sizeof(CalibBinExact) / 8);
		case CALIB_VS_FULL:
			return (binned && k == 0) ? (size_t) bins * (sizeof(CalibFullCell) / 8) : 0;
		case CALIB_VS_BRIER:
		case CALIB_VS_NLL:
			return (k == 0 && bins == 0) ? sizeof(CalibExact) / 8 : 0;
	}
	return 0;
}

void
calib_vs_init(CalibVecState *st, int kind, int32_t k, int32_t bins)
{
	memset(st, 0, calib_vs_size(kind, k, bins));
	st->kind = kind;
	st->k = k;
	st->bins = bins;
}

/*
 * A probability in [0, 1] as a CalibExact, the same value as
 * calib_exact_from_double (the fraction rounded toward zero to units of
 * 2^-64), without its sign and integer-part handling: the hot loops below
 * convert every entry of every row.
 */
static inline CalibExact
exact_of_unit(double p)
{
	CalibExact	r;

	if (p >= 1.0)
	{
		r.lo = 0;
		r.hi = 1;
	}
	else
	{
		r.lo = (uint64_t) (p * 18446744073709551616.0);
		r.hi = 0;
	}
	return r;
}

/* s += t without the overflow check: callers add at most one unit of
 * probability per row to a sum of at most n < 2^63 rows' units. */
static inline void
exact_add_unchecked(CalibExact *s, CalibExact t)
{
	uint64_t	lo = s->lo + t.lo;

	s->hi += t.hi + (lo < s->lo);
	s->lo = lo;
}

/* A state that cannot count another row (n at the int64 limit; every
 * count inside is at most n, so none of them can overflow either). */
static inline bool
unlikely_full(const CalibVecState *st)
{
	return st->n == INT64_MAX;
}

static inline int
bin_of(double c, const double *edge, int bins)
{
	return edge ? calib_bin_index_edges(c, edge, bins) : calib_bin_index(c, bins);
}

bool
calib_vs_add_classwise(CalibVecState *st, const double *p, int label, const double *edge)
{
	CalibBinExact *cells = calib_vs_cells(st);
	int			bins = st->bins;

	if (unlikely_full(st))
		return false;
	for (int i = 0; i < st->k; i++)
	{
		double		c = calib_prob_clamp(p[i]);
		CalibBinExact *cell = &cells[(size_t) i * bins + bin_of(c, edge, bins)];

		/* calib_bin_exact_add, with the unit-interval conversion: a term in
		 * [0, 1] added to a sum of at most n < 2^63 such terms stays below
		 * 2^63 in the integer part, no overflow */
		cell->n++;
		cell->n_correct += i == label - 1;
		exact_add_unchecked(&cell->sum_conf, exact_of_unit(c));
	}
	st->n++;
	return true;
}

const char *
calib_full_row_check(const double *p, int k, double sum, int label, int bins,
					 char *err, size_t errlen)
{
	double		lo = p[0];
	char		a[32],
				b[32];

	if (sum >= 1.0 - CALIB_PROBS_TOL && label != 0)
		return NULL;			/* the whole distribution */
	for (int i = 1; i < k; i++)
		if (p[i] < lo)
			lo = p[i];
	if (calib_bin_index(calib_prob_clamp(lo), bins) == 0)
		return NULL;
	calib_format_double(lo, a);
	calib_format_double(calib_bin_edge(1, bins), b);
	return fail(err, errlen,
				"the smallest given probability, %s, is above 1/bins = %s: the omitted "
				"probabilities%s may fall outside the first bin",
				a, b, label == 0 ? " and the correct one" : "");
}

/*
 * Every entry's p into its bin; the label's hit into the bin of its entry
 * (label 0: the first bin); the rest of the unit mass, 1 - sum p (computed
 * exactly, so a row's sums add up to exactly 1), into the first bin.
 */
bool
calib_vs_add_full(CalibVecState *st, const double *p, int k, int label, const double *edge)
{
	CalibFullCell *cells = calib_vs_full_cells(st);
	CalibExact	row = CALIB_EXACT_ZERO,
				rest = {0, 1};	/* exactly 1 */
	int			bins = st->bins;

	if (unlikely_full(st))
		return false;
	for (int i = 0; i < k; i++)
	{
		double		c = calib_prob_clamp(p[i]);
		CalibExact	t = exact_of_unit(c);
		int			b = bin_of(c, edge, bins);

		/* each row adds exactly one unit over its bins (plus at most 1e-6
		 * of clamped excess): no overflow below 2^63 rows */
		exact_add_unchecked(&cells[b].sum, t);
		exact_add_unchecked(&row, t);
		if (i == label - 1)
			cells[b].hits++;
	}
	if (label == 0)
		cells[0].hits++;
	calib_exact_sub_from(&rest, row);
	calib_exact_add_to(&cells[0].sum, rest);
	st->n++;
	return true;
}

bool
calib_vs_add_term(CalibVecState *st, double term)
{
	if (unlikely_full(st) || !calib_exact_add(calib_vs_sum(st), term))
		return false;
	st->n++;
	return true;
}

bool
calib_vs_same_shape(const CalibVecState *a, const CalibVecState *b)
{
	return a->kind == b->kind && a->k == b->k && a->bins == b->bins;
}

bool
calib_vs_merge(CalibVecState *a, const CalibVecState *b)
{
	size_t		nw = calib_vs_words(a->kind, a->k, a->bins);
	bool		ok = true;

	/* counts: checked additions (a state read from text may hold any n) */
	if (__builtin_add_overflow(a->n, b->n, &a->n))
		return false;
	switch (a->kind)
	{
		case CALIB_VS_CLASSWISE:
			ok = calib_bins_exact_merge(calib_vs_cells(a), (const CalibBinExact *) b->w,
										(int) (nw / 4), 1);
			break;
		case CALIB_VS_FULL:
			{
				CalibFullCell *x = calib_vs_full_cells(a);
				const CalibFullCell *y = (const CalibFullCell *) b->w;

				for (size_t i = 0; i < nw / 3; i++)
				{
					ok &= !__builtin_add_overflow(x[i].hits, y[i].hits, &x[i].hits);
					ok &= calib_exact_add_to(&x[i].sum, y[i].sum);
				}
			}
			break;
		default:
			ok = calib_exact_add_to(calib_vs_sum(a), *(const CalibExact *) b->w);
	}
	return ok;
}

void
calib_vs_class_bins(const CalibVecState *st, int c, CalibBinAcc *acc)
{
	calib_bins_exact_to_acc((const CalibBinExact *) st->w + (size_t) c * st->bins, st->bins, acc);
}

double
calib_vs_classwise_ece(const CalibVecState *st)
{
	CalibBinAcc *acc;
	double		total = 0.0;

	if (st->n == 0)
		return NAN;
	acc = malloc(sizeof(CalibBinAcc) * st->bins);
	if (acc == NULL)
		return NAN;
	for (int c = 0; c < st->k; c++)
	{
		CalibBinnedError e;

		calib_vs_class_bins(st, c, acc);
		calib_binned_error(acc, st->bins, &e);
		total += e.ece;
	}
	free(acc);
	return total / st->k;
}

double
calib_vs_full_ece(const CalibVecState *st)
{
	const CalibFullCell *cells = (const CalibFullCell *) st->w;
	double		total = 0.0;

	if (st->n == 0)
		return NAN;
	for (int b = 0; b < st->bins; b++)
	{
		/* hits - sum p, exactly, then once to double */
		CalibExact	d = {0, (uint64_t) cells[b].hits};

		calib_exact_sub_from(&d, cells[b].sum);
		total += fabs(calib_exact_to_double(d));
	}
	return total / (double) st->n;
}

double
calib_vs_mean(const CalibVecState *st)
{
	if (st->n == 0)
		return NAN;
	return calib_exact_to_double(*(const CalibExact *) st->w) / (double) st->n;
}

/* --------------------------------------------------------- validation */

static bool
exact_in(CalibExact x, CalibExact lo, CalibExact hi)
{
	return calib_exact_cmp(x, lo) >= 0 && calib_exact_cmp(x, hi) <= 0;
}

static CalibExact
exact_int(int64_t n)
{
	CalibExact	r = {0, (uint64_t) n};

	return r;
}

static const char *
check_cells(const CalibVecState *st, const CalibBinExact *cells, int nclass,
			char *err, size_t errlen)
{
	int64_t		correct = 0;

	for (int c = 0; c < nclass; c++)
	{
		int64_t		rows = 0;

		for (int b = 0; b < st->bins; b++)
		{
			const CalibBinExact *x = &cells[(size_t) c * st->bins + b];

			if (x->n < 0 || x->n_correct < 0 || x->n_correct > x->n)
				return fail(err, errlen, "cell %d of class %d: %lld correct of %lld rows",
							b + 1, c + 1, (long long) x->n_correct, (long long) x->n);
			/* every p of the bin is in [0, 1] */
			if (!exact_in(x->sum_conf, CALIB_EXACT_ZERO, exact_int(x->n)))
				return fail(err, errlen, "cell %d of class %d: the sum of %lld probabilities is outside [0, %lld]",
							b + 1, c + 1, (long long) x->n, (long long) x->n);
			if (x->n > st->n - rows)
				return fail(err, errlen, "class %d has more rows in its bins than the state's %lld",
							c + 1, (long long) st->n);
			rows += x->n;
			if (__builtin_add_overflow(correct, x->n_correct, &correct) || correct > st->n)
				return fail(err, errlen, "more correct rows than the state's %lld", (long long) st->n);
		}
		if (rows != st->n)
			return fail(err, errlen, "class %d has %lld rows in its bins, the state %lld",
						c + 1, (long long) rows, (long long) st->n);
	}
	/* every row has exactly one correct option among the K */
	if (correct != st->n)
		return fail(err, errlen, "%lld rows are correct for some class, the state has %lld rows",
					(long long) correct, (long long) st->n);
	return NULL;
}

const char *
calib_vs_check(const CalibVecState *st, char *err, size_t errlen)
{
	const char *name = calib_vs_kind_name(st->kind);

	if (name == NULL)
		return fail(err, errlen, "unknown state kind %d", (int) st->kind);
	if (calib_vs_words(st->kind, st->k, st->bins) == 0)
		return fail(err, errlen, "a %s state cannot have k = %d and bins = %d",
					name, (int) st->k, (int) st->bins);
	if (st->pad != 0)
		return fail(err, errlen, "nonzero padding");
	if (st->n < 1)
		return fail(err, errlen, "a %s state holds at least one row, got n = %lld",
					name, (long long) st->n);
	switch (st->kind)
	{
		case CALIB_VS_CLASSWISE:
			return check_cells(st, (const CalibBinExact *) st->w, st->k, err, errlen);
		case CALIB_VS_FULL:
			{
				const CalibFullCell *cells = (const CalibFullCell *) st->w;
				CalibExact	total = CALIB_EXACT_ZERO;
				int64_t		hits = 0;

				for (int b = 0; b < st->bins; b++)
				{
					if (cells[b].hits < 0 || cells[b].hits > st->n - hits)
						return fail(err, errlen, "bin %d: %lld hits, more than the rows left",
									b + 1, (long long) cells[b].hits);
					hits += cells[b].hits;
					/* bins above the first hold entries in (0, 1] whose rows sum to
					 * at most 1 + 1e-6 each; the first also the rest of each row */
					if (calib_exact_is_negative(cells[b].sum) && b > 0)
						return fail(err, errlen, "bin %d: negative sum of probabilities", b + 1);
					if (!calib_exact_add_to(&total, cells[b].sum))
						return fail(err, errlen, "bin %d: the sums overflow", b + 1);
				}
				if (hits != st->n)
					return fail(err, errlen, "%lld hits in the bins, the state has %lld rows",
								(long long) hits, (long long) st->n);
				/* each row adds exactly 1 over its bins */
				if (!calib_exact_eq(total, exact_int(st->n)))
					return fail(err, errlen, "the bins' sums of probabilities do not add up to the %lld rows",
								(long long) st->n);
			}
			return NULL;
		case CALIB_VS_BRIER:
		case CALIB_VS_NLL:
			{
				CalibExact	s = *(const CalibExact *) st->w,
							hi = CALIB_EXACT_ZERO;
				/*
				 * An NLL term is at most -ln(2^-52) < 37.  A Brier term is at
				 * most 2 + 1e-12: entries are clamped to [0, 1] but a row may
				 * sum to 1 + 1e-6, so a wrong class can hold 1 and another
				 * 1e-6 more.  The slack allowed is 2^-39 (1.8e-12) per row.
				 */
				bool		brier = st->kind == CALIB_VS_BRIER;
				int64_t		per = brier ? 2 : 37;
				CalibExact	slack = {(uint64_t) st->n << 25, (uint64_t) st->n >> 39};

				for (int i = 0; i < per; i++)
					if (!calib_exact_add_to(&hi, exact_int(st->n)))
						hi = (CalibExact) {UINT64_MAX, INT64_MAX};
				if (brier && !calib_exact_add_to(&hi, slack))
					hi = (CalibExact) {UINT64_MAX, INT64_MAX};
				if (!exact_in(s, CALIB_EXACT_ZERO, hi))
					return fail(err, errlen, "the sum of the %s terms is outside [0, %s n]",
								name, brier ? "(2 + 2^-39)" : "37");
			}
			return NULL;
	}
	return NULL;
}

/* ---------------------------------------------------------- text form */

typedef struct TextBuf
{
	char	   *s;
	size_t		len,
				cap;
	bool		oom;
} TextBuf;

static void
tb_put(TextBuf *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap)
	{
		size_t		cap = t->cap ? t->cap : 64;
		char	   *ns;

		while (cap < t->len + n + 1)
			cap *= 2;
		if ((ns = realloc(t->s, cap)) == NULL)
		{
			t->oom = true;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
tb_int(TextBuf *t, int64_t v)
{
	char		b[24];

	tb_put(t, b, (size_t) snprintf(b, sizeof b, "%lld", (long long) v));
}

static void
tb_exact(TextBuf *t, CalibExact x)
{
	char		b[CALIB_EXACT_TEXT_MAX];

	tb_put(t, b, calib_exact_to_text(x, b));
}

char *
calib_vs_to_text(const CalibVecState *st)
{
	TextBuf		t = {NULL, 0, 0, false};
	const char *name = calib_vs_kind_name(st->kind);

	tb_put(&t, name, strlen(name));
	tb_put(&t, ":v1:", 4);
	if (st->kind == CALIB_VS_CLASSWISE)
	{
		tb_put(&t, "k=", 2);
		tb_int(&t, st->k);
		tb_put(&t, ":", 1);
	}
	if (st->bins > 0)
	{
		tb_put(&t, "bins=", 5);
		tb_int(&t, st->bins);
		tb_put(&t, ":", 1);
	}
	tb_put(&t, "n=", 2);
	tb_int(&t, st->n);
	tb_put(&t, ":", 1);
	switch (st->kind)
	{
		case CALIB_VS_CLASSWISE:
			for (size_t i = 0; i < (size_t) st->k * st->bins; i++)
			{
				const CalibBinExact *x = (const CalibBinExact *) st->w + i;

				if (i > 0)
					tb_put(&t, ";", 1);
				tb_int(&t, x->n);
				tb_put(&t, ",", 1);
				tb_int(&t, x->n_correct);
				tb_put(&t, ",", 1);
				tb_exact(&t, x->sum_conf);
			}
			break;
		case CALIB_VS_FULL:
			for (int b = 0; b < st->bins; b++)
			{
				const CalibFullCell *x = (const CalibFullCell *) st->w + b;

				if (b > 0)
					tb_put(&t, ";", 1);
				tb_int(&t, x->hits);
				tb_put(&t, ",", 1);
				tb_exact(&t, x->sum);
			}
			break;
		default:
			tb_exact(&t, *(const CalibExact *) st->w);
	}
	if (t.oom)
	{
		free(t.s);
		return NULL;
	}
	return t.s;
}

typedef struct Scan
{
	const char *buf;
	size_t		len,
				pos;
	char	   *err;
	size_t		errlen;
} Scan;

static const char *
scan_fail(Scan *sc, const char *what)
{
	char		ex[28];
	size_t		k = 0;

	for (size_t i = sc->pos; i < sc->len && k < 24; i++)
		ex[k++] = (sc->buf[i] >= 0x20 && sc->buf[i] < 0x7f) ? sc->buf[i] : '?';
	ex[k] = '\0';
	return fail(sc->err, sc->errlen, "expected %s at offset %zu, found \"%s\"",
				what, sc->pos, k ? ex : "end of input");
}

static bool
scan_lit(Scan *sc, const char *lit)
{
	size_t		n = strlen(lit);

	if (sc->len - sc->pos >= n && memcmp(sc->buf + sc->pos, lit, n) == 0)
	{
		sc->pos += n;
		return true;
	}
	return false;
}

/* A decimal integer without sign or leading zeros, at most 2^63 - 1. */
static bool
scan_int(Scan *sc, int64_t *out)
{
	size_t		start = sc->pos;
	uint64_t	v = 0;

	while (sc->pos < sc->len && sc->buf[sc->pos] >= '0' && sc->buf[sc->pos] <= '9')
	{
		unsigned	d = (unsigned) (sc->buf[sc->pos] - '0');

		if (v > (UINT64_C(9223372036854775807) - d) / 10)
			break;
		v = v * 10 + d;
		sc->pos++;
	}
	if (sc->pos == start || (sc->buf[start] == '0' && sc->pos - start > 1) ||
		(sc->pos < sc->len && sc->buf[sc->pos] >= '0' && sc->buf[sc->pos] <= '9'))
	{
		sc->pos = start;
		return false;
	}
	*out = (int64_t) v;
	return true;
}

static const char *
scan_exact(Scan *sc, CalibExact *out)
{
	size_t		start = sc->pos;
	char		err2[80];

	while (sc->pos < sc->len && sc->buf[sc->pos] != ',' && sc->buf[sc->pos] != ';')
		sc->pos++;
	if (!calib_exact_from_text(sc->buf + start, sc->pos - start, out, err2, sizeof err2))
	{
		sc->pos = start;
		return scan_fail(sc, "an exact sum (hexadecimal digits '.' 16 hexadecimal digits)");
	}
	return NULL;
}

static const char *
scan_field(Scan *sc, const char *key, int64_t *v, int64_t max)
{
	const char *e = NULL;
	char		what[40];

	snprintf(what, sizeof what, "\"%s\"", key);
	if (!scan_lit(sc, key))
		return scan_fail(sc, what);
	snprintf(what, sizeof what, "an integer after \"%s\"", key);
	if (!scan_int(sc, v) || *v > max)
		return scan_fail(sc, what);
	if (!scan_lit(sc, ":"))
		e = scan_fail(sc, "\":\"");
	return e;
}

const char *
calib_vs_from_text(const char *buf, size_t len, CalibVecState **out, bool *syntax,
				   char *err, size_t errlen)
{
	Scan		sc = {buf, len, 0, err, errlen};
	int			kind = 0;
	int64_t		k = 0,
				bins = 0,
				n = 0;
	size_t		cells;
	CalibVecState *st;
	const char *e;

	*out = NULL;
	*syntax = true;
	for (int i = CALIB_VS_CLASSWISE; i <= CALIB_VS_NLL; i++)
	{
		size_t		nl = strlen(vs_names[i]);

		if (len >= nl + 4 && memcmp(buf, vs_names[i], nl) == 0 && memcmp(buf + nl, ":v1:", 4) == 0)
		{
			kind = i;
			sc.pos = nl + 4;
		}
	}
	if (kind == 0)
		return fail(err, errlen, "a calib.vector_state starts with classwise:v1:, "
					"full_ece:v1:, brier:v1: or nll:v1:");
	if (kind == CALIB_VS_CLASSWISE && (e = scan_field(&sc, "k=", &k, CALIB_VS_MAX_CELLS)) != NULL)
		return e;
	if (kind <= CALIB_VS_FULL && (e = scan_field(&sc, "bins=", &bins, CALIB_MAX_BINS)) != NULL)
		return e;
	if ((e = scan_field(&sc, "n=", &n, INT64_MAX)) != NULL)
		return e;
	if (calib_vs_words(kind, (int32_t) k, (int32_t) bins) == 0)
	{
		*syntax = false;
		return fail(err, errlen, "a %s state cannot have k = %lld and bins = %lld",
					vs_names[kind], (long long) k, (long long) bins);
	}
	st = calloc(1, calib_vs_size(kind, (int32_t) k, (int32_t) bins));
	if (st == NULL)
	{
		*syntax = false;
		return fail(err, errlen, "out of memory");
	}
	calib_vs_init(st, kind, (int32_t) k, (int32_t) bins);
	st->n = n;
	cells = kind == CALIB_VS_FULL ? (size_t) bins :
		kind == CALIB_VS_CLASSWISE ? (size_t) k * (size_t) bins : 1;
	for (size_t i = 0; i < cells && e == NULL; i++)
	{
		if (i > 0 && !scan_lit(&sc, ";"))
		{
			e = scan_fail(&sc, "\";\" (another cell)");
			break;
		}
		if (kind == CALIB_VS_CLASSWISE)
		{
			CalibBinExact *x = calib_vs_cells(st) + i;

			if (!scan_int(&sc, &x->n) || !scan_lit(&sc, ",") ||
				!scan_int(&sc, &x->n_correct) || !scan_lit(&sc, ","))
				e = scan_fail(&sc, "a cell \"rows,correct,sum\"");
			else
				e = scan_exact(&sc, &x->sum_conf);
		}
		else if (kind == CALIB_VS_FULL)
		{
			CalibFullCell *x = calib_vs_full_cells(st) + i;

			if (!scan_int(&sc, &x->hits) || !scan_lit(&sc, ","))
				e = scan_fail(&sc, "a cell \"hits,sum\"");
			else
				e = scan_exact(&sc, &x->sum);
		}
		else
			e = scan_exact(&sc, calib_vs_sum(st));
	}
	if (e == NULL && sc.pos != sc.len)
		e = scan_fail(&sc, "the end of the state");
	if (e == NULL)
	{
		*syntax = false;
		e = calib_vs_check(st, err, errlen);
	}
	if (e != NULL)
	{
		free(st);
		return e;
	}
	*out = st;
	return NULL;
}

/* ---------------------------------------------------------- wire form */

static void
put_be(unsigned char *o, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		o[i] = (unsigned char) (v >> (8 * (bytes - 1 - i)));
}

static uint64_t
get_be(const unsigned char *b, int bytes)
{
	uint64_t	v = 0;

	for (int i = 0; i < bytes; i++)
		v = (v << 8) | b[i];
	return v;
}

size_t
calib_vs_wire_size(const CalibVecState *st)
{
	return CALIB_VS_WIRE_HEADER + calib_vs_words(st->kind, st->k, st->bins) * 8;
}

void
calib_vs_to_wire(const CalibVecState *st, unsigned char *out)
{
	size_t		nw = calib_vs_words(st->kind, st->k, st->bins);

	out[0] = CALIB_VS_VERSION;
	out[1] = (unsigned char) st->kind;
	put_be(out + 2, (uint32_t) st->k, 4);
	put_be(out + 6, (uint32_t) st->bins, 4);
	put_be(out + 10, (uint64_t) st->n, 8);
	for (size_t i = 0; i < nw; i++)
		put_be(out + CALIB_VS_WIRE_HEADER + 8 * i, st->w[i], 8);
}

const char *
calib_vs_from_wire(const unsigned char *buf, size_t len, CalibVecState **out,
				   char *err, size_t errlen)
{
	int32_t		k,
				bins;
	size_t		nw;
	CalibVecState *st;
	const char *e;

	*out = NULL;
	if (len < CALIB_VS_WIRE_HEADER)
		return fail(err, errlen, "binary calib.vector_state too short: %zu bytes", len);
	if (buf[0] != CALIB_VS_VERSION)
		return fail(err, errlen, "unsupported binary calib.vector_state version %d", (int) buf[0]);
	k = (int32_t) (uint32_t) get_be(buf + 2, 4);
	bins = (int32_t) (uint32_t) get_be(buf + 6, 4);
	if ((nw = calib_vs_words(buf[1], k, bins)) == 0)
		return fail(err, errlen, "binary calib.vector_state of kind %d cannot have k = %d and bins = %d",
					(int) buf[1], (int) k, (int) bins);
	if (len != CALIB_VS_WIRE_HEADER + nw * 8)
		return fail(err, errlen, "binary calib.vector_state needs %zu bytes, got %zu",
					CALIB_VS_WIRE_HEADER + nw * 8, len);
	if ((st = malloc(calib_vs_size(buf[1], k, bins))) == NULL)
		return fail(err, errlen, "out of memory");
	calib_vs_init(st, buf[1], k, bins);
	st->n = (int64_t) get_be(buf + 10, 8);
	for (size_t i = 0; i < nw; i++)
		st->w[i] = get_be(buf + CALIB_VS_WIRE_HEADER + 8 * i, 8);
	if ((e = calib_vs_check(st, err, errlen)) != NULL)
	{
		free(st);
		return e;
	}
	*out = st;
	return NULL;
}

/* ------------------------------------------------ temperature scaling */

/*
 * beta = 1/T.  With d_ij = z_ij - max_j z_ij (<= 0; -Infinity entries left
 * out, their probability is 0 at every T) and s = softmax(beta d_i):
 *   L(beta)   = sum_i [log sum_j exp(beta d_ij) - beta d_iy]
 *   L'(beta)  = sum_i [sum_j s_ij d_ij - d_iy]
 *   L''(beta) = sum_i [sum_j s_ij d_ij^2 - (sum_j s_ij d_ij)^2]  >= 0
 * L is convex; L'(0+) = sum_i [mean_j d_ij - d_iy]; as beta -> infinity,
 * L' -> sum_i [max_j d_ij - d_iy] = -sum_i d_iy >= 0, equal to 0 exactly when
 * every label holds its row's largest logit.  So a finite minimiser beta > 0
 * exists iff L'(0+) < 0 and some label's logit is below its row's maximum.
 */
typedef struct LogitRow
{
	const double *z;			/* the row's logits, in the caller's buffer */
	int64_t		k;
	int32_t		label;
	double		max;			/* max_j z_j */
} LogitRow;

typedef struct VecTempData
{
	const LogitRow *rows;
	int64_t		n;
} VecTempData;

static void
vec_temp_derivs(void *ctx, double beta, double *d1, double *d2)
{
	const VecTempData *t = ctx;
	double		g = 0.0,
				h = 0.0;

	for (int64_t i = 0; i < t->n; i++)
	{
		const LogitRow *r = &t->rows[i];
		double		m = r->max,
					s0 = 0.0,
					s1 = 0.0,
					s2 = 0.0;

		for (int64_t j = 0; j < r->k; j++)
		{
			double		d,
						e;

			if (isinf(r->z[j]))
				continue;
			d = r->z[j] - m;
			e = exp(beta * d);
			s0 += e;
			s1 += e * d;
			s2 += e * d * d;
		}
		s1 /= s0;
		s2 /= s0;
		g += s1 - (r->z[r->label - 1] - m);
		h += s2 - s1 * s1 > 0.0 ? s2 - s1 * s1 : 0.0;
	}
	*d1 = g;
	*d2 = h;
}

/*
 * The rows are fitted in one canonical order (label, number of options,
 * then the logits' bytes), so that the sums of the fit, and with them the
 * fitted temperature's last bits, do not depend on the order the rows
 * arrived in (parallel workers, Citus nodes, a shuffled table all give the
 * same map).  Only references to the rows are sorted.
 */
static int
cmp_logit_row(const void *a, const void *b)
{
	const LogitRow *x = a,
			   *y = b;

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return memcmp(x->z, y->z, sizeof(double) * (size_t) x->k);
}

static const char *
fit_sorted_rows(LogitRow *rows, int64_t n, CalibMap **out)
{
	double		d0 = 0.0;
	bool		below = false;
	VecTempData t = {rows, n};
	double		beta;

	for (int64_t i = 0; i < n; i++)
	{
		LogitRow   *r = &rows[i];
		int64_t		nf = 0;
		double		m = -INFINITY,
					mean = 0.0;

		for (int64_t j = 0; j < r->k; j++)
			if (r->z[j] > m)
				m = r->z[j];
		for (int64_t j = 0; j < r->k; j++)
			if (!isinf(r->z[j]))
			{
				mean += r->z[j] - m;
				nf++;
			}
		r->max = m;
		d0 += mean / (double) nf - (r->z[r->label - 1] - m);
		below |= r->z[r->label - 1] < m;
	}
	if (!below)
		return "no finite temperature fits: every correct option has its row's largest logit "
			"(the likelihood grows as T -> 0)";
	if (!(d0 < 0.0))
		return "no temperature fits: the logits are not positively associated with the correct "
			"options (the likelihood is largest as T -> infinity)";
	beta = calib_newton_1d(vec_temp_derivs, &t, 1.0);
	if (!(beta > 0.0 && isfinite(beta)))
		return "temperature fit did not converge";
	if ((*out = malloc(calib_map_size(CALIB_MAP_VECTOR_TEMPERATURE, 0))) == NULL)
		return "out of memory";
	(*out)->kind = CALIB_MAP_VECTOR_TEMPERATURE;
	(*out)->n = 0;
	(*out)->v[0] = 1.0 / beta;
	return NULL;
}

const char *
calib_fit_vector_temperature(const CalibLogitRows *r, CalibMap **out)
{
	LogitRow   *rows = malloc(sizeof(LogitRow) * (size_t) (r->nrows > 0 ? r->nrows : 1));
	const char *err;

	*out = NULL;
	if (rows == NULL)
		return "out of memory";
	for (int64_t i = 0; i < r->nrows; i++)
	{
		rows[i].z = r->z + r->off[i];
		rows[i].k = r->off[i + 1] - r->off[i];
		rows[i].label = r->label[i];
	}
	qsort(rows, (size_t) r->nrows, sizeof *rows, cmp_logit_row);
	err = fit_sorted_rows(rows, r->nrows, out);
	free(rows);
	return err;
}
