/*
 * pointwise.h -- the per-row terms of the proper scoring rules.  Plain C.
 * The direct aggregates and calib.summary add up exactly these terms.
 */
#ifndef CALIB_POINTWISE_H
#define CALIB_POINTWISE_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Brier term: (c - y)^2 with y = 1 for a correct answer. */
static inline double
calib_sq_error(double c, bool correct)
{
	double		d = c - (correct ? 1.0 : 0.0);

	return d * d;
}

/*
 * Log-loss term: -log(c) when correct, -log(1 - c) when wrong, with c
 * clipped to [eps, 1 - eps], eps = DBL_EPSILON, so a confident miss costs
 * about 36.04 instead of infinity.
 */
static inline double
calib_clip_probability(double c)
{
	if (c < DBL_EPSILON)
		c = DBL_EPSILON;
	if (c > 1.0 - DBL_EPSILON)
		c = 1.0 - DBL_EPSILON;
	return c;
}

/*
 * The natural logarithm of a positive normal double, as a deterministic
 * function of its input alone (what an exact, order-independent log-loss
 * sum needs: every node, platform and libm computes the same term): the
 * exponent times ln 2, plus ln c of a tabulated centre c near the mantissa
 * (src/ln_table.c, 256 correctly rounded double-doubles), plus ln(1 + u)
 * of the exactly reduced rest u = (m - c) / c, |u| < 2^-8, by its Taylor
 * polynomial to u^7 (the next term is below 2^-56 |u|).  Only +, - and *
 * of doubles, compiled without contraction (-ffp-contract=off), so the
 * rounding is IEEE's everywhere.  Within 2 units in the last place of the
 * true value (test/unit/test_pointwise.c checks it against logl over 2.10^6
 * arguments).
 *
 * corr adds corr / x for a tiny corr (|corr| <= 2^-53 x, the rounding of
 * 1 - c below): ln(x + corr) = ln x + corr / x to far below an ulp, with
 * 1 / x taken from the table's 1 / c (relative error 2^-8, invisible at
 * that size), so no division.
 */
typedef struct CalibLnEntry
{
	double		c;				/* centre of the reduced mantissa */
	double		inv;			/* 1 / c, rounded */
	double		ln_hi;			/* ln c = ln_hi + ln_lo */
	double		ln_lo;
} CalibLnEntry;

#define CALIB_LN_BITS	8
#define CALIB_LN_SPLIT	106		/* entries from here reduce m / 2 */

extern const CalibLnEntry calib_ln_table[1 << CALIB_LN_BITS];

/* ln(1 + u) for |u| <= 2^-8 */
static inline double
calib_log1p_small(double u)
{
	double		q = -1.0 / 6.0 + u * (1.0 / 7.0);

	q = 0.2 + u * q;
	q = -0.25 + u * q;
	q = 1.0 / 3.0 + u * q;
	q = -0.5 + u * q;
	return u + (u * u) * q;
}

static inline double
calib_ln_plus(double x, double corr)
{
	uint64_t	bits,
				mbits,
				scale_bits;
	int			e,
				i;
	double		m,
				ed,
				scale;
	const CalibLnEntry *t;

	memcpy(&bits, &x, sizeof bits);
	e = (int) (bits >> 52) - 1023;
	i = (int) ((bits >> (52 - CALIB_LN_BITS)) & ((1 << CALIB_LN_BITS) - 1));
	mbits = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1023) << 52);	/* m in [1, 2) */
	if (i >= CALIB_LN_SPLIT)
	{
		mbits -= UINT64_C(1) << 52; /* m / 2 in [0.70, 1) */
		e += 1;
	}
	memcpy(&m, &mbits, sizeof m);
	scale_bits = (uint64_t) (1023 - e) << 52;	/* 2^-e: x = 2^e m */
	memcpy(&scale, &scale_bits, sizeof scale);
	t = &calib_ln_table[i];
	ed = (double) e;
	/* m - c is exact (c / 2 <= m <= 2 c); e ln2_hi is exact (ln2_hi has
	 * 32 significant bits, e at most 11) */
	return (ed * 6.93147180369123816490e-01 + t->ln_hi) +
		(ed * 1.90821492927058770002e-10 + t->ln_lo + corr * t->inv * scale +
		 calib_log1p_small((m - t->c) * t->inv));
}

static inline double
calib_ln(double x)
{
	return calib_ln_plus(x, 0.0);
}

/*
 * Log-loss term: -ln c when correct, -ln(1 - c) when wrong, both by
 * calib_ln.  For a wrong row 1 - c is rounded to w and the rounding
 * d = (1 - c) - w = (1 - w) - c is exact (Sterbenz twice), so
 * ln(1 - c) = ln(w + d) keeps its accuracy for tiny c, like log1p.  One
 * path for both outcomes (selects, no branch to mispredict per row).
 */
static inline double
calib_log_loss(double c, bool correct)
{
	double		w,
				d;

	c = calib_clip_probability(c);
	w = 1.0 - c;
	d = (1.0 - w) - c;
	return -calib_ln_plus(correct ? c : w, correct ? 0.0 : d);
}

#endif
