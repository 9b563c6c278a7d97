/* Unit tests of src/binning.c: the bin convention and hand-worked metrics. */
#include "binning.h"
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
	test_hand_metrics();
	return unit_report("test_binning");
}
