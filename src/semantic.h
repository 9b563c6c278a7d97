/*
 * semantic.h -- agreement by meaning among sampled answers: semantic entropy
 * from cluster ids (calib.semantic_entropy) and clusters of embeddings
 * (calib.semantic_clusters, semantic_agreement, semantic_labels).  Plain C,
 * no PostgreSQL headers; docs/semantic.md has the definitions.
 *
 * Both aggregate states keep every row of a group (a group is one prompt's
 * sampled answers), so the results are computed by the final function from
 * the multiset of rows alone: the same bits whatever the row order, the
 * parallel split or the merge order.
 *
 * Wire forms (binary send/receive; the text form is "se1:" or "sm1:"
 * followed by the wire bytes in lower-case hexadecimal):
 *
 *   semantic_entropy_state:  'E' 1 flags(bit0: weighted) 0  n(u64)
 *                            n x (id(i64) [logprob(f64 bits), weighted only])
 *   semantic_state:          'S' 1 elem(4|8) flags(bit0: keeps NULL rows)
 *                            dim(u32) threshold(f64 bits) n(u64) trailing(u64)
 *                            n x (nulls_before(u64) dim x value(f32|f64 bits))
 *
 * All integers big-endian.  Decoding validates everything: logprobs finite
 * or -Infinity; values finite, no row all zero; threshold in [-1, 1];
 * dim 0 exactly when there is no row; NULL-row counts only in states that
 * keep them; the length exact.
 */
#ifndef CALIB_SEMANTIC_H
#define CALIB_SEMANTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALIB_SEM_ERRLEN 160

/* ------------------------------------------------ hexadecimal armour */

/* out gets 2 * len characters (no terminator). */
void		calib_hex_encode(const uint8_t *in, size_t len, char *out);

/* in[0 .. 2 * outlen) lower- or upper-case hex into out; false on any
 * other character. */
bool		calib_hex_decode(const char *in, size_t outlen, uint8_t *out);

/* ------------------------------------------- semantic entropy (ids) */

#define CALIB_SE_WEIGHTED 1
#define CALIB_SE_HDR 12

typedef struct CalibSeEntry
{
	int64_t		id;
	double		lp;				/* sequence log-probability; 0 unweighted */
} CalibSeEntry;

static inline size_t
calib_se_entry_wire(uint8_t flags)
{
	return (flags & CALIB_SE_WEIGHTED) ? 16 : 8;
}

/* Wire size for n entries (callers keep n below 2^59). */
static inline size_t
calib_se_wire_size(uint8_t flags, uint64_t n)
{
	return CALIB_SE_HDR + (size_t) n * calib_se_entry_wire(flags);
}

void		calib_se_to_wire(uint8_t flags, const CalibSeEntry *e, uint64_t n, uint8_t *out);

/* Validate a wire form; on success *flags and *n (then decode). */
bool		calib_se_wire_check(const uint8_t *in, size_t len, uint8_t *flags, uint64_t *n,
								char *err, size_t errlen);
void		calib_se_wire_decode(const uint8_t *in, uint8_t flags, uint64_t n, CalibSeEntry *out);

/*
 * Semantic entropy of the entries (sorted in place by id, then log-prob).
 * Unweighted: p(c) = n_c / n.  Weighted: p(c) = sum_{i in c} exp(lp_i - M)
 * / sum_i exp(lp_i - M), M the largest log-prob (log-sum-exp).  Then
 * -sum_c p(c) ln p(c), summed over the clusters in ascending order of p(c)
 * (then id).  NaN when n = 0 or every log-prob is -Infinity.
 * *clusters gets the number of distinct ids; scratch holds n entries.
 */
typedef struct CalibSeMass
{
	double		p;
	int64_t		id;
} CalibSeMass;

double		calib_se_entropy(CalibSeEntry *e, uint64_t n, bool weighted, uint64_t *clusters,
							 CalibSeMass *scratch);

/* ------------------------------------------------- embedding clusters */

#define CALIB_SEM_KEEPS_NULLS 1
#define CALIB_SEM_HDR 32
/* rows (with NULL rows) a state may hold: semantic_labels returns an
 * integer[] of that many elements */
#define CALIB_SEM_MAX_ROWS ((uint64_t) 100000000)

/* The stored rows: row i starts at base + i * stride with an int64 count
 * of NULL rows before it, then dim values of elem (4: float, 8: double)
 * bytes in host order. */
typedef struct CalibSemRows
{
	const unsigned char *base;
	size_t		stride;
	int			elem;
	uint32_t	dim;
	uint64_t	n;
} CalibSemRows;

static inline size_t
calib_sem_stride(int elem, uint32_t dim)
{
	return 8 + (size_t) dim * (size_t) elem;
}

/* Wire size (callers have checked that it fits in size_t). */
static inline size_t
calib_sem_wire_size(const CalibSemRows *r)
{
	return CALIB_SEM_HDR + (size_t) r->n * calib_sem_stride(r->elem, r->dim);
}

void		calib_sem_to_wire(const CalibSemRows *r, uint8_t flags, double threshold,
							  uint64_t trailing, uint8_t *out);

typedef struct CalibSemWireInfo
{
	int			elem;
	uint8_t		flags;
	uint32_t	dim;
	double		threshold;
	uint64_t	n;
	uint64_t	trailing;
} CalibSemWireInfo;

bool		calib_sem_wire_check(const uint8_t *in, size_t len, CalibSemWireInfo *info,
								 char *err, size_t errlen);

/* Decode the rows of a checked wire form into dst (n * stride bytes). */
void		calib_sem_wire_decode(const uint8_t *in, const CalibSemWireInfo *info, unsigned char *dst);

/* Is a row of values acceptable (every value finite, not all zero)?
 * Returns 0 when it is, 1 for a non-finite value (index in *at), 2 for an
 * all-zero row. */
int			calib_sem_check_values(const void *values, int elem, uint32_t dim, uint32_t *at);

/*
 * Connected components of the graph on the rows with an edge between two
 * rows whose cosine (in double precision, see docs/semantic.md) is >=
 * threshold.  label[i] gets row i's component numbered 1, 2, ... by first
 * appearance in row order; returns the number of components.  When
 * edges is not NULL every pair is compared and *edges counts the edges;
 * otherwise pairs already known to be connected are skipped.  Scratch:
 * norm (n doubles), parent (n int64), and for double rows scaled (n * dim
 * doubles; ignored for real rows).
 *
 * Cosine: dot(a, b) / sqrt(dot(a, a) * dot(b, b)), every dot product in
 * double precision with four partial sums (element k to sum k mod 4, then
 * (s0 + s1) + (s2 + s3)); double rows are first scaled by the power of two
 * that brings their largest |value| into [0.5, 1), which is exact and keeps
 * every square finite.  Two equal rows have cosine exactly 1.
 */
uint64_t	calib_sem_components(const CalibSemRows *r, double threshold, int32_t *label,
								 double *norm, int64_t *parent, double *scaled,
								 uint64_t *edges);

/* -sum share ln share over component sizes (sorted ascending in place),
 * the largest share into *largest. */
double		calib_sem_size_entropy(uint64_t *sizes, uint64_t k, uint64_t n, double *largest);

#endif
