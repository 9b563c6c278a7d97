/*
 * vote.c -- the answer-count table behind calib.vote and calib.agreement,
 * its wire format, the order-independent summaries, and best-of-N.
 */
#include "vote.h"

#include <math.h>
#include <string.h>

#include "scores.h"

/* ------------------------------------------------------------- hashing */

/* A multiply-xorshift hash over 8-byte words; answers are short, so the
 * whole answer is hashed once per row and never again. */
uint32_t
calib_vote_hash(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	uint64_t	h = UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t) len;
	uint64_t	k;

	while (len >= 8)
	{
		memcpy(&k, p, 8);
		h = (h ^ k) * UINT64_C(0xBF58476D1CE4E5B9);
		h ^= h >> 31;
		p += 8;
		len -= 8;
	}
	if (len > 0)
	{
		/* the last 1..7 bytes, little end first, without a memcpy call */
		k = 0;
		for (size_t i = 0; i < len; i++)
			k |= (uint64_t) p[i] << (8 * i);
		h = (h ^ k) * UINT64_C(0x94D049BB133111EB);
		h ^= h >> 29;
	}
	h *= UINT64_C(0xD6E8FEB86659FD93);
	h ^= h >> 32;
	return (uint32_t) h;
}

/* ------------------------------------------------------------- memory */

static void *
mem_alloc(CalibVote *v, size_t n)
{
	return v->mem->grow(v->mem_arg, NULL, 0, n);
}

/* Grow an array that may still be the struct's inline storage. */
static void *
mem_regrow(CalibVote *v, void *p, const void *inline_p, size_t old, size_t n)
{
	void	   *q;

	if (p != inline_p)
		return v->mem->grow(v->mem_arg, p, old, n);
	q = mem_alloc(v, n);
	memcpy(q, p, old);
	return q;
}

void
calib_vote_init(CalibVote *v, const CalibMem *mem, void *arg, bool weighted)
{
	memset(v, 0, offsetof(CalibVote, inline_entries));
	v->mem = mem;
	v->mem_arg = arg;
	v->weighted = weighted;
	v->entries = v->inline_entries;
	v->cap_entries = CALIB_VOTE_INLINE_ENTRIES;
	v->bytes = v->inline_bytes;
	v->cap_bytes = CALIB_VOTE_INLINE_BYTES;
}

void
calib_vote_free(CalibVote *v)
{
	if (v->entries != v->inline_entries)
		v->mem->release(v->mem_arg, v->entries);
	if (v->bytes != v->inline_bytes)
		v->mem->release(v->mem_arg, v->bytes);
	if (v->slots)
		v->mem->release(v->mem_arg, v->slots);
	if (v->w)
		v->mem->release(v->mem_arg, v->w);
	v->entries = v->inline_entries;
	v->bytes = v->inline_bytes;
	v->slots = NULL;
	v->w = NULL;
}

/* ------------------------------------------------------------- lookup */

static inline bool
entry_is(const CalibVote *v, const CalibVoteEntry *e, const char *s, size_t len, uint32_t h)
{
	return e->hash == h && e->len == len && memcmp(v->bytes + e->off, s, len) == 0;
}

/* Index of the answer, or -1; *slot is where it would go in v->slots. */
static int64_t
find(const CalibVote *v, const char *s, size_t len, uint32_t h, uint32_t *slot)
{
	if (v->nslots == 0)
	{
		for (uint32_t i = 0; i < v->nentries; i++)
			if (entry_is(v, &v->entries[i], s, len, h))
				return i;
		return -1;
	}
	for (uint32_t mask = v->nslots - 1, i = h & mask;; i = (i + 1) & mask)
	{
		uint32_t	e = v->slots[i];

		if (e == 0)
		{
			*slot = i;
			return -1;
		}
		if (entry_is(v, &v->entries[e - 1], s, len, h))
			return e - 1;
	}
}

/* (Re)build the slot index with nslots slots (a power of two). */
static void
rebuild_slots(CalibVote *v, uint32_t nslots)
{
	if (v->slots)
		v->mem->release(v->mem_arg, v->slots);
	v->slots = mem_alloc(v, (size_t) nslots * sizeof(uint32_t));
	memset(v->slots, 0, (size_t) nslots * sizeof(uint32_t));
	v->nslots = nslots;
	for (uint32_t e = 0; e < v->nentries; e++)
	{
		uint32_t	i = v->entries[e].hash & (nslots - 1);

		while (v->slots[i] != 0)
			i = (i + 1) & (nslots - 1);
		v->slots[i] = e + 1;
	}
}

/* Append a new answer with `count` rows; returns its index or -1. */
static int64_t
insert(CalibVote *v, const char *s, size_t len, uint32_t h, uint32_t slot, int64_t count)
{
	CalibVoteEntry *e;

	if (v->nentries >= CALIB_VOTE_MAX_ENTRIES || len > CALIB_VOTE_MAX_BYTES - v->nbytes)
		return -1;
	if (v->nentries == v->cap_entries)
	{
		uint32_t	cap = v->cap_entries * 2;

		v->entries = mem_regrow(v, v->entries, v->inline_entries,
								(size_t) v->cap_entries * sizeof(CalibVoteEntry),
								(size_t) cap * sizeof(CalibVoteEntry));
		v->cap_entries = cap;
	}
	if (v->nbytes + len > v->cap_bytes)
	{
		uint64_t	cap = (uint64_t) v->cap_bytes * 2;

		while (cap < v->nbytes + len)
			cap *= 2;	/* a power of two <= 2^31 */
		v->bytes = mem_regrow(v, v->bytes, v->inline_bytes, v->nbytes, cap);
		v->cap_bytes = (uint32_t) cap;
	}
	e = &v->entries[v->nentries];
	e->hash = h;
	e->len = (uint32_t) len;
	e->off = v->nbytes;
	e->count = count;
	if (len > 0)
		memcpy(v->bytes + v->nbytes, s, len);
	v->nbytes += len;
	v->nentries++;

	if (v->nslots != 0)
	{
		v->slots[slot] = v->nentries;
		if ((uint64_t) v->nentries * 2 > v->nslots)
			rebuild_slots(v, v->nslots * 2);
	}
	else if (v->nentries > CALIB_VOTE_LINEAR_MAX)
		rebuild_slots(v, 64);
	return v->nentries - 1;
}

static void
append_weight(CalibVote *v, double w, uint32_t entry)
{
	if (v->nw == v->cap_w)
	{
		int64_t		cap = v->cap_w ? v->cap_w * 2 : 16;

		v->w = v->w ? v->mem->grow(v->mem_arg, v->w, (size_t) v->cap_w * sizeof(CalibVoteWeight),
								  (size_t) cap * sizeof(CalibVoteWeight))
			: mem_alloc(v, (size_t) cap * sizeof(CalibVoteWeight));
		v->cap_w = cap;
	}
	v->w[v->nw].w = w + 0.0;	/* -0.0 becomes 0.0 */
	v->w[v->nw].entry = entry;
	v->nw++;
}

CalibVoteStatus
calib_vote_add(CalibVote *v, const char *s, size_t len, double weight)
{
	uint32_t	h = calib_vote_hash(s, len),
				slot = 0;
	int64_t		e = find(v, s, len, h, &slot);

	if (e >= 0)
		v->entries[e].count++;
	else if ((e = insert(v, s, len, h, slot, 1)) < 0)
		return CALIB_VOTE_TOO_MANY;
	v->n++;
	if (v->weighted)
		append_weight(v, weight + 0.0, (uint32_t) e);	/* -0.0 is stored as 0.0 */
	return CALIB_VOTE_OK;
}

const char *
calib_vote_answer(const CalibVote *v, int64_t entry, size_t *len)
{
	*len = v->entries[entry].len;
	return v->bytes + v->entries[entry].off;
}

CalibVoteStatus
calib_vote_merge(CalibVote *dst, const CalibVote *src)
{
	uint32_t   *map = NULL;

	if (src->weighted && src->nentries > 0)
		map = mem_alloc(dst, (size_t) src->nentries * sizeof(uint32_t));
	for (uint32_t i = 0; i < src->nentries; i++)
	{
		const CalibVoteEntry *se = &src->entries[i];
		const char *s = src->bytes + se->off;
		uint32_t	slot = 0;
		int64_t		e = find(dst, s, se->len, se->hash, &slot);

		if (e >= 0)
			dst->entries[e].count += se->count;
		else if ((e = insert(dst, s, se->len, se->hash, slot, se->count)) < 0)
		{
			if (map)
				dst->mem->release(dst->mem_arg, map);
			return CALIB_VOTE_TOO_MANY;
		}
		if (map)
			map[i] = (uint32_t) e;
	}
	dst->n += src->n;
	for (int64_t i = 0; i < src->nw; i++)
		append_weight(dst, src->w[i].w, map[src->w[i].entry]);
	if (map)
		dst->mem->release(dst->mem_arg, map);
	return CALIB_VOTE_OK;
}

/* ------------------------------------------------------------- wire format
 *
 *   u32 magic, u32 flags (bit 0: weighted), i64 n, u32 nentries,
 *   u64 nbytes, i64 nw,
 *   nentries x (u32 len, i64 count), nbytes answer bytes,
 *   nw x (u32 entry, f64 weight)
 *
 * Native byte order: states only travel between processes of one server.
 */
#define WIRE_MAGIC 0x544F5643u	/* "CVOT" */
#define WIRE_HEADER (4 + 4 + 8 + 4 + 8 + 8)
#define WIRE_ENTRY (4 + 8)
#define WIRE_WEIGHT (4 + 8)

uint64_t
calib_vote_wire_size(const CalibVote *v)
{
	return WIRE_HEADER + (uint64_t) v->nentries * WIRE_ENTRY + v->nbytes +
		(uint64_t) v->nw * WIRE_WEIGHT;
}

#define PUT(p, x) (memcpy((p), &(x), sizeof(x)), (p) += sizeof(x))
#define GET(p, x) (memcpy(&(x), (p), sizeof(x)), (p) += sizeof(x))

void
calib_vote_serialize(const CalibVote *v, char *p)
{
	uint32_t	magic = WIRE_MAGIC,
				flags = v->weighted ? 1 : 0;
	uint64_t	nbytes = v->nbytes;

	PUT(p, magic);
	PUT(p, flags);
	PUT(p, v->n);
	PUT(p, v->nentries);
	PUT(p, nbytes);
	PUT(p, v->nw);
	for (uint32_t i = 0; i < v->nentries; i++)
	{
		PUT(p, v->entries[i].len);
		PUT(p, v->entries[i].count);
	}
	for (uint32_t i = 0; i < v->nentries; i++)
	{
		memcpy(p, v->bytes + v->entries[i].off, v->entries[i].len);
		p += v->entries[i].len;
	}
	for (int64_t i = 0; i < v->nw; i++)
	{
		PUT(p, v->w[i].entry);
		PUT(p, v->w[i].w);
	}
}

CalibVoteStatus
calib_vote_deserialize(CalibVote *v, const char *p, size_t len)
{
	uint32_t	magic,
				flags,
				nentries;
	uint64_t	nbytes,
				sum_len = 0;
	int64_t		n,
				nw,
				sum_count = 0;
	const char *lens,
			   *bytes;
	int64_t    *tally = NULL;
	CalibVoteStatus st = CALIB_VOTE_CORRUPT;

	if (len < WIRE_HEADER)
		return CALIB_VOTE_CORRUPT;
	GET(p, magic);
	GET(p, flags);
	GET(p, n);
	GET(p, nentries);
	GET(p, nbytes);
	GET(p, nw);
	len -= WIRE_HEADER;
	/* sizes first, each against what is left, so nothing can overflow */
	if (magic != WIRE_MAGIC || flags > 1 || n < 0 || nw < 0 ||
		nentries > CALIB_VOTE_MAX_ENTRIES || (uint64_t) nentries * WIRE_ENTRY > len)
		return CALIB_VOTE_CORRUPT;
	len -= (size_t) nentries * WIRE_ENTRY;
	if (nbytes > len)
		return CALIB_VOTE_CORRUPT;
	len -= nbytes;
	if ((uint64_t) nw > len / WIRE_WEIGHT || (uint64_t) nw * WIRE_WEIGHT != len ||
		(flags ? nw != n : nw != 0))
		return CALIB_VOTE_CORRUPT;
	v->weighted = flags == 1;

	lens = p;
	bytes = p + (size_t) nentries * WIRE_ENTRY;
	for (uint32_t i = 0; i < nentries; i++)
	{
		uint32_t	l,
					h,
					slot = 0;
		int64_t		c;

		GET(lens, l);
		GET(lens, c);
		if (l > nbytes - sum_len || c < 1 || c > n - sum_count)
			return CALIB_VOTE_CORRUPT;
		h = calib_vote_hash(bytes + sum_len, l);
		if (find(v, bytes + sum_len, l, h, &slot) >= 0)
			return CALIB_VOTE_CORRUPT;	/* the same answer twice */
		if (insert(v, bytes + sum_len, l, h, slot, c) < 0)
			return CALIB_VOTE_TOO_MANY;
		sum_len += l;
		sum_count += c;
	}
	if (sum_len != nbytes || sum_count != n)
		return CALIB_VOTE_CORRUPT;
	v->n = n;

	/* weights: valid values, and exactly `count` of them per answer */
	p = bytes + nbytes;
	if (nw > 0)
	{
		tally = mem_alloc(v, (size_t) nentries * sizeof(int64_t));
		memset(tally, 0, (size_t) nentries * sizeof(int64_t));
	}
	for (int64_t i = 0; i < nw; i++)
	{
		uint32_t	e;
		double		w;

		GET(p, e);
		GET(p, w);
		if (e >= nentries || !(w >= 0.0 && w <= 1.7976931348623157e308) || signbit(w))
			goto done;
		tally[e]++;
		append_weight(v, w, e);
	}
	for (uint32_t i = 0; i < nentries && nw > 0; i++)
		if (tally[i] != v->entries[i].count)
			goto done;
	st = CALIB_VOTE_OK;
done:
	if (tally)
		v->mem->release(v->mem_arg, tally);
	return st;
}

/* ------------------------------------------------------------- summary */

/* Ascending sort; insertion sort for the few answers a prompt usually has. */
static void
sort_doubles(CalibVote *v, double *x, int64_t n)
{
	if (n <= 32)
	{
		for (int64_t i = 1; i < n; i++)
		{
			double		t = x[i];
			int64_t		j = i;

			for (; j > 0 && x[j - 1] > t; j--)
				x[j] = x[j - 1];
			x[j] = t;
		}
		return;
	}
	{
		double	   *scratch = mem_alloc(v, (size_t) n * sizeof(double));

		calib_sort_doubles(x, n, scratch);
		v->mem->release(v->mem_arg, scratch);
	}
}

/* Each answer's total weight: its weights sorted ascending, then summed. */
static void
weight_totals(CalibVote *v, double *totals)
{
	/* a prompt's few samples fit on the stack: no allocation per group */
	double		small_buf[64];
	int64_t		small_pos[32];
	double	   *buf = v->nw <= 64 ? small_buf
		: mem_alloc(v, (size_t) v->nw * sizeof(double));
	int64_t    *pos = v->nentries <= 32 ? small_pos
		: mem_alloc(v, (size_t) v->nentries * sizeof(int64_t));
	int64_t		off = 0;

	for (uint32_t e = 0; e < v->nentries; e++)
	{
		pos[e] = off;
		off += v->entries[e].count;
	}
	for (int64_t i = 0; i < v->nw; i++)
		buf[pos[v->w[i].entry]++] = v->w[i].w;
	off = 0;
	for (uint32_t e = 0; e < v->nentries; e++)
	{
		double		sum = 0.0;
		int64_t		c = v->entries[e].count;

		sort_doubles(v, buf + off, c);
		for (int64_t i = 0; i < c; i++)
			sum += buf[off + i];
		totals[e] = sum;
		off += c;
	}
	if (pos != small_pos)
		v->mem->release(v->mem_arg, pos);
	if (buf != small_buf)
		v->mem->release(v->mem_arg, buf);
}

/* Whether answer a beats answer b: more votes, then smaller bytes. */
static bool
beats(const CalibVote *v, const double *totals, uint32_t a, uint32_t b)
{
	const CalibVoteEntry *ea = &v->entries[a],
			   *eb = &v->entries[b];
	int			c;

	if (totals[a] != totals[b])
		return totals[a] > totals[b];
	c = memcmp(v->bytes + ea->off, v->bytes + eb->off, ea->len < eb->len ? ea->len : eb->len);
	return c < 0 || (c == 0 && ea->len < eb->len);
}

void
calib_vote_summarize(CalibVote *v, CalibVoteSummary *out)
{
	double		small[2 * 32];
	double	   *totals = small,
			   *sorted;
	double		total = 0.0,
				entropy = 0.0;
	uint32_t	best = 0;

	out->n = v->n;
	out->distinct_answers = v->nentries;
	out->overflow = false;
	if (v->nentries == 0)
	{
		out->winner = -1;
		out->votes = out->share = out->entropy = NAN;
		return;
	}
	if (v->nentries > 32)
		totals = mem_alloc(v, (size_t) v->nentries * 2 * sizeof(double));
	sorted = totals + v->nentries;

	if (v->weighted)
		weight_totals(v, totals);
	else
		for (uint32_t e = 0; e < v->nentries; e++)
			totals[e] = (double) v->entries[e].count;	/* exact below 2^53 */

	for (uint32_t e = 1; e < v->nentries; e++)
		if (beats(v, totals, e, best))
			best = e;

	/* total and entropy over the totals in ascending order */
	memcpy(sorted, totals, (size_t) v->nentries * sizeof(double));
	sort_doubles(v, sorted, v->nentries);
	for (uint32_t e = 0; e < v->nentries; e++)
		total += sorted[e];
	for (uint32_t e = 0; e < v->nentries && total > 0.0; e++)
	{
		double		p = sorted[e] / total;

		if (p > 0.0)
			entropy -= p * log(p);
	}

	out->overflow = !isfinite(total);	/* finite weights, infinite sum */
	out->winner = best;
	out->votes = totals[best];
	out->share = total > 0.0 ? totals[best] / total : NAN;
	out->entropy = total > 0.0 ? entropy : NAN;
	if (totals != small)
		v->mem->release(v->mem_arg, totals);
}

double
calib_vote_agreement(const CalibVote *v)
{
	uint64_t	n = (uint64_t) v->n;

	if (n < 2)
		return NAN;
#ifdef __SIZEOF_INT128__
	{
		/* exact: sum c (c - 1) <= n (n - 1) < 2^126 */
		unsigned __int128 same = 0;

		for (uint32_t e = 0; e < v->nentries; e++)
		{
			uint64_t	c = (uint64_t) v->entries[e].count;

			same += (unsigned __int128) c * (c - 1);
		}
		return (double) same / ((double) n * (double) (n - 1));
	}
#else
	{
		long double same = 0;

		for (uint32_t e = 0; e < v->nentries; e++)
		{
			long double c = (long double) v->entries[e].count;

			same += c * (c - 1);
		}
		return (double) (same / ((long double) n * (long double) (n - 1)));
	}
#endif
}

/* ---------------------------------------------------------- best of N */

void
calib_best_of_add(CalibBestOf *b, double score, bool correct)
{
	if (b->n == 0 || score > b->top)
	{
		b->top = score + 0.0;
		b->ntop = 0;
		b->ntop_correct = 0;
	}
	if (score == b->top)
	{
		b->ntop++;
		b->ntop_correct += correct;
	}
	b->n++;
}

void
calib_best_of_merge(CalibBestOf *dst, const CalibBestOf *src)
{
	if (src->n == 0)
		return;
	if (dst->n == 0 || src->top > dst->top)
	{
		int64_t		n = dst->n;

		*dst = *src;
		dst->n += n;
		return;
	}
	if (src->top == dst->top)
	{
		dst->ntop += src->ntop;
		dst->ntop_correct += src->ntop_correct;
	}
	dst->n += src->n;
}

double
calib_best_of_result(const CalibBestOf *b)
{
	if (b->n == 0)
		return NAN;
	return (double) b->ntop_correct / (double) b->ntop;
}
