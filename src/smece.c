/*
 * smece.c -- smooth ECE.  Follows relplot's algorithm step by step (its
 * numpy conventions spelled out in the comments), so the numbers agree with
 * it up to floating-point summation order.
 */
#include "smece.h"

#include <math.h>
#include <string.h>

/* numpy.linspace(0, 1, num)[i]: i * (1 / (num - 1)), the last exactly 1. */
static double
linspace01(int64_t i, int64_t num)
{
	return i == num - 1 ? 1.0 : (double) i * (1.0 / (double) (num - 1));
}

/*
 * relplot smooth_round_to_grid: every row's value is split between the two
 * grid points i/(M-1) around its confidence f, in proportion to closeness.
 * num gets the residuals f - y, den the counts.
 */
static void
round_to_grid(const CalibScores *s, int64_t M, double *num, double *den)
{
	CalibGroupIter it;
	CalibGroup	g;

	memset(num, 0, sizeof(double) * M);
	memset(den, 0, sizeof(double) * M);
	calib_group_iter_init(&it, s, false);
	while (calib_group_next(&it, &g))
	{
		double		pos = g.value * (double) (M - 1),
					frac,
					cnt = (double) (g.npos + g.nneg),
					resid = g.value * cnt - (double) g.npos;	/* sum of f - y */
		int64_t		b = (int64_t) pos;

		if (b > M - 2)
			b = M - 2;
		frac = pos - (double) b;
		num[b] += (1.0 - frac) * resid;
		num[b + 1] += frac * resid;
		den[b] += (1.0 - frac) * cnt;
		den[b + 1] += frac * cnt;
	}
}

/*
 * relplot ReflectedGaussianKernel.convolve: the grid values reflected at both
 * ends (without repeating the end points) convolved with the Gaussian density
 * of sd sigma sampled at linspace(0, 1, M) - 1/2, the centre slice kept:
 *   out[j] = sum_i ker[i] v(j + M/2 - i),  v(-u) = v(u),  v(M-1+u) = v(M-1-u).
 * Kernel values that underflow to 0 are skipped: the sum is the same.
 */
static void
reflected_convolve(const double *v, int64_t M, double sigma, double *ker, double *out)
{
	int64_t		half = M / 2,
				ilo = 0,
				ihi = M - 1;
	double		var = sigma * sigma,
				norm = sqrt(2.0 * M_PI) * sigma;

	for (int64_t i = 0; i < M; i++)
	{
		double		t = linspace01(i, M) - 0.5;

		ker[i] = exp(-(t * t) / (2.0 * var)) / norm;
	}
	while (ilo < ihi && ker[ilo] == 0.0)
		ilo++;
	while (ihi > ilo && ker[ihi] == 0.0)
		ihi--;
	for (int64_t j = 0; j < M; j++)
	{
		double		acc = 0.0;

		for (int64_t i = ilo; i <= ihi; i++)
		{
			int64_t		u = j + half - i;

			if (u < 0)
				u = -u;
			else if (u > M - 1)
				u = 2 * (M - 1) - u;
			acc += ker[i] * v[u];
		}
		out[j] = acc;
	}
}

/* relplot interpolate: linear interpolation of y (on i/(M-1)) at t. */
static double
interpolate(const double *y, int64_t M, double t)
{
	double		bucket = 1.0 / (double) (M - 1),
				resid;
	int64_t		ind = (int64_t) (t * (double) (M - 1));

	if (ind < 0)
		ind = 0;
	if (ind > M - 2)
		ind = M - 2;
	resid = (t - (double) ind * bucket) / bucket;
	return y[ind] * (1.0 - resid) + y[ind + 1] * resid;
}

/*
 * relplot smooth_ece(f, y, sigma): kernel-smoothed residual r(t) and density
 * d(t) on ev = max(round(10/sigma), 200) points t = linspace(0, 1, ev), the
 * kernel applied on a grid of M = max(2000, round(20/sigma)) // 2 + 1 points;
 * d gets + 1e-4; result sum |r/d| d / sum d.
 */
double
calib_smooth_ece_sigma(const CalibScores *s, double sigma, double *work)
{
	int64_t		M = (int64_t) fmax(2000.0, round(20.0 / sigma)) / 2 + 1,
				ev = (int64_t) fmax(round(10.0 / sigma), 200.0);
	double	   *num = work,
			   *den = work + CALIB_SMECE_MAX_GRID,
			   *ker = work + 2 * CALIB_SMECE_MAX_GRID,
			   *cnum = work + 3 * CALIB_SMECE_MAX_GRID,
			   *cden = work + 4 * CALIB_SMECE_MAX_GRID,
				total = 0.0,
				weight = 0.0;

	round_to_grid(s, M, num, den);
	reflected_convolve(num, M, sigma, ker, cnum);
	reflected_convolve(den, M, sigma, ker, cden);
	for (int64_t i = 0; i < ev; i++)
	{
		double		t = linspace01(i, ev),
					d = interpolate(cden, M, t) + 1e-4,
					r = interpolate(cnum, M, t) / d;

		total += fabs(r) * d;
		weight += d;
	}
	return total / weight;
}

/*
 * relplot search_param with predicate "sigma < eps or sigma < smECE(sigma)":
 * sigma = 1 if it holds there, else ten bisection steps on [0, 1] keeping
 * the end where it fails; the answer is smECE at that end.
 */
double
calib_smooth_ece(const CalibScores *s, double *sigma, double *work)
{
	double		start = 1.0,
				end = 0.0;

	if (!(start < calib_smooth_ece_sigma(s, start, work)))
	{
		for (int i = 0; i < 10; i++)
		{
			double		mid = 0.5 * (start + end);

			if (mid < CALIB_SMECE_EPS || mid < calib_smooth_ece_sigma(s, mid, work))
				end = mid;
			else
				start = mid;
		}
	}
	*sigma = start;
	return calib_smooth_ece_sigma(s, start, work);
}
