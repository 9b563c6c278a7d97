/*
 * aggstate.c -- calib.binned_state and calib.pointwise_state: checks, merge,
 * text and wire forms.  See aggstate.h for the layouts.
 */
#include "aggstate.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "textscan.h"

_Static_assert(sizeof(CalibBinnedState) == CALIB_BINNED_HDR, "binned state header is 32 bytes");
_Static_assert(sizeof(CalibBinExact) == 32, "an exact bin is 32 bytes");
_Static_assert(sizeof(CalibPointwiseState) == CALIB_POINTWISE_SIZE, "pointwise state is 32 bytes");

/* A reader's syntax or structure error (its message is already in err). */
static CalibStateParse
malformed(bool failed)
{
	(void) failed;
	return CALIB_STATE_MALFORMED;
}

/* ------------------------------------------------------ calib.binned_state */

void
calib_binned_state_init(CalibBinnedState *st, int bins)
{
	memset(st, 0, calib_binned_state_size(bins));
	st->magic = CALIB_BINNED_MAGIC;
	st->version = CALIB_BINNED_VERSION;
	st->bins = bins;
}

bool
calib_binned_state_shape_ok(const CalibBinnedState *st, size_t len)
{
	return len >= CALIB_BINNED_HDR && st->magic == CALIB_BINNED_MAGIC &&
		st->version == CALIB_BINNED_VERSION && st->zero1 == 0 && st->zero2 == 0 &&
		st->bins >= CALIB_MIN_BINS && st->bins <= CALIB_MAX_BINS &&
		len == calib_binned_state_size(st->bins);
}

bool
calib_binned_state_check(const CalibBinnedState *st, char *err, size_t errlen)
{
	int			bins = st->bins;
	int64_t		n = 0;
	double		sq_lo = 0.0,
				sq_hi = 0.0,
				sq;

	if (bins < CALIB_MIN_BINS || bins > CALIB_MAX_BINS)
		return calib_fail(err, errlen, "bins=%d is outside [%d, %d]", bins,
						  CALIB_MIN_BINS, CALIB_MAX_BINS);
	for (int k = 0; k < bins; k++)
	{
		const CalibBinExact *b = &st->acc[k];
		double		lo = calib_bin_edge(k, bins),
					hi = calib_bin_edge(k + 1, bins),
					pos,
					neg;

		if (b->n < 0 || b->n_correct < 0 || b->n_correct > b->n)
			return calib_fail(err, errlen, "bin %d has %" PRId64 " correct answers out of %"
							  PRId64, k, b->n_correct, b->n);
		if (__builtin_add_overflow(n, b->n, &n))
			return calib_fail(err, errlen, "bin counts add up to more than %" PRId64, INT64_MAX);
		if (b->n == 0 ? !calib_exact_eq(b->sum_conf, CALIB_EXACT_ZERO) :
			!(calib_exact_in_0_n(b->sum_conf, b->n) &&
			  calib_sum_plausible(calib_exact_to_double(b->sum_conf),
								  (double) b->n * lo, (double) b->n * hi, b->n)))
			return calib_fail(err, errlen, "bin %d: confidence sum %.17g is impossible for %"
							  PRId64 " confidences in [%.17g, %.17g]", k,
							  calib_exact_to_double(b->sum_conf), b->n, lo, hi);
		/* Brier terms: (1 - c)^2 falls and c^2 rises with c */
		pos = (double) b->n_correct;
		neg = (double) (b->n - b->n_correct);
		sq_lo += pos * (1.0 - hi) * (1.0 - hi) + neg * lo * lo;
		sq_hi += pos * (1.0 - lo) * (1.0 - lo) + neg * hi * hi;
	}
	sq = calib_exact_to_double(st->sum_sq_error);
	if (n == 0 ? !calib_exact_eq(st->sum_sq_error, CALIB_EXACT_ZERO) :
		!(calib_exact_in_0_n(st->sum_sq_error, n) && calib_sum_plausible(sq, sq_lo, sq_hi, n)))
		return calib_fail(err, errlen, "Brier sum sq %.17g is impossible for these bins "
						  "(must lie in [%.17g, %.17g])", sq, sq_lo, sq_hi);
	return true;
}

bool
calib_binned_state_merge(CalibBinnedState *dst, const CalibBinnedState *src, int sign)
{
	if (!calib_bins_exact_merge(dst->acc, src->acc, dst->bins, sign))
		return false;
	return sign > 0 ? calib_exact_add_to(&dst->sum_sq_error, src->sum_sq_error)
		: calib_exact_sub_from(&dst->sum_sq_error, src->sum_sq_error);
}

int64_t
calib_binned_state_rows(const CalibBinnedState *st)
{
	int64_t		n = 0;

	for (int k = 0; k < st->bins; k++)
		n += st->acc[k].n;
	return n;
}

size_t
calib_binned_state_text_bound(int bins)
{
	/* header "b1 bins=10000 sq=<35> |" and per bin " kkkk:<19>:<19>:<35>" */
	return 64 + (size_t) bins * 82;
}

size_t
calib_binned_state_to_text(const CalibBinnedState *st, char *buf, size_t cap)
{
	size_t		pos;
	char		x[CALIB_EXACT_TEXT_MAX];

	if (cap < calib_binned_state_text_bound(st->bins))
		return 0;
	calib_exact_to_text(st->sum_sq_error, x);
	pos = (size_t) snprintf(buf, cap, "b%d bins=%d sq=%s |", CALIB_BINNED_VERSION, st->bins, x);
	for (int k = 0; k < st->bins; k++)
	{
		const CalibBinExact *b = &st->acc[k];

		if (b->n == 0)
			continue;
		calib_exact_to_text(b->sum_conf, x);
		pos += (size_t) snprintf(buf + pos, cap - pos, " %d:%" PRId64 ":%" PRId64 ":%s",
								 k, b->n, b->n_correct, x);
	}
	return pos;
}

static bool
binned_text_head(CalibCursor *c, int *bins)
{
	int64_t		v = 0;

	calib_skip_blanks(c);
	if (!calib_expect(c, "b") || !calib_parse_count(c, "a version number", &v))
		return false;
	if (v != CALIB_BINNED_VERSION)
		return calib_fail(c->err, c->errlen, "unsupported calib.binned_state version %" PRId64
						  " (this build reads version %d)", v, CALIB_BINNED_VERSION);
	if (!calib_expect(c, " bins=") || !calib_parse_count(c, "the bin count", &v))
		return false;
	if (v < CALIB_MIN_BINS || v > CALIB_MAX_BINS)
		return calib_fail(c->err, c->errlen, "bins=%" PRId64 " is outside [%d, %d]", v,
						  CALIB_MIN_BINS, CALIB_MAX_BINS);
	*bins = (int) v;
	return true;
}

bool
calib_binned_state_text_bins(const char *buf, size_t len, int *bins, char *err, size_t errlen)
{
	CalibCursor c = {buf, len, 0, err, errlen};

	return binned_text_head(&c, bins);
}

CalibStateParse
calib_binned_state_from_text(const char *buf, size_t len, CalibBinnedState *out,
							 char *err, size_t errlen)
{
	CalibCursor c = {buf, len, 0, err, errlen};
	int			bins,
				prev = -1;

	if (!binned_text_head(&c, &bins))
		return CALIB_STATE_MALFORMED;
	if (bins != out->bins)		/* the caller sized out by text_bins */
		return malformed(calib_fail(err, errlen, "state sized for %d bins, text has %d", out->bins, bins));
	calib_binned_state_init(out, bins);
	if (!calib_expect(&c, " sq=") || !calib_parse_exact(&c, "the Brier sum sq", &out->sum_sq_error) ||
		!calib_expect(&c, " |"))
		return CALIB_STATE_MALFORMED;
	while (!calib_at_trailing_blanks(&c))
	{
		int64_t		k = 0,
					n = 0,
					nc = 0;
		size_t		at;
		CalibExact	sum;

		if (!calib_expect(&c, " "))
			return CALIB_STATE_MALFORMED;
		at = c.pos;
		if (!calib_parse_count(&c, "a bin number", &k))
			return CALIB_STATE_MALFORMED;
		if (k >= bins || k <= prev)
			return malformed(calib_fail(err, errlen, "bin number %" PRId64 " at offset %zu: bins are below %d, "
							  "listed once, in increasing order", k, at, bins));
		if (!calib_expect(&c, ":") || !calib_parse_count(&c, "a bin count", &n) ||
			!calib_expect(&c, ":") || !calib_parse_count(&c, "a count of correct answers", &nc) ||
			!calib_expect(&c, ":") || !calib_parse_exact(&c, "a confidence sum", &sum))
			return CALIB_STATE_MALFORMED;
		if (n == 0)
			return malformed(calib_fail(err, errlen, "bin %" PRId64 " at offset %zu has no rows "
							  "(empty bins are left out)", k, at));
		out->acc[k].n = n;
		out->acc[k].n_correct = nc;
		out->acc[k].sum_conf = sum;
		prev = (int) k;
	}
	return calib_binned_state_check(out, err, errlen) ? CALIB_STATE_OK : CALIB_STATE_IMPOSSIBLE;
}

#define BINNED_WIRE_HDR	(1 + 1 + 4 + 16 + 4)
#define BINNED_WIRE_BIN	(4 + 8 + 8 + 16)

size_t
calib_binned_state_wire_bound(int bins)
{
	return BINNED_WIRE_HDR + (size_t) bins * BINNED_WIRE_BIN;
}

size_t
calib_binned_state_to_wire(const CalibBinnedState *st, uint8_t *buf, size_t cap)
{
	uint8_t    *p = buf,
			   *nnz_at;
	uint32_t	nnz = 0;

	if (cap < calib_binned_state_wire_bound(st->bins))
		return 0;
	*p++ = CALIB_BINNED_MAGIC;
	*p++ = CALIB_BINNED_VERSION;
	p = calib_put_be(p, (uint64_t) st->bins, 4);
	calib_exact_to_wire(st->sum_sq_error, p);
	p += CALIB_EXACT_WIRE_SIZE;
	nnz_at = p;
	p += 4;
	for (int k = 0; k < st->bins; k++)
	{
		const CalibBinExact *b = &st->acc[k];

		if (b->n == 0)
			continue;
		nnz++;
		p = calib_put_be(p, (uint64_t) k, 4);
		p = calib_put_be(p, (uint64_t) b->n, 8);
		p = calib_put_be(p, (uint64_t) b->n_correct, 8);
		calib_exact_to_wire(b->sum_conf, p);
		p += CALIB_EXACT_WIRE_SIZE;
	}
	calib_put_be(nnz_at, nnz, 4);
	return (size_t) (p - buf);
}

bool
calib_binned_state_wire_bins(const uint8_t *buf, size_t len, int *bins, char *err, size_t errlen)
{
	const uint8_t *p = buf + 2;
	uint64_t	b;

	if (len < BINNED_WIRE_HDR)
		return calib_fail(err, errlen, "binary binned state truncated: %zu bytes, the header "
						  "alone is %d", len, BINNED_WIRE_HDR);
	if (buf[0] != CALIB_BINNED_MAGIC || buf[1] != CALIB_BINNED_VERSION)
		return calib_fail(err, errlen, "not a binned state of version %d (tag %d, version %d)",
						  CALIB_BINNED_VERSION, buf[0], buf[1]);
	b = calib_get_be(&p, 4);
	if (b < CALIB_MIN_BINS || b > CALIB_MAX_BINS)
		return calib_fail(err, errlen, "bins=%" PRIu64 " is outside [%d, %d]", b,
						  CALIB_MIN_BINS, CALIB_MAX_BINS);
	*bins = (int) b;
	return true;
}

CalibStateParse
calib_binned_state_from_wire(const uint8_t *buf, size_t len, CalibBinnedState *out,
							 char *err, size_t errlen)
{
	const uint8_t *p = buf + 6;
	int			bins;
	uint64_t	nnz;
	int64_t		prev = -1;

	if (!calib_binned_state_wire_bins(buf, len, &bins, err, errlen))
		return CALIB_STATE_MALFORMED;
	if (bins != out->bins)
		return malformed(calib_fail(err, errlen, "state sized for %d bins, input has %d", out->bins, bins));
	calib_binned_state_init(out, bins);
	out->sum_sq_error = calib_exact_from_wire(p);
	p += CALIB_EXACT_WIRE_SIZE;
	nnz = calib_get_be(&p, 4);
	if (nnz > (uint64_t) bins)
		return malformed(calib_fail(err, errlen, "binary binned state claims %" PRIu64 " non-empty bins "
						  "of %d", nnz, bins));
	if (len != BINNED_WIRE_HDR + nnz * BINNED_WIRE_BIN)
		return malformed(calib_fail(err, errlen, "binary binned state of %zu bytes, %" PRIu64
						  " bins need %zu", len, nnz, (size_t) (BINNED_WIRE_HDR + nnz * BINNED_WIRE_BIN)));
	for (uint64_t i = 0; i < nnz; i++)
	{
		int64_t		k = (int64_t) calib_get_be(&p, 4),
					n = (int64_t) calib_get_be(&p, 8),
					nc = (int64_t) calib_get_be(&p, 8);

		if (k >= bins || k <= prev || n <= 0)
			return malformed(calib_fail(err, errlen, "binary binned state: bin %" PRId64 " with %" PRId64
							  " rows after bin %" PRId64 " (bins are below %d, listed once, in "
							  "increasing order, with rows)", k, n, prev, bins));
		out->acc[k].n = n;
		out->acc[k].n_correct = nc;
		out->acc[k].sum_conf = calib_exact_from_wire(p);
		p += CALIB_EXACT_WIRE_SIZE;
		prev = k;
	}
	return calib_binned_state_check(out, err, errlen) ? CALIB_STATE_OK : CALIB_STATE_IMPOSSIBLE;
}

/* --------------------------------------------------- calib.pointwise_state */

/* The largest log-loss term: -log(DBL_EPSILON) = 36.04..., rounded up. */
#define NLL_TERM_BOUND	36.05

void
calib_pointwise_state_init(CalibPointwiseState *st, int kind)
{
	memset(st, 0, sizeof *st);
	st->magic = CALIB_POINTWISE_MAGIC;
	st->version = CALIB_POINTWISE_VERSION;
	st->kind = (uint8_t) kind;
}

bool
calib_pointwise_state_shape_ok(const CalibPointwiseState *st, size_t len)
{
	return len == CALIB_POINTWISE_SIZE && st->magic == CALIB_POINTWISE_MAGIC &&
		st->version == CALIB_POINTWISE_VERSION && st->zero == 0 &&
		(st->kind == CALIB_POINTWISE_BRIER || st->kind == CALIB_POINTWISE_NLL);
}

bool
calib_pointwise_state_check(const CalibPointwiseState *st, char *err, size_t errlen)
{
	bool		ok;

	if (st->n < 0)
		return calib_fail(err, errlen, "negative row count %" PRId64, st->n);
	if (st->kind == CALIB_POINTWISE_BRIER)
		ok = calib_exact_in_0_n(st->sum, st->n);
	else
		ok = !calib_exact_is_negative(st->sum) &&
			calib_exact_to_double(st->sum) <= (double) st->n * NLL_TERM_BOUND;
	if (!ok || (st->n == 0 && !calib_exact_eq(st->sum, CALIB_EXACT_ZERO)))
		return calib_fail(err, errlen, "sum %.17g is impossible for %" PRId64 " %s terms "
						  "(each in [0, %g])", calib_exact_to_double(st->sum), st->n,
						  st->kind == CALIB_POINTWISE_BRIER ? "Brier" : "log-loss",
						  st->kind == CALIB_POINTWISE_BRIER ? 1.0 : NLL_TERM_BOUND);
	return true;
}

bool
calib_pointwise_state_merge(CalibPointwiseState *dst, const CalibPointwiseState *src, int sign)
{
	if (sign > 0)
		return !__builtin_add_overflow(dst->n, src->n, &dst->n) &&
			calib_exact_add_to(&dst->sum, src->sum);
	return !__builtin_sub_overflow(dst->n, src->n, &dst->n) &&
		calib_exact_sub_from(&dst->sum, src->sum);
}

static const char *
kind_name(int kind)
{
	return kind == CALIB_POINTWISE_BRIER ? "brier" : "nll";
}

size_t
calib_pointwise_state_to_text(const CalibPointwiseState *st, char *buf, size_t cap)
{
	char		x[CALIB_EXACT_TEXT_MAX];

	calib_exact_to_text(st->sum, x);
	return (size_t) snprintf(buf, cap, "p%d %s n=%" PRId64 " sum=%s", CALIB_POINTWISE_VERSION,
							 kind_name(st->kind), st->n, x);
}

CalibStateParse
calib_pointwise_state_from_text(const char *buf, size_t len, CalibPointwiseState *out,
								char *err, size_t errlen)
{
	CalibCursor c = {buf, len, 0, err, errlen};
	int64_t		v = 0;
	int			kind;

	calib_skip_blanks(&c);
	if (!calib_expect(&c, "p") || !calib_parse_count(&c, "a version number", &v))
		return CALIB_STATE_MALFORMED;
	if (v != CALIB_POINTWISE_VERSION)
		return malformed(calib_fail(err, errlen, "unsupported calib.pointwise_state version %" PRId64
						  " (this build reads version %d)", v, CALIB_POINTWISE_VERSION));
	if (c.len - c.pos >= 7 && memcmp(c.buf + c.pos, " brier ", 7) == 0)
		kind = CALIB_POINTWISE_BRIER;
	else if (c.len - c.pos >= 5 && memcmp(c.buf + c.pos, " nll ", 5) == 0)
		kind = CALIB_POINTWISE_NLL;
	else
		return malformed(calib_syntax(&c, "\" brier \" or \" nll \""));
	c.pos += kind == CALIB_POINTWISE_BRIER ? 7 : 5;
	calib_pointwise_state_init(out, kind);
	if (!calib_expect(&c, "n=") || !calib_parse_count(&c, "the row count n", &out->n) ||
		!calib_expect(&c, " sum=") || !calib_parse_exact(&c, "the sum", &out->sum))
		return CALIB_STATE_MALFORMED;
	if (!calib_at_trailing_blanks(&c))
		return malformed(calib_syntax(&c, "the end of the value"));
	return calib_pointwise_state_check(out, err, errlen) ? CALIB_STATE_OK : CALIB_STATE_IMPOSSIBLE;
}

size_t
calib_pointwise_state_to_wire(const CalibPointwiseState *st, uint8_t *buf, size_t cap)
{
	uint8_t    *p = buf;

	if (cap < CALIB_POINTWISE_WIRE_SIZE)
		return 0;
	*p++ = CALIB_POINTWISE_MAGIC;
	*p++ = CALIB_POINTWISE_VERSION;
	*p++ = st->kind;
	p = calib_put_be(p, (uint64_t) st->n, 8);
	calib_exact_to_wire(st->sum, p);
	return CALIB_POINTWISE_WIRE_SIZE;
}

CalibStateParse
calib_pointwise_state_from_wire(const uint8_t *buf, size_t len, CalibPointwiseState *out,
								char *err, size_t errlen)
{
	const uint8_t *p = buf + 3;

	if (len != CALIB_POINTWISE_WIRE_SIZE)
		return malformed(calib_fail(err, errlen, "binary pointwise state of %zu bytes, expected %d",
						  len, CALIB_POINTWISE_WIRE_SIZE));
	if (buf[0] != CALIB_POINTWISE_MAGIC || buf[1] != CALIB_POINTWISE_VERSION ||
		(buf[2] != CALIB_POINTWISE_BRIER && buf[2] != CALIB_POINTWISE_NLL))
		return malformed(calib_fail(err, errlen, "not a pointwise state of version %d (tag %d, version %d, "
						  "kind %d)", CALIB_POINTWISE_VERSION, buf[0], buf[1], buf[2]));
	calib_pointwise_state_init(out, buf[2]);
	out->n = (int64_t) calib_get_be(&p, 8);
	out->sum = calib_exact_from_wire(p);
	return calib_pointwise_state_check(out, err, errlen) ? CALIB_STATE_OK : CALIB_STATE_IMPOSSIBLE;
}
