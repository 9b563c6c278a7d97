/*
 * bootstrap.h -- a seeded pseudo-random generator and the bootstrap of the
 * binned ECE.  Plain C.
 *
 * Reproducibility: the generator is xoshiro256** seeded through splitmix64,
 * both fully specified integer recurrences, so a seed gives the same stream
 * on every platform.  Rows are resampled from a canonical order that does
 * not depend on the input order: the correct answers' confidences ascending,
 * then the wrong answers' ascending (the sorted arrays of scores.h).
 */
#ifndef CALIB_BOOTSTRAP_H
#define CALIB_BOOTSTRAP_H

#include <stdint.h>

#include "binning.h"
#include "scores.h"

#define CALIB_MAX_RESAMPLES 100000

typedef struct CalibRng
{
	uint64_t	s[4];
} CalibRng;

uint64_t	calib_splitmix64(uint64_t *state);
void		calib_rng_seed(CalibRng *r, uint64_t seed);
uint64_t	calib_rng_next(CalibRng *r);
/* Uniform on [0, n), n >= 1, without modulo bias (Lemire's method). */
uint64_t	calib_rng_below(CalibRng *r, uint64_t n);

typedef struct CalibBootstrap
{
	const CalibScores *s;
	int			bins;
	uint32_t   *count;			/* times each canonical row is drawn */
	int64_t    *start;			/* first row of each bin: correct ones at
								 * [0, bins], wrong ones at [bins + 1, ..] */
	CalibBinAcc *acc;			/* bins counters, scratch */
	CalibRng	rng;
} CalibBootstrap;

/* Scratch: count for npos + nneg, start for 2 (bins + 1), acc for bins. */
void		calib_bootstrap_init(CalibBootstrap *b, const CalibScores *s, int bins,
								 uint64_t seed, uint32_t *count, int64_t *start,
								 CalibBinAcc *acc);

/* ECE of the next resample: n rows drawn with replacement. */
double		calib_bootstrap_ece(CalibBootstrap *b);

/* percentile_cont(q) of v[0 .. n) sorted ascending, n >= 1. */
double		calib_percentile_sorted(const double *v, int64_t n, double q);

#endif
