/*
 * aggstate.h -- the transition states of the bounded direct aggregates as
 * values: calib.binned_state (ece, mce, rmsce, reliability,
 * brier_decomposition, debiased_ece, fit_histogram and the multi-class
 * aggregates built on the same bins) and calib.pointwise_state (brier, nll).
 * Plain C, no PostgreSQL headers, so the parsers are unit-tested and fuzzed
 * outside the server.
 *
 * A state is one flat block that is at once the working state (updated in
 * place, row by row), the varlena the server stores and ships (its first
 * four bytes are PostgreSQL's varlena header, which only the glue writes),
 * and the input of the final functions.  Every sum is a CalibExact
 * (exactsum.h), so a state is byte-identical whatever the split and the
 * order of its rows, and rows can be taken out again (moving windows).
 *
 * These are internal formats: documented (docs/development.md) and
 * versioned by a leading tag, not meant to be written by hand.
 *
 * calib.binned_state
 *   memory  CalibBinnedState below, bins exact bins after a 32-byte header
 *   text    "b1 bins=B sq=S | k:n:correct:sum ..." with the non-empty bins
 *           in increasing order, k from 0, every sum in the exact text form
 *   wire    'b', 1, bins (4), sq (16), nnz (4), then per non-empty bin
 *           k (4), n (8), correct (8), sum (16); all big-endian
 * calib.pointwise_state
 *   memory  CalibPointwiseState below (32 bytes)
 *   text    "p1 brier n=N sum=S" or "p1 nll n=N sum=S"
 *   wire    'p', 1, kind ('B' or 'L'), n (8), sum (16); big-endian
 */
#ifndef CALIB_AGGSTATE_H
#define CALIB_AGGSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binning.h"
#include "exactsum.h"

#define CALIB_AGGSTATE_ERRLEN	256

/* What a reader of the text or wire form found: the glue reports
 * MALFORMED as 22P02 and IMPOSSIBLE (well-formed, but no aggregate could
 * have produced it) as 22023. */
typedef enum CalibStateParse
{
	CALIB_STATE_OK = 0,
	CALIB_STATE_MALFORMED,
	CALIB_STATE_IMPOSSIBLE
} CalibStateParse;

/* ------------------------------------------------------ calib.binned_state */

#define CALIB_BINNED_MAGIC		'b'
#define CALIB_BINNED_VERSION	1

typedef struct CalibBinnedState
{
	uint32_t	vl_len_;		/* PostgreSQL's varlena header (glue only) */
	uint8_t		magic;			/* CALIB_BINNED_MAGIC */
	uint8_t		version;		/* CALIB_BINNED_VERSION */
	uint16_t	zero1;			/* 0 */
	int32_t		bins;			/* CALIB_MIN_BINS .. CALIB_MAX_BINS */
	uint32_t	zero2;			/* 0 */
	CalibExact	sum_sq_error;	/* sum of calib_sq_error terms */
	CalibBinExact acc[];		/* bins of them */
} CalibBinnedState;

#define CALIB_BINNED_HDR		32

static inline size_t
calib_binned_state_size(int bins)
{
	return CALIB_BINNED_HDR + sizeof(CalibBinExact) * (size_t) bins;
}

/* An empty state with `bins` bins in st (calib_binned_state_size bytes);
 * vl_len_ is left 0. */
void		calib_binned_state_init(CalibBinnedState *st, int bins);

/*
 * Whether the len bytes at st look like a binned state this build wrote:
 * tag, version, zeros, bins in range and the size they imply.  What the
 * glue checks on every value it did not allocate itself (a stored value
 * was fully validated when it came in through text or binary input).
 */
bool		calib_binned_state_shape_ok(const CalibBinnedState *st, size_t len);

/*
 * The full check of a state from outside: its shape, and in every bin
 * 0 <= correct <= n, counts adding up within int64, the confidence sum
 * within what n confidences between the bin's edges can add up to, and the
 * Brier sum within what the rows of all bins can contribute.
 */
bool		calib_binned_state_check(const CalibBinnedState *st, char *err, size_t errlen);

/* One row into bin k (the bin of c, found by the caller with the cached
 * edges); sign -1 takes the row out again. */
static inline void
calib_binned_state_row(CalibBinnedState *st, int k, double c, bool correct, double sq)
{
	calib_bin_exact_add(&st->acc[k], c, correct);
	calib_exact_add_term(&st->sum_sq_error, sq);
}

/* False, st unchanged, when st cannot hold that row. */
static inline bool
calib_binned_state_unrow(CalibBinnedState *st, int k, double c, bool correct, double sq)
{
	CalibExact	t = st->sum_sq_error;

	calib_exact_sub_from(&t, calib_exact_from_double(sq));
	if (calib_exact_is_negative(t) || !calib_bin_exact_sub(&st->acc[k], c, correct))
		return false;
	st->sum_sq_error = t;
	return true;
}

/* dst += src (sign -1: dst -= src), both of the same bins; false on
 * overflow (dst is then unusable). */
bool		calib_binned_state_merge(CalibBinnedState *dst, const CalibBinnedState *src,
									 int sign);

/* Rows in the state. */
int64_t		calib_binned_state_rows(const CalibBinnedState *st);

/* Text: an upper bound (NUL included) for `bins` bins, the writer (returns
 * the length) and, in two steps, the reader: the bin count first (to size
 * the state), then the whole text into a state of that many bins. */
size_t		calib_binned_state_text_bound(int bins);
size_t		calib_binned_state_to_text(const CalibBinnedState *st, char *buf, size_t cap);
bool		calib_binned_state_text_bins(const char *buf, size_t len, int *bins,
										 char *err, size_t errlen);
CalibStateParse calib_binned_state_from_text(const char *buf, size_t len, CalibBinnedState *out,
										 char *err, size_t errlen);

/* Wire: the same two-step reader. */
size_t		calib_binned_state_wire_bound(int bins);
size_t		calib_binned_state_to_wire(const CalibBinnedState *st, uint8_t *buf, size_t cap);
bool		calib_binned_state_wire_bins(const uint8_t *buf, size_t len, int *bins,
										 char *err, size_t errlen);
CalibStateParse calib_binned_state_from_wire(const uint8_t *buf, size_t len, CalibBinnedState *out,
										 char *err, size_t errlen);

/* --------------------------------------------------- calib.pointwise_state */

#define CALIB_POINTWISE_MAGIC	'p'
#define CALIB_POINTWISE_VERSION 1
#define CALIB_POINTWISE_BRIER	'B'
#define CALIB_POINTWISE_NLL		'L'

typedef struct CalibPointwiseState
{
	uint32_t	vl_len_;		/* PostgreSQL's varlena header (glue only) */
	uint8_t		magic;			/* CALIB_POINTWISE_MAGIC */
	uint8_t		version;		/* CALIB_POINTWISE_VERSION */
	uint8_t		kind;			/* CALIB_POINTWISE_BRIER or _NLL */
	uint8_t		zero;			/* 0 */
	int64_t		n;				/* rows */
	CalibExact	sum;			/* sum of their terms (pointwise.h) */
} CalibPointwiseState;

#define CALIB_POINTWISE_SIZE	32
#define CALIB_POINTWISE_TEXT_MAX 80
#define CALIB_POINTWISE_WIRE_SIZE 27

void		calib_pointwise_state_init(CalibPointwiseState *st, int kind);
bool		calib_pointwise_state_shape_ok(const CalibPointwiseState *st, size_t len);
/* Shape, n >= 0, and 0 <= sum <= n times the largest term of the kind
 * (1 for Brier, -log(DBL_EPSILON) = 36.04 for the log loss). */
bool		calib_pointwise_state_check(const CalibPointwiseState *st, char *err, size_t errlen);
bool		calib_pointwise_state_merge(CalibPointwiseState *dst, const CalibPointwiseState *src,
										int sign);
size_t		calib_pointwise_state_to_text(const CalibPointwiseState *st, char *buf, size_t cap);
CalibStateParse calib_pointwise_state_from_text(const char *buf, size_t len, CalibPointwiseState *out,
											char *err, size_t errlen);
size_t		calib_pointwise_state_to_wire(const CalibPointwiseState *st, uint8_t *buf, size_t cap);
CalibStateParse calib_pointwise_state_from_wire(const uint8_t *buf, size_t len, CalibPointwiseState *out,
											char *err, size_t errlen);

#endif
