/*
 * logprob.c -- log-probability summaries and local (sliding-window)
 * confidence.  Conventions in logprob.h.
 */
#include "logprob.h"

#include <math.h>
#include <string.h>

#include "scores.h"				/* calib_sort_doubles */

/* ------------------------------------------------------- summation */

/*
 * Neumaier's variant of Kahan summation: the rounding error of every
 * addition is kept in c, so long arrays and window updates (add one value,
 * subtract another) do not drift.  Callers keep infinities out.
 */
void
calib_ksum_add(CalibKSum *k, double x)
{
	double		t = k->s + x;

	if (fabs(k->s) >= fabs(x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}

double
calib_mean(const double *x, int64_t n)
{
	CalibKSum	k = {0, 0};
	int64_t		pinf = 0,
				ninf = 0;

	for (int64_t i = 0; i < n; i++)
	{
		if (isinf(x[i]))
			*(x[i] > 0 ? &pinf : &ninf) += 1;
		else
			calib_ksum_add(&k, x[i]);
	}
	if (pinf && ninf)
		return NAN;
	if (pinf)
		return INFINITY;
	if (ninf)
		return -INFINITY;
	return calib_ksum_value(&k) / (double) n;
}

/* ------------------------------------------------- sequence summary */

static void
set_error(CalibLpError *err, CalibLpErrorKind kind, int64_t i, double value)
{
	err->kind = kind;
	err->index = i;
	err->value = value;
}

bool
calib_lp_summarize(const CalibVec *v, int flags, CalibLpSummary *out,
				   CalibLpError *err)
{
	CalibKSum	sum = {0, 0},
				prob = {0, 0};
	double		min = 0.0;
	int64_t		ninf = 0;
	bool		want_prob = (flags & CALIB_LP_WANT_PROB) != 0;

	for (int64_t i = 0; i < v->n; i++)
	{
		double		raw = calib_vec_at(v, i),
					x;

		if (!calib_lp_value(raw, &x))
		{
			set_error(err, CALIB_LP_ERR_LOGPROB, i, raw);
			return false;
		}
		if (x < min)
			min = x;
		if (isinf(x))			/* -Infinity: probability 0 */
		{
			ninf++;
			continue;
		}
		calib_ksum_add(&sum, x);
		if (want_prob)
			calib_ksum_add(&prob, exp(x));
	}
	out->n = v->n;
	out->lp_min = min;
	out->lp_sum = ninf ? -INFINITY : calib_ksum_value(&sum) + 0.0;
	out->lp_mean = ninf ? -INFINITY : calib_ksum_value(&sum) / (double) v->n + 0.0;
	out->perplexity = exp(-out->lp_mean);
	out->seq_prob = exp(out->lp_sum);
	out->mean_token_prob = want_prob ? calib_ksum_value(&prob) / (double) v->n : NAN;
	err->kind = CALIB_LP_ERR_NONE;
	return true;
}

/* --------------------------------------------------- local confidence */

bool
calib_conf_check(const CalibVec *v, CalibLpError *err)
{
	for (int64_t i = 0; i < v->n; i++)
	{
		double		x = calib_vec_at(v, i);

		if (!calib_conf_value_ok(x))
		{
			set_error(err, CALIB_LP_ERR_CONFIDENCE, i, x);
			return false;
		}
	}
	err->kind = CALIB_LP_ERR_NONE;
	return true;
}

int64_t
calib_group_count(int64_t n, int64_t window)
{
	return n < window ? 1 : n - window + 1;
}

/* Fresh compensated sum of v[from, from + len), infinities counted apart. */
static void
window_fill(const CalibVec *v, int64_t from, int64_t len, CalibKSum *k, int64_t *ninf)
{
	k->s = k->c = 0.0;
	*ninf = 0;
	for (int64_t i = from; i < from + len; i++)
	{
		double		x = calib_vec_at(v, i);

		if (isinf(x))
			(*ninf)++;
		else
			calib_ksum_add(k, x);
	}
}

static inline void
window_update(CalibKSum *k, int64_t *ninf, double x, int sign)
{
	if (isinf(x))
		*ninf += sign;
	else
		calib_ksum_add(k, sign * x);
}

void
calib_group_means(const CalibVec *v, int64_t window, double *out)
{
	int64_t		w = v->n < window ? v->n : window;
	int64_t		m = calib_group_count(v->n, window);
	CalibKSum	k = {0, 0};
	int64_t		ninf = 0;

	for (int64_t start = 0; start < m; start++)
	{
		/* rebuild every w windows: O(n) in total, bounded rounding error */
		if (start % w == 0)
			window_fill(v, start, w, &k, &ninf);
		else
		{
			window_update(&k, &ninf, calib_vec_at(v, start - 1), -1);
			window_update(&k, &ninf, calib_vec_at(v, start + w - 1), +1);
		}
		out[start] = ninf ? INFINITY : calib_ksum_value(&k) / (double) w + 0.0;
	}
}

int64_t
calib_bottom_count(int64_t m, double fraction)
{
	double		p = fraction * (double) m;
	double		f = floor(p);
	int64_t		k = (int64_t) f;

	/* 0.57 * 100 is 56.999999999999993 in binary; the user meant 57 */
	if (f + 1.0 - p <= 1e-9 * (f + 1.0))
		k++;
	if (k < 1)
		k = 1;
	if (k > m)
		k = m;
	return k;
}

double
calib_bottom_mean(double *means, int64_t m, int64_t k, double *scratch)
{
	calib_sort_doubles(means, m, scratch);
	return calib_mean(means, k);
}

double
calib_tail_mean(const CalibVec *v, int64_t tail)
{
	int64_t		len = v->n < tail ? v->n : tail;
	CalibKSum	k;
	int64_t		ninf;

	window_fill(v, v->n - len, len, &k, &ninf);
	return ninf ? INFINITY : calib_ksum_value(&k) / (double) len + 0.0;
}

/* ----------------------------------------------- per-token top-k rows */

bool
calib_token_confidence(const CalibVec *v, int64_t k, double *out, CalibLpError *err)
{
	int64_t		rows = v->n / k;

	for (int64_t r = 0; r < rows; r++)
	{
		CalibKSum	s = {0, 0};
		bool		zero = false;

		for (int64_t j = 0; j < k; j++)
		{
			double		raw = calib_vec_at(v, r * k + j),
						x;

			if (!calib_lp_value(raw, &x))
			{
				set_error(err, CALIB_LP_ERR_LOGPROB, r * k + j, raw);
				return false;
			}
			if (isinf(x))
				zero = true;
			else
				calib_ksum_add(&s, x);
		}
		out[r] = zero ? INFINITY : -calib_ksum_value(&s) / (double) k + 0.0;
	}
	err->kind = CALIB_LP_ERR_NONE;
	return true;
}

/*
 * Entropy of row r renormalised: with m = max lp, q_j = exp(lp_j - m),
 * Z = sum q_j, H = log Z - sum_j q_j (lp_j - m) / Z.  Shifting by m keeps
 * exp() in range; entries with q_j = 0 (-Infinity) contribute nothing.
 * Two passes over the row (validate + max, then sums) so no row buffer is
 * needed whatever k is.
 */
static bool
row_entropy(const CalibVec *v, int64_t r, int64_t k, double *h, CalibLpError *err)
{
	double		m = -INFINITY,
				z = 0.0,
				t = 0.0;

	for (int64_t j = 0; j < k; j++)
	{
		double		raw = calib_vec_at(v, r * k + j),
					x;

		if (!calib_lp_value(raw, &x))
		{
			set_error(err, CALIB_LP_ERR_LOGPROB, r * k + j, raw);
			return false;
		}
		if (x > m)
			m = x;
	}
	if (isinf(m))
	{
		set_error(err, CALIB_LP_ERR_ZERO_ROW, r * k, -INFINITY);
		return false;
	}
	for (int64_t j = 0; j < k; j++)
	{
		double		x = 0.0,
					q;

		(void) calib_lp_value(calib_vec_at(v, r * k + j), &x);	/* checked above */
		if (isinf(x))
			continue;
		q = exp(x - m);
		z += q;
		t += q * (x - m);
	}
	*h = fmax(log(z) - t / z, 0.0);	/* rounding can give -1e-17 */
	return true;
}

bool
calib_token_entropy(const CalibVec *v, int64_t k, double *out, CalibLpError *err)
{
	int64_t		rows = v->n / k;

	for (int64_t r = 0; r < rows; r++)
		if (!row_entropy(v, r, k, &out[r], err))
			return false;
	err->kind = CALIB_LP_ERR_NONE;
	return true;
}
