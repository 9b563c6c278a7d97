/*
 * fuzz_stated.c -- calib_stated_parse (src/stated.c) on arbitrary bytes.
 *
 * Invariants: it reads nothing outside the input (ASan: the buffer is exactly
 * the input); the result is "none" or a value that is NaN only as the
 * documented out-of-range marker and otherwise in [0, 1]; the matched span
 * lies inside the input; the scan is linear (its step count is at most
 * CALIB_STATED_STEPS_PER_BYTE per byte plus a constant); and the parse is
 * deterministic.
 */
#include <math.h>

#include "fuzz.h"
#include "stated.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = malloc(size ? size : 1);
	CalibStated r,
				again;
	size_t		steps;

	memcpy(in, data, size);
	calib_stated_parse_counted(in, size, &r, &steps);
	FUZZ_CHECK(steps <= (size_t) CALIB_STATED_STEPS_PER_BYTE * size + 64);
	if (r.kind != CALIB_STATED_NONE)
	{
		FUZZ_CHECK(calib_stated_kind_name(r.kind) != NULL);
		FUZZ_CHECK(isnan(r.value) || (r.value >= 0 && r.value <= 1));
		FUZZ_CHECK(r.kind != CALIB_STATED_PHRASE || !isnan(r.value));
		FUZZ_CHECK(r.match_start <= size && r.match_len <= size - r.match_start);
		FUZZ_CHECK(r.match_len > 0);
	}
	calib_stated_parse(in, size, &again);
	FUZZ_CHECK(again.kind == r.kind && again.match_start == r.match_start &&
			   again.match_len == r.match_len &&
			   (isnan(r.value) ? isnan(again.value) : again.value == r.value));
	free(in);
	return 0;
}
