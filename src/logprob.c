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

/*
 * The hot loop, once per element type so it has no branch per element: the
 * sum, min and max of a chunk, in four independent accumulators (a single
 * sum would be one long dependency chain, a full add latency per token).
 * The caller checks the chunk afterwards: the max catches +Infinity and
 * values above the tolerance, the sum catches NaN (which propagates), and a
 * max in (0, tol] -- rare -- sends the chunk to the clamping slow path.
 * -Infinity needs nothing: it makes the sum -Infinity, which is the answer.
 * Chunks are short (LP_CHUNK), so plain sums inside them are accurate; the
 * chunks' sums are added with compensation.
 */
#define LP_CHUNK 256

#define LP_STEP(V, S, M, X) \
	do { \
		double		v_ = (V); \
		(X) = v_ > (X) ? v_ : (X); \
		(M) = v_ < (M) ? v_ : (M); \
		(S) += v_; \
	} while (0)

typedef struct LpChunk
{
	double		sum;
	double		min;
	double		max;
} LpChunk;

static inline double
dmin(double a, double b)
{
	return a < b ? a : b;
}

static inline double
dmax(double a, double b)
{
	return a > b ? a : b;
}

#define DEFINE_LP_CHUNK(NAME, T) \
static void \
NAME(const T *x, int64_t len, LpChunk *c) \
{ \
	double		s0 = 0, s1 = 0, s2 = 0, s3 = 0, \
				m0 = 0, m1 = 0, m2 = 0, m3 = 0, \
				x0 = -INFINITY, x1 = -INFINITY, x2 = -INFINITY, x3 = -INFINITY; \
	int64_t		i = 0; \
\
	for (; i + 4 <= len; i += 4) \
	{ \
		LP_STEP((double) x[i], s0, m0, x0); \
		LP_STEP((double) x[i + 1], s1, m1, x1); \
		LP_STEP((double) x[i + 2], s2, m2, x2); \
		LP_STEP((double) x[i + 3], s3, m3, x3); \
	} \
	for (; i < len; i++) \
		LP_STEP((double) x[i], s0, m0, x0); \
	c->sum = (s0 + s1) + (s2 + s3); \
	c->min = dmin(dmin(m0, m1), dmin(m2, m3)); \
	c->max = dmax(dmax(x0, x1), dmax(x2, x3)); \
}

DEFINE_LP_CHUNK(lp_chunk_f8_scalar, double)
DEFINE_LP_CHUNK(lp_chunk_f4_scalar, float)

#if defined(__SSE2__)
/*
 * On x86-64 (SSE2 is part of the base architecture), with intrinsics:
 * minps/maxps compute exactly the scalar a < m ? a : m and a > x ? a : x
 * (NaN never replaces the running value; it reaches the sum), and cvtps2pd
 * widens two floats at a time.  (The sums differ from the generic version's
 * below in the last bits: other elements share a lane.)
 */
#include <emmintrin.h>

static void
lp_chunk_f8(const double *x, int64_t len, LpChunk *c)
{
	__m128d		s0 = _mm_setzero_pd(),
				s1 = _mm_setzero_pd(),
				m0 = _mm_setzero_pd(),
				m1 = _mm_setzero_pd(),
				x0 = _mm_set1_pd(-INFINITY),
				x1 = _mm_set1_pd(-INFINITY);
	double		s[2],
				m[2],
				mx[2];
	int64_t		i = 0;
	LpChunk		tail;

	for (; i + 4 <= len; i += 4)
	{
		__m128d		a = _mm_loadu_pd(x + i),
					b = _mm_loadu_pd(x + i + 2);

		s0 = _mm_add_pd(s0, a);
		s1 = _mm_add_pd(s1, b);
		m0 = _mm_min_pd(a, m0);
		m1 = _mm_min_pd(b, m1);
		x0 = _mm_max_pd(a, x0);
		x1 = _mm_max_pd(b, x1);
	}
	lp_chunk_f8_scalar(x + i, len - i, &tail);
	_mm_storeu_pd(s, _mm_add_pd(s0, s1));
	_mm_storeu_pd(m, _mm_min_pd(m1, m0));
	_mm_storeu_pd(mx, _mm_max_pd(x1, x0));
	c->sum = (s[0] + s[1]) + tail.sum;
	c->min = dmin(dmin(m[0], m[1]), tail.min);
	c->max = dmax(dmax(mx[0], mx[1]), tail.max);
}

static void
lp_chunk_f4(const float *x, int64_t len, LpChunk *c)
{
	/* eight floats a step in two independent halves, so no add, min or
	 * max waits for the previous step's result of the same chain */
	__m128d		s0 = _mm_setzero_pd(),
				s1 = _mm_setzero_pd(),
				s2 = _mm_setzero_pd(),
				s3 = _mm_setzero_pd();
	__m128		m0 = _mm_setzero_ps(),
				m1 = _mm_setzero_ps(),
				x0 = _mm_set1_ps(-INFINITY),
				x1 = _mm_set1_ps(-INFINITY);
	double		s[2];
	float		mv[4],
				xv[4];
	int64_t		i = 0;
	LpChunk		tail;

	for (; i + 8 <= len; i += 8)
	{
		__m128		a = _mm_loadu_ps(x + i),
					b = _mm_loadu_ps(x + i + 4);

		s0 = _mm_add_pd(s0, _mm_cvtps_pd(a));
		s1 = _mm_add_pd(s1, _mm_cvtps_pd(_mm_movehl_ps(a, a)));
		s2 = _mm_add_pd(s2, _mm_cvtps_pd(b));
		s3 = _mm_add_pd(s3, _mm_cvtps_pd(_mm_movehl_ps(b, b)));
		m0 = _mm_min_ps(a, m0);
		m1 = _mm_min_ps(b, m1);
		x0 = _mm_max_ps(a, x0);
		x1 = _mm_max_ps(b, x1);
	}
	if (i + 4 <= len)
	{
		__m128		a = _mm_loadu_ps(x + i);

		s0 = _mm_add_pd(s0, _mm_cvtps_pd(a));
		s1 = _mm_add_pd(s1, _mm_cvtps_pd(_mm_movehl_ps(a, a)));
		m0 = _mm_min_ps(a, m0);
		x0 = _mm_max_ps(a, x0);
		i += 4;
	}
	lp_chunk_f4_scalar(x + i, len - i, &tail);
	_mm_storeu_pd(s, _mm_add_pd(_mm_add_pd(s0, s1), _mm_add_pd(s2, s3)));
	_mm_storeu_ps(mv, _mm_min_ps(m1, m0));
	_mm_storeu_ps(xv, _mm_max_ps(x1, x0));
	c->sum = (s[0] + s[1]) + tail.sum;
	c->min = dmin(dmin(dmin(mv[0], mv[1]), dmin(mv[2], mv[3])), tail.min);
	c->max = dmax(dmax(dmax(xv[0], xv[1]), dmax(xv[2], xv[3])), tail.max);
}
#elif defined(__GNUC__) || defined(__clang__)
/*
 * The same with GCC/Clang vector extensions (SSE2 / NEON): two doubles per
 * operation, and for real[] the min and max done on four floats at once
 * (float comparisons are exact; only the sum needs doubles).  Lane selects
 * are written as masks, which keeps NaN out of min/max exactly like the
 * scalar a < b ? a : b; NaN still reaches the sum.
 */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2l __attribute__((vector_size(16)));
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef float v2f __attribute__((vector_size(8)));

#define VSEL(M, A, B, IT, FT) ((FT) (((M) & (IT) (A)) | (~(M) & (IT) (B))))

static void
lp_chunk_f8(const double *x, int64_t len, LpChunk *c)
{
	v2d			s0 = {0, 0}, s1 = {0, 0}, m0 = {0, 0}, m1 = {0, 0},
				x0 = {-INFINITY, -INFINITY}, x1 = {-INFINITY, -INFINITY};
	int64_t		i = 0;
	LpChunk		tail;

	for (; i + 4 <= len; i += 4)
	{
		v2d			a,
					b;

		memcpy(&a, x + i, sizeof a);
		memcpy(&b, x + i + 2, sizeof b);
		s0 += a;
		s1 += b;
		m0 = VSEL(a < m0, a, m0, v2l, v2d);
		m1 = VSEL(b < m1, b, m1, v2l, v2d);
		x0 = VSEL(a > x0, a, x0, v2l, v2d);
		x1 = VSEL(b > x1, b, x1, v2l, v2d);
	}
	lp_chunk_f8_scalar(x + i, len - i, &tail);
	s0 += s1;
	m0 = VSEL(m1 < m0, m1, m0, v2l, v2d);
	x0 = VSEL(x1 > x0, x1, x0, v2l, v2d);
	c->sum = (s0[0] + s0[1]) + tail.sum;
	c->min = dmin(dmin(m0[0], m0[1]), tail.min);
	c->max = dmax(dmax(x0[0], x0[1]), tail.max);
}

static void
lp_chunk_f4(const float *x, int64_t len, LpChunk *c)
{
	v2d			s0 = {0, 0}, s1 = {0, 0};
	v4f			m = {0, 0, 0, 0},
				mx = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
	int64_t		i = 0;
	LpChunk		tail;

	for (; i + 4 <= len; i += 4)
	{
		v4f			a;
		v2f			lo,
					hi;

		memcpy(&a, x + i, sizeof a);
		memcpy(&lo, x + i, sizeof lo);
		memcpy(&hi, x + i + 2, sizeof hi);
		s0 += __builtin_convertvector(lo, v2d);
		s1 += __builtin_convertvector(hi, v2d);
		m = VSEL(a < m, a, m, v4i, v4f);
		mx = VSEL(a > mx, a, mx, v4i, v4f);
	}
	lp_chunk_f4_scalar(x + i, len - i, &tail);
	s0 += s1;
	c->sum = (s0[0] + s0[1]) + tail.sum;
	c->min = dmin(dmin(dmin(m[0], m[1]), dmin(m[2], m[3])), tail.min);
	c->max = dmax(dmax(dmax(mx[0], mx[1]), dmax(mx[2], mx[3])), tail.max);
}
#else
#define lp_chunk_f8 lp_chunk_f8_scalar
#define lp_chunk_f4 lp_chunk_f4_scalar
#endif

/* The slow path for a chunk holding values in (0, tol]: used as 0. */
static void
lp_chunk_clamped(const CalibVec *v, int64_t from, int64_t len, LpChunk *c)
{
	c->sum = 0.0;
	c->min = 0.0;
	for (int64_t i = from; i < from + len; i++)
	{
		double		x = 0.0;

		(void) calib_lp_value(calib_vec_at(v, i), &x);	/* checked by the caller */
		c->sum += x;
		c->min = x < c->min ? x : c->min;
	}
}

/* Sum of exp(lp) over a chunk (already validated). */
static double
prob_chunk(const CalibVec *v, int64_t from, int64_t len)
{
	double		s[2] = {0, 0};

	for (int64_t i = 0; i < len; i++)
	{
		double		x = calib_vec_at(v, from + i);

		s[i & 1] += exp(x < 0.0 ? x : 0.0);
	}
	return s[0] + s[1];
}

/* The first element of v[from, from + len) that is not a log-probability. */
static void
find_bad_logprob(const CalibVec *v, int64_t from, int64_t len, CalibLpError *err)
{
	for (int64_t i = from; i < from + len; i++)
	{
		double		x;

		if (!calib_lp_value(calib_vec_at(v, i), &x))
		{
			set_error(err, CALIB_LP_ERR_LOGPROB, i, calib_vec_at(v, i));
			return;
		}
	}
}

bool
calib_lp_summarize(const CalibVec *v, int flags, CalibLpSummary *out,
				   CalibLpError *err)
{
	CalibKSum	sum = {0, 0},
				prob = {0, 0};
	double		min = 0.0;
	bool		neg_inf = false;

	for (int64_t from = 0; from < v->n; from += LP_CHUNK)
	{
		int64_t		len = v->n - from < LP_CHUNK ? v->n - from : LP_CHUNK;
		LpChunk		c;

		if (v->f8)
			lp_chunk_f8(v->f8 + from, len, &c);
		else
			lp_chunk_f4(v->f4 + from, len, &c);
		if (!(c.max <= CALIB_LP_TOLERANCE) || isnan(c.sum))
		{
			find_bad_logprob(v, from, len, err);
			return false;
		}
		if (c.max > 0.0)
			lp_chunk_clamped(v, from, len, &c);
		if (c.min < min)
			min = c.min;
		if (isinf(c.sum))
			neg_inf = true;		/* -Infinity: probability 0 */
		else
			calib_ksum_add(&sum, c.sum);
		if (flags & CALIB_LP_WANT_PROB)
			calib_ksum_add(&prob, prob_chunk(v, from, len));
	}
	out->n = v->n;
	out->lp_min = min + 0.0;
	out->lp_sum = neg_inf ? -INFINITY : calib_ksum_value(&sum) + 0.0;
	out->lp_mean = neg_inf ? -INFINITY : calib_ksum_value(&sum) / (double) v->n + 0.0;
	out->perplexity = (flags & CALIB_LP_WANT_EXP) ? exp(-out->lp_mean) : NAN;
	out->seq_prob = (flags & CALIB_LP_WANT_EXP) ? exp(out->lp_sum) : NAN;
	out->mean_token_prob = (flags & CALIB_LP_WANT_PROB) ?
		calib_ksum_value(&prob) / (double) v->n : NAN;
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

/*
 * Window sums without a running sum.  Cut the array into blocks of w; a
 * window starting at offset j of block b is the suffix of block b from j
 * (suf[j]) plus the prefix of block b + 1 up to j - 1 (pre[j - 1]).  Both
 * are plain sums of at most w non-negative values, computed afresh for each
 * block, so there is no subtraction, no cancellation and no error carried
 * from one window to the next: every window sum is within (w + 1) eps of
 * exact, relative, however long the array.  Each element is added twice, so
 * the walk is O(n) whatever the window.  The two sums are independent
 * dependency chains and run side by side.
 *
 * +Infinity needs no special case: it makes exactly the sums that contain
 * it infinite.  Validation (x >= 0) is folded into the same loops as a flag.
 */
#define DEFINE_BLOCK_SUMS(NAME, T) \
static bool \
NAME(const T *x, int64_t n, int64_t w, int64_t b, double *suf, double *pre) \
{ \
	const T    *blk = x + b * w, \
			   *next = x + (b + 1) * w; \
	int64_t		plen = n - (b + 1) * w; \
	double		s = 0.0, \
				p = 0.0; \
	bool		bad = false; \
	int64_t		j = 0; \
\
	if (plen > w - 1) \
		plen = w - 1; \
	if (plen < 0) \
		plen = 0; \
	for (; j < plen; j++) \
	{ \
		double		a = (double) blk[w - 1 - j], \
					c = (double) next[j]; \
\
		bad |= !(a >= 0.0) | !(c >= 0.0); \
		s += a; \
		p += c; \
		suf[w - 1 - j] = s; \
		pre[j] = p; \
	} \
	for (; j < w; j++) \
	{ \
		double		a = (double) blk[w - 1 - j]; \
\
		bad |= !(a >= 0.0); \
		s += a; \
		suf[w - 1 - j] = s; \
	} \
	return !bad; \
}

DEFINE_BLOCK_SUMS(block_sums_f8, double)
DEFINE_BLOCK_SUMS(block_sums_f4, float)

static bool
conf_error_at(const CalibVec *v, CalibLpError *err)
{
	(void) calib_conf_check(v, err);
	return false;
}

bool
calib_group_walk(const CalibVec *v, int64_t window, double *scratch,
				 double *out, double *lowest, CalibLpError *err)
{
	int64_t		n = v->n,
				w = window,
				m = calib_group_count(n, window);
	double		low = INFINITY;
	double	   *suf = scratch,
			   *pre = scratch + (n < w ? n : w);

	err->kind = CALIB_LP_ERR_NONE;
	if (n < w)
	{
		/* one group: the whole trace */
		if (!calib_conf_check(v, err))
			return false;
		low = calib_tail_mean(v, n);
		if (out)
			out[0] = low;
		*lowest = low;
		return true;
	}
	for (int64_t b = 0; b * w < m; b++)
	{
		bool		ok = v->f8 ? block_sums_f8(v->f8, n, w, b, suf, pre)
			: block_sums_f4(v->f4, n, w, b, suf, pre);
		int64_t		last = m - b * w < w ? m - b * w : w;	/* windows starting in block b */

		if (!ok)
			return conf_error_at(v, err);
		for (int64_t j = 0; j < last; j++)
		{
			double		sum = j == 0 ? suf[0] : suf[j] + pre[j - 1];

			low = sum < low ? sum : low;
			if (out)
				out[b * w + j] = sum / (double) w + 0.0;
		}
	}
	*lowest = low / (double) w + 0.0;
	return true;
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
