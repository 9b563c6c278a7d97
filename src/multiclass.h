/*
 * multiclass.h -- probability vectors: one probability per option (or the
 * top-k of a token distribution) and the 1-based index of the correct one.
 * Plain C, no PostgreSQL headers.  docs/multiclass.md has the definitions.
 *
 * Validation (calib_probs_check): every entry finite, >= 0 and <= 1 + 1e-6
 * (entries in (1, 1 + 1e-6] count as 1), the sum within 1e-6 of 1, or -- for
 * a truncated distribution (Full-ECE only) -- at most 1 + 1e-6.
 *
 * The mergeable states of the vector aggregates (calib.vector_state) are a
 * CalibVecState header followed by a payload of 64-bit words:
 *
 *   kind           k   bins  payload (per cell)                     cells
 *   CLASSWISE      K   B     CalibBinExact (binning.h): n,          K * B, class-major
 *                            n_correct, exact sum of p
 *   FULL           0   B     hits, sum of p (CalibExact)            B
 *   BRIER, NLL     0   0     sum of the per-row terms (CalibExact)  1
 *
 * (The top-label ece, mce and reliability use calib.binned_state,
 * aggstate.h, the state of the binary binned aggregates.)
 *
 * n (in the header) counts rows.  Every sum is exact (exactsum.h), so a
 * state is byte-identical however its rows were split and merged.  The bins
 * are binning.h's (calib_bin_index); the binned formulas are binning.c's,
 * applied to CalibBinAcc rows built from the cells.
 */
#ifndef CALIB_MULTICLASS_H
#define CALIB_MULTICLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binning.h"
#include "exactsum.h"
#include "recal.h"

#define CALIB_PROBS_TOL 1e-6
#define CALIB_MC_ERRLEN 200
/* a classwise state holds K * bins cells of 32 bytes: at most 2^20 (32 MB) */
#define CALIB_VS_MAX_CELLS (1 << 20)

/* ------------------------------------------------------------ vectors */

/* Entry p of a validated vector as a confidence in [0, 1] (entries up to
 * 1 + 1e-6 count as 1; -0 becomes 0). */
static inline double
calib_prob_clamp(double p)
{
	return p > 1.0 ? 1.0 : p + 0.0;
}

/*
 * Checks p[0 .. k) (k >= 1).  truncated_ok: the sum may be below 1 (a top-k
 * of a larger distribution).  Returns NULL, with the sum in *sum, or the
 * message (naming the 1-based position or the sum) written into err.
 */
const char *calib_probs_check(const double *p, int k, bool truncated_ok,
							  double *sum, char *err, size_t errlen);

/* 0-based index of the largest entry, the lowest on ties (numpy, torch). */
static inline int
calib_argmax(const double *p, int k)
{
	int			best = 0;

	for (int i = 1; i < k; i++)
		if (p[i] > p[best])
			best = i;
	return best;
}

/*
 * Logits: every entry finite or -Infinity, at least one finite.  Returns
 * NULL or the message (naming the 1-based position).
 */
const char *calib_logits_check(const double *z, int k, char *err, size_t errlen);

/* softmax(z / T) into out, computed as exp((z_i - max z) / T) / sum in
 * double; -Infinity entries give 0.  z valid (calib_logits_check), T > 0. */
void		calib_softmax(const double *z, int k, double temperature, double *out);

/* Per-row terms: sum_k (p_k - 1[k = label])^2, and -ln p_label with the
 * clipping of pointwise.h.  label is 1-based and valid. */
double		calib_vec_brier_term(const double *p, int k, int label);
double		calib_vec_nll_term(const double *p, int k, int label);

/* ------------------------------------------------------------- states */

typedef enum CalibVecKind
{
	CALIB_VS_CLASSWISE = 1,
	CALIB_VS_FULL = 2,
	CALIB_VS_BRIER = 3,
	CALIB_VS_NLL = 4
} CalibVecKind;

#define CALIB_VS_VERSION 1

typedef struct CalibVecState
{
	int32_t		kind;
	int32_t		k;				/* options (CLASSWISE), else 0 */
	int32_t		bins;			/* 0 for BRIER and NLL */
	int32_t		pad;			/* always 0 */
	int64_t		n;				/* rows */
	uint64_t	w[];			/* payload, see above */
} CalibVecState;

typedef struct CalibFullCell	/* FULL */
{
	int64_t		hits;
	CalibExact	sum;
} CalibFullCell;

const char *calib_vs_kind_name(int kind);

/* Words of payload for that shape, 0 when the shape is invalid (unknown
 * kind, bins outside 1 .. 10000, K * bins above CALIB_VS_MAX_CELLS). */
size_t		calib_vs_words(int kind, int32_t k, int32_t bins);
static inline size_t
calib_vs_size(int kind, int32_t k, int32_t bins)
{
	return offsetof(CalibVecState, w) + calib_vs_words(kind, k, bins) * 8;
}

/* Zeroes st (calib_vs_size bytes) and sets its shape; the shape must be
 * valid. */
void		calib_vs_init(CalibVecState *st, int kind, int32_t k, int32_t bins);

static inline CalibBinExact *
calib_vs_cells(CalibVecState *st)
{
	return (CalibBinExact *) st->w;
}

static inline CalibFullCell *
calib_vs_full_cells(CalibVecState *st)
{
	return (CalibFullCell *) st->w;
}

static inline CalibExact *
calib_vs_sum(CalibVecState *st)
{
	return (CalibExact *) st->w;
}

/*
 * Adding one validated row (probabilities p[0 .. k), label 1-based, or 0 for
 * FULL; edge: calib_bin_edges(bins) or NULL).  Each returns false, leaving
 * st unchanged, only when a sum would overflow (never for counts that fit
 * in int64 and terms in [0, 2]).
 */
bool		calib_vs_add_classwise(CalibVecState *st, const double *p, int label, const double *edge);
bool		calib_vs_add_full(CalibVecState *st, const double *p, int k, int label, const double *edge);
bool		calib_vs_add_term(CalibVecState *st, double term);

/*
 * A FULL row's precondition beyond calib_probs_check: when the vector is
 * truncated (sum < 1 - 1e-6) or its label is 0, the smallest entry must lie
 * in the first bin.  NULL or the message.
 */
const char *calib_full_row_check(const double *p, int k, double sum, int label, int bins,
								 char *err, size_t errlen);

/* a += b; both of the same shape.  false on overflow of a sum (a is then
 * garbage: the caller raises an error). */
bool		calib_vs_merge(CalibVecState *a, const CalibVecState *b);
/* Same kind, k and bins. */
bool		calib_vs_same_shape(const CalibVecState *a, const CalibVecState *b);

/* Results; NaN without rows. */
double		calib_vs_classwise_ece(const CalibVecState *st);
double		calib_vs_full_ece(const CalibVecState *st);
double		calib_vs_mean(const CalibVecState *st);
/* The bins of class c (0-based) as binning.c's accumulators. */
void		calib_vs_class_bins(const CalibVecState *st, int c, CalibBinAcc *acc);

/*
 * Full validation of a state (what the input functions accept): a valid
 * shape, n >= 1, and the invariants every state built from rows has.
 */
const char *calib_vs_check(const CalibVecState *st, char *err, size_t errlen);

/* Text form, NUL-terminated and malloc'd (NULL when out of memory):
 *   classwise:v1:k=4:bins=10:n=100:n,c,sum;n,c,sum;...
 *   full_ece:v1:bins=10:n=100:hits,sum;...
 *   brier:v1:n=100:sum        nll:v1:n=100:sum
 * integers in decimal, sums in exactsum.h's text form. */
char	   *calib_vs_to_text(const CalibVecState *st);
/* Parses (buf, len) (no NUL needed); NULL and a malloc'd state, or the
 * message; *syntax says whether the text was malformed (22P02) rather than
 * a well-formed but impossible state (22023). */
const char *calib_vs_from_text(const char *buf, size_t len, CalibVecState **out,
							   bool *syntax, char *err, size_t errlen);

/* Binary form: byte version, byte kind, int32 k, int32 bins, int64 n, then
 * the payload words, all big-endian. */
#define CALIB_VS_WIRE_HEADER 18
size_t		calib_vs_wire_size(const CalibVecState *st);
void		calib_vs_to_wire(const CalibVecState *st, unsigned char *out);
const char *calib_vs_from_wire(const unsigned char *buf, size_t len, CalibVecState **out,
							   char *err, size_t errlen);

/* ------------------------------------------------ temperature scaling */

/*
 * The rows of a fit: logits of row i at z[off[i] .. off[i + 1]), its label
 * (1-based) in label[i].  Every row's logits valid (calib_logits_check)
 * and its label's logit finite.
 */
typedef struct CalibLogitRows
{
	const double *z;
	const int64_t *off;			/* nrows + 1 offsets */
	const int32_t *label;
	int64_t		nrows;
} CalibLogitRows;

/*
 * The T > 0 minimising the mean NLL of softmax(z / T) (Newton on the convex
 * NLL in 1/T, recal.h's calib_newton_1d), as a malloc'd
 * CALIB_MAP_VECTOR_TEMPERATURE map in *out; NULL, or the reason no finite
 * T > 0 exists.
 */
const char *calib_fit_vector_temperature(const CalibLogitRows *rows, CalibMap **out);

#endif
