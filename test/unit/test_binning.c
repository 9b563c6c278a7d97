/* Unit tests of src/binning.c: the bin convention and hand-worked metrics. */
#include <stdlib.h>

#include "binning.h"
#define UNIT_RNG_SEED 0x2545F4914F6CDD1Du
#include "unit.h"

static void
test_bin_index(void)
{
	/* right-closed bins, 0 in the first */
	CHECK(calib_bin_index(0.0, 10) == 0);
	CHECK(calib_bin_index(0.1, 10) == 0);	/* 0.1 == (double)1/10: an upper edge */
	CHECK(calib_bin_index(0.10000000000000002, 10) == 1);
	CHECK(calib_bin_index(0.3, 10) == 2);	/* 0.3 == (double)3/10, 0.3*10 rounds to 3 */
	CHECK(calib_bin_index(0.7, 10) == 6);
	CHECK(calib_bin_index(1.0, 10) == 9);
	CHECK(calib_bin_index(1.0, 1) == 0);
	CHECK(calib_bin_index(0.5, 2) == 0);
	/* every edge (double)k/B is in bin k-1, the next double up in bin k */
	for (int B = 1; B <= 200; B++)
		for (int k = 1; k <= B; k++)
		{
			double		e = calib_bin_edge(k, B);

			CHECK(calib_bin_index(e, B) == k - 1);
			if (k < B)
				CHECK(calib_bin_index(nextafter(e, 2.0), B) == k);
		}
}

/* The definition itself: the smallest k with c <= (double)(k+1)/B, by search. */
static int
bin_by_search(double c, int bins)
{
	int			k = 0;

	while (k < bins - 1 && !(c <= calib_bin_edge(k + 1, bins)))
		k++;
	return k;
}

/* Random confidences, edges and their neighbours, for bin counts up to the
 * maximum, against the linear search. */
static void
test_bin_index_random(void)
{
	int			bad = 0,
				bad_edges = 0;

	for (int rep = 0; rep < 3000; rep++)
	{
		int			bins = rep < 10 ? CALIB_MAX_BINS - rep : 1 + (int) (rng_next() % CALIB_MAX_BINS);
		int			k = (int) (rng_next() % (bins + 1));
		double		e = calib_bin_edge(k, bins);
		double		cs[5] = {rng_unit(), e, nextafter(e, -1.0), nextafter(e, 2.0), 1.0};

		double	   *edges = malloc(sizeof(double) * (bins + 1));

		calib_bin_edges(bins, edges);
		for (int i = 0; i < 5; i++)
		{
			double		c = cs[i] < 0.0 ? 0.0 : cs[i] > 1.0 ? 1.0 : cs[i];
			int			want = bin_by_search(c, bins);

			bad += calib_bin_index(c, bins) != want;
			bad_edges += calib_bin_index_edges(c, edges, bins) != want;
		}
		free(edges);
	}
	CHECK(bad == 0);
	CHECK(bad_edges == 0);
	/* 0 and the smallest positive double are in the first bin; 1 in the last */
	CHECK(calib_bin_index(0.0, CALIB_MAX_BINS) == 0);
	CHECK(calib_bin_index(4.9e-324, CALIB_MAX_BINS) == 0);
	CHECK(calib_bin_index(1.0, CALIB_MAX_BINS) == CALIB_MAX_BINS - 1);
	CHECK(calib_bin_index(nextafter(1.0, 0.0), CALIB_MAX_BINS) == CALIB_MAX_BINS - 1);
}

/*
 * Published Wilson 95% intervals (z = 1.959964): 0 of 10 -> [0, 0.2775],
 * 10 of 10 -> [0.7225, 1], 5 of 10 -> [0.2366, 0.7634].  0 of 10 upper by
 * hand: z^2 / (n + z^2) = 3.841459 / 13.841459 = 0.277533.
 */
static void
test_wilson(void)
{
	double		lo,
				hi;

	calib_wilson(0, 10, CALIB_Z95, &lo, &hi);
	CHECK(lo == 0.0);
	CHECK_NEAR(hi, 0.277533, 1e-6);
	calib_wilson(10, 10, CALIB_Z95, &lo, &hi);
	CHECK_NEAR(lo, 0.722467, 1e-6);
	CHECK(hi == 1.0);
	calib_wilson(5, 10, CALIB_Z95, &lo, &hi);
	CHECK_NEAR(lo, 0.2366, 1e-4);
	CHECK_NEAR(hi, 0.7634, 1e-4);
	/* one row: 1 of 1 -> [1 / (1 + z^2), 1] = [0.206543, 1] */
	calib_wilson(1, 1, CALIB_Z95, &lo, &hi);
	CHECK_NEAR(lo, 1.0 / (1.0 + CALIB_Z95 * CALIB_Z95), 1e-15);
	CHECK(hi == 1.0);
}

/*
 * Brier decomposition: with bins of single distinct forecasts the identity
 * brier = rel - res + unc is exact.  Hand-worked, 2 bins:
 * 0.2 wrong, 0.2 correct | 0.8 correct, 0.8 correct, 0.8 wrong, 0.8 correct.
 * acc = 4/6 = 2/3, unc = 2/9.  Bin 1: n 2, conf .2, acc .5; bin 2: n 4,
 * conf .8, acc .75.  rel = 2/6 * .09 + 4/6 * .0025 = .03 + .001666.. = 0.0316666..;
 * res = 2/6 (.5 - 2/3)^2 + 4/6 (.75 - 2/3)^2 = 1/108 + 1/216 = 1/72.
 * Brier by rows: (.04 + .64 + 3 * .04 + .64) / 6 = 1.44 / 6 = 0.24
 * and rel - res + unc = 0.0316666.. - 0.0138888.. + 0.2222222.. = 0.24.
 */
static void
test_brier_parts(void)
{
	CalibBinAcc acc[2] = {{0}};
	CalibBrierParts p;

	calib_bins_add(acc, 2, 0.2, false);
	calib_bins_add(acc, 2, 0.2, true);
	calib_bins_add(acc, 2, 0.8, true);
	calib_bins_add(acc, 2, 0.8, true);
	calib_bins_add(acc, 2, 0.8, false);
	calib_bins_add(acc, 2, 0.8, true);
	calib_brier_parts(acc, 2, &p);
	CHECK_NEAR(p.reliability, 0.03 + 0.01 / 6.0, 1e-15);
	CHECK_NEAR(p.resolution, 1.0 / 72.0, 1e-15);
	CHECK_NEAR(p.uncertainty, 2.0 / 9.0, 1e-15);
	CHECK_NEAR(p.reliability - p.resolution + p.uncertainty, 0.24, 1e-15);
}

/* Folding 100 fine bins into 10 equals binning into 10 directly. */
static void
test_rebin(void)
{
	CalibBinAcc fine[100] = {{0}},
				direct[10] = {{0}},
				coarse[10];
	bool		ok = true;

	for (int i = 0; i < 5000; i++)
	{
		double		c = i % 7 == 0 ? (double) (i % 11) / 10.0 : rng_unit();
		bool		y = rng_next() % 2;

		calib_bins_add(fine, 100, c, y);
		calib_bins_add(direct, 10, c, y);
	}
	calib_bins_rebin(fine, 100, coarse, 10);
	for (int k = 0; k < 10; k++)
		ok = ok && coarse[k].n == direct[k].n && coarse[k].n_correct == direct[k].n_correct &&
			fabs(coarse[k].sum_conf - direct[k].sum_conf) < 1e-9;
	CHECK(ok);
}

static void
test_hand_metrics(void)
{
	CalibBinAcc acc[2] = {{0}};
	CalibBinnedError err;
	CalibBinRow row;

	calib_bins_add(acc, 2, 0.2, false);
	calib_bins_add(acc, 2, 0.5, true);
	calib_bins_add(acc, 2, 0.8, true);
	calib_bins_add(acc, 2, 1.0, false);
	calib_binned_error(acc, 2, &err);
	CHECK(err.n == 4);
	CHECK_NEAR(err.ece, 0.275, 1e-15);
	CHECK_NEAR(err.mce, 0.4, 1e-15);
	CHECK_NEAR(err.rmsce, sqrt(0.5 * 0.15 * 0.15 + 0.5 * 0.4 * 0.4), 1e-15);
	calib_bin_row(acc, 0, 2, &row);
	/* Wilson 95% for 1 of 2: (0.5 + z^2/4 -+ z sqrt(1/8 + z^2/16)) / (1 + z^2/2) */
	CHECK_NEAR(row.ci_low, 0.094531205734230, 1e-12);
	CHECK_NEAR(row.ci_high, 0.905468794265770, 1e-12);
}

int
main(void)
{
	test_bin_index();
	test_bin_index_random();
	test_hand_metrics();
	test_wilson();
	test_brier_parts();
	test_rebin();
	return unit_report("test_binning");
}
