/*
 * summary.c -- calib.summary: add, merge, validate, metrics, and the text,
 * wire and stored encodings.  See summary.h for the layout of each.
 */
#include "summary.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pointwise.h"
#include "textscan.h"

#ifndef M_LN2
#define M_LN2 0.69314718055994530942
#endif

#define FINE			CALIB_SUMMARY_FINE_BINS
#define BITMAP_BYTES	((FINE + 7) / 8)
/* packed payload before the per-bin parts: counts, sums, nnz, bitmap */
#define PACKED_FIXED_V1	(CALIB_SUMMARY_STORED_HDR + 4 * 8 + 2 + BITMAP_BYTES)
#define PACKED_FIXED	(CALIB_SUMMARY_STORED_HDR + 2 * 8 + 2 * 16 + 2 + BITMAP_BYTES)

#define fail calib_fail

/* The version-1 dense form (calib 0.1.0): double sums, and the log loss of
 * the rows added since the last merge as a pending product of outcome
 * probabilities ll_mant 2^ll_exp.  Only read, never written. */
typedef struct SummaryV1
{
	int64_t		n;
	int64_t		n_correct;
	double		sum_sq_error;
	double		sum_log_loss;
	double		ll_mant;
	int64_t		ll_exp;
	CalibBinAcc bins[FINE];
} SummaryV1;

void
calib_summary_init(CalibSummary *s)
{
	memset(s, 0, sizeof *s);
}

double
calib_summary_log_loss(const CalibSummary *s)
{
	return calib_exact_to_double(s->sum_log_loss);
}

double
calib_summary_sq_error(const CalibSummary *s)
{
	return calib_exact_to_double(s->sum_sq_error);
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

/*
 * O(1): one bin update and the two exact sums, with the same per-row terms
 * as calib.brier and calib.nll (pointwise.h).  The bin is calib_bin_index's,
 * found through the edge table (this is the hot loop of calib.summary).
 * No sum can overflow while the count fits in int64 (terms are at most
 * 36.05; exactsum.h).
 */
void
calib_summary_add(CalibSummary *s, double c, bool correct)
{
	if (!fine_edges_ready)
		init_fine_edges();
	calib_bin_exact_add(&s->bins[calib_bin_index_edges(c, fine_edges, FINE)], c, correct);
	s->n++;
	s->n_correct += correct ? 1 : 0;
	calib_exact_add_term(&s->sum_sq_error, calib_sq_error(c, correct));
	calib_exact_add_term(&s->sum_log_loss, calib_log_loss(c, correct));
}

bool
calib_summary_sub(CalibSummary *s, double c, bool correct)
{
	CalibExact	sq = s->sum_sq_error,
				ll = s->sum_log_loss;

	if (!fine_edges_ready)
		init_fine_edges();
	calib_exact_sub_from(&sq, calib_exact_from_double(calib_sq_error(c, correct)));
	calib_exact_sub_from(&ll, calib_exact_from_double(calib_log_loss(c, correct)));
	if (calib_exact_is_negative(sq) || calib_exact_is_negative(ll) ||
		!calib_bin_exact_sub(&s->bins[calib_bin_index_edges(c, fine_edges, FINE)], c, correct))
		return false;
	s->n--;
	s->n_correct -= correct ? 1 : 0;
	s->sum_sq_error = sq;
	s->sum_log_loss = ll;
	return true;
}

static bool
merge_signed(CalibSummary *dst, const CalibSummary *src, int sign, char *err, size_t errlen)
{
	int64_t		n,
				nc;
	bool		ok;

	if (sign > 0)
		ok = !__builtin_add_overflow(dst->n, src->n, &n) &&
			!__builtin_add_overflow(dst->n_correct, src->n_correct, &nc);
	else
		ok = !__builtin_sub_overflow(dst->n, src->n, &n) && n >= 0 &&
			!__builtin_sub_overflow(dst->n_correct, src->n_correct, &nc) && nc >= 0;
	if (!ok)
		return fail(err, errlen, sign > 0 ?
					"merged summary would hold more than %" PRId64 " rows" :
					"cannot take out of a summary of %" PRId64 " rows what it does not hold",
					sign > 0 ? INT64_MAX : dst->n);
	/* every bin count is at most its summary's n and every sum at most
	 * 36.05 n, so when the totals fit no bin or sum overflows */
	dst->n = n;
	dst->n_correct = nc;
	if (sign > 0)
	{
		calib_exact_add_to(&dst->sum_sq_error, src->sum_sq_error);
		calib_exact_add_to(&dst->sum_log_loss, src->sum_log_loss);
	}
	else
	{
		calib_exact_sub_from(&dst->sum_sq_error, src->sum_sq_error);
		calib_exact_sub_from(&dst->sum_log_loss, src->sum_log_loss);
	}
	(void) calib_bins_exact_merge(dst->bins, src->bins, FINE, sign);
	if (sign < 0)
	{
		/* what is left must still be a summary: src was part of dst */
		bool		holds = !calib_exact_is_negative(dst->sum_sq_error) &&
			!calib_exact_is_negative(dst->sum_log_loss);

		for (int j = 0; j < FINE && holds; j++)
			holds = dst->bins[j].n >= 0 && dst->bins[j].n_correct >= 0 &&
				dst->bins[j].n_correct <= dst->bins[j].n &&
				calib_exact_in_0_n(dst->bins[j].sum_conf, dst->bins[j].n);
		if (!holds)
			return fail(err, errlen, "cannot take out of a summary what it does not hold");
	}
	return true;
}

bool
calib_summary_merge(CalibSummary *dst, const CalibSummary *src, char *err, size_t errlen)
{
	return merge_signed(dst, src, 1, err, errlen);
}

bool
calib_summary_unmerge(CalibSummary *dst, const CalibSummary *src, char *err, size_t errlen)
{
	return merge_signed(dst, src, -1, err, errlen);
}

/* ------------------------------------------------------------ validation */

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
bound_bin(SumBounds *sb, const CalibBinExact *b, int j)
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

/* One bin's counts, and its confidence sum within [0, n] exactly and
 * within what n confidences between the bin's edges can add up to. */
static bool
check_bin(const CalibBinExact *b, int j, char *err, size_t errlen)
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
	if (b->n == 0 ? !calib_exact_eq(b->sum_conf, CALIB_EXACT_ZERO) :
		!(calib_exact_in_0_n(b->sum_conf, b->n) &&
		  calib_sum_plausible(calib_exact_to_double(b->sum_conf),
							  (double) b->n * lo, (double) b->n * hi, b->n)))
		return fail(err, errlen,
					"bin %d: confidence sum %.17g is impossible for %" PRId64
					" confidences in [%.17g, %.17g]", j, calib_exact_to_double(b->sum_conf),
					b->n, lo, hi);
	return true;
}

static bool
check_sum(const char *what, CalibExact x, double lo, double hi, int64_t n,
		  char *err, size_t errlen)
{
	double		d = calib_exact_to_double(x);

	if (n == 0 ? !calib_exact_eq(x, CALIB_EXACT_ZERO) :
		calib_exact_is_negative(x) || !calib_sum_plausible(d, lo, hi, n))
		return fail(err, errlen,
					"%s %.17g is impossible for these bins (must lie in [%.17g, %.17g])",
					what, d, lo, hi);
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
		const CalibBinExact *b = &s->bins[j];

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
		check_sum("log-loss sum ll", s->sum_log_loss, sb.ll_lo, sb.ll_hi, n, err, errlen);
}

/* A version-1 sum (a double) as an exact sum: finite, non-negative and
 * below 2^62 (what every valid version-1 sum is), converted toward zero. */
static bool
v1_exact(double x, CalibExact *out)
{
	if (!(x >= 0.0 && x < 0x1p62))
		return false;
	*out = calib_exact_from_double(x + 0.0);
	return true;
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

/* Folded exactly, then converted: the same doubles the direct aggregate
 * with `bins` bins computes from the same rows. */
void
calib_summary_rebin(const CalibSummary *s, int bins, CalibBinAcc *out)
{
	static CalibBinExact coarse[FINE];

	calib_bins_exact_rebin(s->bins, FINE, coarse, bins);
	calib_bins_exact_to_acc(coarse, bins, out);
}

double
calib_summary_mean_confidence(const CalibSummary *s)
{
	CalibExact	sum = CALIB_EXACT_ZERO;

	if (s->n == 0)
		return NAN;
	for (int j = 0; j < FINE; j++)
		calib_exact_add_to(&sum, s->bins[j].sum_conf);
	return calib_exact_to_double(sum) / (double) s->n;
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

size_t
calib_summary_text_bound(void)
{
	/* per bin " jjj:<19>:<19>:<34>", plus the header with 2 counts, 2 sums */
	return (size_t) FINE * 80 + 200;
}

size_t
calib_summary_to_text(const CalibSummary *s, char *buf, size_t cap)
{
	size_t		pos;
	char		sq[CALIB_EXACT_TEXT_MAX],
				ll[CALIB_EXACT_TEXT_MAX],
				x[CALIB_EXACT_TEXT_MAX];

	if (cap < calib_summary_text_bound())
		return 0;
	calib_exact_to_text(s->sum_sq_error, sq);
	calib_exact_to_text(s->sum_log_loss, ll);
	pos = (size_t) snprintf(buf, cap, "v%d fine=%d n=%" PRId64 " correct=%" PRId64
							" sq=%s ll=%s |", CALIB_SUMMARY_VERSION, FINE, s->n,
							s->n_correct, sq, ll);
	for (int j = 0; j < FINE; j++)
	{
		const CalibBinExact *b = &s->bins[j];

		if (b->n == 0)
			continue;
		calib_exact_to_text(b->sum_conf, x);
		pos += (size_t) snprintf(buf + pos, cap - pos, " %d:%" PRId64 ":%" PRId64 ":%s",
								 j, b->n, b->n_correct, x);
	}
	return pos;
}

/* A version-1 sum: a finite double in C syntax (hex, inf and nan are
 * refused by the character set, anything strtod does not consume entirely
 * by the check), converted to the exact form. */
static bool
parse_sum_v1(CalibCursor *c, const char *what, CalibExact *out)
{
	size_t		start = c->pos;
	char		tok[48],
			   *end;
	double		d;

	while (c->pos < c->len && c->pos - start < sizeof tok - 1 &&
		   strchr("0123456789.eE+-", c->buf[c->pos]) != NULL && c->buf[c->pos] != '\0')
		c->pos++;
	if (c->pos == start)
		return calib_syntax(c, what);
	memcpy(tok, c->buf + start, c->pos - start);
	tok[c->pos - start] = '\0';
	d = strtod(tok, &end);
	if (*end != '\0' || (c->pos < c->len && strchr("0123456789.eE+-", c->buf[c->pos])
						 && c->buf[c->pos] != '\0'))
		return fail(c->err, c->errlen, "%s at offset %zu is not a number: \"%s\"",
					what, start, tok);
	if (!isfinite(d))
		return fail(c->err, c->errlen, "%s at offset %zu is not finite: \"%s\"",
					what, start, tok);
	if (!v1_exact(d, out))
		return fail(c->err, c->errlen, "%s at offset %zu is negative or too large: \"%s\"",
					what, start, tok);
	return true;
}

static bool
parse_sum(CalibCursor *c, int version, const char *what, CalibExact *out)
{
	return version == CALIB_SUMMARY_VERSION_1 ? parse_sum_v1(c, what, out)
		: calib_parse_exact(c, what, out);
}

static bool
version_ok(uint64_t version, uint64_t fine, char *err, size_t errlen)
{
	if (version != CALIB_SUMMARY_VERSION && version != CALIB_SUMMARY_VERSION_1)
		return fail(err, errlen,
					"unsupported calib.summary version %" PRIu64 " (this build reads versions 1 and %d)",
					version, CALIB_SUMMARY_VERSION);
	if (fine != FINE)
		return fail(err, errlen,
					"summary has %" PRIu64 " fine bins, this build uses %d; "
					"summaries of different resolutions cannot be combined", fine, FINE);
	return true;
}

static bool
parse_version(CalibCursor *c, int *version)
{
	int64_t		v = 0,
				fine = 0;

	if (!calib_expect(c, "v") || !calib_parse_count(c, "a version number", &v))
		return false;
	if (v != CALIB_SUMMARY_VERSION && v != CALIB_SUMMARY_VERSION_1)
		return version_ok((uint64_t) v, FINE, c->err, c->errlen);
	if (!calib_expect(c, " fine=") || !calib_parse_count(c, "the number of fine bins", &fine))
		return false;
	*version = (int) v;
	return version_ok((uint64_t) v, (uint64_t) fine, c->err, c->errlen);
}

/* " j:n:correct:sum", bins in increasing order, no empty ones. */
static bool
parse_bin(CalibCursor *c, int version, int *prev, CalibSummary *out)
{
	int64_t		j = 0,
				n = 0,
				nc = 0;
	CalibExact	sum;
	size_t		at;

	if (!calib_expect(c, " "))
		return false;
	at = c->pos;
	if (!calib_parse_count(c, "a bin number", &j))
		return false;
	if (j >= FINE)
		return fail(c->err, c->errlen, "bin number %" PRId64 " at offset %zu is not below %d",
					j, at, FINE);
	if (j <= *prev)
		return fail(c->err, c->errlen,
					"bin %" PRId64 " at offset %zu does not come after bin %d "
					"(bins are listed once, in increasing order)", j, at, *prev);
	if (!calib_expect(c, ":") || !calib_parse_count(c, "a bin count", &n) ||
		!calib_expect(c, ":") || !calib_parse_count(c, "a count of correct answers", &nc) ||
		!calib_expect(c, ":") || !parse_sum(c, version, "a confidence sum", &sum))
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

bool
calib_summary_from_text(const char *buf, size_t len, CalibSummary *out,
						char *err, size_t errlen)
{
	CalibCursor c = {buf, len, 0, err, errlen};
	int			prev = -1,
				version = 0;

	calib_summary_init(out);
	calib_skip_blanks(&c);
	if (!parse_version(&c, &version) ||
		!calib_expect(&c, " n=") || !calib_parse_count(&c, "the row count n", &out->n) ||
		!calib_expect(&c, " correct=") ||
		!calib_parse_count(&c, "the correct count", &out->n_correct) ||
		!calib_expect(&c, " sq=") || !parse_sum(&c, version, "the Brier sum sq", &out->sum_sq_error) ||
		!calib_expect(&c, " ll=") || !parse_sum(&c, version, "the log-loss sum ll", &out->sum_log_loss) ||
		!calib_expect(&c, " |"))
		return false;
	while (!calib_at_trailing_blanks(&c))
		if (!parse_bin(&c, version, &prev, out))
			return false;
	return calib_summary_check(out, err, errlen);
}

/* ------------------------------------------------------------------ wire */

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

static uint8_t *
put_exact(uint8_t *p, CalibExact x)
{
	calib_exact_to_wire(x, p);
	return p + CALIB_EXACT_WIRE_SIZE;
}

size_t
calib_summary_to_wire(const CalibSummary *s, uint8_t *buf, size_t cap)
{
	uint8_t    *p = buf;

	if (cap < calib_summary_wire_bound())
		return 0;
	p = calib_put_be(p, CALIB_SUMMARY_VERSION, 1);
	p = calib_put_be(p, FINE, 2);
	p = calib_put_be(p, (uint64_t) s->n, 8);
	p = calib_put_be(p, (uint64_t) s->n_correct, 8);
	p = put_exact(p, s->sum_sq_error);
	p = put_exact(p, s->sum_log_loss);
	p = calib_put_be(p, (uint64_t) nonempty_bins(s), 2);
	for (int j = 0; j < FINE; j++)
	{
		if (s->bins[j].n == 0)
			continue;
		p = calib_put_be(p, (uint64_t) j, 2);
		p = calib_put_be(p, (uint64_t) s->bins[j].n, 8);
		p = calib_put_be(p, (uint64_t) s->bins[j].n_correct, 8);
		p = put_exact(p, s->bins[j].sum_conf);
	}
	return (size_t) (p - buf);
}

/* A sum of the wire form: 16 bytes (version 2) or a double (version 1). */
static bool
get_wire_sum(const uint8_t **p, int version, CalibExact *out)
{
	if (version == CALIB_SUMMARY_VERSION_1)
		return v1_exact(bitsd(calib_get_be(p, 8)), out);
	*out = calib_exact_from_wire(*p);
	*p += CALIB_EXACT_WIRE_SIZE;
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
	size_t		need,
				hdr,
				per_bin;
	int			prev = -1;

	calib_summary_init(out);
	if (len < 3)
		return fail(err, errlen, "binary summary truncated: %zu bytes", len);
	version = calib_get_be(&p, 1);
	fine = calib_get_be(&p, 2);
	if (!version_ok(version, fine, err, errlen))
		return false;
	hdr = version == CALIB_SUMMARY_VERSION_1 ? 37 : CALIB_SUMMARY_WIRE_HDR;
	per_bin = version == CALIB_SUMMARY_VERSION_1 ? 26 : CALIB_SUMMARY_WIRE_BIN;
	if (len < hdr)
		return fail(err, errlen, "binary summary truncated: %zu bytes, the header alone is %zu",
					len, hdr);
	out->n = (int64_t) calib_get_be(&p, 8);
	out->n_correct = (int64_t) calib_get_be(&p, 8);
	if (!get_wire_sum(&p, (int) version, &out->sum_sq_error) ||
		!get_wire_sum(&p, (int) version, &out->sum_log_loss))
		return fail(err, errlen, "binary summary: a version-1 sum is not a finite double in [0, 2^62)");
	nnz = calib_get_be(&p, 2);
	if (nnz > FINE)
		return fail(err, errlen, "binary summary claims %" PRIu64 " non-empty bins, at most %d exist",
					nnz, FINE);
	need = hdr + (size_t) nnz * per_bin;
	if (len < need)
		return fail(err, errlen, "binary summary truncated: %zu bytes, %" PRIu64
					" bins need %zu", len, nnz, need);
	if (len > need)
		return fail(err, errlen, "binary summary has %zu trailing bytes", len - need);
	for (uint64_t i = 0; i < nnz; i++)
	{
		uint64_t	j = calib_get_be(&p, 2);
		int64_t		n = (int64_t) calib_get_be(&p, 8);

		if (j >= FINE || (int) j <= prev)
			return fail(err, errlen, "binary summary: bin number %" PRIu64 " after bin %d "
						"(bins are below %d, listed once, in increasing order)", j, prev, FINE);
		if (n <= 0)
			return fail(err, errlen, "binary summary: bin %" PRIu64 " has count %" PRId64
						" (listed bins have at least one row)", j, n);
		out->bins[j].n = n;
		out->bins[j].n_correct = (int64_t) calib_get_be(&p, 8);
		if (!get_wire_sum(&p, (int) version, &out->bins[j].sum_conf))
			return fail(err, errlen, "binary summary: bin %" PRIu64 " has a version-1 sum that "
						"is not a finite double in [0, 2^62)", j);
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
	return PACKED_FIXED + (size_t) FINE * (8 + 3 * 10);
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
	memcpy(p + 16, &s->sum_sq_error, 16);
	memcpy(p + 32, &s->sum_log_loss, 16);
	memcpy(p + 48, &nnz, 2);
	bitmap = p + 50;
	memset(bitmap, 0, BITMAP_BYTES);
	sums = bitmap + BITMAP_BYTES;
	p = sums + (size_t) nnz * 8;
	for (int j = 0; j < FINE; j++)
	{
		const CalibBinExact *b = &s->bins[j];

		if (b->n == 0)
			continue;
		bitmap[j / 8] |= (uint8_t) (1 << (j % 8));
		memcpy(sums, &b->sum_conf.lo, 8);
		sums += 8;
		p = put_varint(p, (uint64_t) b->n);
		p = put_varint(p, (uint64_t) b->n_correct);
		p = put_varint(p, b->sum_conf.hi);	/* in [0, n]: never negative */
	}
	return (size_t) (p - buf);
}

int
calib_summary_stored_form(const uint8_t *buf, size_t len)
{
	uint16_t	fine;

	if (len < CALIB_SUMMARY_STORED_HDR ||
		(buf[0] != CALIB_SUMMARY_VERSION && buf[0] != CALIB_SUMMARY_VERSION_1))
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

/* LEB128; values below 16384 (almost all) take the inline paths. */
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

/* A dense summary's structure: counts sane and matching the totals, sums
 * non-negative. */
static bool
dense_consistent(const CalibSummary *s, char *err, size_t errlen)
{
	int64_t		n = 0,
				nc = 0;

	for (int j = 0; j < FINE; j++)
	{
		const CalibBinExact *b = &s->bins[j];

		if (b->n < 0 || b->n_correct < 0 || b->n_correct > b->n ||
			!calib_exact_in_0_n(b->sum_conf, b->n) ||
			__builtin_add_overflow(n, b->n, &n))
			return fail(err, errlen, "stored summary is corrupt: bad counts in bin %d", j);
		nc += b->n_correct;
	}
	if (n != s->n || nc != s->n_correct)
		return fail(err, errlen, "stored summary is corrupt: totals do not match its bins");
	if (calib_exact_is_negative(s->sum_sq_error) || calib_exact_is_negative(s->sum_log_loss))
		return fail(err, errlen, "stored summary is corrupt: bad sums");
	return true;
}

/* A version-1 dense summary (the 0.1.0 working state) converted: its log
 * loss is the stored sum minus the log of the pending product. */
static bool
dense_v1_convert(const SummaryV1 *v, CalibSummary *out, char *err, size_t errlen)
{
	int64_t		n = 0,
				nc = 0;
	double		ll;

	calib_summary_init(out);
	for (int j = 0; j < FINE; j++)
	{
		const CalibBinAcc *b = &v->bins[j];

		if (b->n < 0 || b->n_correct < 0 || b->n_correct > b->n ||
			__builtin_add_overflow(n, b->n, &n) || !v1_exact(b->sum_conf, &out->bins[j].sum_conf))
			return fail(err, errlen, "stored summary is corrupt: bad counts in bin %d", j);
		out->bins[j].n = b->n;
		out->bins[j].n_correct = b->n_correct;
		nc += b->n_correct;
	}
	if (n != v->n || nc != v->n_correct)
		return fail(err, errlen, "stored summary is corrupt: totals do not match its bins");
	ll = v->sum_log_loss - (log(v->ll_mant) + (double) v->ll_exp * M_LN2);
	if (!(v->ll_mant > 0.0 && v->ll_mant <= 1.0) || v->ll_exp > 64 ||
		(double) v->ll_exp < -64.0 * ((double) n + 1.0) ||
		!v1_exact(v->sum_sq_error, &out->sum_sq_error) || !v1_exact(ll, &out->sum_log_loss))
		return fail(err, errlen, "stored summary is corrupt: bad sums");
	out->n = n;
	out->n_correct = nc;
	return true;
}

static bool
dense_add(const uint8_t *buf, size_t len, CalibSummary *dst, char *err, size_t errlen)
{
	const uint8_t *payload = buf + CALIB_SUMMARY_STORED_HDR;
	static CalibSummary copy;	/* 19 KB: not on the stack of a backend */
	const CalibSummary *src = (const CalibSummary *) payload;

	if (buf[0] == CALIB_SUMMARY_VERSION_1)
	{
		static SummaryV1 v;

		if (len != CALIB_SUMMARY_STORED_HDR + sizeof(SummaryV1))
			return fail(err, errlen, "stored summary is corrupt: dense form of %zu bytes, expected %zu",
						len, CALIB_SUMMARY_STORED_HDR + sizeof(SummaryV1));
		memcpy(&v, payload, sizeof v);
		return dense_v1_convert(&v, &copy, err, errlen) &&
			calib_summary_merge(dst, &copy, err, errlen);
	}
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
	CalibExact	sq,
				ll;
	uint16_t	nnz;
} PackedHead;

#define BITMAP_WORDS ((FINE + 63) / 64)

static bool
packed_head(const uint8_t *p, size_t avail, int version, PackedHead *h, uint64_t *words,
			const CalibSummary *dst, char *err, size_t errlen)
{
	int64_t		total;
	int			bits = 0;
	size_t		fixed = version == CALIB_SUMMARY_VERSION_1 ? PACKED_FIXED_V1 : PACKED_FIXED;
	const uint8_t *bitmap;
	bool		sums_ok = true;

	if (avail < fixed - CALIB_SUMMARY_STORED_HDR)
		return fail(err, errlen, "stored summary truncated");
	memcpy(&h->n, p, 8);
	memcpy(&h->nc, p + 8, 8);
	if (version == CALIB_SUMMARY_VERSION_1)
	{
		double		sq,
					ll;

		memcpy(&sq, p + 16, 8);
		memcpy(&ll, p + 24, 8);
		memcpy(&h->nnz, p + 32, 2);
		sums_ok = v1_exact(sq, &h->sq) && v1_exact(ll, &h->ll);
		bitmap = p + 34;
	}
	else
	{
		memcpy(&h->sq, p + 16, 16);
		memcpy(&h->ll, p + 32, 16);
		memcpy(&h->nnz, p + 48, 2);
		sums_ok = !calib_exact_is_negative(h->sq) && !calib_exact_is_negative(h->ll);
		bitmap = p + 50;
	}
	/* the bitmap as little-endian 64-bit words, bit j = bin j */
	memset(words, 0, BITMAP_WORDS * sizeof(uint64_t));
	for (int i = 0; i < BITMAP_BYTES; i++)
		words[i / 8] |= (uint64_t) bitmap[i] << (8 * (i % 8));
	for (int w = 0; w < BITMAP_WORDS; w++)
		bits += __builtin_popcountll(words[w]);
	if (h->n < 0 || h->nc < 0 || h->nc > h->n || h->nnz != bits || h->nnz > FINE || !sums_ok)
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
	int			version = buf[0];
	const uint8_t *end = buf + len,
			   *p = buf + CALIB_SUMMARY_STORED_HDR,
			   *sums;
	PackedHead	h;
	uint64_t	words[BITMAP_WORDS];
	int64_t		seen = 0,
				seen_c = 0;

	memset(&h, 0, sizeof h);
	if (!packed_head(p, (size_t) (end - p), version, &h, words, dst, err, errlen))
		return false;
	sums = buf + (version == CALIB_SUMMARY_VERSION_1 ? PACKED_FIXED_V1 : PACKED_FIXED);
	if ((size_t) (end - sums) < (size_t) h.nnz * 8)
		return fail(err, errlen, "stored summary truncated");
	p = sums + (size_t) h.nnz * 8;
	for (int w = 0; w < BITMAP_WORDS; w++)
	{
		uint64_t	bits = words[w];

		while (bits)
		{
			int			j = w * 64 + __builtin_ctzll(bits);
			CalibBinExact one;

			bits &= bits - 1;
			if (!get_varint(&p, end, &one.n) || !get_varint(&p, end, &one.n_correct) ||
				one.n <= 0 || one.n_correct > one.n || one.n > h.n - seen)
				return fail(err, errlen, "stored summary is corrupt: bad counts in bin %d", j);
			if (version == CALIB_SUMMARY_VERSION_1)
			{
				double		sum;

				memcpy(&sum, sums, 8);
				if (!v1_exact(sum, &one.sum_conf))
					return fail(err, errlen, "stored summary is corrupt: bad sum in bin %d", j);
			}
			else
			{
				int64_t		hi;

				memcpy(&one.sum_conf.lo, sums, 8);
				if (!get_varint(&p, end, &hi))
					return fail(err, errlen, "stored summary is corrupt: bad sum in bin %d", j);
				one.sum_conf.hi = (uint64_t) hi;
			}
			sums += 8;
			/* the same bounds every other input path applies */
			if (!check_bin(&one, j, err, errlen))
				return false;
			seen += one.n;
			seen_c += one.n_correct;
			(void) calib_bins_exact_merge(&dst->bins[j], &one, 1, 1);
		}
	}
	if (p != end)
		return fail(err, errlen, "stored summary is corrupt: %zu trailing bytes",
					(size_t) (end - p));
	if (seen != h.n || seen_c != h.nc)
		return fail(err, errlen, "stored summary is corrupt: totals do not match its bins");
	dst->n += h.n;
	dst->n_correct += h.nc;
	if (!calib_exact_add_to(&dst->sum_sq_error, h.sq) ||
		!calib_exact_add_to(&dst->sum_log_loss, h.ll))
		return fail(err, errlen, "merged summary sums overflow");
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
