/*
 * fuzz_map.c -- the parsers of calib.map in src/recal.c: the text form
 * (type input) and the binary form (binary receive).
 *
 * Input: a mode byte (even: text, odd: binary), then the bytes to parse,
 * and -- for accepted maps -- the bytes also give confidences to apply it to.
 *
 * Invariants: the parser returns NULL with a map, or a message without one.
 * An accepted map passes calib_map_check; its text form parses back to the
 * same binary form (so text and binary agree, and printing is lossless);
 * applying it to a confidence in [0, 1] gives a value in [0, 1] (NaN for
 * the vector_temperature kind, which applies to logit vectors only).
 */
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "recal.h"

static void
check_accepted(const CalibMap *m, const uint8_t *data, size_t size)
{
	char		err[CALIB_MAP_ERRLEN];
	char	   *text = calib_map_to_text(m);
	CalibMap   *back = NULL;
	size_t		blen = calib_map_binary_size(m);
	unsigned char *b1 = malloc(blen),
			   *b2;

	FUZZ_CHECK(calib_map_check(m, err, sizeof err) == NULL);
	FUZZ_CHECK(text != NULL && b1 != NULL);
	FUZZ_CHECK(calib_map_from_text(text, strlen(text), &back, err, sizeof err) == NULL);
	FUZZ_CHECK(back != NULL && calib_map_binary_size(back) == blen);
	b2 = malloc(blen);
	calib_map_to_binary(m, b1);
	calib_map_to_binary(back, b2);
	FUZZ_CHECK(memcmp(b1, b2, blen) == 0);

	for (size_t i = 0; i <= size && i < 64; i++)
	{
		double		p = i == size ? 1.0 : (double) data[i] / 255.0;
		double		q = calib_map_apply(m, p);

		/* a vector map does not apply to one confidence (NaN) */
		FUZZ_CHECK(calib_map_is_vector(m->kind) ? isnan(q) : (q >= 0.0 && q <= 1.0));
	}
	free(text);
	free(back);
	free(b1);
	free(b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		err[CALIB_MAP_ERRLEN];
	CalibMap   *m = NULL;
	const char *e;

	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		e = calib_map_from_text((const char *) data + 1, size - 1, &m, err, sizeof err);
	else
		e = calib_map_from_binary(data + 1, size - 1, &m, err, sizeof err);
	if (e != NULL)
	{
		FUZZ_CHECK(m == NULL && e[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(m != NULL);
	check_accepted(m, data, size);
	free(m);
	return 0;
}
