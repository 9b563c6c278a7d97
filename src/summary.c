/*
 * summary.c -- calib.summary: add, merge, validate, metrics, and the text,
 * wire and stored encodings.  See summary.h for the layout of each.
 */
#include "summary.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pointwise.h"

#ifndef M_LN2
#define M_LN2 0.69314718055994530942
#endif

#define FINE			CALIB_SUMMARY_FINE_BINS
#define BITMAP_BYTES	((FINE + 7) / 8)
#define PACKED_FIXED	(CALIB_SUMMARY_STORED_HDR + 4 * 8 + 2 + BITMAP_BYTES)

static bool fail(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
fail(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

void
calib_summary_init(CalibSummary *s)
{
	memset(s, 0, sizeof *s);
	s->ll_mant = 1.0;
}

double
calib_summary_log_loss(const CalibSummary *s)
{
	return s->sum_log_loss - (log(s->ll_mant) + (double) s->ll_exp * M_LN2);
}

/* Keep the pending product away from underflow: each factor is at least
 * 2^-52, so renormalising below 2^-900 leaves room for any next factor. */
static inline void
renormalise(CalibSummary *s)
{
	if (s->ll_mant < 0x1p-900)
	{
		int			e;

		s->ll_mant = frexp(s->ll_mant, &e);
		s->ll_exp += e;
	}
}

/* The fine edges calib_bin_edge(k, FINE), computed on first use. */
static double fine_edges[FINE + 1];
static bool fine_edges_ready = false;

static void
init_fine_edges(void)
{
	for (int k = 0; k <= FINE; k++)
		fine_edges[k] = calib_bin_edge(k, FINE);
	fine_edges_ready = true;
}

/* Pending product times m 2^e; both mantissas are brought to [1/2, 1)
 * first, so the product is at least 1/4. */
static void
multiply_pending(CalibSummary *s, double m, int64_t e)
{
	int			e1,
				e2;

	s->ll_mant = frexp(s->ll_mant, &e1);
	m = frexp(m, &e2);
	s->ll_mant *= m;
	s->ll_exp += e + e1 + e2;
}

/* O(1): one bin update and the two exact sums, with the same per-row terms
 * as calib.brier and calib.nll.  The bin is calib_bin_index's, found through
 * the edge table (this is the hot loop of calib.summary). */
void
calib_summary_add(CalibSummary *s, double c, bool correct)
{
	CalibBinAcc *b;

	if (!fine_edges_ready)
		init_fine_edges();
	b = &s->bins[calib_bin_index_edges(c, fine_edges, FINE)];
	b->n++;
	b->n_correct += correct ? 1 : 0;
	b->sum_conf += c;
	s->n++;
	s->n_correct += correct ? 1 : 0;
	s->sum_sq_error += calib_sq_error(c, correct);
	s->ll_mant *= calib_outcome_probability(c, correct);
	renormalise(s);
}

/* Every bin count is at most its summary's n, so when the totals do not
 * overflow no bin does either. */
bool
calib_summary_merge(CalibSummary *dst, const CalibSummary *src, char *err, size_t errlen)
{
	int64_t		n;

	if (__builtin_add_overflow(dst->n, src->n, &n))
		return fail(err, errlen, "merged summary would hold more than %" PRId64 " rows",
					INT64_MAX);
	dst->n = n;
	dst->n_correct += src->n_correct;
	dst->sum_sq_error += src->sum_sq_error;
	dst->sum_log_loss += src->sum_log_loss;
	multiply_pending(dst, src->ll_mant, src->ll_exp);
	calib_bins_merge(dst->bins, src->bins, FINE);
	return true;
}

/* ------------------------------------------------------------ validation */

/*
 * Relative slack for a sum of n rounded terms compared with bounds computed
 * from the edges: the recursive-summation error bound (n-1)u, the rounding
 * of the bound itself, and 1e-9 for good measure.  A forged value can hide
 * inside it, but it cannot be off by anything that matters.
 */
static double
slack(int64_t n)
{
	double		t = 1e-9 + ((double) n + 2.0 * FINE + 4.0) * DBL_EPSILON;

	/* capped: past ~4e12 rows the worst-case bound would allow anything
	 * (and a negative lower bound); real summation error stays far below */
	return t < 1e-3 ? t : 1e-3;
}

/* Every sum here adds non-negative terms, so it is never negative. */
static bool
within(double x, double lo, double hi, int64_t n)
{
	double		t = slack(n);

	return x >= 0.0 && x >= lo * (1.0 - t) && x <= hi * (1.0 + t);
}

/* Range [*lo, *hi] of a monotone per-row term over confidences in [a, b]. */
static void
term_range(double (*term) (double, bool), bool correct, double a, double b,
		   double *lo, double *hi)
{
	double		x = term(a, correct),
				y = term(b, correct);

	*lo = x < y ? x : y;
	*hi = x < y ? y : x;
}

typedef struct SumBounds
{
	double		sq_lo,
				sq_hi,
				ll_lo,
				ll_hi;
} SumBounds;

/*
 * Per fine bin, the range of each per-row term over the bin's confidences:
 * [0] Brier correct, [1] Brier wrong, [2] log loss correct, [3] log loss
 * wrong.  Computed once per process (2400 logs), not per summary.
 */
static double term_lo[FINE][4],
			term_hi[FINE][4];
static bool term_ranges_ready = false;

static void
init_term_ranges(void)
{
	for (int j = 0; j < FINE; j++)
	{
		double		a = calib_bin_edge(j, FINE),
					z = calib_bin_edge(j + 1, FINE);

		term_range(calib_sq_error, true, a, z, &term_lo[j][0], &term_hi[j][0]);
		term_range(calib_sq_error, false, a, z, &term_lo[j][1], &term_hi[j][1]);
		term_range(calib_log_loss, true, a, z, &term_lo[j][2], &term_hi[j][2]);
		term_range(calib_log_loss, false, a, z, &term_lo[j][3], &term_hi[j][3]);
	}
	term_ranges_ready = true;
}

/* Add what bin j's rows can contribute to the Brier and log-loss sums. */
static void
bound_bin(SumBounds *sb, const CalibBinAcc *b, int j)
{
	double		pos = (double) b->n_correct,
				neg = (double) (b->n - b->n_correct);

	if (b->n == 0)
		return;
	if (!term_ranges_ready)
		init_term_ranges();
	sb->sq_lo += pos * term_lo[j][0] + neg * term_lo[j][1];
	sb->sq_hi += pos * term_hi[j][0] + neg * term_hi[j][1];
	sb->ll_lo += pos * term_lo[j][2] + neg * term_lo[j][3];
	sb->ll_hi += pos * term_hi[j][2] + neg * term_hi[j][3];
}

static bool
check_bin(const CalibBinAcc *b, int j, char *err, size_t errlen)
{
	double		lo,
				hi;

	if (!fine_edges_ready)
		init_fine_edges();		/* the edges without two divisions per bin */
	lo = fine_edges[j];
	hi = fine_edges[j + 1];

	if (b->n < 0)
		return fail(err, errlen, "bin %d has a negative count %" PRId64, j, b->n);
	if (b->n_correct < 0 || b->n_correct > b->n)
		return fail(err, errlen, "bin %d has %" PRId64 " correct answers out of %" PRId64,
					j, b->n_correct, b->n);
	if (!isfinite(b->sum_conf))
		return fail(err, errlen, "bin %d has a confidence sum that is not finite", j);
	/* 0 <= sum <= n holds exactly whatever the rounding, and the stored form
	 * checks it; the slack of within() grows past 1 for n near 2^53, so
	 * without it a literal could be accepted and then not read back
	 * (found by test/fuzz/fuzz_summary). */
	if (b->n == 0 ? b->sum_conf != 0.0 :
		!(b->sum_conf >= 0.0 && b->sum_conf <= (double) b->n &&
		  within(b->sum_conf, b->n * lo, b->n * hi, b->n)))
		return fail(err, errlen,
					"bin %d: confidence sum %.17g is impossible for %" PRId64
					" confidences in [%.17g, %.17g]", j, b->sum_conf, b->n, lo, hi);
	return true;
}

static bool
check_sum(const char *what, double x, double lo, double hi, int64_t n,
		  char *err, size_t errlen)
{
	if (!isfinite(x))
		return fail(err, errlen, "%s is not finite", what);
	if (n == 0 ? x != 0.0 : !within(x, lo, hi, n))
		return fail(err, errlen,
					"%s %.17g is impossible for these bins (must lie in [%.17g, %.17g])",
					what, x, lo, hi);
	return true;
}

/*
 * A summary from outside: counts non-negative, correct <= n per bin, totals
 * equal to the bins (no overflow), every confidence sum within what its
 * bin's edges allow, and the Brier and log-loss sums within what the rows of
 * each bin can contribute.
 */
bool
calib_summary_check(const CalibSummary *s, char *err, size_t errlen)
{
	int64_t		n = 0,
				nc = 0;
	SumBounds	sb = {0, 0, 0, 0};

	for (int j = 0; j < FINE; j++)
	{
		const CalibBinAcc *b = &s->bins[j];

		if (!check_bin(b, j, err, errlen))
			return false;
		if (__builtin_add_overflow(n, b->n, &n))
			return fail(err, errlen, "bin counts add up to more than %" PRId64, INT64_MAX);
		nc += b->n_correct;
		bound_bin(&sb, b, j);
	}
	if (n != s->n)
		return fail(err, errlen, "n=%" PRId64 " but the bins hold %" PRId64 " rows", s->n, n);
	if (nc != s->n_correct)
		return fail(err, errlen, "correct=%" PRId64 " but the bins hold %" PRId64
					" correct answers", s->n_correct, nc);
	return check_sum("Brier sum sq", s->sum_sq_error, sb.sq_lo, sb.sq_hi, n, err, errlen) &&
		check_sum("log-loss sum ll", calib_summary_log_loss(s), sb.ll_lo, sb.ll_hi, n, err, errlen);
}

/* --------------------------------------------------------------- metrics */

bool
calib_summary_bins_ok(int bins, char *err, size_t errlen)
{
	size_t		pos;

	if (bins >= 1 && bins <= FINE && FINE % bins == 0)
		return true;
	pos = (size_t) snprintf(err, errlen, "a calib.summary supports bins that divide %d: ", FINE);
	for (int d = 1; d <= FINE && pos < errlen; d++)
		if (FINE % d == 0)
			pos += (size_t) snprintf(err + pos, errlen - pos, d == 1 ? "%d" : ", %d", d);
	if (pos < errlen)
		snprintf(err + pos, errlen - pos, "; got %d", bins);
	return false;
}

void
calib_summary_rebin(const CalibSummary *s, int bins, CalibBinAcc *out)
{
	calib_bins_rebin(s->bins, FINE, out, bins);
}

double
calib_summary_mean_confidence(const CalibSummary *s)
{
	double		sum = 0.0;

	if (s->n == 0)
		return NAN;
	for (int j = 0; j < FINE; j++)
		sum += s->bins[j].sum_conf;
	return sum / (double) s->n;
}

/* The Mann-Whitney sum of calib_auroc (scores.c) with each fine bin as one
 * tie group. */
double
calib_summary_auroc(const CalibSummary *s, double *max_error)
{
	int64_t		npos = s->n_correct,
				nneg = s->n - s->n_correct,
				neg_below = 0;
	double		wins = 0.0,
				same_bin = 0.0,
				denom;

	*max_error = NAN;
	if (npos == 0 || nneg == 0)
		return NAN;
	for (int j = 0; j < FINE; j++)
	{
		int64_t		pos = s->bins[j].n_correct,
					neg = s->bins[j].n - pos;

		wins += (double) pos * (double) (2 * neg_below + neg);
		same_bin += (double) pos * (double) neg;
		neg_below += neg;
	}
	denom = 2.0 * (double) npos * (double) nneg;
	*max_error = same_bin / denom;
	return wins / denom;
}

/* ------------------------------------------------------------------ text */

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double.
 * When a d <= 15 digit decimal reads back as x, %.15g prints it (15-digit
 * decimals are farther apart than doubles), so this is the shortest form. */
static size_t
put_double(char *out, size_t cap, double x)
{
	int			len = 0;

	for (int p = 15; p <= 17; p++)
	{
		len = snprintf(out, cap, "%.*g", p, x);
		if (strtod(out, NULL) == x)
			break;
	}
	return (size_t) len;
}

size_t
calib_summary_text_bound(void)
{
	/* per bin " jjj:<19>:<19>:<24>", plus the header with 2 counts, 2 sums */
	return (size_t) FINE * 72 + 160;
}

static int
portable_writer(double x, char *out)
{
	return (int) put_double(out, 33, x);
}

size_t
calib_summary_to_text(const CalibSummary *s, char *buf, size_t cap)
{
	return calib_summary_to_text_with(s, buf, cap, portable_writer);
}

/* Appends one double through the writer (which needs 33 bytes of room). */
static size_t
append_double(char *buf, size_t pos, size_t cap, double x, CalibDoubleWriter writer)
{
	char		tmp[40];
	int			len = writer(x, tmp);

	if (len < 0 || pos + (size_t) len >= cap)
		return pos;
	memcpy(buf + pos, tmp, (size_t) len + 1);
	return pos + (size_t) len;
}

size_t
calib_summary_to_text_with(const CalibSummary *s, char *buf, size_t cap,
						   CalibDoubleWriter writer)
{
	size_t		pos;

	pos = (size_t) snprintf(buf, cap, "v%d fine=%d n=%" PRId64 " correct=%" PRId64 " sq=",
							CALIB_SUMMARY_VERSION, FINE, s->n, s->n_correct);
	pos = append_double(buf, pos, cap, s->sum_sq_error, writer);
	pos += (size_t) snprintf(buf + pos, cap - pos, " ll=");
	pos = append_double(buf, pos, cap, calib_summary_log_loss(s), writer);
	pos += (size_t) snprintf(buf + pos, cap - pos, " |");
	for (int j = 0; j < FINE; j++)
	{
		const CalibBinAcc *b = &s->bins[j];

		if (b->n == 0)
			continue;
		pos += (size_t) snprintf(buf + pos, cap - pos, " %d:%" PRId64 ":%" PRId64 ":",
								 j, b->n, b->n_correct);
		pos = append_double(buf, pos, cap, b->sum_conf, writer);
	}
	return pos;
}

typedef struct Cursor
{
	const char *buf;
	size_t		len;
	size_t		pos;
	char	   *err;
	size_t		errlen;
} Cursor;

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Up to 20 characters at the cursor, non-printables as '?', for messages. */
static const char *
snippet(const Cursor *c, char *out)
{
	size_t		k = 0;

	if (c->pos >= c->len)
		return "end of input";
	out[k++] = '"';
	for (size_t i = c->pos; i < c->len && k < 21; i++)
		out[k++] = (c->buf[i] >= 0x20 && c->buf[i] < 0x7f) ? c->buf[i] : '?';
	if (c->pos + 20 < c->len)
	{
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

static bool
syntax(Cursor *c, const char *expected)
{
	char		s[32];

	return fail(c->err, c->errlen, "expected %s at offset %zu, found %s",
				expected, c->pos, snippet(c, s));
}

static bool
expect(Cursor *c, const char *lit)
{
	size_t		n = strlen(lit);
	char		what[24];

	if (c->len - c->pos >= n && memcmp(c->buf + c->pos, lit, n) == 0)
	{
		c->pos += n;
		return true;
	}
	snprintf(what, sizeof what, "\"%s\"", lit);
	return syntax(c, what);
}

/* A count: decimal digits only (no sign), at most INT64_MAX. */
static bool
parse_count(Cursor *c, const char *what, int64_t *out)
{
	size_t		start = c->pos;
	int64_t		v = 0;

	while (c->pos < c->len && c->buf[c->pos] >= '0' && c->buf[c->pos] <= '9')
	{
		int			d = c->buf[c->pos] - '0';

		if (v > (INT64_MAX - d) / 10)
			return fail(c->err, c->errlen, "%s at offset %zu is larger than %" PRId64,
						what, start, INT64_MAX);
		v = v * 10 + d;
		c->pos++;
	}
	if (c->pos == start)
		return syntax(c, what);
	*out = v;
	return true;
}

/* A finite double in C syntax; hex, inf and nan are refused by the
 * character set, anything strtod does not consume entirely by the check. */
static bool
parse_sum(Cursor *c, const char *what, double *out)
{
	size_t		start = c->pos;
	char		tok[48],
			   *end;

	while (c->pos < c->len && c->pos - start < sizeof tok - 1 &&
		   strchr("0123456789.eE+-", c->buf[c->pos]) != NULL && c->buf[c->pos] != '\0')
		c->pos++;
	if (c->pos == start)
		return syntax(c, what);
	memcpy(tok, c->buf + start, c->pos - start);
	tok[c->pos - start] = '\0';
	*out = strtod(tok, &end);
	if (*end != '\0' || (c->pos < c->len && strchr("0123456789.eE+-", c->buf[c->pos])
						 && c->buf[c->pos] != '\0'))
		return fail(c->err, c->errlen, "%s at offset %zu is not a number: \"%s\"",
					what, start, tok);
	if (!isfinite(*out))
		return fail(c->err, c->errlen, "%s at offset %zu is not finite: \"%s\"",
					what, start, tok);
	*out += 0.0;				/* -0 reads as 0 */
	return true;
}

static bool
parse_version(Cursor *c)
{
	int64_t		v,
				fine;

	if (!expect(c, "v") || !parse_count(c, "a version number", &v))
		return false;
	if (v != CALIB_SUMMARY_VERSION)
		return fail(c->err, c->errlen,
					"unsupported calib.summary version %" PRId64 " (this build reads version %d)",
					v, CALIB_SUMMARY_VERSION);
	if (!expect(c, " fine=") || !parse_count(c, "the number of fine bins", &fine))
		return false;
	if (fine != FINE)
		return fail(c->err, c->errlen,
					"summary has %" PRId64 " fine bins, this build uses %d; "
					"summaries of different resolutions cannot be combined", fine, FINE);
	return true;
}

/* " j:n:correct:sum", bins in increasing order, no empty ones. */
static bool
parse_bin(Cursor *c, int *prev, CalibSummary *out)
{
	int64_t		j,
				n,
				nc;
	double		sum;
	size_t		at;

	if (!expect(c, " "))
		return false;
	at = c->pos;
	if (!parse_count(c, "a bin number", &j))
		return false;
	if (j >= FINE)
		return fail(c->err, c->errlen, "bin number %" PRId64 " at offset %zu is not below %d",
					j, at, FINE);
	if (j <= *prev)
		return fail(c->err, c->errlen,
					"bin %" PRId64 " at offset %zu does not come after bin %d "
					"(bins are listed once, in increasing order)", j, at, *prev);
	if (!expect(c, ":") || !parse_count(c, "a bin count", &n) ||
		!expect(c, ":") || !parse_count(c, "a count of correct answers", &nc) ||
		!expect(c, ":") || !parse_sum(c, "a confidence sum", &sum))
		return false;
	if (n == 0)
		return fail(c->err, c->errlen, "bin %" PRId64 " at offset %zu has no rows "
					"(empty bins are left out)", j, at);
	out->bins[j].n = n;
	out->bins[j].n_correct = nc;
	out->bins[j].sum_conf = sum;
	*prev = (int) j;
	return true;
}

static bool
at_trailing_blanks(const Cursor *c)
{
	for (size_t i = c->pos; i < c->len; i++)
		if (!is_blank(c->buf[i]))
			return false;
	return true;
}

bool
calib_summary_from_text(const char *buf, size_t len, CalibSummary *out,
						char *err, size_t errlen)
{
	Cursor		c = {buf, len, 0, err, errlen};
	int			prev = -1;

	calib_summary_init(out);
	while (c.pos < c.len && is_blank(c.buf[c.pos]))
		c.pos++;
	if (!parse_version(&c) ||
		!expect(&c, " n=") || !parse_count(&c, "the row count n", &out->n) ||
		!expect(&c, " correct=") || !parse_count(&c, "the correct count", &out->n_correct) ||
		!expect(&c, " sq=") || !parse_sum(&c, "the Brier sum sq", &out->sum_sq_error) ||
		!expect(&c, " ll=") || !parse_sum(&c, "the log-loss sum ll", &out->sum_log_loss) ||
		!expect(&c, " |"))
		return false;
	while (!at_trailing_blanks(&c))
		if (!parse_bin(&c, &prev, out))
			return false;
	return calib_summary_check(out, err, errlen);
}

/* ------------------------------------------------------------------ wire */

static uint8_t *
put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static uint64_t
get_be(const uint8_t **p, int bytes)
{
	uint64_t	v = 0;

	for (int i = 0; i < bytes; i++)
		v = (v << 8) | *(*p)++;
	return v;
}

static uint64_t
dbits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, sizeof u);
	return u;
}

static double
bitsd(uint64_t u)
{
	double		d;

	memcpy(&d, &u, sizeof d);
	return d;
}

static int
nonempty_bins(const CalibSummary *s)
{
	int			nnz = 0;

	for (int j = 0; j < FINE; j++)
		nnz += s->bins[j].n != 0;
	return nnz;
}

size_t
calib_summary_wire_bound(void)
{
	return CALIB_SUMMARY_WIRE_HDR + (size_t) FINE * CALIB_SUMMARY_WIRE_BIN;
}

size_t
calib_summary_to_wire(const CalibSummary *s, uint8_t *buf, size_t cap)
{
	uint8_t    *p = buf;

	if (cap < calib_summary_wire_bound())
		return 0;
	p = put_be(p, CALIB_SUMMARY_VERSION, 1);
	p = put_be(p, FINE, 2);
	p = put_be(p, (uint64_t) s->n, 8);
	p = put_be(p, (uint64_t) s->n_correct, 8);
	p = put_be(p, dbits(s->sum_sq_error), 8);
	p = put_be(p, dbits(calib_summary_log_loss(s)), 8);
	p = put_be(p, (uint64_t) nonempty_bins(s), 2);
	for (int j = 0; j < FINE; j++)
	{
		if (s->bins[j].n == 0)
			continue;
		p = put_be(p, (uint64_t) j, 2);
		p = put_be(p, (uint64_t) s->bins[j].n, 8);
		p = put_be(p, (uint64_t) s->bins[j].n_correct, 8);
		p = put_be(p, dbits(s->bins[j].sum_conf), 8);
	}
	return (size_t) (p - buf);
}

static bool
version_ok(uint64_t version, uint64_t fine, char *err, size_t errlen)
{
	if (version != CALIB_SUMMARY_VERSION)
		return fail(err, errlen,
					"unsupported calib.summary version %" PRIu64 " (this build reads version %d)",
					version, CALIB_SUMMARY_VERSION);
	if (fine != FINE)
		return fail(err, errlen,
					"summary has %" PRIu64 " fine bins, this build uses %d; "
					"summaries of different resolutions cannot be combined", fine, FINE);
	return true;
}

bool
calib_summary_from_wire(const uint8_t *buf, size_t len, CalibSummary *out,
						char *err, size_t errlen)
{
	const uint8_t *p = buf;
	uint64_t	version,
				fine,
				nnz;
	size_t		need;
	int			prev = -1;

	calib_summary_init(out);
	if (len < CALIB_SUMMARY_WIRE_HDR)
		return fail(err, errlen, "binary summary truncated: %zu bytes, the header alone is %d",
					len, CALIB_SUMMARY_WIRE_HDR);
	version = get_be(&p, 1);
	fine = get_be(&p, 2);
	if (!version_ok(version, fine, err, errlen))
		return false;
	out->n = (int64_t) get_be(&p, 8);
	out->n_correct = (int64_t) get_be(&p, 8);
	out->sum_sq_error = bitsd(get_be(&p, 8)) + 0.0;
	out->sum_log_loss = bitsd(get_be(&p, 8)) + 0.0;
	nnz = get_be(&p, 2);
	if (nnz > FINE)
		return fail(err, errlen, "binary summary claims %" PRIu64 " non-empty bins, at most %d exist",
					nnz, FINE);
	need = CALIB_SUMMARY_WIRE_HDR + (size_t) nnz * CALIB_SUMMARY_WIRE_BIN;
	if (len < need)
		return fail(err, errlen, "binary summary truncated: %zu bytes, %" PRIu64
					" bins need %zu", len, nnz, need);
	if (len > need)
		return fail(err, errlen, "binary summary has %zu trailing bytes", len - need);
	for (uint64_t i = 0; i < nnz; i++)
	{
		uint64_t	j = get_be(&p, 2);
		int64_t		n = (int64_t) get_be(&p, 8);

		if (j >= FINE || (int) j <= prev)
			return fail(err, errlen, "binary summary: bin number %" PRIu64 " after bin %d "
						"(bins are below %d, listed once, in increasing order)", j, prev, FINE);
		if (n <= 0)
			return fail(err, errlen, "binary summary: bin %" PRIu64 " has count %" PRId64
						" (listed bins have at least one row)", j, n);
		out->bins[j].n = n;
		out->bins[j].n_correct = (int64_t) get_be(&p, 8);
		out->bins[j].sum_conf = bitsd(get_be(&p, 8)) + 0.0;
		prev = (int) j;
	}
	return calib_summary_check(out, err, errlen);
}

/* ---------------------------------------------------------------- stored */

size_t
calib_summary_dense_size(void)
{
	return CALIB_SUMMARY_STORED_HDR + sizeof(CalibSummary);
}

size_t
calib_summary_packed_bound(void)
{
	return PACKED_FIXED + (size_t) FINE * (8 + 2 * 10);
}

static void
put_header(uint8_t *buf, int form)
{
	uint16_t	fine = FINE;

	buf[0] = CALIB_SUMMARY_VERSION;
	buf[1] = (uint8_t) form;
	memcpy(buf + 2, &fine, 2);
}

void
calib_summary_dense_header(uint8_t *buf)
{
	put_header(buf, CALIB_SUMMARY_DENSE);
}

static uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

/* Packed payload: n, correct, sq, ll (8 bytes each), nnz (uint16), a bitmap
 * of the non-empty bins, their confidence sums (8 bytes each), then per
 * non-empty bin the count and the correct count as LEB128 varints. */
size_t
calib_summary_pack(const CalibSummary *s, uint8_t *buf, size_t cap)
{
	uint8_t    *p = buf + CALIB_SUMMARY_STORED_HDR,
			   *bitmap,
			   *sums;
	uint16_t	nnz = (uint16_t) nonempty_bins(s);

	if (cap < calib_summary_packed_bound())
		return 0;
	put_header(buf, CALIB_SUMMARY_PACKED);
	memcpy(p, &s->n, 8);
	memcpy(p + 8, &s->n_correct, 8);
	memcpy(p + 16, &s->sum_sq_error, 8);
	{
		double		ll = calib_summary_log_loss(s);

		memcpy(p + 24, &ll, 8);
	}
	memcpy(p + 32, &nnz, 2);
	bitmap = p + 34;
	memset(bitmap, 0, BITMAP_BYTES);
	sums = bitmap + BITMAP_BYTES;
	p = sums + (size_t) nnz * 8;
	for (int j = 0; j < FINE; j++)
	{
		const CalibBinAcc *b = &s->bins[j];

		if (b->n == 0)
			continue;
		bitmap[j / 8] |= (uint8_t) (1 << (j % 8));
		memcpy(sums, &b->sum_conf, 8);
		sums += 8;
		p = put_varint(p, (uint64_t) b->n);
		p = put_varint(p, (uint64_t) b->n_correct);
	}
	return (size_t) (p - buf);
}

int
calib_summary_stored_form(const uint8_t *buf, size_t len)
{
	uint16_t	fine;

	if (len < CALIB_SUMMARY_STORED_HDR || buf[0] != CALIB_SUMMARY_VERSION)
		return 0;
	memcpy(&fine, buf + 2, 2);
	if (fine != FINE || (buf[1] != CALIB_SUMMARY_DENSE && buf[1] != CALIB_SUMMARY_PACKED))
		return 0;
	return buf[1];
}

static bool
get_varint_slow(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	uint64_t	v = 0;

	for (int shift = 0; shift < 64 && *p < end; shift += 7)
	{
		uint8_t		b = *(*p)++;

		v |= (uint64_t) (b & 0x7f) << shift;
		if (!(b & 0x80))
		{
			if (v > (uint64_t) INT64_MAX || (shift == 63 && b > 1))
				return false;
			*out = (int64_t) v;
			return true;
		}
	}
	return false;
}

/* LEB128; counts below 16384 (almost all) take the inline paths. */
static inline bool
get_varint(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
	const uint8_t *p = *pp;

	if (p < end && p[0] < 0x80)
	{
		*out = p[0];
		*pp = p + 1;
		return true;
	}
	if (end - p >= 2 && p[1] < 0x80)
	{
		*out = (int64_t) (p[0] & 0x7f) | (int64_t) p[1] << 7;
		*pp = p + 2;
		return true;
	}
	return get_varint_slow(pp, end, out);
}

static bool
stored_header_ok(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint16_t	fine;

	if (len < CALIB_SUMMARY_STORED_HDR)
		return fail(err, errlen, "stored summary truncated: %zu bytes", len);
	memcpy(&fine, buf + 2, 2);
	if (!version_ok(buf[0], fine, err, errlen))
		return false;
	if (buf[1] != CALIB_SUMMARY_DENSE && buf[1] != CALIB_SUMMARY_PACKED)
		return fail(err, errlen, "stored summary has unknown form %d", buf[1]);
	return true;
}

/* A dense summary's structure: counts sane and matching the totals. */
static bool
dense_consistent(const CalibSummary *s, char *err, size_t errlen)
{
	int64_t		n = 0,
				nc = 0;

	for (int j = 0; j < FINE; j++)
	{
		const CalibBinAcc *b = &s->bins[j];

		if (b->n < 0 || b->n_correct < 0 || b->n_correct > b->n ||
			__builtin_add_overflow(n, b->n, &n))
			return fail(err, errlen, "stored summary is corrupt: bad counts in bin %d", j);
		nc += b->n_correct;
	}
	if (n != s->n || nc != s->n_correct)
		return fail(err, errlen, "stored summary is corrupt: totals do not match its bins");
	if (!(s->ll_mant > 0.0 && s->ll_mant <= 1.0) || s->ll_exp > 64 || (double) s->ll_exp < -64.0 * ((double) n + 1.0) ||
		!isfinite(s->sum_log_loss) || !isfinite(s->sum_sq_error))
		return fail(err, errlen, "stored summary is corrupt: bad sums");
	return true;
}

static bool
dense_add(const uint8_t *buf, size_t len, CalibSummary *dst, char *err, size_t errlen)
{
	const uint8_t *payload = buf + CALIB_SUMMARY_STORED_HDR;
	CalibSummary copy;
	const CalibSummary *src = (const CalibSummary *) payload;

	if (len != calib_summary_dense_size())
		return fail(err, errlen, "stored summary is corrupt: dense form of %zu bytes, expected %zu",
					len, calib_summary_dense_size());
	if ((uintptr_t) payload % _Alignof(CalibSummary) != 0)
	{
		memcpy(&copy, payload, sizeof copy);
		src = &copy;
	}
	return dense_consistent(src, err, errlen) && calib_summary_merge(dst, src, err, errlen);
}

typedef struct PackedHead
{
	int64_t		n,
				nc;
	double		sq,
				ll;
	uint16_t	nnz;
} PackedHead;

#define BITMAP_WORDS ((FINE + 63) / 64)

static bool
packed_head(const uint8_t *p, size_t avail, PackedHead *h, uint64_t *words,
			const CalibSummary *dst, char *err, size_t errlen)
{
	int64_t		total;
	int			bits = 0;

	if (avail < PACKED_FIXED - CALIB_SUMMARY_STORED_HDR)
		return fail(err, errlen, "stored summary truncated");
	memcpy(&h->n, p, 8);
	memcpy(&h->nc, p + 8, 8);
	memcpy(&h->sq, p + 16, 8);
	memcpy(&h->ll, p + 24, 8);
	memcpy(&h->nnz, p + 32, 2);
	/* the bitmap as little-endian 64-bit words, bit j = bin j */
	memset(words, 0, BITMAP_WORDS * sizeof(uint64_t));
	for (int i = 0; i < BITMAP_BYTES; i++)
		words[i / 8] |= (uint64_t) p[34 + i] << (8 * (i % 8));
	for (int w = 0; w < BITMAP_WORDS; w++)
		bits += __builtin_popcountll(words[w]);
	if (h->n < 0 || h->nc < 0 || h->nc > h->n || h->nnz != bits || h->nnz > FINE ||
		!isfinite(h->sq) || !isfinite(h->ll) || h->sq < 0 || h->ll < 0)
		return fail(err, errlen, "stored summary is corrupt: bad header");
	if (__builtin_add_overflow(dst->n, h->n, &total))
		return fail(err, errlen, "merged summary would hold more than %" PRId64 " rows",
					INT64_MAX);
	return true;
}

/* Decodes straight into dst, visiting only the set bits of the bitmap:
 * merging 5000 stored days stays one cheap pass each. */
static bool
packed_add(const uint8_t *buf, size_t len, CalibSummary *dst, char *err, size_t errlen)
{
	const uint8_t *end = buf + len,
			   *p = buf + CALIB_SUMMARY_STORED_HDR,
			   *sums;
	PackedHead	h = {0, 0, 0, 0, 0};
	uint64_t	words[BITMAP_WORDS];
	int64_t		seen = 0,
				seen_c = 0;

	if (!packed_head(p, (size_t) (end - p), &h, words, dst, err, errlen))
		return false;
	sums = p + 34 + BITMAP_BYTES;
	if ((size_t) (end - sums) < (size_t) h.nnz * 8)
		return fail(err, errlen, "stored summary truncated");
	p = sums + (size_t) h.nnz * 8;
	for (int w = 0; w < BITMAP_WORDS; w++)
	{
		uint64_t	bits = words[w];

		while (bits)
		{
			int			j = w * 64 + __builtin_ctzll(bits);
			CalibBinAcc *b = &dst->bins[j];
			int64_t		n,
						nc;
			double		sum;

			bits &= bits - 1;
			if (!get_varint(&p, end, &n) || !get_varint(&p, end, &nc) ||
				n <= 0 || nc > n || n > h.n - seen)
				return fail(err, errlen, "stored summary is corrupt: bad counts in bin %d", j);
			memcpy(&sum, sums, 8);
			sums += 8;
			/* the same bounds every other input path applies (check_bin) */
			{
				CalibBinAcc one = {n, nc, sum};

				if (!check_bin(&one, j, err, errlen))
					return false;
			}
			seen += n;
			seen_c += nc;
			b->n += n;
			b->n_correct += nc;
			b->sum_conf += sum;
		}
	}
	if (p != end)
		return fail(err, errlen, "stored summary is corrupt: %zu trailing bytes",
					(size_t) (end - p));
	if (seen != h.n || seen_c != h.nc)
		return fail(err, errlen, "stored summary is corrupt: totals do not match its bins");
	dst->n += h.n;
	dst->n_correct += h.nc;
	dst->sum_sq_error += h.sq;
	dst->sum_log_loss += h.ll;
	return true;
}

bool
calib_summary_stored_add(const uint8_t *buf, size_t len, CalibSummary *dst,
						 char *err, size_t errlen)
{
	if (!stored_header_ok(buf, len, err, errlen))
		return false;
	if (buf[1] == CALIB_SUMMARY_DENSE)
		return dense_add(buf, len, dst, err, errlen);
	return packed_add(buf, len, dst, err, errlen);
}
