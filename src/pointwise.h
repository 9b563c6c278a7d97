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
calib_log_loss(double c, bool correct)
{
	if (c < DBL_EPSILON)
		c = DBL_EPSILON;
	if (c > 1.0 - DBL_EPSILON)
		c = 1.0 - DBL_EPSILON;
	return correct ? -log(c) : -log1p(-c);
}

#endif
