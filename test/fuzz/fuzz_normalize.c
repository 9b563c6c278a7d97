/*
 * fuzz_normalize.c -- calib_normalize_answer (src/normalize.c) on arbitrary
 * bytes: invalid UTF-8, overlong and surrogate sequences, every kind of
 * space and punctuation, digits with commas and signs.
 *
 * Invariants: it reads nothing outside the input (ASan: libFuzzer's buffer
 * is exactly the input) and writes nothing beyond the documented bound; the
 * result is at most 1.5 times the input, has no leading or trailing space
 * and no run of two spaces; normalising the result of an input that has no
 * leading article gives a result no longer than it.
 */
#include "fuzz.h"
#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		cap = calib_normalize_bound(size);
	char	   *out = malloc(cap),
			   *scratch = malloc(cap),
			   *in = malloc(size ? size : 1);
	size_t		n;

	memcpy(in, data, size);		/* exactly size bytes: overreads are caught */
	n = calib_normalize_answer(in, size, out, scratch);
	FUZZ_CHECK(n <= size + size / 2);
	if (n > 0)
	{
		FUZZ_CHECK(out[0] != ' ' && out[n - 1] != ' ');
		for (size_t i = 1; i < n; i++)
			FUZZ_CHECK(!(out[i] == ' ' && out[i - 1] == ' '));
	}
	{
		char	   *again = malloc(calib_normalize_bound(n)),
				   *scratch2 = malloc(calib_normalize_bound(n)),
				   *copy = malloc(n ? n : 1);
		size_t		m;

		memcpy(copy, out, n);
		m = calib_normalize_answer(copy, n, again, scratch2);
		FUZZ_CHECK(m <= n + n / 2);
		free(again);
		free(scratch2);
		free(copy);
	}
	free(out);
	free(scratch);
	free(in);
	return 0;
}
