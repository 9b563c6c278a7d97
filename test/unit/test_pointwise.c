/*
 * Unit tests of src/pointwise.h: calib_ln (the deterministic logarithm of
 * the log-loss terms) against the long-double logl over 2.10^6 arguments and
 * every table boundary, and calib_log_loss against -logl(c) and
 * -log1pl(-c), the terms' definitions, in units in the last place.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "pointwise.h"
#define UNIT_RNG_SEED 4412337251ULL
#include "unit.h"

static double worst_ln = 0.0,
			worst_loss = 0.0;

/* |got - want| in units in the last place of want (as a double) */
static double
ulps(double got, long double want)
{
	double		w = (double) want;
	double		ulp = nextafter(fabs(w), INFINITY) - fabs(w);

	if (w == 0.0)
		return got == 0.0 ? 0.0 : INFINITY;
	return (double) (fabsl((long double) got - want) / ulp);
}

static void
check_ln(double x)
{
	double		u = ulps(calib_ln(x), logl((long double) x));

	if (u > worst_ln)
		worst_ln = u;
	CHECK(u <= 2.0);
	if (u > 2.0)
		fprintf(stderr, "calib_ln(%a) = %a, logl %a (%.2f ulp)\n", x, calib_ln(x),
				(double) logl((long double) x), u);
}

static void
check_loss(double c, bool correct)
{
	double		p = calib_clip_probability(c);
	long double want = correct ? -logl((long double) p) : -log1pl(-(long double) p);
	double		u = ulps(calib_log_loss(c, correct), want);

	if (u > worst_loss)
		worst_loss = u;
	CHECK(u <= 2.0);
	if (u > 2.0)
		fprintf(stderr, "calib_log_loss(%a, %d) = %a, want %a (%.2f ulp)\n", c, correct,
				calib_log_loss(c, correct), (double) want, u);
}

int
main(void)
{
	/* hand: ln 1 = 0, ln 2, ln 1/2, ln e */
	CHECK(calib_ln(1.0) == 0.0);
	CHECK_NEAR(calib_ln(2.0), 0.6931471805599453, 1.2e-16);
	CHECK_NEAR(calib_ln(0.5), -0.6931471805599453, 1.2e-16);
	CHECK_NEAR(calib_ln(2.718281828459045), 1.0, 2.3e-16);
	/* the clipped extremes: -ln(2^-52) = 52 ln 2 and -ln(1 - 2^-52) */
	CHECK_NEAR(calib_log_loss(0.0, true), 52 * 0.6931471805599453, 1e-14);
	CHECK_NEAR(calib_log_loss(1.0, true), 2.220446049250313e-16, 1e-31);
	CHECK(calib_log_loss(1.0, true) > 2.220446049250313e-16);	/* 2^-52 (1 + 2^-53 + ...) */
	/* every table boundary, its neighbours, both halves of the split */
	for (int i = 0; i <= 256; i++)
		for (int e = -60; e <= 2; e += 31)
		{
			double		x = ldexp(1.0 + i / 256.0, e);

			check_ln(x);
			check_ln(nextafter(x, 0.0));
			check_ln(nextafter(x, 4.0));
		}
	/* near 1 from both sides, where ln x is tiny */
	for (int k = 1; k <= 60; k++)
	{
		check_ln(1.0 + ldexp(1.0, -k));
		check_ln(1.0 - ldexp(1.0, -k - 1));
	}
	/* random doubles of all magnitudes the terms use, and confidences */
	for (int i = 0; i < 2000000; i++)
	{
		double		r = rng_unit();

		check_ln(ldexp(0.5 + r / 2, -(int) (rng_unit() * 60)));
		if (i % 4 == 0)
		{
			check_loss(r, true);
			check_loss(r, false);
			check_loss(ldexp(r, -(int) (rng_unit() * 50)), i % 8 == 0);
		}
	}
	printf("test_pointwise: worst calib_ln %.3f ulp, worst log-loss term %.3f ulp\n", worst_ln, worst_loss);
	return unit_report("test_pointwise");
}
