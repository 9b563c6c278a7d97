/*
 * bootstrap.c -- splitmix64, xoshiro256** (Blackman & Vigna) and the
 * percentile bootstrap of the binned ECE.
 */
#include "bootstrap.h"

#include <math.h>
#include <string.h>

uint64_t
calib_splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
calib_rng_seed(CalibRng *r, uint64_t seed)
{
	uint64_t	st = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = calib_splitmix64(&st);	/* never all zero */
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
calib_rng_next(CalibRng *r)
{
	uint64_t   *s = r->s,
				result = rotl(s[1] * 5, 7) * 9,
				t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire (2019): the high word of x * n, rejecting the few x that would bias it. */
uint64_t
calib_rng_below(CalibRng *r, uint64_t n)
{
	__uint128_t m = (__uint128_t) calib_rng_next(r) * n;
	uint64_t	low = (uint64_t) m;

	if (low < n)
	{
		uint64_t	threshold = -n % n;

		while (low < threshold)
		{
			m = (__uint128_t) calib_rng_next(r) * n;
			low = (uint64_t) m;
		}
	}
	return (uint64_t) (m >> 64);
}

/* start[k] = first index of v (ascending) in bin k or later, k = 0 .. bins. */
static void
bin_starts(const double *v, int64_t n, int bins, int64_t *start)
{
	int64_t		i = 0;

	for (int k = 0; k < bins; k++)
	{
		start[k] = i;
		while (i < n && calib_bin_index(v[i], bins) == k)
			i++;
	}
	start[bins] = n;
}

void
calib_bootstrap_init(CalibBootstrap *b, const CalibScores *s, int bins,
					 uint64_t seed, uint32_t *count, int64_t *start, CalibBinAcc *acc)
{
	b->s = s;
	b->bins = bins;
	b->count = count;
	b->start = start;
	b->acc = acc;
	calib_rng_seed(&b->rng, seed);
	bin_starts(s->pos, s->npos, bins, start);
	bin_starts(s->neg, s->nneg, bins, start + bins + 1);
}

/*
 * Draw n row numbers, counting how often each row is drawn (one random
 * memory access per draw), then add up each bin's rows in canonical order:
 * the sorted arrays keep every bin a contiguous range.
 */
double
calib_bootstrap_ece(CalibBootstrap *b)
{
	const CalibScores *s = b->s;
	uint64_t	n = (uint64_t) (s->npos + s->nneg);
	uint32_t   *count = b->count;
	const int64_t *sp = b->start,
			   *sn = b->start + b->bins + 1;
	CalibBinnedError err;

	memset(count, 0, n * sizeof(uint32_t));
	for (uint64_t i = 0; i < n; i++)
		count[calib_rng_below(&b->rng, n)]++;
	for (int k = 0; k < b->bins; k++)
	{
		CalibBinAcc *a = &b->acc[k];
		int64_t		rows = 0,
					correct;
		double		conf = 0.0;

		for (int64_t j = sp[k]; j < sp[k + 1]; j++)
		{
			rows += count[j];
			conf += count[j] * s->pos[j];
		}
		correct = rows;
		for (int64_t j = sn[k]; j < sn[k + 1]; j++)
		{
			rows += count[s->npos + j];
			conf += count[s->npos + j] * s->neg[j];
		}
		a->n = rows;
		a->n_correct = correct;
		a->sum_conf = conf;
	}
	calib_binned_error(b->acc, b->bins, &err);
	return err.ece;
}

double
calib_percentile_sorted(const double *v, int64_t n, double q)
{
	double		pos = q * (double) (n - 1);
	int64_t		lo = (int64_t) floor(pos),
				hi = (int64_t) ceil(pos);

	if (hi == lo)
		return v[lo];
	return v[lo] + (v[hi] - v[lo]) * (pos - (double) lo);
}
