/*
 * Unit tests of src/scores.c: the sort, the tie-aware group walk, AUROC,
 * percentile_cont quantiles and the adaptive ECE.  Every metric is checked
 * against a hand-worked case and against a brute-force definition written
 * here independently (O(n^2) pair counting, per-row bin search).
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "scores.h"
#define UNIT_RNG_SEED 0x9E3779B97F4A7C15u
#include "unit.h"

/* kind 0: uniform; 1: two decimals (heavy ties); 2: a few values incl. 0, 1;
 * 3: any sign and magnitude, subnormals, infinities */
static double
sample(int kind)
{
	static const double few[] = {0.0, 1.0, 0.5, 0.1, 0.9};
	static const double odd[] = {-1e300, -1.0, -DBL_MIN, 4.9e-324, 1e-310, 3.0, 1e300};

	switch (kind)
	{
		case 0:
			return rng_unit();
		case 1:
			return (double) (rng_next() % 101) / 100.0;
		case 2:
			return few[rng_next() % 5];
		default:
			if (rng_next() % 3 == 0)
				return odd[rng_next() % 7];
			return (rng_unit() - 0.5) * 1e6;
	}
}

static bool
same_array(const double *a, const double *b, int64_t n)
{
	return n == 0 || memcmp(a, b, (size_t) n * sizeof(double)) == 0;
}

/* The radix path (n >= 4096) and the qsort path must both equal qsort. */
static void
test_sort(void)
{
	static const int64_t sizes[] = {0, 1, 2, 3, 100, 4095, 4096, 4097, 10000, 250000};

	for (int kind = 0; kind < 4; kind++)
		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		{
			int64_t		n = sizes[si];
			double	   *v = malloc((size_t) (n + 1) * sizeof(double));
			double	   *ref = malloc((size_t) (n + 1) * sizeof(double));
			double	   *scratch = malloc((size_t) (n + 1) * sizeof(double));

			for (int64_t i = 0; i < n; i++)
				v[i] = ref[i] = sample(kind);
			qsort(ref, (size_t) n, sizeof(double), unit_cmp_double);
			calib_sort_doubles(v, n, scratch);
			CHECK(same_array(v, ref, n));
			free(v);
			free(ref);
			free(scratch);
		}

	/* already sorted, reverse sorted, all equal (every radix pass trivial) */
	{
		int64_t		n = 20000;
		double	   *v = malloc(n * sizeof(double));
		double	   *scratch = malloc(n * sizeof(double));
		bool		ok = true;

		for (int64_t i = 0; i < n; i++)
			v[i] = (double) (n - i) / n;
		calib_sort_doubles(v, n, scratch);
		for (int64_t i = 1; i < n; i++)
			ok = ok && v[i - 1] < v[i];
		CHECK(ok);
		calib_sort_doubles(v, n, scratch);
		ok = true;
		for (int64_t i = 1; i < n; i++)
			ok = ok && v[i - 1] < v[i];
		CHECK(ok);
		for (int64_t i = 0; i < n; i++)
			v[i] = 0.25;
		calib_sort_doubles(v, n, scratch);
		ok = true;
		for (int64_t i = 0; i < n; i++)
			ok = ok && v[i] == 0.25;
		CHECK(ok);
		free(v);
		free(scratch);
	}
}

/* Sorting a tail and merging it into a sorted prefix equals a full sort. */
static void
test_sort_tail(void)
{
	static const int64_t sizes[] = {1, 2, 50, 5000, 30000};

	for (int kind = 0; kind < 4; kind++)
		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
			for (int split = 0; split < 5; split++)
			{
				int64_t		n = sizes[si];
				int64_t		nsorted = split == 0 ? 0 : split == 1 ? n :
					split == 2 ? n - 1 : split == 3 ? n / 2 : 1;
				double	   *v = malloc(n * sizeof(double));
				double	   *ref = malloc(n * sizeof(double));
				double	   *scratch = malloc(n * sizeof(double));

				for (int64_t i = 0; i < n; i++)
					v[i] = ref[i] = sample(kind);
				qsort(v, (size_t) nsorted, sizeof(double), unit_cmp_double);
				qsort(ref, (size_t) n, sizeof(double), unit_cmp_double);
				calib_sort_tail(v, nsorted, n, scratch);
				CHECK(same_array(v, ref, n));
				free(v);
				free(ref);
				free(scratch);
			}
}

/* ------------------------------------------------------------ fixtures */

typedef struct Sample
{
	double	   *pos,
			   *neg,
			   *all;			/* pos and neg merged, sorted */
	int64_t		npos,
				nneg;
	CalibScores s;
} Sample;

static void
sample_make(Sample *x, int64_t n, int kind, double p_correct)
{
	double	   *scratch = malloc((n + 1) * sizeof(double));

	x->pos = malloc((n + 1) * sizeof(double));
	x->neg = malloc((n + 1) * sizeof(double));
	x->all = malloc((n + 1) * sizeof(double));
	x->npos = x->nneg = 0;
	for (int64_t i = 0; i < n; i++)
	{
		double		c = kind == 0 ? rng_unit() : sample(kind == 1 ? 1 : 2);

		x->all[i] = c;
		if (rng_unit() < p_correct)
			x->pos[x->npos++] = c;
		else
			x->neg[x->nneg++] = c;
	}
	calib_sort_doubles(x->pos, x->npos, scratch);
	calib_sort_doubles(x->neg, x->nneg, scratch);
	qsort(x->all, (size_t) n, sizeof(double), unit_cmp_double);
	x->s = (CalibScores) {x->pos, x->npos, x->neg, x->nneg};
	free(scratch);
}

static void
sample_free(Sample *x)
{
	free(x->pos);
	free(x->neg);
	free(x->all);
}

static void
from_lists(Sample *x, const double *pos, int64_t npos, const double *neg, int64_t nneg)
{
	x->pos = (double *) pos;
	x->neg = (double *) neg;
	x->npos = npos;
	x->nneg = nneg;
	x->s = (CalibScores) {pos, npos, neg, nneg};
}

/* ---------------------------------------------------------- group walk */

static void
test_group_walk(void)
{
	/* pos {0.2, 0.5, 0.5}, neg {0.1, 0.5, 0.9} -> groups 0.1(0,1) 0.2(1,0) 0.5(2,1) 0.9(0,1) */
	static const double pos[] = {0.2, 0.5, 0.5};
	static const double neg[] = {0.1, 0.5, 0.9};
	static const double want_v[] = {0.1, 0.2, 0.5, 0.9};
	static const int64_t want_p[] = {0, 1, 2, 0};
	static const int64_t want_n[] = {1, 0, 1, 1};
	Sample		x;
	CalibGroupIter it;
	CalibGroup	g;
	int			k = 0;

	from_lists(&x, pos, 3, neg, 3);
	calib_group_iter_init(&it, &x.s, false);
	while (calib_group_next(&it, &g))
	{
		CHECK(k < 4 && g.value == want_v[k] && g.npos == want_p[k] && g.nneg == want_n[k]);
		k++;
	}
	CHECK(k == 4);
	/* descending: the same groups in reverse */
	calib_group_iter_init(&it, &x.s, true);
	while (calib_group_next(&it, &g))
	{
		k--;
		CHECK(k >= 0 && g.value == want_v[k] && g.npos == want_p[k] && g.nneg == want_n[k]);
	}
	CHECK(k == 0);
	/* empty input: no group */
	from_lists(&x, pos, 0, neg, 0);
	calib_group_iter_init(&it, &x.s, false);
	CHECK(!calib_group_next(&it, &g));
}

/* --------------------------------------------------------------- auroc */

/* Brute force: every (correct, wrong) pair, 1 if the correct one is higher,
 * 1/2 if equal. */
static double
auroc_pairs(const Sample *x)
{
	double		wins = 0.0;

	for (int64_t i = 0; i < x->npos; i++)
		for (int64_t j = 0; j < x->nneg; j++)
			wins += x->pos[i] > x->neg[j] ? 1.0 : x->pos[i] == x->neg[j] ? 0.5 : 0.0;
	return wins / ((double) x->npos * (double) x->nneg);
}

static void
test_auroc(void)
{
	Sample		x;

	/*
	 * Hand-worked: correct {0.8, 0.9}, wrong {0.1, 0.9}.  Pairs: (0.8,0.1)=1,
	 * (0.8,0.9)=0, (0.9,0.1)=1, (0.9,0.9)=1/2 -> 2.5 / 4 = 0.625.
	 */
	{
		static const double pos[] = {0.8, 0.9},
					neg[] = {0.1, 0.9};

		from_lists(&x, pos, 2, neg, 2);
		CHECK_NEAR(calib_auroc(&x.s), 0.625, 0);
	}
	/* perfect separation 1, reversed 0, all tied 1/2, one class absent NaN */
	{
		static const double lo[] = {0.1, 0.2},
					hi[] = {0.7, 0.8, 0.9},
					tie[] = {0.5, 0.5, 0.5};

		from_lists(&x, hi, 3, lo, 2);
		CHECK_NEAR(calib_auroc(&x.s), 1.0, 0);
		from_lists(&x, lo, 2, hi, 3);
		CHECK_NEAR(calib_auroc(&x.s), 0.0, 0);
		from_lists(&x, tie, 3, tie, 2);
		CHECK_NEAR(calib_auroc(&x.s), 0.5, 0);
		from_lists(&x, hi, 3, lo, 0);
		CHECK(isnan(calib_auroc(&x.s)));
		from_lists(&x, hi, 0, lo, 2);
		CHECK(isnan(calib_auroc(&x.s)));
	}
	for (int kind = 0; kind < 3; kind++)
		for (int rep = 0; rep < 20; rep++)
		{
			/* a few above 4096 rows so the radix path feeds the walk */
			int64_t		n = 1 + (int64_t) (rng_next() % (rep < 3 ? 9000 : 3000));

			sample_make(&x, n, kind, rng_unit());
			if (x.npos > 0 && x.nneg > 0)
				CHECK_NEAR(calib_auroc(&x.s), auroc_pairs(&x), 1e-12);
			else
				CHECK(isnan(calib_auroc(&x.s)));
			sample_free(&x);
		}
}

/* ----------------------------------------------------------- quantiles */

/* percentile_cont(f) on a sorted array, as PostgreSQL's
 * percentile_cont_final_common: position f (n - 1), lo + (pos - floor) (hi - lo). */
static double
pct_cont(const double *sorted, int64_t n, double f)
{
	double		pos = f * (double) (n - 1);
	int64_t		first = (int64_t) floor(pos),
				second = (int64_t) ceil(pos);

	if (second == first)
		return sorted[first];
	return sorted[first] + (pos - (double) first) * (sorted[second] - sorted[first]);
}

static void
test_quantiles(void)
{
	Sample		x;
	double		edges[200];

	/*
	 * Hand-worked: values 1, 2, 3, 4 (n - 1 = 3), 4 bins: positions 0.75, 1.5,
	 * 2.25 -> 1 + .75 = 1.75, 2 + .5 = 2.5, 3 + .25 = 3.25.
	 */
	{
		static const double pos[] = {1, 3},
					neg[] = {2, 4};

		from_lists(&x, pos, 2, neg, 2);
		calib_quantiles(&x.s, 4, edges);
		CHECK_NEAR(edges[0], 1.75, 0);
		CHECK_NEAR(edges[1], 2.5, 0);
		CHECK_NEAR(edges[2], 3.25, 0);
	}
	/* one row: every quantile is that value */
	{
		static const double one[] = {0.3};

		from_lists(&x, one, 1, one, 0);
		calib_quantiles(&x.s, 5, edges);
		CHECK(edges[0] == 0.3 && edges[3] == 0.3);
	}
	for (int kind = 0; kind < 3; kind++)
		for (int rep = 0; rep < 30; rep++)
		{
			int64_t		n = 1 + (int64_t) (rng_next() % 2000);
			int			bins = 1 + (int) (rng_next() % 150);
			bool		ok = true;

			sample_make(&x, n, kind, 0.5);
			calib_quantiles(&x.s, bins, edges);
			for (int k = 1; k < bins; k++)
				ok = ok && edges[k - 1] == pct_cont(x.all, n, (double) k / (double) bins);
			CHECK(ok);
			sample_free(&x);
		}
}

/* ----------------------------------------------------------------- ace */

/* Per-row definition: a row goes to bin #(edges < c) (a value equal to an
 * edge stays below it), sum over non-empty bins of n_b/n |conf_b - acc_b|. */
static double
ace_rows(const Sample *x, int bins)
{
	int64_t		n = x->npos + x->nneg;
	double	   *edges = malloc(bins * sizeof(double)),
			   *sc = calloc(bins, sizeof(double));
	int64_t    *cnt = calloc(bins, sizeof(int64_t)),
			   *cor = calloc(bins, sizeof(int64_t));
	double		ace = 0.0;

	for (int k = 1; k < bins; k++)
		edges[k - 1] = pct_cont(x->all, n, (double) k / (double) bins);
	for (int64_t i = 0; i < x->npos + x->nneg; i++)
	{
		bool		correct = i < x->npos;
		double		c = correct ? x->pos[i] : x->neg[i - x->npos];
		int			b = 0;

		for (int k = 0; k < bins - 1; k++)
			b += c > edges[k];
		cnt[b]++;
		cor[b] += correct;
		sc[b] += c;
	}
	for (int b = 0; b < bins; b++)
		if (cnt[b] > 0)
			ace += (double) cnt[b] / n * fabs(sc[b] / cnt[b] - (double) cor[b] / cnt[b]);
	free(edges);
	free(sc);
	free(cnt);
	free(cor);
	return ace;
}

static void
test_ace(void)
{
	Sample		x;
	double		edges[300];

	/*
	 * Hand-worked, 2 bins: correct {0.2, 0.9}, wrong {0.4, 0.6}.  Sorted 0.2,
	 * 0.4, 0.6, 0.9; the median edge is at position 1.5: 0.4 + .5 * .2 = 0.5.
	 * Bin 1 {0.2 ok, 0.4 wrong}: conf .3, acc .5, gap .2; bin 2 {0.6 wrong,
	 * 0.9 ok}: conf .75, acc .5, gap .25.  ACE = .5 * .2 + .5 * .25 = 0.225.
	 */
	{
		static const double pos[] = {0.2, 0.9},
					neg[] = {0.4, 0.6};

		from_lists(&x, pos, 2, neg, 2);
		CHECK_NEAR(calib_ace(&x.s, 2, edges), 0.225, 1e-15);
		/* 1 bin: |mean conf .525 - acc .5| = .025 */
		CHECK_NEAR(calib_ace(&x.s, 1, edges), 0.025, 1e-15);
	}

	/*
	 * Ties are never split and a value equal to an edge goes below it:
	 * values 0.5 x3 (2 ok), 0.7 (wrong), 3 bins.  Sorted positions 0..3:
	 * edges at 1 and 2 are both 0.5, so bin 1 = {0.5 x3}: conf .5, acc 2/3,
	 * gap 1/6; bin 2 empty (skipped); bin 3 = {0.7}: gap .7.
	 * ACE = 3/4 * 1/6 + 1/4 * .7 = 0.125 + 0.175 = 0.3.
	 */
	{
		static const double pos[] = {0.5, 0.5},
					neg[] = {0.5, 0.7};

		from_lists(&x, pos, 2, neg, 2);
		CHECK_NEAR(calib_ace(&x.s, 3, edges), 0.3, 1e-15);
	}
	/* no rows: NaN */
	{
		static const double none[] = {0};

		from_lists(&x, none, 0, none, 0);
		CHECK(isnan(calib_ace(&x.s, 10, edges)));
	}
	for (int kind = 0; kind < 3; kind++)
		for (int rep = 0; rep < 40; rep++)
		{
			int64_t		n = 1 + (int64_t) (rng_next() % 3000);
			int			bins = 1 + (int) (rng_next() % 250);

			sample_make(&x, n, kind, rng_unit());
			CHECK_NEAR(calib_ace(&x.s, bins, edges), ace_rows(&x, bins), 1e-12);
			sample_free(&x);
		}
}

int
main(void)
{
	test_sort();
	test_sort_tail();
	test_group_walk();
	test_auroc();
	test_quantiles();
	test_ace();
	return unit_report("test_scores");
}
