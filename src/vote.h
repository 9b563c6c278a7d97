/*
 * vote.h -- self-consistency votes over the answers of a group of samples:
 * the state of calib.vote and calib.agreement (a small hash table of answer
 * -> count, plus the weights of the weighted vote), its wire format for
 * parallel aggregation, and the order-independent summaries; and the state
 * of calib.best_of.  Plain C, no PostgreSQL headers: memory comes from the
 * caller through CalibMem, whose functions must not return NULL (in the
 * server they raise an ERROR instead).
 *
 * Order independence.  Counts are integers.  Weights are kept per row and
 * summed per answer in ascending order when the vote is summarised, so a
 * total is a function of the multiset of weights, never of row order or of
 * how parallel workers split the rows.  Entropy and the total weight are
 * likewise summed over the per-answer totals sorted ascending.  The winner
 * is the answer with the largest total; ties go to the smallest answer in
 * byte order (memcmp, a proper prefix first).
 */
#ifndef CALIB_VOTE_H
#define CALIB_VOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CalibMem
{
	/* grow(arg, NULL, 0, n) allocates; grow(arg, p, old, n) reallocates */
	void	   *(*grow) (void *arg, void *p, size_t old_size, size_t new_size);
	void		(*release) (void *arg, void *p);
} CalibMem;

typedef struct CalibVoteEntry
{
	uint32_t	hash;
	uint32_t	len;
	uint32_t	off;			/* of the answer's bytes in CalibVoteTable.bytes */
	int64_t		count;
} CalibVoteEntry;

typedef struct CalibVoteWeight
{
	double		w;
	uint32_t	entry;
} CalibVoteWeight;

/* Beyond this many distinct answers a slot index replaces the linear scan. */
#define CALIB_VOTE_LINEAR_MAX 8
/* Distinct answers, and their bytes, in one group. */
#define CALIB_VOTE_MAX_ENTRIES (UINT32_C(1) << 30)
#define CALIB_VOTE_MAX_BYTES (UINT32_C(1) << 31)

/* The general answer table: any number of answers, weights, a slot index. */
typedef struct CalibVoteTable
{
	CalibVoteEntry *entries;
	uint32_t   *slots;			/* open addressing, entry index + 1; 0 empty */
	char	   *bytes;			/* every distinct answer, back to back */
	CalibVoteWeight *w;			/* one per weighted row */
	int64_t		nw;
	int64_t		cap_w;
	uint32_t	nentries;
	uint32_t	cap_entries;
	uint32_t	nslots;			/* 0 while the linear scan is used */
	uint32_t	nbytes;
	uint32_t	cap_bytes;
} CalibVoteTable;

/*
 * The small form: an unweighted group with at most 6 distinct answers of
 * 63 bytes in all, each counted fewer than 2^32 times, lives entirely
 * inside the 128-byte CalibVote, with no hash (a length check and a word
 * compare over a few entries is cheaper) and no second allocation.  With
 * 100 000 groups in a hash aggregate, state size is what costs: each
 * group's state is fresh memory to fill, and the final function touches it
 * again in hash order, so every cache line of state is a memory miss.
 * Anything larger moves, once, into a CalibVoteTable.
 */
#define CALIB_VOTE_SMALL_ENTRIES 6
#define CALIB_VOTE_SMALL_BYTES 63

/* The state; never copy a CalibVote by value (the small form is inline). */
typedef struct CalibVote
{
	const CalibMem *mem;
	void	   *mem_arg;
	int64_t		n;				/* rows counted */
	CalibVoteTable *big;		/* NULL while the small form holds everything */
	uint32_t	small_count[CALIB_VOTE_SMALL_ENTRIES];
	uint8_t		small_len[CALIB_VOTE_SMALL_ENTRIES];
	uint8_t		nsmall;			/* distinct answers in the small form */
	uint8_t		small_nbytes;
	bool		weighted;
	char		small_bytes[CALIB_VOTE_SMALL_BYTES];
} CalibVote;

typedef struct CalibVoteSummary
{
	int64_t		winner;			/* entry index; -1 when no rows */
	double		votes;			/* winner's count or total weight */
	int64_t		n;
	double		share;			/* votes / total; NaN when total is 0 */
	double		entropy;		/* natural log; NaN when total is 0 */
	int64_t		distinct_answers;
	bool		overflow;		/* the total weight is not finite */
} CalibVoteSummary;

typedef enum CalibVoteStatus
{
	CALIB_VOTE_OK = 0,
	CALIB_VOTE_TOO_MANY,		/* more distinct answers or bytes than allowed */
	CALIB_VOTE_CORRUPT			/* deserialize: not a valid state */
} CalibVoteStatus;

/* mem must outlive v (a static struct); arg is passed to its functions. */
void		calib_vote_init(CalibVote *v, const CalibMem *mem, void *arg, bool weighted);
void		calib_vote_free(CalibVote *v);	/* the arrays, not v itself */

uint32_t	calib_vote_hash(const char *s, size_t len);

/* Count one answer; weighted states also keep its weight (finite, >= 0,
 * checked by the caller). */
CalibVoteStatus calib_vote_add(CalibVote *v, const char *s, size_t len, double weight);

/* dst += src (both weighted or both not). */
CalibVoteStatus calib_vote_merge(CalibVote *dst, const CalibVote *src);

const char *calib_vote_answer(const CalibVote *v, int64_t entry, size_t *len);

/* Distinct answers counted so far (entries 0 .. this - 1). */
uint32_t	calib_vote_distinct(const CalibVote *v);

/* Serialised size, and writing into a buffer of exactly that size. */
uint64_t	calib_vote_wire_size(const CalibVote *v);
void		calib_vote_serialize(const CalibVote *v, char *buf);

/* Rebuild a state from bytes of any origin into an initialised, empty v;
 * CALIB_VOTE_CORRUPT unless they are exactly a valid state. */
CalibVoteStatus calib_vote_deserialize(CalibVote *v, const char *buf, size_t len);

/* Winner, shares and entropy; v is not changed (its mem provides scratch). */
void		calib_vote_summarize(CalibVote *v, CalibVoteSummary *out);

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
