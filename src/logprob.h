/*
 * logprob.h -- sequence-level summaries of per-token log-probabilities and
 * DeepConf-style local confidence.  Plain C, no PostgreSQL headers.
 *
 * Input convention (the single source of truth, see calib_lp_value):
 *   a log-probability is a value <= 0; -Infinity means probability 0 and
 *   propagates; values in (0, CALIB_LP_TOLERANCE] are rounding noise and
 *   count as 0; NaN, +Infinity and anything above the tolerance are errors.
 * A token confidence (DeepConf) is the negative mean of a token's top-k
 * log-probabilities, so it is >= 0 or +Infinity; NaN and negative values
 * are errors.
 *
 * Arrays arrive as CalibVec, a view of float4 or float8 elements, so real[]
 * input is read element by element without a converted copy.  Every
 * function that can fail returns a CalibLpError describing the first bad
 * element; the glue turns it into a message.
 */
#ifndef CALIB_LOGPROB_H
#define CALIB_LOGPROB_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define CALIB_LP_TOLERANCE 1e-6

/* A read-only view of n float4 or n float8 values (exactly one is set). */
typedef struct CalibVec
{
	const double *f8;
	const float *f4;
	int64_t		n;
} CalibVec;

static inline double
calib_vec_at(const CalibVec *v, int64_t i)
{
	return v->f8 ? v->f8[i] : (double) v->f4[i];
}

/*
 * A log-probability as it is used: false when x is not acceptable (NaN,
 * +Infinity, above the tolerance); otherwise *out is x, with (0, tol] and
 * -0.0 turned into 0.0.
 */
static inline bool
calib_lp_value(double x, double *out)
{
	if (x <= 0.0)
	{
		*out = x + 0.0;
		return true;
	}
	if (x <= CALIB_LP_TOLERANCE)
	{
		*out = 0.0;
		return true;
	}
	return false;				/* NaN, +Infinity, positive beyond tolerance */
}

/* A token confidence: >= 0 or +Infinity. */
static inline bool
calib_conf_value_ok(double x)
{
	return x >= 0.0;			/* false for NaN and negatives */
}

typedef enum CalibLpErrorKind
{
	CALIB_LP_ERR_NONE = 0,
	CALIB_LP_ERR_LOGPROB,		/* value is not a log-probability */
	CALIB_LP_ERR_CONFIDENCE,	/* value is not a token confidence */
	CALIB_LP_ERR_ZERO_ROW		/* a top-k row where every entry is -Infinity */
} CalibLpErrorKind;

typedef struct CalibLpError
{
	CalibLpErrorKind kind;
	int64_t		index;			/* 0-based flat index of the bad element */
	double		value;			/* the bad element as given */
} CalibLpError;

/* Sequence summary; all fields are defined for n >= 1. */
typedef struct CalibLpSummary
{
	int64_t		n;
	double		lp_sum;			/* sum of log-probabilities */
	double		lp_mean;		/* lp_sum / n */
	double		lp_min;			/* the weakest token */
	double		perplexity;		/* exp(-lp_mean) */
	double		seq_prob;		/* exp(lp_sum) */
	double		mean_token_prob;	/* mean of exp(lp); only with CALIB_LP_WANT_PROB */
} CalibLpSummary;

#define CALIB_LP_WANT_PROB 1	/* mean_token_prob: costs one exp() per token */
#define CALIB_LP_WANT_EXP 2		/* perplexity and seq_prob (NaN without) */

/* Compensated (Neumaier) running sum. */
typedef struct CalibKSum
{
	double		s;
	double		c;
} CalibKSum;

void		calib_ksum_add(CalibKSum *k, double x);
static inline double
calib_ksum_value(const CalibKSum *k)
{
	/* Once the sum overflows, c is inf - inf = NaN: the sum is s itself
	 * (found by test/fuzz/fuzz_logprob: -8e307 + -1.6e308 gave NaN). */
	return isfinite(k->s) ? k->s + k->c : k->s;
}

/* One pass over v (v->n >= 1): validates and summarises.  false on error. */
bool		calib_lp_summarize(const CalibVec *v, int flags, CalibLpSummary *out,
							   CalibLpError *err);

/* Check that every element of v is a token confidence.  false on error. */
bool		calib_conf_check(const CalibVec *v, CalibLpError *err);

/* Number of sliding windows (stride 1): 1 when n < window, else n - window + 1. */
int64_t		calib_group_count(int64_t n, int64_t window);

/*
 * Every sliding window (stride 1) of confidences: validates v (false and err
 * on the first value that is not a confidence), writes the window means
 * into out (calib_group_count of them; skipped when out is NULL) and the
 * lowest into *lowest.  O(n) for any window, and no error builds up along
 * the array (block prefix/suffix sums, see logprob.c).  A window holding
 * +Infinity has mean +Infinity.  scratch: 2 * min(window, n) doubles.
 */
bool		calib_group_walk(const CalibVec *v, int64_t window, double *scratch,
							 double *out, double *lowest, CalibLpError *err);

/* How many of m window means the bottom fraction covers:
 * max(1, floor(fraction * m)), where a product within 1e-9 (relative) below
 * an integer counts as that integer (0.57 * 100 gives 57).  fraction in (0, 1]. */
int64_t		calib_bottom_count(int64_t m, double fraction);

/* Mean of the k smallest of means[0..m-1]; sorts means in place (scratch:
 * m doubles). */
double		calib_bottom_mean(double *means, int64_t m, int64_t k, double *scratch);

/* Mean of the last min(tail, n) validated confidences (tail >= 1),
 * compensated summation. */
double		calib_tail_mean(const CalibVec *v, int64_t tail);

/*
 * Per-token quantities from a rows x k matrix of top-k log-probabilities
 * (row-major, v->n == rows * k).  out has `rows` doubles.  false on error.
 *   confidence: -(1/k) sum_j lp_j            (+Infinity when a lp_j is -Infinity)
 *   entropy:    -sum_j p_j log p_j, p_j = exp(lp_j) / sum_i exp(lp_i), nats
 */
bool		calib_token_confidence(const CalibVec *v, int64_t k, double *out,
								   CalibLpError *err);
bool		calib_token_entropy(const CalibVec *v, int64_t k, double *out,
								CalibLpError *err);

/* Compensated mean of n finite-or-infinite doubles (n >= 1). */
double		calib_mean(const double *x, int64_t n);

#endif
