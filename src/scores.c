/*
 * scores.c -- sorting and the tie-aware walk over sorted confidences.
 */
#include "scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ sort */

/* Map a double to an unsigned key with the same order (IEEE trick). */
static inline uint64_t
sort_key(double d)
{
	uint64_t	u;

	memcpy(&u, &d, sizeof u);
	return (u & UINT64_C(0x8000000000000000)) ? ~u : u | UINT64_C(0x8000000000000000);
}

int
calib_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * LSD radix sort: six passes of 11-bit digits (2048 buckets, so every scatter
 * pass writes to few enough places to stay in cache), all six histograms
 * counted in one read of the input.  A pass whose digit is the same for every
 * value is skipped.  Small inputs go to qsort.
 */
#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)
#define RADIX_PASSES 6			/* 6 * 11 >= 64 */

void
calib_sort_doubles(double *v, int64_t n, double *scratch)
{
	static const int64_t radix_threshold = 4096;
	static int64_t count[RADIX_PASSES][RADIX_SIZE];
	double	   *src = v,
			   *dst = scratch;

	if (n < radix_threshold)
	{
		qsort(v, (size_t) n, sizeof(double), calib_cmp_double);
		return;
	}
	memset(count, 0, sizeof count);
	for (int64_t i = 0; i < n; i++)
	{
		uint64_t	key = sort_key(v[i]);

		for (int p = 0; p < RADIX_PASSES; p++)
			count[p][(key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
	}
	for (int p = 0; p < RADIX_PASSES; p++)
	{
		int			shift = p * RADIX_BITS;
		int64_t		sum = 0;
		bool		trivial = false;

		for (int d = 0; d < RADIX_SIZE; d++)
		{
			int64_t		c = count[p][d];

			if (c == n)
				trivial = true;
			count[p][d] = sum;	/* now the first output slot of digit d */
			sum += c;
		}
		if (trivial)
			continue;
		for (int64_t i = 0; i < n; i++)
		{
			double		x = src[i];

			dst[count[p][(sort_key(x) >> shift) & (RADIX_SIZE - 1)]++] = x;
		}
		{
			double	   *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != v)
		memcpy(v, src, (size_t) n * sizeof(double));
}

void
calib_sort_tail(double *v, int64_t nsorted, int64_t n, double *scratch)
{
	int64_t		i = 0,
				j = nsorted,
				w = 0;

	if (nsorted >= n)
		return;
	calib_sort_doubles(v + nsorted, n - nsorted, scratch);
	if (nsorted == 0 || v[nsorted - 1] <= v[nsorted])
		return;					/* already in order: nothing to merge */
	/* merge the prefix (copied out) with the tail, writing from the front:
	 * the write position never passes the tail's read position */
	memcpy(scratch, v, (size_t) nsorted * sizeof(double));
	while (i < nsorted && j < n)
		v[w++] = scratch[i] <= v[j] ? scratch[i++] : v[j++];
	while (i < nsorted)
		v[w++] = scratch[i++];
}

/* ------------------------------------------------------------ group walk */

void
calib_group_iter_init(CalibGroupIter *it, const CalibScores *s, bool descending)
{
	it->s = s;
	it->descending = descending;
	it->ip = descending ? s->npos - 1 : 0;
	it->in = descending ? s->nneg - 1 : 0;
}

bool
calib_group_next(CalibGroupIter *it, CalibGroup *g)
{
	const CalibScores *s = it->s;
	int			step = it->descending ? -1 : 1;
	bool		has_p = it->ip >= 0 && it->ip < s->npos;
	bool		has_n = it->in >= 0 && it->in < s->nneg;
	double		v;

	if (!has_p && !has_n)
		return false;
	if (!has_p)
		v = s->neg[it->in];
	else if (!has_n)
		v = s->pos[it->ip];
	else if (it->descending)
		v = s->pos[it->ip] > s->neg[it->in] ? s->pos[it->ip] : s->neg[it->in];
	else
		v = s->pos[it->ip] < s->neg[it->in] ? s->pos[it->ip] : s->neg[it->in];

	g->value = v;
	g->npos = g->nneg = 0;
	while (it->ip >= 0 && it->ip < s->npos && s->pos[it->ip] == v)
	{
		g->npos++;
		it->ip += step;
	}
	while (it->in >= 0 && it->in < s->nneg && s->neg[it->in] == v)
	{
		g->nneg++;
		it->in += step;
	}
	return true;
}

/* --------------------------------------------------------------- metrics */

/*
 * AUROC = P(conf of a correct answer > conf of a wrong one), ties one half:
 * (sum over correct rows of #wrong below + #wrong equal / 2) / (npos nneg).
 */
double
calib_auroc(const CalibScores *s)
{
	CalibGroupIter it;
	CalibGroup	g;
	int64_t		neg_below = 0;
	double		wins = 0.0;

	if (s->npos == 0 || s->nneg == 0)
		return NAN;
	calib_group_iter_init(&it, s, false);
	while (calib_group_next(&it, &g))
	{
		/* 2x to keep the half-counts integral until the end */
		wins += (double) g.npos * (double) (2 * neg_below + g.nneg);
		neg_below += g.nneg;
	}
	return wins / (2.0 * (double) s->npos * (double) s->nneg);
}

/*
 * The k/B quantiles for k = 1 .. B-1 with PostgreSQL's percentile_cont
 * arithmetic (position f(n-1), linear interpolation as float8_lerp), all in
 * one walk: the positions they need never decrease.
 */
void
calib_quantiles(const CalibScores *s, int bins, double *edges)
{
	int64_t		n = s->npos + s->nneg,
				seen = 0;
	CalibGroupIter it;
	CalibGroup	g;
	int			e = 1;
	double		prev = NAN;		/* value at the last position of the
								 * previous group */

	calib_group_iter_init(&it, s, false);
	while (e < bins && calib_group_next(&it, &g))
	{
		int64_t		first = seen;

		seen += g.npos + g.nneg;
		while (e < bins)
		{
			double		pos = ((double) e / (double) bins) * (double) (n - 1);
			int64_t		lo = (int64_t) floor(pos),
						hi = (int64_t) ceil(pos);
			double		a,
						b;

			if (hi >= seen)
				break;			/* needs a later group */
			a = lo >= first ? g.value : prev;
			b = g.value;
			edges[e - 1] = (hi == lo) ? a : a + (b - a) * (pos - (double) lo);
			e++;
		}
		prev = g.value;
	}
	/* positions past the last value cannot happen: hi <= n - 1 */
}

/*
 * Adaptive ECE: inner edges e_1..e_{B-1} are the k/B quantiles; a value goes
 * to the first bin whose upper edge it does not exceed, so ties (and a value
 * equal to an edge) always land together in the lower bin.  Empty bins add 0.
 * `edges` is scratch space for bins - 1 doubles.
 */
double
calib_ace(const CalibScores *s, int bins, double *edges)
{
	int64_t		n = s->npos + s->nneg;
	CalibGroupIter it;
	CalibGroup	g;
	int			k = 0;
	int64_t		bn = 0,
				bpos = 0;
	double		bconf = 0.0,
				ace = 0.0;

	if (n == 0)
		return NAN;
	calib_quantiles(s, bins, edges);

	calib_group_iter_init(&it, s, false);
	while (calib_group_next(&it, &g))
	{
		while (k < bins - 1 && g.value > edges[k])
		{
			if (bn > 0)
				ace += fabs(bconf / (double) bn - (double) bpos / (double) bn) * (double) bn / (double) n;
			bn = bpos = 0;
			bconf = 0.0;
			k++;
		}
		bn += g.npos + g.nneg;
		bpos += g.npos;
		bconf += g.value * (double) (g.npos + g.nneg);
	}
	if (bn > 0)
		ace += fabs(bconf / (double) bn - (double) bpos / (double) bn) * (double) bn / (double) n;
	return ace;
}
