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

void
calib_bootstrap_init(CalibBootstrap *b, const CalibScores *s, int bins,
					 uint64_t seed, int32_t *bin, CalibBinAcc *acc)
{
	b->s = s;
	b->bins = bins;
	b->bin = bin;
	b->acc = acc;
	calib_rng_seed(&b->rng, seed);
	for (int64_t j = 0; j < s->npos; j++)
		bin[j] = calib_bin_index(s->pos[j], bins);
	for (int64_t j = 0; j < s->nneg; j++)
		bin[s->npos + j] = calib_bin_index(s->neg[j], bins);
}

double
calib_bootstrap_ece(CalibBootstrap *b)
{
	const CalibScores *s = b->s;
	uint64_t	n = (uint64_t) (s->npos + s->nneg),
				npos = (uint64_t) s->npos;
	CalibBinnedError err;

	memset(b->acc, 0, sizeof(CalibBinAcc) * b->bins);
	for (uint64_t i = 0; i < n; i++)
	{
		uint64_t	j = calib_rng_below(&b->rng, n);
		CalibBinAcc *a = &b->acc[b->bin[j]];

		a->n++;
		if (j < npos)
		{
			a->n_correct++;
			a->sum_conf += s->pos[j];
		}
		else
			a->sum_conf += s->neg[j - npos];
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
