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

/* The small form is what keeps a hash aggregate's states small: keep it at
 * 128 bytes (a palloc chunk of 128 plus its header). */
typedef char calib_vote_size_check[sizeof(CalibVote) <= 128 ? 1 : -1];

/* ------------------------------------------------------------- memory */

static void *
mem_alloc(CalibVote *v, size_t n)
{
	return v->mem->grow(v->mem_arg, NULL, 0, n);
}

static void *
mem_regrow(CalibVote *v, void *p, size_t old, size_t n)
{
	return v->mem->grow(v->mem_arg, p, old, n);
}

static void
mem_release(CalibVote *v, void *p)
{
	if (p)
		v->mem->release(v->mem_arg, p);
}

/*
 * A table starts as one allocation holding its first entries, answer bytes
 * and weights (a weighted prompt's handful of samples), so moving into a
 * table costs one allocation, not four; arrays that outgrow it move out.
 */
#define TABLE_FIRST_ENTRIES 6
#define TABLE_FIRST_BYTES 64
#define TABLE_FIRST_WEIGHTS 12

typedef struct TableBlock
{
	CalibVoteTable t;
	CalibVoteEntry entries[TABLE_FIRST_ENTRIES];
	CalibVoteWeight w[TABLE_FIRST_WEIGHTS];
	char		bytes[TABLE_FIRST_BYTES];
} TableBlock;

/* one allocator size class */
typedef char calib_vote_table_size_check[sizeof(TableBlock) <= 512 ? 1 : -1];

static bool
in_block(const CalibVoteTable *t, const void *p)
{
	uintptr_t	b = (uintptr_t) t,
				q = (uintptr_t) p;

	return q >= b && q < b + sizeof(TableBlock);
}

/* Grow an array of t that may still live in t's own block. */
static void *
table_regrow(CalibVote *v, CalibVoteTable *t, void *p, size_t old, size_t n)
{
	void	   *q;

	if (!in_block(t, p))
		return mem_regrow(v, p, old, n);
	q = mem_alloc(v, n);
	memcpy(q, p, old);
	return q;
}

static void
table_release(CalibVote *v, CalibVoteTable *t, void *p)
{
	if (!in_block(t, p))
		mem_release(v, p);
}

void
calib_vote_init(CalibVote *v, const CalibMem *mem, void *arg, bool weighted)
{
	/* the small arrays are read only up to nsmall and small_nbytes */
	memset(v, 0, offsetof(CalibVote, small_count));
	v->nsmall = 0;
	v->small_nbytes = 0;
	v->mem = mem;
	v->mem_arg = arg;
	v->weighted = weighted;
}

void
calib_vote_free(CalibVote *v)
{
	CalibVoteTable *t = v->big;

	if (t == NULL)
		return;
	table_release(v, t, t->entries);
	table_release(v, t, t->bytes);
	mem_release(v, t->slots);
	table_release(v, t, t->w);
	mem_release(v, t);
	v->big = NULL;
	v->n = 0;
	v->nsmall = 0;
	v->small_nbytes = 0;
}

/* ------------------------------------------------------- the small form */

/*
 * Equality of two answers of len bytes.  Answers are mostly short, and a
 * library memcmp call costs more than the comparison: up to 16 bytes are
 * compared as two (overlapping) words, never reading outside either answer.
 */
/* Per-row helpers the compiler must not leave as calls. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE static inline __attribute__((always_inline))
#else
#define HOT_INLINE static inline
#endif

/* The first and the last w bytes of a and b (len >= w) are the same. */
HOT_INLINE bool
ends_equal(const char *a, const char *b, size_t len, size_t w)
{
	uint64_t	x = 0,
				y = 0,
				x2 = 0,
				y2 = 0;

	memcpy(&x, a, w);
	memcpy(&y, b, w);
	memcpy(&x2, a + len - w, w);
	memcpy(&y2, b + len - w, w);
	return x == y && x2 == y2;
}

HOT_INLINE bool
bytes_equal(const char *a, const char *b, size_t len)
{
	if (len >= 8 && len <= 16)
		return ends_equal(a, b, len, 8);
	if (len >= 4 && len < 8)
		return ends_equal(a, b, len, 4);
	if (len < 4)
	{
		for (size_t i = 0; i < len; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	return memcmp(a, b, len) == 0;
}

/* Index of the answer in the small form, or -1. */
HOT_INLINE int
small_find(const CalibVote *v, const char *s, size_t len)
{
	const char *p = v->small_bytes;

	for (int i = 0; i < v->nsmall; i++)
	{
		if (v->small_len[i] == len && bytes_equal(p, s, len))
			return i;
		p += v->small_len[i];
	}
	return -1;
}

/* Whether one more answer of len bytes fits in the small form. */
static inline bool
small_has_room(const CalibVote *v, size_t len)
{
	return v->nsmall < CALIB_VOTE_SMALL_ENTRIES &&
		len <= (size_t) (CALIB_VOTE_SMALL_BYTES - v->small_nbytes);
}

static void
small_append(CalibVote *v, const char *s, size_t len, int64_t count)
{
	if (len > 0)
		memcpy(v->small_bytes + v->small_nbytes, s, len);
	v->small_len[v->nsmall] = (uint8_t) len;
	v->small_count[v->nsmall] = (uint32_t) count;
	v->small_nbytes += (uint8_t) len;
	v->nsmall++;
}

/*
 * The answers as a CalibVoteTable whatever the form: the state's own table,
 * or `view` filled in from the small form (its entries in `ents`; no
 * allocation, no hashes, read only).
 */
static const CalibVoteTable *
table_of(const CalibVote *v, CalibVoteTable *view,
		 CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES])
{
	uint32_t	off = 0;

	if (v->big)
		return v->big;
	memset(view, 0, sizeof(*view));
	for (int i = 0; i < v->nsmall; i++)
	{
		ents[i].hash = 0;
		ents[i].len = v->small_len[i];
		ents[i].off = off;
		ents[i].count = v->small_count[i];
		off += v->small_len[i];
	}
	view->entries = ents;
	view->bytes = (char *) v->small_bytes;
	view->nentries = v->nsmall;
	view->nbytes = off;
	return view;
}

/* ------------------------------------------------------------- lookup */

static inline bool
entry_is(const CalibVoteTable *t, const CalibVoteEntry *e, const char *s, size_t len, uint32_t h)
{
	return e->hash == h && e->len == len && bytes_equal(t->bytes + e->off, s, len);
}

/* Index of the answer, or -1; *slot is where it would go in t->slots. */
static int64_t
find(const CalibVoteTable *t, const char *s, size_t len, uint32_t h, uint32_t *slot)
{
	if (t->nslots == 0)
	{
		for (uint32_t i = 0; i < t->nentries; i++)
			if (entry_is(t, &t->entries[i], s, len, h))
				return i;
		return -1;
	}
	for (uint32_t mask = t->nslots - 1, i = h & mask;; i = (i + 1) & mask)
	{
		uint32_t	e = t->slots[i];

		if (e == 0)
		{
			*slot = i;
			return -1;
		}
		if (entry_is(t, &t->entries[e - 1], s, len, h))
			return e - 1;
	}
}

/* (Re)build the slot index with nslots slots (a power of two). */
static void
rebuild_slots(CalibVote *v, CalibVoteTable *t, uint32_t nslots)
{
	mem_release(v, t->slots);
	t->slots = mem_alloc(v, (size_t) nslots * sizeof(uint32_t));
	memset(t->slots, 0, (size_t) nslots * sizeof(uint32_t));
	t->nslots = nslots;
	for (uint32_t e = 0; e < t->nentries; e++)
	{
		uint32_t	i = t->entries[e].hash & (nslots - 1);

		while (t->slots[i] != 0)
			i = (i + 1) & (nslots - 1);
		t->slots[i] = e + 1;
	}
}

/* Append a new answer with `count` rows; returns its index or -1. */
static int64_t
insert(CalibVote *v, CalibVoteTable *t, const char *s, size_t len, uint32_t h,
	   uint32_t slot, int64_t count)
{
	CalibVoteEntry *e;

	if (t->nentries >= CALIB_VOTE_MAX_ENTRIES || len > CALIB_VOTE_MAX_BYTES - t->nbytes)
		return -1;
	if (t->nentries == t->cap_entries)
	{
		uint32_t	cap = t->cap_entries * 2;

		t->entries = table_regrow(v, t, t->entries,
								(size_t) t->cap_entries * sizeof(CalibVoteEntry),
								(size_t) cap * sizeof(CalibVoteEntry));
		t->cap_entries = cap;
	}
	if ((uint64_t) t->nbytes + len > t->cap_bytes)
	{
		uint64_t	cap = (uint64_t) t->cap_bytes * 2;

		while (cap < (uint64_t) t->nbytes + len)
			cap *= 2;	/* a power of two <= 2^31 */
		t->bytes = table_regrow(v, t, t->bytes, t->nbytes, cap);
		t->cap_bytes = (uint32_t) cap;
	}
	e = &t->entries[t->nentries];
	e->hash = h;
	e->len = (uint32_t) len;
	e->off = t->nbytes;
	e->count = count;
	if (len > 0)
		memcpy(t->bytes + t->nbytes, s, len);
	t->nbytes += len;
	t->nentries++;

	if (t->nslots != 0)
	{
		t->slots[slot] = t->nentries;
		if ((uint64_t) t->nentries * 2 > t->nslots)
			rebuild_slots(v, t, t->nslots * 2);
	}
	else if (t->nentries > CALIB_VOTE_LINEAR_MAX)
		rebuild_slots(v, t, 64);
	return t->nentries - 1;
}

/* Count `count` more rows of an answer in a table; its index or -1. */
static int64_t
table_add(CalibVote *v, CalibVoteTable *t, const char *s, size_t len, int64_t count)
{
	uint32_t	h = calib_vote_hash(s, len),
				slot = 0;
	int64_t		e = find(t, s, len, h, &slot);

	if (e >= 0)
	{
		t->entries[e].count += count;
		return e;
	}
	return insert(v, t, s, len, h, slot, count);
}

/* Move the small form into a new table (once; the small form is emptied). */
static CalibVoteTable *
promote(CalibVote *v)
{
	TableBlock *blk = mem_alloc(v, sizeof(TableBlock));
	CalibVoteTable *t = &blk->t;
	uint32_t	off = 0;

	/* every array starts in the block, so none is ever NULL (bytes + off
	 * is a real pointer even when every answer is empty) */
	memset(t, 0, sizeof(*t));
	t->entries = blk->entries;
	t->cap_entries = TABLE_FIRST_ENTRIES;
	t->bytes = blk->bytes;
	t->cap_bytes = TABLE_FIRST_BYTES;
	t->w = blk->w;
	t->cap_w = TABLE_FIRST_WEIGHTS;
	v->big = t;
	for (int i = 0; i < v->nsmall; i++)
	{
		/* at most 6 answers of 63 bytes: always fits */
		(void) table_add(v, t, v->small_bytes + off, v->small_len[i], v->small_count[i]);
		off += v->small_len[i];
	}
	v->nsmall = 0;
	v->small_nbytes = 0;
	return t;
}

static void
append_weight(CalibVote *v, CalibVoteTable *t, double w, uint32_t entry)
{
	if (t->nw == t->cap_w)
	{
		int64_t		cap = t->cap_w * 2;

		t->w = table_regrow(v, t, t->w, (size_t) t->cap_w * sizeof(CalibVoteWeight),
						  (size_t) cap * sizeof(CalibVoteWeight));
		t->cap_w = cap;
	}
	t->w[t->nw].w = w + 0.0;	/* -0.0 becomes 0.0 */
	t->w[t->nw].entry = entry;
	t->nw++;
}

/* Count `count` rows of an answer, in whichever form the state is; the
 * entry's index in the table (or in the small form), -1 when full. */
static int64_t
add_count(CalibVote *v, const char *s, size_t len, int64_t count)
{
	if (v->big == NULL && !v->weighted)
	{
		int			i = small_find(v, s, len);

		if (i >= 0)
		{
			if ((uint64_t) count <= UINT32_MAX - v->small_count[i])
			{
				v->small_count[i] += (uint32_t) count;
				return i;
			}
		}
		else if (small_has_room(v, len) && (uint64_t) count <= UINT32_MAX)
		{
			small_append(v, s, len, count);
			return v->nsmall - 1;
		}
	}
	return table_add(v, v->big ? v->big : promote(v), s, len, count);
}

CalibVoteStatus
calib_vote_add(CalibVote *v, const char *s, size_t len, double weight)
{
	int64_t		e = add_count(v, s, len, 1);

	if (e < 0)
		return CALIB_VOTE_TOO_MANY;
	v->n++;
	if (v->weighted)
		append_weight(v, v->big, weight + 0.0, (uint32_t) e);	/* -0.0 is stored as 0.0 */
	return CALIB_VOTE_OK;
}

const char *
calib_vote_answer(const CalibVote *v, int64_t entry, size_t *len)
{
	uint32_t	off = 0;

	if (v->big)
	{
		*len = v->big->entries[entry].len;
		return v->big->bytes + v->big->entries[entry].off;
	}
	for (int64_t i = 0; i < entry; i++)
		off += v->small_len[i];
	*len = v->small_len[entry];
	return v->small_bytes + off;
}

uint32_t
calib_vote_distinct(const CalibVote *v)
{
	return v->big ? v->big->nentries : v->nsmall;
}

CalibVoteStatus
calib_vote_merge(CalibVote *dst, const CalibVote *src)
{
	CalibVoteTable view;
	CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES];
	const CalibVoteTable *st = table_of(src, &view, ents);
	uint32_t   *map = NULL;

	if (src->weighted && st->nentries > 0)
		map = mem_alloc(dst, (size_t) st->nentries * sizeof(uint32_t));
	for (uint32_t i = 0; i < st->nentries; i++)
	{
		const CalibVoteEntry *se = &st->entries[i];
		int64_t		e = add_count(dst, st->bytes + se->off, se->len, se->count);

		if (e < 0)
		{
			mem_release(dst, map);
			return CALIB_VOTE_TOO_MANY;
		}
		if (map)
			map[i] = (uint32_t) e;
	}
	dst->n += src->n;
	for (int64_t i = 0; i < st->nw; i++)
		append_weight(dst, dst->big, st->w[i].w, map[st->w[i].entry]);
	mem_release(dst, map);
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
	CalibVoteTable view;
	CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES];
	const CalibVoteTable *t = table_of(v, &view, ents);

	return WIRE_HEADER + (uint64_t) t->nentries * WIRE_ENTRY + t->nbytes +
		(uint64_t) t->nw * WIRE_WEIGHT;
}

#define PUT(p, x) (memcpy((p), &(x), sizeof(x)), (p) += sizeof(x))
#define GET(p, x) (memcpy(&(x), (p), sizeof(x)), (p) += sizeof(x))

void
calib_vote_serialize(const CalibVote *v, char *p)
{
	CalibVoteTable view;
	CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES];
	const CalibVoteTable *t = table_of(v, &view, ents);
	uint32_t	magic = WIRE_MAGIC,
				flags = v->weighted ? 1 : 0;
	uint64_t	nbytes = t->nbytes;

	PUT(p, magic);
	PUT(p, flags);
	PUT(p, v->n);
	PUT(p, t->nentries);
	PUT(p, nbytes);
	PUT(p, t->nw);
	for (uint32_t i = 0; i < t->nentries; i++)
	{
		PUT(p, t->entries[i].len);
		PUT(p, t->entries[i].count);
	}
	for (uint32_t i = 0; i < t->nentries; i++)
	{
		memcpy(p, t->bytes + t->entries[i].off, t->entries[i].len);
		p += t->entries[i].len;
	}
	for (int64_t i = 0; i < t->nw; i++)
	{
		PUT(p, t->w[i].entry);
		PUT(p, t->w[i].w);
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
		uint32_t	l;
		int64_t		c,
					e;

		GET(lens, l);
		GET(lens, c);
		if (l > nbytes - sum_len || c < 1 || c > n - sum_count)
			return CALIB_VOTE_CORRUPT;
		/* a new answer gets the next index; an old one means a repeat */
		e = add_count(v, bytes + sum_len, l, c);
		if (e < 0)
			return CALIB_VOTE_TOO_MANY;
		if ((uint64_t) e != i)
			return CALIB_VOTE_CORRUPT;	/* the same answer twice */
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
		append_weight(v, v->big, w, e);	/* weighted: always a table */
	}
	for (uint32_t i = 0; i < nentries && nw > 0; i++)
		if (tally[i] != v->big->entries[i].count)
			goto done;
	st = CALIB_VOTE_OK;
done:
	mem_release(v, tally);
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
		mem_release(v, scratch);
	}
}

/* log(c) for a count c >= 1, from a table for small counts. */
#define LOG_TABLE_SIZE 256
static double log_table[LOG_TABLE_SIZE];
static bool log_table_ready = false;

static inline double
log_count(double c)
{
	if (c >= LOG_TABLE_SIZE)
		return log(c);
	if (!log_table_ready)
	{
		for (int i = 1; i < LOG_TABLE_SIZE; i++)
			log_table[i] = log((double) i);
		log_table_ready = true;
	}
	return log_table[(int) c];
}

/* Each answer's total weight: its weights sorted ascending, then summed. */
static void
weight_totals(CalibVote *v, const CalibVoteTable *t, double *totals)
{
	/* a prompt's few samples fit on the stack: no allocation per group */
	double		small_buf[64];
	int64_t		small_pos[32];
	double	   *buf = t->nw <= 64 ? small_buf
		: mem_alloc(v, (size_t) t->nw * sizeof(double));
	int64_t    *pos = t->nentries <= 32 ? small_pos
		: mem_alloc(v, (size_t) t->nentries * sizeof(int64_t));
	int64_t		off = 0;

	for (uint32_t e = 0; e < t->nentries; e++)
	{
		pos[e] = off;
		off += t->entries[e].count;
	}
	for (int64_t i = 0; i < t->nw; i++)
		buf[pos[t->w[i].entry]++] = t->w[i].w;
	off = 0;
	for (uint32_t e = 0; e < t->nentries; e++)
	{
		double		sum = 0.0;
		int64_t		c = t->entries[e].count;

		sort_doubles(v, buf + off, c);
		for (int64_t i = 0; i < c; i++)
			sum += buf[off + i];
		totals[e] = sum;
		off += c;
	}
	if (pos != small_pos)
		mem_release(v, pos);
	if (buf != small_buf)
		mem_release(v, buf);
}

/* Whether answer a beats answer b: more votes, then smaller bytes. */
static bool
beats(const CalibVoteTable *t, const double *totals, uint32_t a, uint32_t b)
{
	const CalibVoteEntry *ea = &t->entries[a],
			   *eb = &t->entries[b];
	int			c;

	if (totals[a] != totals[b])
		return totals[a] > totals[b];
	c = memcmp(t->bytes + ea->off, t->bytes + eb->off, ea->len < eb->len ? ea->len : eb->len);
	return c < 0 || (c == 0 && ea->len < eb->len);
}

void
calib_vote_summarize(CalibVote *v, CalibVoteSummary *out)
{
	CalibVoteTable view;
	CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES];
	const CalibVoteTable *t = table_of(v, &view, ents);
	double		small[2 * 32];
	double	   *totals = small,
			   *sorted;
	double		total = 0.0,
				entropy = 0.0;
	uint32_t	best = 0;

	out->n = v->n;
	out->distinct_answers = t->nentries;
	out->overflow = false;
	if (t->nentries == 0)
	{
		out->winner = -1;
		out->votes = out->share = out->entropy = NAN;
		return;
	}
	if (t->nentries > 32)
		totals = mem_alloc(v, (size_t) t->nentries * 2 * sizeof(double));
	sorted = totals + t->nentries;

	if (v->weighted)
		weight_totals(v, t, totals);
	else
		for (uint32_t e = 0; e < t->nentries; e++)
			totals[e] = (double) t->entries[e].count;	/* exact below 2^53 */

	for (uint32_t e = 1; e < t->nentries; e++)
		if (beats(t, totals, e, best))
			best = e;

	/* total and entropy over the totals in ascending order */
	memcpy(sorted, totals, (size_t) t->nentries * sizeof(double));
	sort_doubles(v, sorted, t->nentries);
	for (uint32_t e = 0; e < t->nentries; e++)
		total += sorted[e];
	if (v->weighted)
	{
		for (uint32_t e = 0; e < t->nentries && total > 0.0; e++)
		{
			double		p = sorted[e] / total;

			if (p > 0.0)
				entropy -= p * log(p);
		}
	}
	else
	{
		/* integer counts: ln p = ln c - ln n, with the logarithms of small
		 * integers computed once (a prompt's usual handful of samples) */
		double		ln_n = log_count(total);

		for (uint32_t e = 0; e < t->nentries; e++)
			entropy -= sorted[e] / total * (log_count(sorted[e]) - ln_n);
	}

	out->overflow = !isfinite(total);	/* finite weights, infinite sum */
	out->winner = best;
	out->votes = totals[best];
	out->share = total > 0.0 ? totals[best] / total : NAN;
	out->entropy = total > 0.0 ? entropy : NAN;
	if (totals != small)
		mem_release(v, totals);
}

double
calib_vote_agreement(const CalibVote *v)
{
	CalibVoteTable view;
	CalibVoteEntry ents[CALIB_VOTE_SMALL_ENTRIES];
	const CalibVoteTable *t = table_of(v, &view, ents);
	uint64_t	n = (uint64_t) v->n;

	if (n < 2)
		return NAN;
#ifdef __SIZEOF_INT128__
	{
		/* exact: sum c (c - 1) <= n (n - 1) < 2^126 */
		unsigned __int128 same = 0;

		for (uint32_t e = 0; e < t->nentries; e++)
		{
			uint64_t	c = (uint64_t) t->entries[e].count;

			same += (unsigned __int128) c * (c - 1);
		}
		return (double) same / ((double) n * (double) (n - 1));
	}
#else
	{
		long double same = 0;

		for (uint32_t e = 0; e < t->nentries; e++)
		{
			long double c = (long double) t->entries[e].count;

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
