/*
 * binning.c -- equal-width bins and the binned calibration formulas.
 * See binning.h for the convention; docs/metrics.md for the definitions.
 */
#include "binning.h"

#include <float.h>
#include <math.h>

/*
 * The bin of confidence c among `bins` right-closed bins: the smallest k with
 * c <= (double)(k+1)/bins.  ceil(c * bins) - 1 is right almost always; the two
 * comparisons against the edges as the convention computes them settle the
 * cases where c * bins rounds across an integer.
 */
int
calib_bin_index(double c, int bins)
{
	int			k = (int) ceil(c * (double) bins) - 1;

	if (k < 0)
		k = 0;
	if (k > bins - 1)
		k = bins - 1;
	if (k > 0 && c <= calib_bin_edge(k, bins))
		k--;
	else if (k < bins - 1 && c > calib_bin_edge(k + 1, bins))
		k++;
	return k;
}

void
calib_bin_edges(int bins, double *edge)
{
	for (int k = 0; k <= bins; k++)
		edge[k] = calib_bin_edge(k, bins);
}

void
calib_bins_add(CalibBinAcc *acc, int bins, double c, bool correct)
{
	calib_bin_acc_add(&acc[calib_bin_index(c, bins)], c, correct);
}

void
calib_bins_merge(CalibBinAcc *dst, const CalibBinAcc *src, int nbins)
{
	for (int k = 0; k < nbins; k++)
	{
		dst[k].n += src[k].n;
		dst[k].n_correct += src[k].n_correct;
		dst[k].sum_conf += src[k].sum_conf;
	}
}

/*
 * Fold fine bins into `bins` coarse ones.  Only valid when bins divides
 * fine_bins: then every coarse edge (double)k/bins is the same double as the
 * fine edge (double)(k*f)/fine_bins (both are the correctly rounded value of
 * the same rational), so fine bin j lies entirely inside coarse bin j/f.
 */
void
calib_bins_rebin(const CalibBinAcc *fine, int fine_bins, CalibBinAcc *coarse, int bins)
{
	int			f = fine_bins / bins;

	for (int k = 0; k < bins; k++)
	{
		coarse[k].n = 0;
		coarse[k].n_correct = 0;
		coarse[k].sum_conf = 0.0;
	}
	for (int j = 0; j < fine_bins; j++)
		calib_bins_merge(&coarse[j / f], &fine[j], 1);
}

bool
calib_bins_exact_merge(CalibBinExact *dst, const CalibBinExact *src, int nbins, int sign)
{
	for (int k = 0; k < nbins; k++)
	{
		CalibBinExact *d = &dst[k];
		const CalibBinExact *s = &src[k];

		if (sign > 0)
		{
			if (__builtin_add_overflow(d->n, s->n, &d->n) ||
				__builtin_add_overflow(d->n_correct, s->n_correct, &d->n_correct) ||
				!calib_exact_add_to(&d->sum_conf, s->sum_conf))
				return false;
		}
		else if (__builtin_sub_overflow(d->n, s->n, &d->n) ||
				 __builtin_sub_overflow(d->n_correct, s->n_correct, &d->n_correct) ||
				 !calib_exact_sub_from(&d->sum_conf, s->sum_conf))
			return false;
	}
	return true;
}

void
calib_bins_exact_to_acc(const CalibBinExact *in, int bins, CalibBinAcc *out)
{
	for (int k = 0; k < bins; k++)
	{
		out[k].n = in[k].n;
		out[k].n_correct = in[k].n_correct;
		out[k].sum_conf = calib_exact_to_double(in[k].sum_conf);
	}
}

/* Same precondition and edge argument as calib_bins_rebin.  The caller's
 * bins come from one valid state, so the coarse sums cannot overflow. */
void
calib_bins_exact_rebin(const CalibBinExact *fine, int fine_bins, CalibBinExact *coarse, int bins)
{
	int			f = fine_bins / bins;

	for (int k = 0; k < bins; k++)
	{
		coarse[k].n = 0;
		coarse[k].n_correct = 0;
		coarse[k].sum_conf = CALIB_EXACT_ZERO;
	}
	for (int j = 0; j < fine_bins; j++)
		(void) calib_bins_exact_merge(&coarse[j / f], &fine[j], 1, 1);
}

bool
calib_sum_plausible(double x, double lo, double hi, int64_t n)
{
	double		t = 1e-9 + ((double) n + 1204.0) * DBL_EPSILON,
				nn = (double) n;

	/* capped: past ~4e12 rows the worst-case bound would allow anything
	 * (and a negative lower bound); real summation error stays far below */
	if (t > 1e-3)
		t = 1e-3;
	return isfinite(x) && x >= 0.0 &&
		x >= lo * (1.0 - t) - nn * 0x1p-64 && x <= hi * (1.0 + t);
}

int64_t
calib_bins_total(const CalibBinAcc *acc, int bins)
{
	int64_t		n = 0;

	for (int k = 0; k < bins; k++)
		n += acc[k].n;
	return n;
}

void
calib_binned_error(const CalibBinAcc *acc, int bins, CalibBinnedError *out)
{
	int64_t		n = calib_bins_total(acc, bins);
	double		ece = 0.0,
				mce = 0.0,
				sq = 0.0;

	for (int k = 0; k < bins; k++)
	{
		double		w,
					gap;

		if (acc[k].n == 0)
			continue;
		w = (double) acc[k].n / (double) n;
		gap = fabs(acc[k].sum_conf / (double) acc[k].n -
				   (double) acc[k].n_correct / (double) acc[k].n);
		ece += w * gap;
		sq += w * gap * gap;
		if (gap > mce)
			mce = gap;
	}
	out->n = n;
	out->ece = ece;
	out->mce = mce;
	out->rmsce = sqrt(sq);
}

void
calib_bin_row(const CalibBinAcc *acc, int k, int bins, CalibBinRow *out)
{
	const CalibBinAcc *b = &acc[k];

	out->bin = k + 1;
	out->lower = calib_bin_edge(k, bins);
	out->upper = calib_bin_edge(k + 1, bins);
	out->n = b->n;
	if (b->n == 0)
	{
		out->mean_confidence = out->accuracy = out->gap = NAN;
		out->ci_low = out->ci_high = NAN;
		return;
	}
	out->mean_confidence = b->sum_conf / (double) b->n;
	out->accuracy = (double) b->n_correct / (double) b->n;
	out->gap = out->mean_confidence - out->accuracy;
	calib_wilson(b->n_correct, b->n, CALIB_Z95, &out->ci_low, &out->ci_high);
}

/* Murphy (1973): Brier = reliability - resolution + uncertainty when the
 * forecast is constant within each bin; otherwise a within-bin term remains. */
void
calib_brier_parts(const CalibBinAcc *acc, int bins, CalibBrierParts *out)
{
	int64_t		n = calib_bins_total(acc, bins),
				correct = 0;
	double		base,
				rel = 0.0,
				res = 0.0;

	for (int k = 0; k < bins; k++)
		correct += acc[k].n_correct;
	base = (double) correct / (double) n;
	for (int k = 0; k < bins; k++)
	{
		double		w,
					conf,
					accuracy;

		if (acc[k].n == 0)
			continue;
		w = (double) acc[k].n / (double) n;
		conf = acc[k].sum_conf / (double) acc[k].n;
		accuracy = (double) acc[k].n_correct / (double) acc[k].n;
		rel += w * (conf - accuracy) * (conf - accuracy);
		res += w * (accuracy - base) * (accuracy - base);
	}
	out->reliability = rel;
	out->resolution = res;
	out->uncertainty = base * (1.0 - base);
}

/*
 * Wilson score interval for k successes in n trials:
 *   (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
 * The bounds at p = 0 and p = 1 are set to exactly 0 and 1.
 */
void
calib_wilson(int64_t k, int64_t n, double z, double *lo, double *hi)
{
	double		p = (double) k / (double) n,
				z2 = z * z,
				nn = (double) n,
				denom = 1.0 + z2 / nn,
				centre = p + z2 / (2.0 * nn),
				half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));

	*lo = (centre - half) / denom;
	*hi = (centre + half) / denom;
	/* exactly 0 at k = 0 and 1 at k = n (rounding can miss by an ulp) */
	if (*lo < 0.0 || k == 0)
		*lo = 0.0;
	if (*hi > 1.0 || k == n)
		*hi = 1.0;
}

double
calib_debiased_ece(const CalibBinAcc *acc, int bins)
{
	int64_t		n = calib_bins_total(acc, bins);
	double		ce2 = 0.0;

	if (n == 0)
		return NAN;
	for (int k = 0; k < bins; k++)
	{
		double		nb = (double) acc[k].n,
					conf,
					accuracy;

		if (acc[k].n < 2)
			continue;
		conf = acc[k].sum_conf / nb;
		accuracy = (double) acc[k].n_correct / nb;
		ce2 += nb / (double) n * ((conf - accuracy) * (conf - accuracy) -
								  accuracy * (1.0 - accuracy) / (nb - 1.0));
	}
	return ce2 > 0.0 ? sqrt(ce2) : 0.0;
}
