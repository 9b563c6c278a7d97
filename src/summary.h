/*
 * summary.h -- calib.summary: a mergeable, fixed-resolution summary of
 * (confidence, correct) pairs.  Plain C, no PostgreSQL headers, so the text
 * and binary parsers can be fuzzed and sanitized outside the server.
 *
 * A summary keeps, per fine bin of the bin convention in binning.h with
 * CALIB_SUMMARY_FINE_BINS bins, the count, the number correct and the sum of
 * confidences, plus the global sums of the Brier and log-loss terms of
 * pointwise.h.  Since version 2 every sum is exact (exactsum.h: 128-bit
 * fixed point in units of 2^-64, each term rounded toward zero once), so a
 * summary is the same bytes whatever the split of its rows and the order of
 * its merges, and a merged part can be subtracted again (moving windows).  600 is the least common multiple of the bin counts people use
 * (1..6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 100): for every divisor B of
 * 600 the coarse edge (double)k/B is the same double as the fine edge
 * (double)(k*600/B)/600, so folding fine bins (calib_bins_rebin) gives
 * exactly the bins the direct aggregates build.
 *
 * Three encodings of the same content:
 *   text    "v2 fine=600 n=.. correct=.. sq=S ll=S | j:n:correct:S ..."
 *           (the type's I/O form; S an exact sum in the text form of
 *           exactsum.h)
 *   wire    big-endian, for binary send/receive (COPY BINARY, drivers)
 *   stored  the varlena payload, native byte order, in two forms: dense (the
 *           struct itself, the aggregates' working state, updated in place)
 *           and packed (only non-empty bins, varint counts: what is stored).
 * Every decoder validates and reports problems as a message in `err`
 * instead of failing; none allocates.
 *
 * Version 1 (calib 0.1.0) kept the sums as doubles (text: shortest
 * round-trip doubles; the dense form a pending product for the log loss).
 * Every decoder still reads version 1 in all three encodings and converts
 * each double sum once to the exact form (toward zero at 2^-64), so a
 * stored 0.1.0 summary reads, merges and answers as before (to ~1e-16
 * relative); the encoders write version 2 only.
 */
#ifndef CALIB_SUMMARY_H
#define CALIB_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binning.h"

#define CALIB_SUMMARY_VERSION	2
#define CALIB_SUMMARY_VERSION_1	1
#define CALIB_SUMMARY_FINE_BINS 600

/* Stored-form tags (second byte of the stored header). */
#define CALIB_SUMMARY_DENSE		'D'
#define CALIB_SUMMARY_PACKED	'P'

/* Bytes of the stored header before the payload (version, form, fine bins
 * as uint16): the payload then starts 8-aligned inside a 4-byte varlena. */
#define CALIB_SUMMARY_STORED_HDR 4

/* Room for error messages the decoders write. */
#define CALIB_SUMMARY_ERRLEN	256

typedef struct CalibSummary
{
	int64_t		n;				/* rows; always the sum of bins[].n */
	int64_t		n_correct;		/* always the sum of bins[].n_correct */
	CalibExact	sum_sq_error;	/* sum of calib_sq_error terms */
	CalibExact	sum_log_loss;	/* sum of calib_log_loss terms */
	CalibBinExact bins[CALIB_SUMMARY_FINE_BINS];
} CalibSummary;

/* The sums as doubles. */
double		calib_summary_log_loss(const CalibSummary *s);
double		calib_summary_sq_error(const CalibSummary *s);

/* An empty summary (all-zero bytes). */
void		calib_summary_init(CalibSummary *s);

/* One row; c must already be a validated confidence in [0, 1].  _sub
 * takes a row added before out again (moving-window inverse); false, s
 * unchanged, when s cannot hold that row. */
void		calib_summary_add(CalibSummary *s, double c, bool correct);
bool		calib_summary_sub(CalibSummary *s, double c, bool correct);

/* dst += src.  Fails (returns false, message in err) only when a count or
 * sum would overflow. */
bool		calib_summary_merge(CalibSummary *dst, const CalibSummary *src,
								char *err, size_t errlen);

/* dst -= src, src merged into dst before (moving-window inverse of
 * calib.merge); fails when src holds what dst does not (dst is then
 * unusable). */
bool		calib_summary_unmerge(CalibSummary *dst, const CalibSummary *src,
								  char *err, size_t errlen);

/* Everything a summary from outside must satisfy (see summary.c). */
bool		calib_summary_check(const CalibSummary *s, char *err, size_t errlen);

/* ------------------------------------------------------------- metrics */

/* Whether `bins` divides the fine resolution; if not, err lists the counts
 * that do. */
bool		calib_summary_bins_ok(int bins, char *err, size_t errlen);

/* The summary's bins folded into `bins` equal-width bins (bins_ok first). */
void		calib_summary_rebin(const CalibSummary *s, int bins, CalibBinAcc *out);

double		calib_summary_mean_confidence(const CalibSummary *s);

/*
 * AUROC treating every fine bin as one tie group.  *max_error receives the
 * bound on |this - exact AUROC|: pairs (correct, wrong) in the same fine bin
 * count one half here and between 0 and 1 exactly, so the error is at most
 * sum_b pos_b neg_b / (2 pos neg).  NaN when a class is empty.
 */
double		calib_summary_auroc(const CalibSummary *s, double *max_error);

/* ---------------------------------------------------------------- text */

/* An upper bound on the text length, terminating NUL included. */
size_t		calib_summary_text_bound(void);

/* Writes the text form (version 2) into buf (cap >=
 * calib_summary_text_bound()); returns its length. */
size_t		calib_summary_to_text(const CalibSummary *s, char *buf, size_t cap);

/* Parses text of version 1 or 2 (not NUL-terminated; leading and trailing
 * blanks allowed) and validates it with calib_summary_check.  *impossible
 * (when not NULL) tells a well-formed value that no aggregate could have
 * produced from malformed text. */
bool		calib_summary_from_text(const char *buf, size_t len, CalibSummary *out,
									char *err, size_t errlen);
bool		calib_summary_from_text_ex(const char *buf, size_t len, CalibSummary *out,
									   bool *impossible, char *err, size_t errlen);

/* ---------------------------------------------------------------- wire */

/* Version 2: 1 version, 2 fine bins, 8 n, 8 correct, 16 sq, 16 ll, 2 nnz,
 * then per non-empty bin 2 index, 8 n, 8 correct, 16 sum; all big-endian.
 * Version 1 had 8-byte doubles for the sums (header 37, bin 26 bytes). */
#define CALIB_SUMMARY_WIRE_HDR	53
#define CALIB_SUMMARY_WIRE_BIN	34

size_t		calib_summary_wire_bound(void);
size_t		calib_summary_to_wire(const CalibSummary *s, uint8_t *buf, size_t cap);
bool		calib_summary_from_wire(const uint8_t *buf, size_t len, CalibSummary *out,
									char *err, size_t errlen);

/* -------------------------------------------------------------- stored */

/* Bytes of the dense and (an upper bound of the) packed stored forms. */
size_t		calib_summary_dense_size(void);
size_t		calib_summary_packed_bound(void);

/* Writes the packed stored form (header included); returns its length.
 * Payload (version 2): n, correct (8 bytes each), sq, ll (16 each), nnz
 * (uint16), a bitmap of the non-empty bins, the low words of their
 * confidence sums (8 bytes each), then per non-empty bin the count, the
 * correct count and the integer part of the sum as LEB128 varints. */
size_t		calib_summary_pack(const CalibSummary *s, uint8_t *buf, size_t cap);

/* Writes the dense stored header; the CalibSummary itself follows it at
 * buf + CALIB_SUMMARY_STORED_HDR (8-aligned when buf is a VARDATA). */
void		calib_summary_dense_header(uint8_t *buf);

/* The form tag of stored bytes, or 0 when the header is not one we know. */
int			calib_summary_stored_form(const uint8_t *buf, size_t len);

/*
 * Adds a stored summary of either form to *dst.  Checks the structure
 * (version, sizes, bitmap, varints, totals against bins, trailing bytes) and
 * count overflow; stored values were validated when they came in, so the
 * per-value range checks of calib_summary_check are not repeated here.
 */
bool		calib_summary_stored_add(const uint8_t *buf, size_t len, CalibSummary *dst,
									 char *err, size_t errlen);

#endif
