/*
 * vote.h -- self-consistency votes over the answers of a group of samples:
 * the state of calib.vote and calib.agreement (answer -> count, plus each
 * answer's exact total weight for the weighted vote), its text and binary
 * forms, and the order-independent summaries; and the state of
 * calib.best_of.  Plain C, no PostgreSQL headers.
 *
 * The state is one flat block (no pointers), so PostgreSQL can copy it as a
 * varlena value (calib.vote_state): its first 4 bytes belong to the owner
 * (the varlena header, written by the allocator), the rest is ours.  A
 * function that must grow a state allocates a larger block through
 * CalibVoteMem, fills it and returns it; the old block is left to the caller
 * (inside an aggregate, the executor copies the new value and frees the
 * old one).
 *
 * Order independence.  Counts are integers, and each answer's total weight
 * is an exact fixed-point sum (CalibExact, src/exactsum.h), so a state's
 * content is a function of the multiset of rows, never of row order or of
 * how parallel workers, shards or Citus split them.  Entropy and the total
 * weight are computed from the per-answer totals sorted ascending.  The
 * winner is the answer with the largest total; ties go to the smallest
 * answer in byte order (memcmp, a proper prefix first).
 */
#ifndef CALIB_VOTE_H
#define CALIB_VOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exactsum.h"

typedef struct CalibVoteMem
{
	/* a block of n bytes, 8-byte aligned, never NULL (the server raises an
	 * ERROR instead); it may write the block's first 4 bytes */
	void	   *(*alloc) (void *arg, size_t n);
	void		(*release) (void *arg, void *p);	/* scratch blocks only */
	void	   *arg;
} CalibVoteMem;

typedef struct CalibVoteEntry
{
	uint32_t	hash;
	uint32_t	len;
	uint32_t	off;			/* of the answer's bytes in the byte area */
	uint32_t	pad;
	int64_t		count;
} CalibVoteEntry;

/* Beyond this many distinct answers a slot index replaces the linear scan. */
#define CALIB_VOTE_LINEAR_MAX 8
/* A state block never exceeds this (PostgreSQL's 1 GB value limit). */
#define CALIB_VOTE_MAX_BLOCK ((size_t) 0x3FFFFFFF)

#define CALIB_VOTE_WEIGHTED 1	/* flags */
#define CALIB_VOTE_TABLE 2

/*
 * The small form: an unweighted group with at most 6 distinct answers of
 * 63 bytes in all, each counted fewer than 2^32 times, lives entirely in
 * the 112-byte block, with no hash (a length check and a word compare over
 * a few entries is cheaper).  With 100 000 groups in a hash aggregate,
 * state size is what costs: each group's state is fresh memory to fill, and
 * the final function touches it again in hash order.  Anything larger
 * moves into the table form: the same header, then
 *   entries[cap_entries], wsum[cap_entries] (weighted only),
 *   slots[nslots] (open addressing, entry index + 1; 0 empty),
 *   bytes[cap_bytes] (every distinct answer, back to back).
 * A weighted state is always in the table form.
 */
#define CALIB_VOTE_SMALL_ENTRIES 6
#define CALIB_VOTE_SMALL_BYTES 63

typedef struct CalibVoteTableHead
{
	uint32_t	nentries;
	uint32_t	cap_entries;
	uint32_t	nslots;			/* 0 while the linear scan is used */
	uint32_t	nbytes;
	uint32_t	cap_bytes;
} CalibVoteTableHead;

typedef struct CalibVote
{
	uint32_t	vl_len_;		/* the owner's (PostgreSQL's varlena header) */
	uint8_t		flags;
	uint8_t		nsmall;			/* distinct answers in the small form */
	uint8_t		small_nbytes;
	uint8_t		pad;
	int64_t		n;				/* rows counted */
	union
	{
		struct
		{
			uint32_t	count[CALIB_VOTE_SMALL_ENTRIES];
			uint8_t		len[CALIB_VOTE_SMALL_ENTRIES];
			char		bytes[CALIB_VOTE_SMALL_BYTES];
		}			s;
		CalibVoteTableHead t;
	}			u;
} CalibVote;

typedef struct CalibVoteSummary
{
	int64_t		winner;			/* entry index; -1 when no rows */
	double		votes;			/* winner's count or total weight */
	int64_t		n;
	double		share;			/* votes / total; NaN when total is 0 */
	double		entropy;		/* natural log; NaN when total is 0 */
	int64_t		distinct_answers;
	bool		overflow;		/* the total weight overflows */
} CalibVoteSummary;

typedef enum CalibVoteStatus
{
	CALIB_VOTE_OK = 0,
	CALIB_VOTE_TOO_MANY,		/* the state would pass CALIB_VOTE_MAX_BLOCK */
	CALIB_VOTE_OVERFLOW,		/* an answer's total weight overflows */
	CALIB_VOTE_CORRUPT,			/* input: well-formed but impossible */
	CALIB_VOTE_SYNTAX			/* input: not of the form */
} CalibVoteStatus;

/* A new empty state (the small form, or an empty table when weighted). */
CalibVote  *calib_vote_new(const CalibVoteMem *m, bool weighted);

/* The size of v's block (what a copy must copy). */
size_t		calib_vote_size(const CalibVote *v);

static inline bool
calib_vote_weighted(const CalibVote *v)
{
	return (v->flags & CALIB_VOTE_WEIGHTED) != 0;
}

uint32_t	calib_vote_hash(const char *s, size_t len);

/* A weight the weighted vote accepts: finite, >= 0 and < 2^40 (the exact
 * accumulator's bound for one term); -0.0 counts as 0. */
static inline bool
calib_vote_weight_ok(double w)
{
	return w >= 0.0 && w < CALIB_EXACT_TERM_MAX;
}

/* Count one answer (with its weight when weighted; the caller checked it
 * with calib_vote_weight_ok).  *v may be replaced by a larger block. */
CalibVoteStatus calib_vote_add(CalibVote **v, const CalibVoteMem *m,
							   const char *s, size_t len, double weight);

/* *dst += src (both weighted or both not; CALIB_VOTE_CORRUPT otherwise). */
CalibVoteStatus calib_vote_merge(CalibVote **dst, const CalibVoteMem *m, const CalibVote *src);

uint32_t	calib_vote_distinct(const CalibVote *v);
const char *calib_vote_answer(const CalibVote *v, int64_t entry, size_t *len);
int64_t		calib_vote_count(const CalibVote *v, int64_t entry);
CalibExact	calib_vote_weight(const CalibVote *v, int64_t entry);	/* weighted */

/*
 * Text form (calib.vote_state's output and input): the entries in the
 * state's order, answers in lower-case hexadecimal, counts in decimal,
 * weights in the exact form of src/exactsum.h:
 *   plain:    "vote1 <n> <k>" then k times " <count>:<hex>"
 *   weighted: "wvote1 <n> <k>" then k times " <count>:<weight>:<hex>"
 * e.g. "vote1 3 2 2:61 1:62" (a twice, b once).  Input accepts exactly
 * this form (CALIB_VOTE_SYNTAX otherwise) and only what an aggregate can
 * produce (CALIB_VOTE_CORRUPT: a count < 1, counts not summing to n, an
 * answer twice, a weight < 0 or >= count * 2^40); it reads in linear time
 * and allocates only as entries arrive.
 */
size_t		calib_vote_text_size(const CalibVote *v);	/* with the NUL */
void		calib_vote_to_text(const CalibVote *v, char *out);
CalibVoteStatus calib_vote_from_text(const char *s, size_t len, const CalibVoteMem *m,
									 CalibVote **out, char *err, size_t errlen);

/*
 * Binary form (send and receive), big-endian:
 *   u8 version (1), u8 flags (bit 0: weighted), i64 n, u32 k, then k times
 *   i64 count, [16-byte exact weight], u32 len, len answer bytes.
 * Input checks the same as the text form's, and that the bytes end there.
 */
size_t		calib_vote_wire_size(const CalibVote *v);
void		calib_vote_to_wire(const CalibVote *v, uint8_t *buf);
CalibVoteStatus calib_vote_from_wire(const uint8_t *buf, size_t len, const CalibVoteMem *m,
									 CalibVote **out, char *err, size_t errlen);

/* Winner, shares and entropy; v is not changed (m provides scratch). */
void		calib_vote_summarize(const CalibVote *v, const CalibVoteMem *m, CalibVoteSummary *out);

/* Sum c (c - 1) / (n (n - 1)) over the answer counts; NaN when n < 2. */
double		calib_vote_agreement(const CalibVote *v);

/* ---------------------------------------------------------- best of N */

typedef struct CalibBestOf
{
	int64_t		n;				/* rows seen */
	double		top;			/* highest score seen */
	int64_t		ntop;			/* rows at the top score */
	int64_t		ntop_correct;	/* correct ones among them */
} CalibBestOf;

/* score must not be NaN (checked by the caller); -0.0 equals 0.0. */
void		calib_best_of_add(CalibBestOf *b, double score, bool correct);
void		calib_best_of_merge(CalibBestOf *dst, const CalibBestOf *src);
/* Expected correctness of a uniform pick among the top rows; NaN when n = 0. */
double		calib_best_of_result(const CalibBestOf *b);

#endif
