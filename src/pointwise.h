/*
 * pointwise.h -- the per-row terms of the proper scoring rules.  Plain C.
 * The direct aggregates and calib.summary add up exactly these terms.
 */
#ifndef CALIB_POINTWISE_H
#define CALIB_POINTWISE_H

#include <float.h>
#include <math.h>
#include <stdbool.h>

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

static inline double
calib_log_loss(double c, bool correct)
{
	c = calib_clip_probability(c);
	return correct ? -log(c) : -log1p(-c);
}

/*
 * exp(-calib_log_loss(c, correct)): the clipped probability the forecast gave
 * to what happened.  A sum of log-loss terms equals -log of the product of
 * these; calib.summary multiplies them (keeping the exponent apart) and takes
 * one log at the end, which keeps two libm calls out of its per-row path.
 * The terms are the same; only the rounding differs (about 1e-16 per row).
 */
static inline double
calib_outcome_probability(double c, bool correct)
{
	c = calib_clip_probability(c);
	return correct ? c : 1.0 - c;
}

#endif
