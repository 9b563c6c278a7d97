/*
 * Unit tests of src/logprob.c: hand-worked summaries, the input rule, and
 * the O(n) sliding window against a naive O(n * window) recomputation on
 * random arrays (including one built to make an uncompensated running sum
 * drift).
 */
#include <string.h>

#include "logprob.h"
#include "unit.h"

#define LP_ALL (CALIB_LP_WANT_PROB | CALIB_LP_WANT_EXP)

static CalibVec
vec8(const double *x, int64_t n)
{
	CalibVec	v = {x, NULL, n};

	return v;
}

/* Window means through calib_group_walk; returns the lowest. */
static double
group_means(const CalibVec *v, int64_t w, double *out)
{
	int64_t		s = v->n < w ? v->n : w;
	double	   *scratch = malloc(sizeof(double) * 2 * s);
	double		low = NAN;
	CalibLpError e;

	CHECK(calib_group_walk(v, w, scratch, out, &low, &e));
	free(scratch);
	return low;
}

static void
test_value_rule(void)
{
	double		x;

	CHECK(calib_lp_value(0.0, &x) && x == 0.0);
	CHECK(calib_lp_value(-0.0, &x) && x == 0.0 && !signbit(x));
	CHECK(calib_lp_value(1e-6, &x) && x == 0.0);	/* tolerance is inclusive */
	CHECK(calib_lp_value(5e-7, &x) && x == 0.0);
	CHECK(!calib_lp_value(1.0000001e-6, &x));
	CHECK(!calib_lp_value(0.5, &x));
	CHECK(!calib_lp_value(NAN, &x));
	CHECK(!calib_lp_value(INFINITY, &x));
	CHECK(calib_lp_value(-INFINITY, &x) && isinf(x) && x < 0);
	CHECK(calib_lp_value(-1e300, &x) && x == -1e300);
	CHECK(calib_conf_value_ok(0.0) && calib_conf_value_ok(-0.0));
	CHECK(calib_conf_value_ok(INFINITY));
	CHECK(!calib_conf_value_ok(-1e-300) && !calib_conf_value_ok(NAN));
}

static void
test_summary_hand(void)
{
	/*
	 * [-0.5, -1, -1.5]: sum -3, mean -1, min -1.5, perplexity e, seq_prob
	 * e^-3, mean prob (e^-.5 + e^-1 + e^-1.5) / 3
	 * = (0.60653065971263342 + 0.36787944117144233 + 0.22313016014842982) / 3
	 */
	double		a[] = {-0.5, -1.0, -1.5};
	float		af[] = {-0.5f, -1.0f, -1.5f};
	CalibVec	v = vec8(a, 3),
				vf = {NULL, af, 3};
	CalibLpSummary s;
	CalibLpError e;

	CHECK(calib_lp_summarize(&v, LP_ALL, &s, &e));
	CHECK(s.n == 3);
	CHECK_NEAR(s.lp_sum, -3.0, 0);
	CHECK_NEAR(s.lp_mean, -1.0, 0);
	CHECK_NEAR(s.lp_min, -1.5, 0);
	CHECK_NEAR(s.perplexity, 2.718281828459045, 1e-15);
	CHECK_NEAR(s.seq_prob, 0.049787068367863944, 1e-17);
	CHECK_NEAR(s.mean_token_prob, 1.1975402610325056 / 3, 1e-15);
	/* real[] view: the same numbers (all exactly representable) */
	CHECK(calib_lp_summarize(&vf, LP_ALL, &s, &e));
	CHECK_NEAR(s.lp_mean, -1.0, 0);
	CHECK_NEAR(s.mean_token_prob, 1.1975402610325056 / 3, 1e-15);
	/* without the flag, no exp() and mean_token_prob is NaN */
	CHECK(calib_lp_summarize(&v, 0, &s, &e) && isnan(s.mean_token_prob));
}

static void
test_summary_edges(void)
{
	/* -Infinity propagates: probability 0 */
	double		a[] = {-0.5, -INFINITY};
	double		tol[] = {1e-6, 0.0, -0.0};
	double		bad[] = {-1.0, -2.0, 0.25, NAN};
	double		one[] = {-2.0};
	CalibVec	v = vec8(a, 2);
	CalibLpSummary s;
	CalibLpError e;

	CHECK(calib_lp_summarize(&v, LP_ALL, &s, &e));
	CHECK(isinf(s.lp_sum) && s.lp_sum < 0);
	CHECK(isinf(s.lp_mean) && s.lp_mean < 0);
	CHECK(isinf(s.lp_min) && s.lp_min < 0);
	CHECK(isinf(s.perplexity) && s.perplexity > 0);
	CHECK(s.seq_prob == 0.0);
	CHECK_NEAR(s.mean_token_prob, 0.60653065971263342 / 2, 1e-16);

	/* tolerance values count as exactly 0; no negative zero comes out */
	v = vec8(tol, 3);
	CHECK(calib_lp_summarize(&v, LP_ALL, &s, &e));
	CHECK(s.lp_sum == 0.0 && !signbit(s.lp_sum) && !signbit(s.lp_mean));
	CHECK(s.lp_min == 0.0 && !signbit(s.lp_min));
	CHECK(s.perplexity == 1.0 && s.seq_prob == 1.0 && s.mean_token_prob == 1.0);

	/* the first bad element is reported, 0-based, with its value */
	v = vec8(bad, 4);
	CHECK(!calib_lp_summarize(&v, 0, &s, &e));
	CHECK(e.kind == CALIB_LP_ERR_LOGPROB && e.index == 2 && e.value == 0.25);

	v = vec8(one, 1);
	CHECK(calib_lp_summarize(&v, LP_ALL, &s, &e));
	CHECK(s.lp_sum == -2.0 && s.lp_mean == -2.0 && s.lp_min == -2.0);
	CHECK_NEAR(s.mean_token_prob, 0.1353352832366127, 1e-16);
}

/* -------------------------------------------------- sliding windows */

static uint64_t rng_state = 88172645463325252ULL;

static double
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double) (rng_state >> 11) / 9007199254740992.0;
}

/* The definition, computed the slow way: a fresh long-double sum per window. */
static void
naive_means(const double *x, int64_t n, int64_t w, double *out)
{
	int64_t		ww = n < w ? n : w;
	int64_t		m = n < w ? 1 : n - w + 1;

	for (int64_t s = 0; s < m; s++)
	{
		long double acc = 0;
		bool		inf = false;

		for (int64_t i = s; i < s + ww; i++)
		{
			if (isinf(x[i]))
				inf = true;
			acc += x[i];
		}
		out[s] = inf ? INFINITY : (double) (acc / ww);
	}
}

static void
check_windows(const double *x, int64_t n, int64_t w, double tol)
{
	int64_t		m = calib_group_count(n, w);
	double	   *fast = malloc(sizeof(double) * m),
			   *slow = malloc(sizeof(double) * m);
	double		worst = 0;

	CHECK(m == (n < w ? 1 : n - w + 1));
	{
		CalibVec	v = {x, NULL, n};
		double		low = group_means(&v, w, fast),
					low2 = group_means(&v, w, NULL),
					naive_low = INFINITY;

		naive_means(x, n, w, slow);
		for (int64_t i = 0; i < m; i++)
			naive_low = slow[i] < naive_low ? slow[i] : naive_low;
		CHECK(low == low2);
		CHECK(low == naive_low || fabs(low - naive_low) <= tol);
	}
	for (int64_t i = 0; i < m; i++)
	{
		if (isinf(slow[i]) || isinf(fast[i]))
		{
			if (fast[i] != slow[i])
				worst = INFINITY;
			continue;
		}
		if (fabs(fast[i] - slow[i]) > worst)
			worst = fabs(fast[i] - slow[i]);
	}
	if (!(worst <= tol))
		fprintf(stderr, "n=%lld w=%lld worst error %g\n", (long long) n, (long long) w, worst);
	CHECK(worst <= tol);
	free(fast);
	free(slow);
}

static void
test_group_hand(void)
{
	/* confidences 1 2 3 4 5, window 2: means 1.5 2.5 3.5 4.5 */
	double		c[] = {1, 2, 3, 4, 5};
	double		out[5];
	CalibVec	v = vec8(c, 5);

	group_means(&v, 2, out);
	CHECK(out[0] == 1.5 && out[1] == 2.5 && out[2] == 3.5 && out[3] == 4.5);
	/* window 5: one group, mean 3; window 9 (longer than the trace): also 3 */
	group_means(&v, 5, out);
	CHECK(out[0] == 3.0);
	CHECK(calib_group_count(5, 9) == 1);
	group_means(&v, 9, out);
	CHECK(out[0] == 3.0);
	/* window 1: the values themselves */
	group_means(&v, 1, out);
	CHECK(out[0] == 1 && out[4] == 5);
	/* tail: last 2 of 1..5 = 4.5; tail longer than the trace = overall mean 3 */
	CHECK(calib_tail_mean(&v, 2) == 4.5);
	CHECK(calib_tail_mean(&v, 50) == 3.0);
	CHECK(calib_tail_mean(&v, 1) == 5.0);
}

static void
test_group_random(void)
{
	static const int64_t lens[] = {1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 5000};
	static const int64_t windows[] = {1, 2, 3, 16, 32, 100, 2048};
	double	   *x = malloc(sizeof(double) * 5000);

	for (size_t a = 0; a < sizeof lens / sizeof *lens; a++)
		for (size_t b = 0; b < sizeof windows / sizeof *windows; b++)
		{
			int64_t		n = lens[a];

			for (int64_t i = 0; i < n; i++)
				x[i] = -5.0 * log(rnd() + 1e-300) * (rnd() < 0.05 ? 10 : 1);
			check_windows(x, n, windows[b], 1e-12);
			/* an infinite confidence somewhere in the middle */
			x[n / 2] = INFINITY;
			check_windows(x, n, windows[b], 1e-12);
		}
	free(x);
}

/*
 * A million values mixing 1e9 and 1e-3 magnitudes: a plain running sum
 * (add the new value, subtract the old) loses the small ones for good and
 * its error grows along the array (about 2e-5 here for window 16); the
 * block prefix/suffix sums stay at the naive recomputation's level.
 */
static void
test_group_drift(void)
{
	int64_t		n = 1000000;
	double	   *x = malloc(sizeof(double) * n);

	for (int64_t i = 0; i < n; i++)
		x[i] = (rnd() < 0.5 ? 1e9 * rnd() : 0.0) + 1e-3 * rnd();
	check_windows(x, n, 16, 1e-6);
	check_windows(x, n, 2048, 1e-6);
	for (int64_t i = 0; i < n; i++)
		x[i] = 1e-3 * rnd();
	check_windows(x, n, 7, 1e-17);
	free(x);
}

static void
test_bottom(void)
{
	double		means[] = {3, 1, 2, 5, 4};
	double		scratch[5];
	double		inf_means[] = {2, INFINITY, 1};

	/* max(1, floor(fraction * m)) */
	CHECK(calib_bottom_count(100, 0.57) == 57);	/* 0.57*100 = 56.99999999999999 */
	CHECK(calib_bottom_count(10, 0.1) == 1);
	CHECK(calib_bottom_count(10, 0.05) == 1);
	CHECK(calib_bottom_count(9, 0.1) == 1);	/* floor(0.9) = 0 -> at least 1 */
	CHECK(calib_bottom_count(30, 0.1) == 3);
	CHECK(calib_bottom_count(29, 0.1) == 2);	/* floor(2.9) */
	CHECK(calib_bottom_count(7, 1.0) == 7);
	CHECK(calib_bottom_count(3, 0.5) == 1);
	CHECK(calib_bottom_count(1, 1e-9) == 1);
	CHECK(calib_bottom_count(1000000, 0.3) == 300000);
	/* lowest two of 3 1 2 5 4: (1 + 2) / 2 */
	CHECK(calib_bottom_mean(means, 5, 2, scratch) == 1.5);
	CHECK(calib_bottom_mean(means, 5, 5, scratch) == 3.0);
	CHECK(calib_bottom_mean(inf_means, 3, 2, scratch) == 1.5);
	CHECK(isinf(calib_bottom_mean(inf_means, 3, 3, scratch)));
}

static void
test_token_rows(void)
{
	/* rows: [-1 -2 -3] -> confidence 2; [0 -inf -1] -> +inf */
	double		top[] = {-1, -2, -3, 0, -INFINITY, -1};
	double		out[2];
	CalibLpError e;
	CalibVec	v = vec8(top, 6);

	CHECK(calib_token_confidence(&v, 3, out, &e));
	CHECK(out[0] == 2.0 && isinf(out[1]) && out[1] > 0);

	/*
	 * Entropy of [ln .5, ln .25] renormalised: p = (2/3, 1/3),
	 * H = ln 3 - (2/3) ln 2 = 1.0986122886681098 - 0.46209812037329684.
	 * [0] -> 0; [-inf, -1] -> 0 (one candidate left); four equal -> ln 4.
	 */
	{
		double		r1[] = {log(0.5), log(0.25)};
		double		r2[] = {0.0};
		double		r3[] = {-INFINITY, -1.0};
		double		r4[] = {-5, -5, -5, -5};
		double		h;

		CHECK(calib_token_entropy(&(CalibVec) {r1, NULL, 2}, 2, &h, &e));
		CHECK_NEAR(h, 0.63651416829481278, 1e-15);
		CHECK(calib_token_entropy(&(CalibVec) {r2, NULL, 1}, 1, &h, &e) && h == 0.0);
		CHECK(calib_token_entropy(&(CalibVec) {r3, NULL, 2}, 2, &h, &e) && h == 0.0);
		CHECK(calib_token_entropy(&(CalibVec) {r4, NULL, 4}, 4, &h, &e));
		CHECK_NEAR(h, 1.3862943611198906, 1e-15);
	}
	/* a row with no candidate left is an error at its first entry */
	{
		double		r[] = {-1, -2, -INFINITY, -INFINITY};
		double		h[2];

		CHECK(!calib_token_entropy(&(CalibVec) {r, NULL, 4}, 2, h, &e));
		CHECK(e.kind == CALIB_LP_ERR_ZERO_ROW && e.index == 2);
	}
	/* bad entries: flat index of the first */
	{
		double		r[] = {-1, -2, -3, 0.5};
		double		h[2];

		CHECK(!calib_token_confidence(&(CalibVec) {r, NULL, 4}, 2, h, &e));
		CHECK(e.kind == CALIB_LP_ERR_LOGPROB && e.index == 3 && e.value == 0.5);
		CHECK(!calib_token_entropy(&(CalibVec) {r, NULL, 4}, 2, h, &e));
		CHECK(e.kind == CALIB_LP_ERR_LOGPROB && e.index == 3);
	}
	/* confidence check */
	{
		double		ok[] = {0, -0.0, 3, INFINITY};
		double		bad[] = {1, NAN, -1};

		CHECK(calib_conf_check(&(CalibVec) {ok, NULL, 4}, &e));
		CHECK(!calib_conf_check(&(CalibVec) {bad, NULL, 3}, &e));
		CHECK(e.kind == CALIB_LP_ERR_CONFIDENCE && e.index == 1 && isnan(e.value));
	}
	/* means */
	{
		double		a[] = {1, 2, 4};
		double		b[] = {1, INFINITY};
		double		c[] = {-INFINITY, INFINITY};

		CHECK_NEAR(calib_mean(a, 3), 7.0 / 3, 1e-15);
		CHECK(isinf(calib_mean(b, 2)));
		CHECK(isnan(calib_mean(c, 2)));
	}
}

/*
 * The chunked, vectorised loops against a straightforward long-double loop
 * on every length up to 600 (all remainders of the 4-wide loop and of the
 * 256-element chunk), for real[] and double precision[], with values in
 * (0, tol] and -0.0 mixed in, and with a -Infinity.
 */
static void
test_summary_random(void)
{
	double	   *x = malloc(sizeof(double) * 600);
	float	   *f = malloc(sizeof(float) * 600);

	for (int64_t n = 1; n <= 600; n++)
		for (int variant = 0; variant < 3; variant++)
		{
			long double sum8 = 0,
						sum4 = 0;
			double		min8 = 0,
						min4 = 0;
			CalibLpSummary s;
			CalibLpError e;

			for (int64_t i = 0; i < n; i++)
			{
				double		r = rnd();

				x[i] = r < 0.05 ? 5e-7 * rnd() : r < 0.1 ? -0.0 : -10 * rnd() * rnd();
				if (variant == 2 && i == n / 2)
					x[i] = -INFINITY;
				f[i] = (float) x[i];
			}
			for (int64_t i = 0; i < n; i++)
			{
				double		a = x[i] > 0 ? 0.0 : x[i],
							b = f[i] > 0 ? 0.0 : (double) f[i];

				sum8 += a;
				sum4 += b;
				min8 = a < min8 ? a : min8;
				min4 = b < min4 ? b : min4;
			}
			CHECK(calib_lp_summarize(&(CalibVec) {x, NULL, n}, LP_ALL, &s, &e));
			if (variant == 2)
				CHECK(isinf(s.lp_sum) && s.lp_sum < 0 && s.lp_min == min8);
			else
			{
				CHECK_NEAR(s.lp_sum, (double) sum8, 1e-12 * (1 + fabs((double) sum8)));
				CHECK(s.lp_min == min8 + 0.0);
			}
			CHECK(calib_lp_summarize(&(CalibVec) {NULL, f, n}, LP_ALL, &s, &e));
			if (variant == 2)
				CHECK(isinf(s.lp_sum) && s.lp_sum < 0);
			else
			{
				CHECK_NEAR(s.lp_sum, (double) sum4, 1e-12 * (1 + fabs((double) sum4)));
				CHECK(s.lp_min == min4 + 0.0);
			}
		}
	free(x);
	free(f);
}

/* The first bad element is found wherever it sits: in a later chunk of the
 * summary, in a block suffix or in the last partial prefix of the walk. */
static void
test_bad_positions(void)
{
	int64_t		n = 1000;
	double	   *x = malloc(sizeof(double) * n);
	float	   *f = malloc(sizeof(float) * n);
	double		scratch[64],
				low;
	CalibLpSummary s;
	CalibLpError e;
	static const int64_t where[] = {0, 3, 255, 256, 257, 511, 700, 998, 999};

	for (size_t a = 0; a < sizeof where / sizeof *where; a++)
	{
		for (int64_t i = 0; i < n; i++)
		{
			x[i] = -rnd();
			f[i] = (float) x[i];
		}
		x[where[a]] = 0.5;
		f[where[a]] = NAN;
		CHECK(!calib_lp_summarize(&(CalibVec) {x, NULL, n}, 0, &s, &e));
		CHECK(e.index == where[a] && e.value == 0.5);
		CHECK(!calib_lp_summarize(&(CalibVec) {NULL, f, n}, LP_ALL, &s, &e));
		CHECK(e.index == where[a] && isnan(e.value));
		/* as confidences: make everything positive but the bad one */
		for (int64_t i = 0; i < n; i++)
		{
			x[i] = -x[i];
			f[i] = -f[i];
		}
		x[where[a]] = -0.5;
		for (int64_t w = 1; w <= 32; w *= 2)
		{
			CHECK(!calib_group_walk(&(CalibVec) {x, NULL, n}, w, scratch, NULL, &low, &e));
			CHECK(e.kind == CALIB_LP_ERR_CONFIDENCE && e.index == where[a]);
			CHECK(!calib_group_walk(&(CalibVec) {NULL, f, n}, w, scratch, NULL, &low, &e));
			CHECK(e.index == where[a]);
		}
		/* the short-trace path (window longer than the trace) too */
		if (where[a] < 20)
		{
			CHECK(!calib_group_walk(&(CalibVec) {x, NULL, 20}, 50, scratch, NULL, &low, &e));
			CHECK(e.index == where[a]);
		}
	}
	free(x);
	free(f);
}

int
main(void)
{
	test_value_rule();
	test_summary_hand();
	test_summary_edges();
	test_group_hand();
	test_group_random();
	test_group_drift();
	test_bottom();
	test_token_rows();
	test_bad_positions();
	test_summary_random();
	return unit_report("test_logprob");
}
