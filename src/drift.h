/*
 * drift.h -- is the calibration of a new audit run different from its
 * baseline beyond sampling noise?  Plain C, no PostgreSQL headers.
 *
 * Everything works from what a calib.summary keeps: per-bin counts, correct
 * counts and confidence sums (CalibBinAcc), plus exact Brier means.  The
 * tests, each two-sided, are documented in docs/audits.md:
 *   accuracy  two-proportion z-test with the pooled proportion;
 *   Brier     z-test of the difference of two means (Welch), each variance
 *             estimated from the fine bins (confidences replaced by their bin
 *             means: the summary does not keep per-row squares);
 *   ECE       parametric bootstrap under H0 "accuracy given the confidence
 *             bin is the same in both runs": each run keeps its own bin counts
 *             and mean confidences, correct counts are redrawn from the
 *             pooled per-bin accuracy, and the observed ECE difference is
 *             compared with the simulated ones.
 */
#ifndef CALIB_DRIFT_H
#define CALIB_DRIFT_H

#include <stdint.h>

#include "binning.h"

/* P(|Z| >= |z|) for a standard normal Z; 1 for z = 0, 0 for infinite z. */
double		calib_two_sided_p(double z);

/* Pooled two-proportion z statistic for k1/n1 vs k2/n2 (NaN when n1 or n2 is
 * 0; 0 when the pooled proportion is 0 or 1 and the proportions agree). */
double		calib_two_prop_z(int64_t k1, int64_t n1, int64_t k2, int64_t n2);

/*
 * Variance of the per-row Brier terms (c - y)^2 of a summary whose Brier mean
 * is `brier`, from its bins: sum_b [k_b (1 - c_b)^4 + (n_b - k_b) c_b^4] / n
 * - brier^2 with c_b the bin's mean confidence.  Replacing each confidence by
 * its bin mean changes (c - y)^4 by O(bin width), so use fine bins.  Never
 * negative; NaN when there are no rows.
 */
double		calib_brier_term_var(const CalibBinAcc *acc, int bins, double brier);

/* Welch z statistic for mean1 - mean2 with term variances v1, v2. */
double		calib_mean_diff_z(double m1, double v1, int64_t n1,
							  double m2, double v2, int64_t n2);

/*
 * Two-sided bootstrap p-value of ECE(a) - ECE(b) (both over `bins` bins)
 * under H0 above, from `reps` simulated pairs, with a fixed-seed generator
 * (the answer is a function of the inputs).  p = (1 + #{extreme}) / (1 +
 * reps), where extreme means at least as far from the mean of the simulated
 * differences as the observed one, in the same or the other direction.  NaN
 * when a side has no rows.  scratch, if not NULL, holds reps doubles and
 * saves replaying the simulation (same result either way).
 */
double		calib_ece_drift_p(const CalibBinAcc *a, const CalibBinAcc *b, int bins,
							  int reps, uint64_t seed, double *scratch);

/* A Binomial(n, p) draw from the 64-bit state *s (exposed for the tests):
 * CDF inversion when the smaller tail's mean is under 30, otherwise a
 * normal approximation rounded to the nearest count and clamped to [0, n]. */
int64_t		calib_binomial(uint64_t *s, int64_t n, double p);

#endif
