/*
 * fuzz.h -- shared helpers of the libFuzzer harnesses in test/fuzz/.
 *
 * A harness reads its input through a FuzzIn cursor (bytes run out as
 * zeros, so every input is usable) and aborts with FUZZ_CHECK when an
 * invariant of the code under test does not hold: libFuzzer then records
 * the input as a crash, exactly like an ASan or UBSan report.
 */
#ifndef CALIB_FUZZ_H
#define CALIB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

typedef struct FuzzIn
{
	const uint8_t *p;
	size_t		left;
} FuzzIn;

static inline uint8_t
fuzz_u8(FuzzIn *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t
fuzz_u16(FuzzIn *in)
{
	return (uint16_t) (fuzz_u8(in) | (fuzz_u8(in) << 8));
}

static inline double
fuzz_double(FuzzIn *in)
{
	uint8_t		b[8];
	double		d;

	for (int i = 0; i < 8; i++)
		b[i] = fuzz_u8(in);
	memcpy(&d, b, sizeof d);
	return d;
}

#endif
