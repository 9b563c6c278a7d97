/*
 * fuzz_logprob.c -- src/logprob.c on arbitrary arrays of log-probabilities
 * and token confidences, as float8 or float4 (the element types the glue
 * reads without a converted copy).
 *
 * Input: a flags byte (bit 0: float4, bit 1: want mean token prob), a window
 * byte, a top-k byte, then the array (8 or 4 bytes per element).
 *
 * Invariants: validation agrees with calib_lp_value / calib_conf_value_ok
 * element by element and reports the first bad element; a summary has
 * lp_min <= lp_mean <= 0, perplexity >= 1, seq_prob and mean token prob in
 * [0, 1]; window means are never NaN and (for confidences up to 1e12) lie
 * between the smallest and largest confidence; the
 * bottom mean is at most the mean of all windows; per-token confidences are
 * >= 0 and entropies within [0, log k].
 */
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "logprob.h"

#define TOL 1e-9

static int64_t
first_bad(const CalibVec *v, bool conf)
{
	for (int64_t i = 0; i < v->n; i++)
	{
		double		x = calib_vec_at(v, i),
					y;

		if (conf ? !calib_conf_value_ok(x) : !calib_lp_value(x, &y))
			return i;
	}
	return -1;
}

static void
check_logprobs(const CalibVec *v, int flags)
{
	CalibLpSummary s;
	CalibLpError err = {0};
	int64_t		bad = first_bad(v, false);
	bool		ok = calib_lp_summarize(v, flags, &s, &err);

	FUZZ_CHECK(ok == (bad < 0));
	if (!ok)
	{
		FUZZ_CHECK(err.kind == CALIB_LP_ERR_LOGPROB && err.index == bad);
		return;
	}
	FUZZ_CHECK(s.n == v->n);
	/* never NaN: the input has no NaN (an overflowing sum once made one) */
	FUZZ_CHECK(!isnan(s.lp_sum) && !isnan(s.lp_mean) && !isnan(s.lp_min));
	/* (a sum of finite values near -1e308 overflows to -Infinity, so the
	 * mean can be -Infinity below a finite minimum: accepted) */
	FUZZ_CHECK(s.lp_min <= s.lp_mean * (1 - TOL) + TOL || s.lp_mean == -INFINITY);
	FUZZ_CHECK(s.lp_mean <= 0.0);
	FUZZ_CHECK(s.perplexity >= 1.0 - TOL);
	FUZZ_CHECK(s.seq_prob >= 0.0 && s.seq_prob <= 1.0);
	if (flags & CALIB_LP_WANT_PROB)
		FUZZ_CHECK(s.mean_token_prob >= 0.0 && s.mean_token_prob <= 1.0 + TOL);
}

static void
check_confidences(const CalibVec *v, int64_t window, int64_t k)
{
	CalibLpError err = {0};
	int64_t		bad = first_bad(v, true);
	bool		ok = calib_conf_check(v, &err);
	double		lo = INFINITY,
				hi = -INFINITY,
				all = 0.0;
	int64_t		m;
	double	   *means,
			   *scratch;

	FUZZ_CHECK(ok == (bad < 0));
	if (!ok)
	{
		FUZZ_CHECK(err.index == bad);
		return;
	}
	for (int64_t i = 0; i < v->n; i++)
		lo = fmin(lo, calib_vec_at(v, i)), hi = fmax(hi, calib_vec_at(v, i));
	m = calib_group_count(v->n, window);
	FUZZ_CHECK(m == (v->n < window ? 1 : v->n - window + 1));
	means = malloc(m * sizeof(double));
	scratch = malloc(2 * (v->n < window ? v->n : window) * sizeof(double));
	{
		double		lowest,
					lowest2,
					min_mean = INFINITY;

		FUZZ_CHECK(calib_group_walk(v, window, scratch, means, &lowest, &err));
		FUZZ_CHECK(calib_group_walk(v, window, scratch, NULL, &lowest2, &err));
		FUZZ_CHECK(lowest == lowest2);
		for (int64_t i = 0; i < m; i++)
			min_mean = fmin(min_mean, means[i]);
		FUZZ_CHECK(lowest == min_mean || fabs(lowest - min_mean) <= TOL * fabs(min_mean));
	}
	for (int64_t i = 0; i < m; i++)
	{
		FUZZ_CHECK(!isnan(means[i]));
		/* Within [lo, hi] up to rounding, unless a window's sum overflows
		 * (values near 1e308): the block sums add only non-negative values,
		 * so there is no cancellation to excuse. */
		if (isfinite(hi * (double) window))
			FUZZ_CHECK(means[i] >= lo * (1 - TOL) - TOL && means[i] <= hi * (1 + TOL) + TOL);
		all += means[i] / (double) m;
	}
	free(scratch);
	scratch = malloc(m * sizeof(double));
	{
		int64_t		kk = calib_bottom_count(m, (double) (1 + k % 100) / 100.0);
		double		bm;

		FUZZ_CHECK(kk >= 1 && kk <= m);
		bm = calib_bottom_mean(means, m, kk, scratch);
		FUZZ_CHECK(isnan(all) || isinf(all) || bm <= all * (1 + TOL) + TOL);
	}
	FUZZ_CHECK(calib_tail_mean(v, window) >= lo * (1 - TOL) - TOL);
	free(means);
	free(scratch);
}

static void
check_topk(const CalibVec *v, int64_t k)
{
	int64_t		rows = v->n / k;
	CalibVec	w = *v;
	double	   *out = malloc((rows + 1) * sizeof(double));
	CalibLpError err = {0};

	w.n = rows * k;
	if (rows > 0 && calib_token_confidence(&w, k, out, &err))
		for (int64_t r = 0; r < rows; r++)
			FUZZ_CHECK(out[r] >= 0.0);
	if (rows > 0 && calib_token_entropy(&w, k, out, &err))
		for (int64_t r = 0; r < rows; r++)
			FUZZ_CHECK(out[r] >= -TOL && out[r] <= log((double) k) + TOL);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzIn		in = {data, size};
	uint8_t		flags = fuzz_u8(&in);
	int64_t		window = 1 + fuzz_u8(&in),
				k = 1 + fuzz_u8(&in) % 8;
	bool		f4 = flags & 1;
	size_t		esz = f4 ? 4 : 8,
				n = in.left / esz;
	void	   *arr;
	CalibVec	v = {NULL, NULL, (int64_t) n};

	if (n == 0)
		return 0;
	arr = malloc(n * esz);		/* an aligned copy, as a detoasted array is */
	memcpy(arr, in.p, n * esz);
	if (f4)
		v.f4 = arr;
	else
		v.f8 = arr;
	check_logprobs(&v, CALIB_LP_WANT_EXP | ((flags & 2) ? CALIB_LP_WANT_PROB : 0));
	check_confidences(&v, window, k);
	check_topk(&v, k);
	free(arr);
	return 0;
}
