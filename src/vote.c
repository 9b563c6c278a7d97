/*
 * vote.c -- the answer-count table behind calib.vote and calib.agreement,
 * its wire format, the order-independent summaries, and best-of-N.
 */
#include "vote.h"

#include <math.h>
#include <stdio.h>
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

/* The small form is what keeps a hash aggregate's states small: keep it
 * within one 128-byte allocator size class with the varlena copy. */
typedef char calib_vote_size_check[sizeof(CalibVote) <= 112 ? 1 : -1];

/* ------------------------------------------------------------- layout */

/* A weighted group starts as a table with room for a prompt's handful of
 * samples: 6 answers, 64 bytes. */
#define TABLE_FIRST_ENTRIES 6
#define TABLE_FIRST_BYTES 64

static inline bool
is_table(const CalibVote *v)
{
	return (v->flags & CALIB_VOTE_TABLE) != 0;
}

static inline size_t
table_block_size(uint64_t cap_entries, uint64_t nslots, uint64_t cap_bytes, bool weighted)
{
	uint64_t	size = sizeof(CalibVote) + cap_entries * sizeof(CalibVoteEntry) +
		(weighted ? cap_entries * sizeof(CalibExact) : 0) + nslots * sizeof(uint32_t) + cap_bytes;

	/* keep blocks 8-aligned in length (copies stay aligned) */
	size = (size + 7) & ~(uint64_t) 7;
	return size > CALIB_VOTE_MAX_BLOCK ? 0 : (size_t) size;
}

static inline CalibVoteEntry *
t_entries(const CalibVote *v)
{
	return (CalibVoteEntry *) ((char *) v + sizeof(CalibVote));
}

static inline CalibExact *
t_wsum(const CalibVote *v)
{
	return (CalibExact *) (t_entries(v) + v->u.t.cap_entries);
}

static inline uint32_t *
t_slots(const CalibVote *v)
{
	return (uint32_t *) ((char *) t_wsum(v) +
						 (calib_vote_weighted(v) ? (size_t) v->u.t.cap_entries * sizeof(CalibExact) : 0));
}

static inline char *
t_bytes(const CalibVote *v)
{
	return (char *) (t_slots(v) + v->u.t.nslots);
}

size_t
calib_vote_size(const CalibVote *v)
{
	if (!is_table(v))
		return sizeof(CalibVote);
	return table_block_size(v->u.t.cap_entries, v->u.t.nslots, v->u.t.cap_bytes,
							calib_vote_weighted(v));
}

static CalibVote *
alloc_block(const CalibVoteMem *m, size_t size)
{
	CalibVote  *v = m->alloc(m->arg, size);

	/* the owner's first 4 bytes stay as the allocator wrote them */
	memset((char *) v + sizeof(v->vl_len_), 0, size - sizeof(v->vl_len_));
	return v;
}

CalibVote *
calib_vote_new(const CalibVoteMem *m, bool weighted)
{
	CalibVote  *v;

	if (!weighted)
		return alloc_block(m, sizeof(CalibVote));
	v = alloc_block(m, table_block_size(TABLE_FIRST_ENTRIES, 0, TABLE_FIRST_BYTES, true));
	v->flags = CALIB_VOTE_WEIGHTED | CALIB_VOTE_TABLE;
	v->u.t.cap_entries = TABLE_FIRST_ENTRIES;
	v->u.t.cap_bytes = TABLE_FIRST_BYTES;
	return v;
}

/* Place slot index i of entry e (the index has room). */
static void
fill_slots(CalibVote *v)
{
	uint32_t   *slots = t_slots(v),
				mask = v->u.t.nslots - 1;
	const CalibVoteEntry *ents = t_entries(v);

	memset(slots, 0, (size_t) v->u.t.nslots * sizeof(uint32_t));
	for (uint32_t e = 0; e < v->u.t.nentries; e++)
	{
		uint32_t	i = ents[e].hash & mask;

		while (slots[i] != 0)
			i = (i + 1) & mask;
		slots[i] = e + 1;
	}
}

/*
 * A table block with at least the given capacities holding v's table (v
 * must be a table); NULL past CALIB_VOTE_MAX_BLOCK.  The slot index is
 * rebuilt when its size changes.
 */
static CalibVote *
regrow(const CalibVoteMem *m, const CalibVote *v, uint32_t cap_entries, uint32_t nslots,
	   uint32_t cap_bytes)
{
	bool		weighted = calib_vote_weighted(v);
	size_t		size = table_block_size(cap_entries, nslots, cap_bytes, weighted);
	CalibVote  *w;

	if (size == 0)
		return NULL;
	w = alloc_block(m, size);
	w->flags = v->flags;
	w->n = v->n;
	w->u.t = v->u.t;
	w->u.t.cap_entries = cap_entries;
	w->u.t.nslots = nslots;
	w->u.t.cap_bytes = cap_bytes;
	memcpy(t_entries(w), t_entries(v), (size_t) v->u.t.nentries * sizeof(CalibVoteEntry));
	if (weighted)
		memcpy(t_wsum(w), t_wsum(v), (size_t) v->u.t.nentries * sizeof(CalibExact));
	memcpy(t_bytes(w), t_bytes(v), v->u.t.nbytes);
	if (nslots == v->u.t.nslots && nslots > 0)
		memcpy(t_slots(w), t_slots(v), (size_t) nslots * sizeof(uint32_t));
	else if (nslots > 0)
		fill_slots(w);
	return w;
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
	const char *p = v->u.s.bytes;

	for (int i = 0; i < v->nsmall; i++)
	{
		if (v->u.s.len[i] == len && bytes_equal(p, s, len))
			return i;
		p += v->u.s.len[i];
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
		memcpy(v->u.s.bytes + v->small_nbytes, s, len);
	v->u.s.len[v->nsmall] = (uint8_t) len;
	v->u.s.count[v->nsmall] = (uint32_t) count;
	v->small_nbytes += (uint8_t) len;
	v->nsmall++;
}

/* ------------------------------------------------------------- lookup */

static inline bool
entry_is(const char *bytes, const CalibVoteEntry *e, const char *s, size_t len, uint32_t h)
{
	return e->hash == h && e->len == len && bytes_equal(bytes + e->off, s, len);
}

/* Index of the answer, or -1; *slot is where it would go in the slots. */
static int64_t
find(const CalibVote *v, const char *s, size_t len, uint32_t h, uint32_t *slot)
{
	const CalibVoteEntry *ents = t_entries(v);
	const char *bytes = t_bytes(v);

	if (v->u.t.nslots == 0)
	{
		for (uint32_t i = 0; i < v->u.t.nentries; i++)
			if (entry_is(bytes, &ents[i], s, len, h))
				return i;
		return -1;
	}
	{
		const uint32_t *slots = t_slots(v);

		for (uint32_t mask = v->u.t.nslots - 1, i = h & mask;; i = (i + 1) & mask)
		{
			uint32_t	e = slots[i];

			if (e == 0)
			{
				*slot = i;
				return -1;
			}
			if (entry_is(bytes, &ents[e - 1], s, len, h))
				return e - 1;
		}
	}
}

/*
 * Append a new answer with `count` rows (and total weight w) to the table
 * *vp, growing it as needed; its index, or -1 past the size limit.
 */
static int64_t
insert(CalibVote **vp, const CalibVoteMem *m, const char *s, size_t len, uint32_t h,
	   uint32_t slot, int64_t count, CalibExact w)
{
	CalibVote  *v = *vp;
	CalibVoteTableHead *t = &v->u.t;
	CalibVoteEntry *e;
	uint32_t	want_slots = t->nslots;

	if (t->nentries + 1 > CALIB_VOTE_LINEAR_MAX)
	{
		uint64_t	ns = want_slots ? want_slots : 64;

		while ((uint64_t) (t->nentries + 1) * 2 > ns)
			ns *= 2;
		if (ns > UINT32_C(1) << 31)
			return -1;
		want_slots = (uint32_t) ns;
	}
	if (t->nentries == t->cap_entries || len > (size_t) (t->cap_bytes - t->nbytes) ||
		want_slots != t->nslots)
	{
		uint64_t	ce = t->cap_entries,
					cb = t->cap_bytes ? t->cap_bytes : 64;
		CalibVote  *w2;

		if (t->nentries == t->cap_entries)
			ce = ce * 2;
		while (cb < (uint64_t) t->nbytes + len)
			cb *= 2;
		if (ce > CALIB_VOTE_MAX_BLOCK || cb > CALIB_VOTE_MAX_BLOCK)
			return -1;
		w2 = regrow(m, v, (uint32_t) ce, want_slots, (uint32_t) cb);
		if (w2 == NULL)
			return -1;
		*vp = v = w2;
		t = &v->u.t;
		if (want_slots > 0)
			(void) find(v, s, len, h, &slot);	/* its slot in the new index */
	}
	e = &t_entries(v)[t->nentries];
	e->hash = h;
	e->len = (uint32_t) len;
	e->off = t->nbytes;
	e->count = count;
	if (calib_vote_weighted(v))
		t_wsum(v)[t->nentries] = w;
	if (len > 0)
		memcpy(t_bytes(v) + t->nbytes, s, len);
	t->nbytes += (uint32_t) len;
	t->nentries++;
	if (t->nslots != 0)
		t_slots(v)[slot] = t->nentries;
	return t->nentries - 1;
}

/* Count `count` more rows of an answer (weight w) in a table; its index,
 * -1 past the size limit, -2 when its total weight overflows. */
static int64_t
table_add(CalibVote **vp, const CalibVoteMem *m, const char *s, size_t len, int64_t count,
		  CalibExact w)
{
	CalibVote  *v = *vp;
	uint32_t	h = calib_vote_hash(s, len),
				slot = 0;
	int64_t		e = find(v, s, len, h, &slot);

	if (e >= 0)
	{
		if (calib_vote_weighted(v) && !calib_exact_add_to(&t_wsum(v)[e], w))
			return -2;
		t_entries(v)[e].count += count;
		return e;
	}
	return insert(vp, m, s, len, h, slot, count, w);
}

/* The small form *vp as a table (a new block; *vp is replaced). */
static bool
promote(CalibVote **vp, const CalibVoteMem *m)
{
	CalibVote  *v = *vp,
			   *t;
	uint32_t	off = 0;
	int			nsmall = v->nsmall;

	t = alloc_block(m, table_block_size(TABLE_FIRST_ENTRIES, 0, TABLE_FIRST_BYTES, false));
	t->flags = v->flags | CALIB_VOTE_TABLE;
	t->n = v->n;
	t->u.t.cap_entries = TABLE_FIRST_ENTRIES;
	t->u.t.cap_bytes = TABLE_FIRST_BYTES;
	*vp = t;
	for (int i = 0; i < nsmall; i++)
	{
		/* at most 6 answers of 63 bytes: always fits */
		(void) table_add(vp, m, v->u.s.bytes + off, v->u.s.len[i], v->u.s.count[i], CALIB_EXACT_ZERO);
		off += v->u.s.len[i];
	}
	return true;
}

/* Count `count` rows of an answer (total weight w), in whichever form the
 * state is; the entry's index, -1 when full, -2 on weight overflow. */
static int64_t
add_count(CalibVote **vp, const CalibVoteMem *m, const char *s, size_t len, int64_t count,
		  CalibExact w)
{
	CalibVote  *v = *vp;

	if (!is_table(v))
	{
		int			i = small_find(v, s, len);

		if (i >= 0)
		{
			if ((uint64_t) count <= UINT32_MAX - v->u.s.count[i])
			{
				v->u.s.count[i] += (uint32_t) count;
				return i;
			}
		}
		else if (small_has_room(v, len) && (uint64_t) count <= UINT32_MAX)
		{
			small_append(v, s, len, count);
			return v->nsmall - 1;
		}
		promote(vp, m);
	}
	return table_add(vp, m, s, len, count, w);
}

static inline CalibVoteStatus
add_status(int64_t e)
{
	return e >= 0 ? CALIB_VOTE_OK : e == -1 ? CALIB_VOTE_TOO_MANY : CALIB_VOTE_OVERFLOW;
}

CalibVoteStatus
calib_vote_add(CalibVote **vp, const CalibVoteMem *m, const char *s, size_t len, double weight)
{
	CalibVote  *v = *vp;
	int64_t		e;

	/* the hot path: an answer already in the small form */
	if (!is_table(v))
	{
		int			i = small_find(v, s, len);

		if (i >= 0 && v->u.s.count[i] < UINT32_MAX)
		{
			v->u.s.count[i]++;
			v->n++;
			return CALIB_VOTE_OK;
		}
	}
	e = add_count(vp, m, s, len, 1,
				  calib_vote_weighted(v) ? calib_exact_from_double(weight + 0.0) : CALIB_EXACT_ZERO);
	if (e < 0)
		return add_status(e);
	(*vp)->n++;
	return CALIB_VOTE_OK;
}

uint32_t
calib_vote_distinct(const CalibVote *v)
{
	return is_table(v) ? v->u.t.nentries : v->nsmall;
}

const char *
calib_vote_answer(const CalibVote *v, int64_t entry, size_t *len)
{
	uint32_t	off = 0;

	if (is_table(v))
	{
		const CalibVoteEntry *e = &t_entries(v)[entry];

		*len = e->len;
		return t_bytes(v) + e->off;
	}
	for (int64_t i = 0; i < entry; i++)
		off += v->u.s.len[i];
	*len = v->u.s.len[entry];
	return v->u.s.bytes + off;
}

int64_t
calib_vote_count(const CalibVote *v, int64_t entry)
{
	return is_table(v) ? t_entries(v)[entry].count : (int64_t) v->u.s.count[entry];
}

CalibExact
calib_vote_weight(const CalibVote *v, int64_t entry)
{
	return calib_vote_weighted(v) ? t_wsum(v)[entry] : CALIB_EXACT_ZERO;
}

CalibVoteStatus
calib_vote_merge(CalibVote **dst, const CalibVoteMem *m, const CalibVote *src)
{
	uint32_t	k = calib_vote_distinct(src);

	if (calib_vote_weighted(*dst) != calib_vote_weighted(src))
		return CALIB_VOTE_CORRUPT;
	if ((*dst)->n > INT64_MAX - src->n)
		return CALIB_VOTE_OVERFLOW;
	for (uint32_t i = 0; i < k; i++)
	{
		size_t		len;
		const char *a = calib_vote_answer(src, i, &len);
		int64_t		e = add_count(dst, m, a, len, calib_vote_count(src, i),
								  calib_vote_weight(src, i));

		if (e < 0)
			return add_status(e);
	}
	(*dst)->n += src->n;
	return CALIB_VOTE_OK;
}

/* ------------------------------------------------- text and binary forms */

static const char hexdigits[] = "0123456789abcdef";

static size_t
u64_text(uint64_t x, char *out)
{
	char		tmp[24];
	size_t		n = 0;

	do
	{
		tmp[n++] = (char) ('0' + x % 10);
		x /= 10;
	} while (x > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t
calib_vote_text_size(const CalibVote *v)
{
	uint32_t	k = calib_vote_distinct(v);
	size_t		size = 7 + 1 + 20 + 1 + 10 + 1;	/* tag, n, k, NUL */

	for (uint32_t i = 0; i < k; i++)
	{
		size_t		len;

		(void) calib_vote_answer(v, i, &len);
		size += 1 + 20 + 1 + 2 * len + (calib_vote_weighted(v) ? CALIB_EXACT_TEXT_MAX + 1 : 0);
	}
	return size;
}

void
calib_vote_to_text(const CalibVote *v, char *p)
{
	uint32_t	k = calib_vote_distinct(v);
	bool		weighted = calib_vote_weighted(v);

	memcpy(p, weighted ? "wvote1 " : "vote1 ", weighted ? 7 : 6);
	p += weighted ? 7 : 6;
	p += u64_text((uint64_t) v->n, p);
	*p++ = ' ';
	p += u64_text(k, p);
	for (uint32_t i = 0; i < k; i++)
	{
		size_t		len;
		const unsigned char *a = (const unsigned char *) calib_vote_answer(v, i, &len);

		*p++ = ' ';
		p += u64_text((uint64_t) calib_vote_count(v, i), p);
		*p++ = ':';
		if (weighted)
		{
			p += calib_exact_to_text(t_wsum(v)[i], p);
			*p++ = ':';
		}
		for (size_t j = 0; j < len; j++)
		{
			*p++ = hexdigits[a[j] >> 4];
			*p++ = hexdigits[a[j] & 15];
		}
	}
	*p = '\0';
}

/*
 * Loading entries one at a time into a new state, for both input forms:
 * each must be new (an answer twice is impossible), counted >= 1, with a
 * total weight in [0, count * 2^40); at the end the counts must sum to n.
 */
typedef struct Loader
{
	const CalibVoteMem *m;
	CalibVote  *v;
	int64_t		n;
	int64_t		sum;
	uint64_t	k;
	uint64_t	i;
	char	   *err;
	size_t		errlen;
} Loader;

static CalibVoteStatus
load_fail(Loader *L, CalibVoteStatus st, const char *msg)
{
	snprintf(L->err, L->errlen, "%s", msg);
	return st;
}

static CalibVoteStatus
load_entry(Loader *L, const char *a, size_t len, int64_t count, CalibExact w)
{
	int64_t		e;

	if (L->i >= L->k)
		return load_fail(L, CALIB_VOTE_SYNTAX, "more entries than announced");
	if (count < 1)
		return load_fail(L, CALIB_VOTE_CORRUPT, "an answer counted 0 times");
	if (count > L->n - L->sum)
		return load_fail(L, CALIB_VOTE_CORRUPT, "the counts exceed the row count");
	if (calib_vote_weighted(L->v))
	{
		/* w < count * 2^40, that is w's integer part < count * 2^40 */
		if (calib_exact_is_negative(w))
			return load_fail(L, CALIB_VOTE_CORRUPT, "a negative total weight");
		if ((uint64_t) count < (UINT64_C(1) << 23) &&
			w.hi >= ((uint64_t) count << CALIB_EXACT_TERM_BITS))
			return load_fail(L, CALIB_VOTE_CORRUPT, "a total weight above count * 2^40");
	}
	e = add_count(&L->v, L->m, a, len, count, w);
	if (e == -1)
		return load_fail(L, CALIB_VOTE_TOO_MANY, "the state is too large");
	if (e < 0 || (uint64_t) e != L->i)
		return load_fail(L, CALIB_VOTE_CORRUPT, "an answer appears twice");
	L->sum += count;
	L->i++;
	return CALIB_VOTE_OK;
}

static CalibVoteStatus
load_end(Loader *L)
{
	if (L->i != L->k)
		return load_fail(L, CALIB_VOTE_SYNTAX, "fewer entries than announced");
	if (L->sum != L->n)
		return load_fail(L, CALIB_VOTE_CORRUPT, "the counts do not sum to the row count");
	L->v->n = L->n;
	return CALIB_VOTE_OK;
}

/* A decimal integer without sign or leading zeros, at most max. */
static bool
parse_u64(const char **pp, const char *end, uint64_t max, uint64_t *out)
{
	const char *p = *pp;
	uint64_t	x = 0;

	if (p >= end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
	{
		unsigned	d = (unsigned) (*p - '0');

		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*pp = p;
	*out = x;
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

CalibVoteStatus
calib_vote_from_text(const char *s, size_t len, const CalibVoteMem *m, CalibVote **out,
					 char *err, size_t errlen)
{
	const char *p = s,
			   *end = s + len;
	bool		weighted;
	uint64_t	n,
				k;
	Loader		L;
	char	   *buf = NULL;
	size_t		bufcap = 0;
	CalibVoteStatus st = CALIB_VOTE_OK;

	*out = NULL;
	if (len >= 6 && memcmp(s, "vote1 ", 6) == 0)
		weighted = false, p += 6;
	else if (len >= 7 && memcmp(s, "wvote1 ", 7) == 0)
		weighted = true, p += 7;
	else
	{
		snprintf(err, errlen, "expected \"vote1 \" or \"wvote1 \" at the start");
		return CALIB_VOTE_SYNTAX;
	}
	if (!parse_u64(&p, end, INT64_MAX, &n) || p >= end || *p++ != ' ' ||
		!parse_u64(&p, end, UINT32_MAX, &k))
	{
		snprintf(err, errlen, "expected the row count and the number of answers");
		return CALIB_VOTE_SYNTAX;
	}
	L.m = m;
	L.v = calib_vote_new(m, weighted);
	L.n = (int64_t) n;
	L.sum = 0;
	L.k = k;
	L.i = 0;
	L.err = err;
	L.errlen = errlen;
	while (p < end)
	{
		uint64_t	count;
		CalibExact	w = CALIB_EXACT_ZERO;
		const char *h;
		size_t		hlen;

		if (*p++ != ' ' || !parse_u64(&p, end, INT64_MAX, &count) || p >= end || *p++ != ':')
		{
			st = load_fail(&L, CALIB_VOTE_SYNTAX, "expected \" <count>:\" before an answer");
			break;
		}
		if (weighted)
		{
			const char *c = memchr(p, ':', (size_t) (end - p));
			char		werr[128];

			if (c == NULL || !calib_exact_from_text(p, (size_t) (c - p), &w, werr, sizeof werr))
			{
				st = load_fail(&L, CALIB_VOTE_SYNTAX, "expected an exact weight and ':'");
				break;
			}
			p = c + 1;
		}
		h = p;
		while (p < end && *p != ' ')
			p++;
		hlen = (size_t) (p - h);
		if (hlen % 2 != 0)
		{
			st = load_fail(&L, CALIB_VOTE_SYNTAX, "an answer with an odd number of hex digits");
			break;
		}
		if (hlen / 2 > bufcap)
		{
			if (buf)
				m->release(m->arg, buf);
			bufcap = hlen / 2 * 2;
			buf = m->alloc(m->arg, bufcap);
		}
		for (size_t j = 0; j < hlen; j += 2)
		{
			int			hi = hexval(h[j]),
						lo = hexval(h[j + 1]);

			if (hi < 0 || lo < 0)
			{
				st = load_fail(&L, CALIB_VOTE_SYNTAX, "an answer must be lower-case hex digits");
				break;
			}
			buf[j / 2] = (char) (hi << 4 | lo);
		}
		if (st != CALIB_VOTE_OK)
			break;
		st = load_entry(&L, buf, hlen / 2, (int64_t) count, w);
		if (st != CALIB_VOTE_OK)
			break;
	}
	if (buf)
		m->release(m->arg, buf);
	if (st == CALIB_VOTE_OK)
		st = load_end(&L);
	*out = L.v;
	return st;
}

size_t
calib_vote_wire_size(const CalibVote *v)
{
	uint32_t	k = calib_vote_distinct(v);
	size_t		size = 1 + 1 + 8 + 4;

	for (uint32_t i = 0; i < k; i++)
	{
		size_t		len;

		(void) calib_vote_answer(v, i, &len);
		size += 8 + (calib_vote_weighted(v) ? CALIB_EXACT_WIRE_SIZE : 0) + 4 + len;
	}
	return size;
}

static uint8_t *
put_be(uint8_t *p, uint64_t x, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (uint8_t) (x >> (8 * i));
	return p;
}

static uint64_t
get_be(const uint8_t *p, int bytes)
{
	uint64_t	x = 0;

	for (int i = 0; i < bytes; i++)
		x = x << 8 | p[i];
	return x;
}

void
calib_vote_to_wire(const CalibVote *v, uint8_t *p)
{
	uint32_t	k = calib_vote_distinct(v);

	*p++ = 1;
	*p++ = calib_vote_weighted(v) ? 1 : 0;
	p = put_be(p, (uint64_t) v->n, 8);
	p = put_be(p, k, 4);
	for (uint32_t i = 0; i < k; i++)
	{
		size_t		len;
		const char *a = calib_vote_answer(v, i, &len);

		p = put_be(p, (uint64_t) calib_vote_count(v, i), 8);
		if (calib_vote_weighted(v))
		{
			calib_exact_to_wire(t_wsum(v)[i], p);
			p += CALIB_EXACT_WIRE_SIZE;
		}
		p = put_be(p, len, 4);
		memcpy(p, a, len);
		p += len;
	}
}

CalibVoteStatus
calib_vote_from_wire(const uint8_t *p, size_t len, const CalibVoteMem *m, CalibVote **out,
					 char *err, size_t errlen)
{
	const uint8_t *end = p + len;
	Loader		L;
	CalibVoteStatus st = CALIB_VOTE_OK;
	bool		weighted;
	uint64_t	n;

	*out = NULL;
	if (len < 14 || p[0] != 1 || p[1] > 1)
	{
		snprintf(err, errlen, "not a version 1 vote state");
		return CALIB_VOTE_SYNTAX;
	}
	weighted = p[1] == 1;
	n = get_be(p + 2, 8);
	if (n > INT64_MAX)
	{
		snprintf(err, errlen, "a negative row count");
		return CALIB_VOTE_CORRUPT;
	}
	L.m = m;
	L.v = calib_vote_new(m, weighted);
	L.n = (int64_t) n;
	L.sum = 0;
	L.k = get_be(p + 10, 4);
	L.i = 0;
	L.err = err;
	L.errlen = errlen;
	p += 14;
	while (p < end)
	{
		size_t		need = 8 + (weighted ? CALIB_EXACT_WIRE_SIZE : 0) + 4;
		uint64_t	count,
					alen;
		CalibExact	w = CALIB_EXACT_ZERO;

		if ((size_t) (end - p) < need)
		{
			st = load_fail(&L, CALIB_VOTE_SYNTAX, "a truncated entry");
			break;
		}
		count = get_be(p, 8);
		p += 8;
		if (weighted)
		{
			w = calib_exact_from_wire(p);
			p += CALIB_EXACT_WIRE_SIZE;
		}
		alen = get_be(p, 4);
		p += 4;
		if (alen > (uint64_t) (end - p))
		{
			st = load_fail(&L, CALIB_VOTE_SYNTAX, "a truncated answer");
			break;
		}
		if (count > INT64_MAX)
		{
			st = load_fail(&L, CALIB_VOTE_CORRUPT, "the counts exceed the row count");
			break;
		}
		st = load_entry(&L, (const char *) p, (size_t) alen, (int64_t) count, w);
		if (st != CALIB_VOTE_OK)
			break;
		p += alen;
	}
	if (st == CALIB_VOTE_OK)
		st = load_end(&L);
	*out = L.v;
	return st;
}

/* ------------------------------------------------------------- summary */

/* Ascending sort; insertion sort for the few answers a prompt usually has. */
static void
sort_doubles(const CalibVoteMem *m, double *x, int64_t n)
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
		double	   *scratch = m->alloc(m->arg, (size_t) n * sizeof(double));

		calib_sort_doubles(x, n, scratch);
		m->release(m->arg, scratch);
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

/* Whether answer a beats answer b: more votes (exactly), then smaller bytes. */
static bool
beats(const CalibVote *v, const double *totals, uint32_t a, uint32_t b)
{
	size_t		la,
				lb;
	const char *sa = calib_vote_answer(v, a, &la),
			   *sb = calib_vote_answer(v, b, &lb);
	int			c;

	if (calib_vote_weighted(v))
	{
		c = calib_exact_cmp(t_wsum(v)[a], t_wsum(v)[b]);
		if (c != 0)
			return c > 0;
	}
	else if (totals[a] != totals[b])
		return totals[a] > totals[b];
	c = memcmp(sa, sb, la < lb ? la : lb);
	return c < 0 || (c == 0 && la < lb);
}

void
calib_vote_summarize(const CalibVote *v, const CalibVoteMem *m, CalibVoteSummary *out)
{
	uint32_t	k = calib_vote_distinct(v);
	double		small[2 * 32];
	double	   *totals = small,
			   *sorted;
	double		total = 0.0,
				entropy = 0.0;
	uint32_t	best = 0;

	out->n = v->n;
	out->distinct_answers = k;
	out->overflow = false;
	if (k == 0)
	{
		out->winner = -1;
		out->votes = out->share = out->entropy = NAN;
		return;
	}
	if (k > 32)
		totals = m->alloc(m->arg, (size_t) k * 2 * sizeof(double));
	sorted = totals + k;

	if (calib_vote_weighted(v))
	{
		CalibExact	sum = CALIB_EXACT_ZERO;

		for (uint32_t e = 0; e < k; e++)
		{
			totals[e] = calib_exact_to_double(t_wsum(v)[e]);
			if (!calib_exact_add_to(&sum, t_wsum(v)[e]))
				out->overflow = true;
		}
		total = calib_exact_to_double(sum);
	}
	else
	{
		for (uint32_t e = 0; e < k; e++)
		{
			totals[e] = (double) calib_vote_count(v, e);	/* exact below 2^53 */
			total += totals[e];
		}
	}

	for (uint32_t e = 1; e < k; e++)
		if (beats(v, totals, e, best))
			best = e;

	/* entropy over the totals in ascending order */
	memcpy(sorted, totals, (size_t) k * sizeof(double));
	sort_doubles(m, sorted, k);
	if (calib_vote_weighted(v))
	{
		for (uint32_t e = 0; e < k && total > 0.0; e++)
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

		for (uint32_t e = 0; e < k; e++)
			entropy -= sorted[e] / total * (log_count(sorted[e]) - ln_n);
	}

	out->winner = best;
	out->votes = totals[best];
	out->share = total > 0.0 ? totals[best] / total : NAN;
	out->entropy = total > 0.0 ? entropy : NAN;
	if (totals != small)
		m->release(m->arg, totals);
}

double
calib_vote_agreement(const CalibVote *v)
{
	uint32_t	k = calib_vote_distinct(v);
	uint64_t	n = (uint64_t) v->n;

	if (n < 2)
		return NAN;
#ifdef __SIZEOF_INT128__
	{
		/* exact: sum c (c - 1) <= n (n - 1) < 2^126 */
		unsigned __int128 same = 0;

		for (uint32_t e = 0; e < k; e++)
		{
			uint64_t	c = (uint64_t) calib_vote_count(v, e);

			same += (unsigned __int128) c * (c - 1);
		}
		return (double) same / ((double) n * (double) (n - 1));
	}
#else
	{
		long double same = 0;

		for (uint32_t e = 0; e < k; e++)
		{
			long double c = (long double) calib_vote_count(v, e);

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
