/*
 * fuzz_binning.c -- src/binning.c: the bin convention and the binned
 * formulas on arbitrary (confidence, correct) rows and bin counts.
 *
 * Input: u16 bins selector, then 9-byte records (flag + 8 bytes, read as in
 * fuzz_scores.c: a raw double when valid, else low 16 bits / 65535).
 *
 * Invariants: every confidence lands in a bin whose edges hold it (right-
 * closed, 0 in the first bin); ECE <= RMSCE <= MCE <= 1 and all >= 0;
 * reliability rows' Wilson intervals contain the accuracy within [0,1];
 * Brier parts are >= 0 with uncertainty <= 1/4; and re-binning B*f fine
 * bins into B coarse ones gives the same counts as binning into B directly.
 */
#include <math.h>

#include "binning.h"
#include "fuzz.h"

#define TOL 1e-12

static void
check_errors(const CalibBinAcc *acc, int bins, int64_t n)
{
	CalibBinnedError e;
	CalibBrierParts bp;

	calib_binned_error(acc, bins, &e);
	FUZZ_CHECK(e.n == n);
	if (n == 0)
		return;
	FUZZ_CHECK(e.ece >= 0.0 && e.ece <= e.rmsce + TOL);
	FUZZ_CHECK(e.rmsce <= e.mce + TOL && e.mce <= 1.0 + TOL);
	calib_brier_parts(acc, bins, &bp);
	FUZZ_CHECK(bp.reliability >= 0.0 && bp.reliability <= 1.0 + TOL);
	FUZZ_CHECK(bp.resolution >= 0.0 && bp.resolution <= 0.25 + TOL);
	FUZZ_CHECK(bp.uncertainty >= 0.0 && bp.uncertainty <= 0.25 + TOL);
	for (int k = 0; k < bins; k++)
	{
		CalibBinRow r;

		calib_bin_row(acc, k, bins, &r);
		FUZZ_CHECK(r.bin == k + 1 && r.n == acc[k].n);
		if (r.n == 0)
		{
			FUZZ_CHECK(isnan(r.accuracy) && isnan(r.ci_low));
			continue;
		}
		FUZZ_CHECK(r.mean_confidence >= r.lower - TOL && r.mean_confidence <= r.upper + TOL);
		FUZZ_CHECK(r.ci_low >= 0.0 && r.ci_high <= 1.0);
		FUZZ_CHECK(r.ci_low <= r.accuracy + TOL && r.accuracy <= r.ci_high + TOL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzIn		in = {data, size};
	int			bins = 1 + fuzz_u16(&in) % CALIB_MAX_BINS;
	int			f = 1 + (bins % 7);		/* fine bins per coarse one */
	CalibBinAcc *acc,
			   *fine,
			   *coarse;
	int64_t		n = 0;

	if (bins > 64 && bins % 7 != 0)
		bins = 1 + bins % 64;	/* mostly few bins; sometimes thousands */
	if (bins * f > CALIB_MAX_BINS)
		f = 1;
	acc = calloc(bins, sizeof(CalibBinAcc));
	fine = calloc((size_t) bins * f, sizeof(CalibBinAcc));
	coarse = calloc(bins, sizeof(CalibBinAcc));
	while (in.left >= 9)
	{
		uint8_t		flag = fuzz_u8(&in);
		double		c = fuzz_double(&in);
		uint64_t	bits;
		int			k;

		memcpy(&bits, &c, sizeof bits);
		if (!(flag & 2))
			c = (double) (bits & 0xFFFF) / 65535.0;
		else if (!calib_confidence_ok(c))
			continue;
		c += 0.0;
		k = calib_bin_index(c, bins);
		FUZZ_CHECK(k >= 0 && k < bins);
		FUZZ_CHECK(k == 0 || c > calib_bin_edge(k, bins));
		FUZZ_CHECK(c <= calib_bin_edge(k + 1, bins));
		calib_bins_add(acc, bins, c, flag & 1);
		calib_bins_add(fine, bins * f, c, flag & 1);
		n++;
	}
	check_errors(acc, bins, n);
	calib_bins_rebin(fine, bins * f, coarse, bins);
	for (int k = 0; k < bins; k++)
		FUZZ_CHECK(coarse[k].n == acc[k].n && coarse[k].n_correct == acc[k].n_correct);
	{
		double		wlo,
					whi;
		int64_t		kk = fuzz_u16(&in),
					nn = kk + fuzz_u16(&in);

		if (nn > 0)				/* the glue never asks for n = 0 */
		{
			calib_wilson(kk, nn, CALIB_Z95, &wlo, &whi);
			FUZZ_CHECK(wlo >= 0.0 && wlo <= (double) kk / nn + TOL &&
					   whi <= 1.0 && whi >= (double) kk / nn - TOL);
		}
	}
	free(acc);
	free(fine);
	free(coarse);
	return 0;
}
