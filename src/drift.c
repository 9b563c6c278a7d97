/*
 * drift.c -- the sampling-noise tests behind calib.audit_drift.  See drift.h
 * for what each test assumes and docs/audits.md for how to read them.
 */
#include "drift.h"

#include <math.h>

double
calib_two_sided_p(double z)
{
	if (isnan(z))
		return NAN;
	return erfc(fabs(z) / sqrt(2.0));
}

double
calib_two_prop_z(int64_t k1, int64_t n1, int64_t k2, int64_t n2)
{
	double		p1,
				p2,
				pool,
				se;

	if (n1 <= 0 || n2 <= 0)
		return NAN;
	p1 = (double) k1 / (double) n1;
	p2 = (double) k2 / (double) n2;
	pool = (double) (k1 + k2) / (double) (n1 + n2);
	se = sqrt(pool * (1.0 - pool) * (1.0 / (double) n1 + 1.0 / (double) n2));
	if (se == 0.0)
		return 0.0;				/* pool 0 or 1: both proportions equal it */
	return (p1 - p2) / se;
}

double
calib_brier_term_var(const CalibBinAcc *acc, int bins, double brier)
{
	int64_t		n = 0;
	double		m2 = 0.0,
				v;

	for (int k = 0; k < bins; k++)
	{
		double		c,
					w;

		if (acc[k].n == 0)
			continue;
		n += acc[k].n;
		c = acc[k].sum_conf / (double) acc[k].n;
		w = (1.0 - c) * (1.0 - c);
		m2 += (double) acc[k].n_correct * w * w;
		m2 += (double) (acc[k].n - acc[k].n_correct) * c * c * c * c;
	}
	if (n == 0)
		return NAN;
	v = m2 / (double) n - brier * brier;
	return v > 0.0 ? v : 0.0;
}

double
calib_mean_diff_z(double m1, double v1, int64_t n1, double m2, double v2, int64_t n2)
{
	double		se;

	if (n1 <= 0 || n2 <= 0)
		return NAN;
	se = sqrt(v1 / (double) n1 + v2 / (double) n2);
	if (se == 0.0)
		return m1 == m2 ? 0.0 : copysign(INFINITY, m1 - m2);
	return (m1 - m2) / se;
}

/* splitmix64: small, fast, and good enough for a bootstrap. */
static uint64_t
next_u64(uint64_t *s)
{
	uint64_t	z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so log() below is finite. */
static double
uniform(uint64_t *s)
{
	return ((double) (next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double
std_normal(uint64_t *s)
{
	double		u1 = uniform(s),
				u2 = uniform(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int64_t
calib_binomial(uint64_t *s, int64_t n, double p)
{
	double		mean;

	if (n <= 0 || p <= 0.0)
		return 0;
	if (p >= 1.0)
		return n;
	if (p > 0.5)
		return n - calib_binomial(s, n, 1.0 - p);
	mean = (double) n * p;
	if (mean < 30.0)
	{
		/* inversion: walk the pmf from 0; (1-p)^n >= e^-42 here, no underflow */
		double		u = uniform(s),
					pr = pow(1.0 - p, (double) n),
					cdf = pr,
					ratio = p / (1.0 - p);
		int64_t		k = 0;

		/* stop once the pmf has vanished past the mean: rounding can leave the
		 * cdf a hair under u forever */
		while (u > cdf && k < n && (pr > 0.0 || k < mean))
		{
			pr *= (double) (n - k) / (double) (k + 1) * ratio;
			k++;
			cdf += pr;
		}
		return k;
	}
	else
	{
		double		x = floor(mean + sqrt(mean * (1.0 - p)) * std_normal(s) + 0.5);

		if (x < 0.0)
			return 0;
		if (x > (double) n)
			return n;
		return (int64_t) x;
	}
}

/* One simulated ECE(a) - ECE(b) under H0. */
static double
simulated_diff(const CalibBinAcc *a, const CalibBinAcc *b, int bins,
			   int64_t na, int64_t nb, uint64_t *s)
{
	double		ea = 0.0,
				eb = 0.0;

	for (int k = 0; k < bins; k++)
	{
		int64_t		n = a[k].n + b[k].n;
		double		pool;

		if (n == 0)
			continue;
		pool = (double) (a[k].n_correct + b[k].n_correct) / (double) n;
		if (a[k].n > 0)
			ea += (double) a[k].n / (double) na *
				fabs(a[k].sum_conf / (double) a[k].n -
					 (double) calib_binomial(s, a[k].n, pool) / (double) a[k].n);
		if (b[k].n > 0)
			eb += (double) b[k].n / (double) nb *
				fabs(b[k].sum_conf / (double) b[k].n -
					 (double) calib_binomial(s, b[k].n, pool) / (double) b[k].n);
	}
	return ea - eb;
}

double
calib_ece_drift_p(const CalibBinAcc *a, const CalibBinAcc *b, int bins, int reps, uint64_t seed,
				  double *scratch)
{
	int64_t		na = calib_bins_total(a, bins),
				nb = calib_bins_total(b, bins),
				extreme = 0;
	CalibBinnedError ea,
				eb;
	double		observed,
				centre = 0.0;
	uint64_t	s;

	if (na == 0 || nb == 0 || reps < 1)
		return NAN;
	calib_binned_error(a, bins, &ea);
	calib_binned_error(b, bins, &eb);
	observed = ea.ece - eb.ece;

	/* the centre of the null distribution first, then how often it lands as
	 * far out as observed: with scratch, from the stored draws; without,
	 * by replaying the same random stream */
	s = seed;
	for (int r = 0; r < reps; r++)
	{
		double		d = simulated_diff(a, b, bins, na, nb, &s);

		if (scratch)
			scratch[r] = d;
		centre += d;
	}
	centre /= reps;
	s = seed;
	for (int r = 0; r < reps; r++)
	{
		double		d = scratch ? scratch[r] : simulated_diff(a, b, bins, na, nb, &s);

		if (fabs(d - centre) >= fabs(observed - centre))
			extreme++;
	}
	return (double) (1 + extreme) / (double) (1 + reps);
}
