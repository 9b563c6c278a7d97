/*
 * fuzz_scores.c -- src/scores.c: sort, the tie-aware walk, AUROC, quantiles,
 * adaptive ECE, on arbitrary inputs.
 *
 * Input: u16 bins selector, u8 replication count, then 9-byte records (flag
 * byte + 8 bytes).  Flag bit 0 = correct; bit 1 = take the 8 bytes as a raw
 * double (kept only if it is a valid confidence, as the glue would), else
 * their low 16 bits / 65535 (many ties and the exact values 0 and 1).  A
 * replication count r > 1 repeats the records r times, nudged, so inputs
 * also reach the radix sort (4096 values and more).
 *
 * Invariants: the sort returns an ascending permutation of its input (also
 * for arbitrary non-NaN doubles); AUROC is in [0,1], NaN exactly when a
 * class is empty, and equals the O(n^2) pair count on small inputs;
 * quantile edges are non-decreasing and within [min, max]; ACE is in [0,1]
 * and with one bin equals |mean confidence - accuracy|.
 */
#include <math.h>

#include "binning.h"
#include "fuzz.h"
#include "scores.h"

#define MAX_VALUES 20000

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The sort on arbitrary non-NaN doubles: ascending, and the same multiset
 * as qsort gives (compared as numbers, so -0.0 == 0.0).  The nraw inputs are
 * cycled up to n values, copies with low mantissa bits flipped, so that
 * large n reaches the radix sort. */
static void
check_sort(const double *raw, int64_t nraw, int64_t n)
{
	double	   *v = malloc((n + 1) * sizeof(double)),
			   *ref = malloc((n + 1) * sizeof(double)),
			   *scratch = malloc((n + 1) * sizeof(double));
	int64_t		m = 0;

	for (int64_t i = 0; i < n && nraw > 0; i++)
	{
		double		d = raw[i % nraw];
		uint64_t	bits;

		memcpy(&bits, &d, sizeof bits);
		bits ^= (uint64_t) (i / nraw) & 0xFF;
		memcpy(&d, &bits, sizeof d);
		if (!isnan(d))
			v[m] = ref[m] = d, m++;
	}
	calib_sort_doubles(v, m, scratch);
	qsort(ref, (size_t) m, sizeof(double), cmp_double);
	for (int64_t i = 0; i < m; i++)
	{
		FUZZ_CHECK(i == 0 || v[i - 1] <= v[i]);
		FUZZ_CHECK(v[i] == ref[i]);
	}
	free(v);
	free(ref);
	free(scratch);
}

static double
brute_auroc(const CalibScores *s)
{
	double		wins = 0.0;

	for (int64_t i = 0; i < s->npos; i++)
		for (int64_t j = 0; j < s->nneg; j++)
			wins += s->pos[i] > s->neg[j] ? 1.0 : s->pos[i] == s->neg[j] ? 0.5 : 0.0;
	return wins / ((double) s->npos * (double) s->nneg);
}

static void
check_metrics(double *pos, int64_t npos, double *neg, int64_t nneg, int bins)
{
	int64_t		n = npos + nneg;
	double	   *scratch = malloc((n + 1) * sizeof(double));
	double	   *edges = malloc(bins * sizeof(double));
	CalibScores s;
	double		auroc,
				ace,
				lo = INFINITY,
				hi = -INFINITY,
				sum_conf = 0.0;

	calib_sort_doubles(pos, npos, scratch);
	calib_sort_doubles(neg, nneg, scratch);
	s = (CalibScores) {pos, npos, neg, nneg};

	auroc = calib_auroc(&s);
	if (npos == 0 || nneg == 0)
		FUZZ_CHECK(isnan(auroc));
	else
	{
		FUZZ_CHECK(auroc >= 0.0 && auroc <= 1.0);
		if (n <= 300)
			FUZZ_CHECK(fabs(auroc - brute_auroc(&s)) <= 1e-12);
	}

	ace = calib_ace(&s, bins, edges);
	if (n == 0)
		FUZZ_CHECK(isnan(ace));
	else
	{
		for (int64_t i = 0; i < npos; i++)
			sum_conf += pos[i], lo = fmin(lo, pos[i]), hi = fmax(hi, pos[i]);
		for (int64_t i = 0; i < nneg; i++)
			sum_conf += neg[i], lo = fmin(lo, neg[i]), hi = fmax(hi, neg[i]);
		FUZZ_CHECK(ace >= 0.0 && ace <= 1.0 + 1e-12);
		for (int k = 0; k + 1 < bins; k++)
		{
			FUZZ_CHECK(edges[k] >= lo && edges[k] <= hi);
			FUZZ_CHECK(k == 0 || edges[k - 1] <= edges[k]);
		}
		if (bins == 1)
			FUZZ_CHECK(fabs(ace - fabs(sum_conf / n - (double) npos / n)) <= 1e-9);
	}
	free(scratch);
	free(edges);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzIn		in = {data, size};
	int			bins = 1 + fuzz_u16(&in) % CALIB_MAX_BINS;
	int			rep = 1 + fuzz_u8(&in) % 16;
	size_t		nrec = in.left / 9;
	double	   *raw = malloc((nrec + 1) * sizeof(double));
	double	   *pos = malloc((MAX_VALUES + 1) * sizeof(double));
	double	   *neg = malloc((MAX_VALUES + 1) * sizeof(double));
	bool	   *correct = malloc(nrec + 1);
	double	   *conf = malloc((nrec + 1) * sizeof(double));
	int64_t		npos = 0,
				nneg = 0,
				nconf = 0;

	if (bins > 64 && bins % 7 != 0)
		bins = 1 + bins % 64;	/* mostly few bins; sometimes thousands */
	for (size_t i = 0; i < nrec; i++)
	{
		uint8_t		flag = fuzz_u8(&in);
		double		d = fuzz_double(&in);
		uint64_t	bits;

		raw[i] = d;
		memcpy(&bits, &d, sizeof bits);
		if (flag & 2)
		{
			if (!calib_confidence_ok(d))
				continue;
		}
		else
			d = (double) (bits & 0xFFFF) / 65535.0;
		conf[nconf] = d + 0.0;	/* -0.0 to 0.0, as the glue does */
		correct[nconf++] = flag & 1;
	}
	check_sort(raw, (int64_t) nrec, rep > 12 ? 5000 : (int64_t) nrec);

	for (int r = 0; r < rep; r++)
		for (int64_t i = 0; i < nconf && npos + nneg < MAX_VALUES; i++)
		{
			/* later copies move by one ulp toward 0.5: new values, still valid */
			double		c = r == 0 ? conf[i] : nextafter(conf[i], 0.5);

			if ((r & 1) && (rep > 8))
				c = conf[i];	/* and some exact repeats: big ties */
			if (correct[i])
				pos[npos++] = c;
			else
				neg[nneg++] = c;
		}
	if (rep > 12 && npos + nneg > 0)
		while (npos + nneg < 5000)	/* reach the radix path */
		{
			pos[npos] = pos[npos > 0 ? npos - 1 : 0];
			if (npos == 0)
				pos[0] = neg[0];
			npos++;
		}
	check_metrics(pos, npos, neg, nneg, bins);
	free(raw);
	free(pos);
	free(neg);
	free(correct);
	free(conf);
	return 0;
}
