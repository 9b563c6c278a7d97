/* Unit tests of src/drift.c: hand-worked test statistics, the binomial
 * sampler against its exact distribution, and the ECE bootstrap's size
 * (false alarms on data with no drift) and power (a real shift). */
#include <string.h>

#include "drift.h"
#include "unit.h"

static void
test_normal_and_proportions(void)
{
	/* python3: math.erfc(1.959963984540054 / math.sqrt(2)) = 0.05 */
	CHECK_NEAR(calib_two_sided_p(1.959963984540054), 0.05, 1e-12);
	CHECK_NEAR(calib_two_sided_p(-1.959963984540054), 0.05, 1e-12);
	CHECK(calib_two_sided_p(0.0) == 1.0);
	CHECK(calib_two_sided_p(INFINITY) == 0.0);
	CHECK(isnan(calib_two_sided_p(NAN)));
	/* 50/100 vs 70/100: pooled 0.6, se = sqrt(0.6*0.4*(1/100+1/100)) =
	 * sqrt(0.0048), z = -0.2/0.0692820 = -2.886751345948129,
	 * p = erfc(2.8867513/sqrt 2) = 0.003892417122778627 (python3 math.erfc) */
	CHECK_NEAR(calib_two_prop_z(50, 100, 70, 100), -2.886751345948129, 1e-12);
	CHECK_NEAR(calib_two_sided_p(calib_two_prop_z(50, 100, 70, 100)), 0.003892417122778627, 1e-12);
	/* all correct on both sides: nothing to see */
	CHECK(calib_two_prop_z(10, 10, 30, 30) == 0.0);
	CHECK(isnan(calib_two_prop_z(0, 0, 3, 5)));
}

static void
test_brier_variance(void)
{
	CalibBinAcc acc[3] = {{0}};

	/* one bin: conf 0.8, 3 right and 1 wrong.  Terms 0.04 x3 and 0.64:
	 * mean 0.19, mean square (3*0.0016 + 0.4096)/4 = 0.1036,
	 * variance 0.1036 - 0.19^2 = 0.0675 */
	acc[2].n = 4;
	acc[2].n_correct = 3;
	acc[2].sum_conf = 3.2;
	CHECK_NEAR(calib_brier_term_var(acc, 3, 0.19), 0.0675, 1e-12);
	/* conf 0.5, one right one wrong: both terms 0.25, no variance */
	memset(acc, 0, sizeof acc);
	acc[1].n = 2;
	acc[1].n_correct = 1;
	acc[1].sum_conf = 1.0;
	CHECK_NEAR(calib_brier_term_var(acc, 3, 0.25), 0.0, 1e-15);
	memset(acc, 0, sizeof acc);
	CHECK(isnan(calib_brier_term_var(acc, 3, 0.0)));
	/* Welch: (0.2 - 0.1) / sqrt(0.04/100 + 0.09/400) = 0.1/0.025 = 4 */
	CHECK_NEAR(calib_mean_diff_z(0.2, 0.04, 100, 0.1, 0.09, 400), 4.0, 1e-12);
	CHECK(calib_mean_diff_z(0.2, 0.0, 10, 0.1, 0.0, 10) == INFINITY);
	CHECK(calib_mean_diff_z(0.2, 0.0, 10, 0.2, 0.0, 10) == 0.0);
}

static double
binom_pmf(int n, int k, double p)
{
	return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) +
			   k * log(p) + (n - k) * log1p(-p));
}

static void
test_binomial(void)
{
	uint64_t	s = 12345;
	int			freq[6] = {0};
	const int	draws = 200000;
	double		sum = 0,
				sumsq = 0;

	/* inversion: n = 5, p = 0.3 (and via symmetry p = 0.7) against the pmf */
	for (int i = 0; i < draws; i++)
		freq[calib_binomial(&s, 5, 0.3)]++;
	for (int k = 0; k <= 5; k++)
		CHECK_NEAR((double) freq[k] / draws, binom_pmf(5, k, 0.3), 0.005);
	memset(freq, 0, sizeof freq);
	for (int i = 0; i < draws; i++)
		freq[calib_binomial(&s, 5, 0.7)]++;
	for (int k = 0; k <= 5; k++)
		CHECK_NEAR((double) freq[k] / draws, binom_pmf(5, k, 0.7), 0.005);
	/* normal branch: n = 10000, p = 0.4: mean 4000, variance 2400 */
	for (int i = 0; i < 20000; i++)
	{
		double		x = (double) calib_binomial(&s, 10000, 0.4);

		sum += x;
		sumsq += x * x;
	}
	CHECK_NEAR(sum / 20000, 4000.0, 2.0);
	CHECK_NEAR(sumsq / 20000 - (sum / 20000) * (sum / 20000), 2400.0, 100.0);
	/* huge n, tiny p stays in the inversion branch and terminates */
	CHECK(calib_binomial(&s, INT64_C(1000000000000), 1e-12) < 40);
	CHECK(calib_binomial(&s, 7, 0.0) == 0);
	CHECK(calib_binomial(&s, 7, 1.0) == 7);
	CHECK(calib_binomial(&s, 0, 0.5) == 0);
}

/* A dataset of n rows in `bins` bins: confidence uniform, correct with
 * probability conf^power, drawn with rand_r so it is independent of the
 * generator under test. */
static void
make_data(CalibBinAcc *acc, int bins, int n, double power, unsigned *seed)
{
	memset(acc, 0, sizeof(CalibBinAcc) * bins);
	for (int i = 0; i < n; i++)
	{
		double		c = (double) rand_r(seed) / RAND_MAX,
					u = (double) rand_r(seed) / RAND_MAX;

		calib_bins_add(acc, bins, c, u < pow(c, power));
	}
}

static void
test_ece_bootstrap(void)
{
	CalibBinAcc a[10],
				b[10];
	unsigned	seed = 7;
	int			alarms = 0,
				trials = 300;

	/* identical summaries: the observed difference is 0, about the null's
	 * centre, so (nearly) every simulated one is as extreme */
	make_data(a, 10, 2000, 1.0, &seed);
	CHECK(calib_ece_drift_p(a, a, 10, 500, 1, NULL) > 0.9);
	/* a calibrated model vs an overconfident one (accuracy conf^2, ECE about
	 * 0.17): p at its floor 1/(1 + reps) */
	make_data(b, 10, 2000, 2.0, &seed);
	CHECK_NEAR(calib_ece_drift_p(a, b, 10, 500, 1, NULL), 1.0 / 501, 1e-15);
	CHECK_NEAR(calib_ece_drift_p(b, a, 10, 500, 1, NULL), 1.0 / 501, 1e-15);
	/* the same seed gives the same answer, with or without scratch space */
	{
		double		scratch[300];

		CHECK(calib_ece_drift_p(a, b, 10, 300, 9, NULL) == calib_ece_drift_p(a, b, 10, 300, 9, NULL));
		make_data(b, 10, 2000, 1.1, &seed);
		CHECK(calib_ece_drift_p(a, b, 10, 300, 9, NULL) == calib_ece_drift_p(a, b, 10, 300, 9, scratch));
		CHECK(calib_ece_drift_p(a, b, 10, 300, 9, NULL) > 1.0 / 301);	/* not at the floor */
	}
	/* size: two independent samples of one distribution are flagged at the
	 * 5% level about 5% of the time; 300 trials put the count's 99.9% range
	 * for a true rate of 5% at about 4..28 */
	for (int t = 0; t < trials; t++)
	{
		make_data(a, 10, 1000, 1.5, &seed);
		make_data(b, 10, 1000, 1.5, &seed);
		if (calib_ece_drift_p(a, b, 10, 200, t, NULL) < 0.05)
			alarms++;
	}
	printf("ece bootstrap: %d false alarms in %d trials at the 5%% level\n", alarms, trials);
	CHECK(alarms >= 4 && alarms <= 28);
	/* an empty side has no ECE */
	memset(b, 0, sizeof b);
	CHECK(isnan(calib_ece_drift_p(a, b, 10, 100, 1, NULL)));
}

int
main(void)
{
	test_normal_and_proportions();
	test_brier_variance();
	test_binomial();
	test_ece_bootstrap();
	return unit_report("test_drift");
}
