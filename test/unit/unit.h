/* test/unit/unit.h -- a tiny assertion kit for the plain-C core's tests, with
 * deterministic generators and a reference comparator. */
#ifndef CALIB_UNIT_H
#define CALIB_UNIT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int	unit_failures = 0;
static int	unit_checks = 0;

#define CHECK(cond) do { unit_checks++; if (!(cond)) { unit_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double _a = (a), _b = (b); unit_checks++; \
	if (!(fabs(_a - _b) <= (tol))) { unit_failures++; \
	fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, _a, _b); } } while (0)

static inline int
unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

/*
 * Small deterministic generators, so a failure reproduces.
 *
 * xorshift64* (rng_next, rng_unit): a test file picks its own sequence by
 * defining UNIT_RNG_SEED (non-zero) before it includes this header.
 */
#ifndef UNIT_RNG_SEED
#define UNIT_RNG_SEED 0x9E3779B97F4A7C15u
#endif

static uint64_t unit_rng_state = UNIT_RNG_SEED;

static inline uint64_t
rng_next(void)
{
	unit_rng_state ^= unit_rng_state >> 12;
	unit_rng_state ^= unit_rng_state << 25;
	unit_rng_state ^= unit_rng_state >> 27;
	return unit_rng_state * 0x2545F4914F6CDD1Du;
}

/* uniform in [0, 1): the top 53 bits */
static inline double
rng_unit(void)
{
	return (double) (rng_next() >> 11) / 9007199254740992.0;
}

/* qsort comparator of the tests' reference sorts, kept apart from the core's
 * calib_cmp_double so that a test of the sort does not check it against
 * itself: ascending numeric order. */
static inline int
unit_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Plain xorshift64 (13, 7, 17) on a state of the caller's: the next state. */
static inline uint64_t
unit_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
