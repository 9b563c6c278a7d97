/*
 * binning.h -- equal-width confidence bins and the metrics computed from them.
 *
 * Plain C, no PostgreSQL headers: this is the single source of truth for the
 * bin convention and for every binned formula (ECE, MCE, RMSCE, reliability
 * rows, Brier decomposition).  The direct aggregates and calib.summary both
 * reduce their input to an array of CalibBinAcc and call these functions.
 *
 * Bin convention: B equal-width, right-closed bins (k/B, (k+1)/B], the first
 * bin also holding 0.  A confidence c goes to the smallest k with
 * c <= (double)(k + 1) / B.  The edges are always computed as (double) k / B,
 * so a value printed as an edge lands in the same bin everywhere.
 */
#ifndef CALIB_BINNING_H
#define CALIB_BINNING_H

#include <stdbool.h>
#include <stdint.h>

#include "exactsum.h"

#define CALIB_MIN_BINS 1
#define CALIB_MAX_BINS 10000
#define CALIB_DEFAULT_BINS 10

/* z for a two-sided 95% interval: the 0.975 quantile of the standard normal */
#define CALIB_Z95 1.959963984540054

typedef struct CalibBinAcc
{
	int64_t		n;				/* rows in the bin */
	int64_t		n_correct;		/* rows whose answer was correct */
	double		sum_conf;		/* sum of their confidences */
} CalibBinAcc;

/*
 * What a mergeable state keeps per bin: the same counts and the confidence
 * sum as an exact fixed-point sum (exactsum.h), so a bin is the same bytes
 * whatever the order its rows arrived in, and a row can be taken out again.
 * calib_bins_exact_to_acc turns bins into CalibBinAcc for the formulas.
 */
typedef struct CalibBinExact
{
	int64_t		n;
	int64_t		n_correct;
	CalibExact	sum_conf;
} CalibBinExact;

/* One row of a reliability diagram; means are NaN when n == 0. */
typedef struct CalibBinRow
{
	int			bin;			/* 1 .. bins */
	double		lower;
	double		upper;
	int64_t		n;
	double		mean_confidence;
	double		accuracy;
	double		gap;			/* mean_confidence - accuracy */
	double		ci_low;			/* 95% Wilson interval of accuracy */
	double		ci_high;
} CalibBinRow;

typedef struct CalibBinnedError
{
	int64_t		n;
	double		ece;			/* sum_b n_b/n |gap_b| */
	double		mce;			/* max_b |gap_b| over non-empty bins */
	double		rmsce;			/* sqrt(sum_b n_b/n gap_b^2) */
} CalibBinnedError;

typedef struct CalibBrierParts
{
	double		reliability;	/* sum_b n_b/n (conf_b - acc_b)^2 */
	double		resolution;		/* sum_b n_b/n (acc_b - acc)^2 */
	double		uncertainty;	/* acc (1 - acc) */
} CalibBrierParts;

/* Validation shared by every entry point: 1 when c is a finite value in [0,1]. */
static inline bool
calib_confidence_ok(double c)
{
	return c >= 0.0 && c <= 1.0;	/* false for NaN too */
}

static inline double
calib_bin_edge(int k, int bins)
{
	return (double) k / (double) bins;
}

int			calib_bin_index(double c, int bins);

/*
 * The same bin as calib_bin_index, for hot loops: `edge` holds the edges
 * calib_bin_edge(k, bins) for k = 0 .. bins, precomputed once, so a value
 * costs one multiplication and two or three comparisons instead of a libm
 * ceil() and divisions.  c must be a validated confidence.
 */
static inline int
calib_bin_index_edges(double c, const double *edge, int bins)
{
	int			k = (int) (c * (double) bins);	/* 0 .. bins; off by one at most */

	if (k > bins - 1)
		k = bins - 1;
	while (k > 0 && c <= edge[k])
		k--;
	while (k < bins - 1 && c > edge[k + 1])
		k++;
	return k;
}

/* Count one row in bin b (inline for the per-row paths). */
static inline void
calib_bin_acc_add(CalibBinAcc *b, double c, bool correct)
{
	b->n++;
	b->n_correct += correct ? 1 : 0;
	b->sum_conf += c;
}

/* The same for an exact bin.  c is a validated confidence in [0, 1], so the
 * sum stays below the count and cannot overflow while the count fits. */
static inline void
calib_bin_exact_add(CalibBinExact *b, double c, bool correct)
{
	b->n++;
	b->n_correct += correct ? 1 : 0;
	calib_exact_add_term(&b->sum_conf, c);
}

/* Takes out a row added before (moving-window inverse): exactly undoes
 * calib_bin_exact_add.  False, and b unchanged, when the bin cannot hold
 * that row (a direct call with a row that was never added). */
static inline bool
calib_bin_exact_sub(CalibBinExact *b, double c, bool correct)
{
	CalibBinExact t = *b;

	t.n--;
	t.n_correct -= correct ? 1 : 0;
	calib_exact_sub_from(&t.sum_conf, calib_exact_from_double(c));
	if (t.n < 0 || t.n_correct < 0 || t.n_correct > t.n || calib_exact_is_negative(t.sum_conf))
		return false;
	*b = t;
	return true;
}

/* dst += src bin by bin (sign -1: dst -= src); false, dst partly updated,
 * when a count or sum would overflow. */
bool		calib_bins_exact_merge(CalibBinExact *dst, const CalibBinExact *src,
								   int nbins, int sign);

/* Exact bins as CalibBinAcc: each sum converted once (calib_exact_to_double),
 * so every node computes the same doubles from the same state. */
void		calib_bins_exact_to_acc(const CalibBinExact *in, int bins, CalibBinAcc *out);

/* Fine exact bins folded into `bins` coarse ones (bins divides fine_bins):
 * exact sums, so a coarse bin equals the bin the direct aggregate builds. */
void		calib_bins_exact_rebin(const CalibBinExact *fine, int fine_bins,
								   CalibBinExact *coarse, int bins);

/*
 * Whether x can be a sum of n non-negative terms whose exact total lies in
 * [lo, hi] (lo >= 0), each term rounded toward zero to 2^-64 (exactsum.h), or rounded to
 * double and added up in any order: relative slack 1e-9 + (n + 1204) eps,
 * capped at 1e-3, plus n 2^-64 below.  What the input checks of the states
 * apply to their sums; a forged value can hide inside the slack, but it
 * cannot be off by anything that matters.
 */
bool		calib_sum_plausible(double x, double lo, double hi, int64_t n);

/* The edges calib_bin_edge(k, bins), k = 0 .. bins, for calib_bin_index_edges. */
void		calib_bin_edges(int bins, double *edge);

void		calib_bins_add(CalibBinAcc *acc, int bins, double c, bool correct);
void		calib_bins_merge(CalibBinAcc *dst, const CalibBinAcc *src, int nbins);
void		calib_bins_rebin(const CalibBinAcc *fine, int fine_bins,
							 CalibBinAcc *coarse, int bins);
/* The rows in all bins. */
int64_t		calib_bins_total(const CalibBinAcc *acc, int bins);

void		calib_binned_error(const CalibBinAcc *acc, int bins, CalibBinnedError *out);
void		calib_bin_row(const CalibBinAcc *acc, int k, int bins, CalibBinRow *out);
void		calib_brier_parts(const CalibBinAcc *acc, int bins, CalibBrierParts *out);
/*
 * Debiased L2 calibration error (Kumar, Liang & Ma 2019):
 *   CE^2 = sum_b n_b/n [(conf_b - acc_b)^2 - acc_b (1 - acc_b) / (n_b - 1)],
 * bins with n_b < 2 adding 0; returns sqrt(max(CE^2, 0)), NaN without rows.
 */
double		calib_debiased_ece(const CalibBinAcc *acc, int bins);
void		calib_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);

#endif
