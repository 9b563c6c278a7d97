/*
 * fuzz_aggstate.c -- the readers of calib.binned_state and
 * calib.pointwise_state in src/aggstate.c: text (type input) and wire
 * (binary receive).
 *
 * Input: a mode byte (0 binned text, 1 binned wire, 2 pointwise text,
 * 3 pointwise wire), then the bytes to parse.
 *
 * Invariants for every input: the reader returns, with a message when it
 * refuses.  When it accepts: the full check holds; the text form reads back
 * to the same text, the wire form to the same state (byte for byte);
 * merging an empty state changes nothing, and merging the state into itself
 * then taking it out again gives it back.
 */
#include <stdbool.h>

#include "aggstate.h"
#include "fuzz.h"

#define MAX_STATE (CALIB_BINNED_HDR + sizeof(CalibBinExact) * CALIB_MAX_BINS)

static _Alignas(16) uint8_t st1[MAX_STATE],
			st2[MAX_STATE],
			st3[MAX_STATE];
static char text1[CALIB_MAX_BINS * 82 + 64],
			text2[CALIB_MAX_BINS * 82 + 64];
static uint8_t wire[CALIB_MAX_BINS * 40 + 64];

static void
binned_accepted(CalibBinnedState *s)
{
	CalibBinnedState *b = (CalibBinnedState *) st2,
			   *c = (CalibBinnedState *) st3;
	char		err[CALIB_AGGSTATE_ERRLEN];
	size_t		size = calib_binned_state_size(s->bins),
				tlen,
				wlen;
	int			bins = 0;

	FUZZ_CHECK(calib_binned_state_check(s, err, sizeof err));
	FUZZ_CHECK(calib_binned_state_shape_ok(s, size));
	tlen = calib_binned_state_to_text(s, text1, sizeof text1);
	FUZZ_CHECK(tlen > 0 && tlen < calib_binned_state_text_bound(s->bins));
	FUZZ_CHECK(calib_binned_state_text_bins(text1, tlen, &bins, err, sizeof err) && bins == s->bins);
	b->bins = bins;
	FUZZ_CHECK(calib_binned_state_from_text(text1, tlen, b, err, sizeof err) == CALIB_STATE_OK);
	FUZZ_CHECK(memcmp(s, b, size) == 0);
	wlen = calib_binned_state_to_wire(s, wire, sizeof wire);
	FUZZ_CHECK(wlen > 0);
	FUZZ_CHECK(calib_binned_state_from_wire(wire, wlen, b, err, sizeof err) == CALIB_STATE_OK);
	FUZZ_CHECK(memcmp(s, b, size) == 0);
	/* s + empty = s; (s + s) - s = s */
	calib_binned_state_init(c, bins);
	memcpy(b, s, size);
	FUZZ_CHECK(calib_binned_state_merge(b, c, 1));
	FUZZ_CHECK(memcmp(s, b, size) == 0);
	if (calib_binned_state_merge(b, s, 1))
	{
		FUZZ_CHECK(calib_binned_state_merge(b, s, -1));
		FUZZ_CHECK(memcmp(s, b, size) == 0);
	}
	calib_binned_state_to_text(s, text2, sizeof text2);
	FUZZ_CHECK(strcmp(text1, text2) == 0);
}

static void
pointwise_accepted(CalibPointwiseState *s)
{
	CalibPointwiseState b,
				c;
	char		err[CALIB_AGGSTATE_ERRLEN];
	size_t		tlen,
				wlen;

	FUZZ_CHECK(calib_pointwise_state_check(s, err, sizeof err));
	s->vl_len_ = 0;
	tlen = calib_pointwise_state_to_text(s, text1, CALIB_POINTWISE_TEXT_MAX);
	FUZZ_CHECK(tlen > 0 && tlen < CALIB_POINTWISE_TEXT_MAX);
	FUZZ_CHECK(calib_pointwise_state_from_text(text1, tlen, &b, err, sizeof err) == CALIB_STATE_OK);
	FUZZ_CHECK(memcmp(s, &b, sizeof b) == 0);
	wlen = calib_pointwise_state_to_wire(s, wire, sizeof wire);
	FUZZ_CHECK(wlen == CALIB_POINTWISE_WIRE_SIZE);
	FUZZ_CHECK(calib_pointwise_state_from_wire(wire, wlen, &b, err, sizeof err) == CALIB_STATE_OK);
	FUZZ_CHECK(memcmp(s, &b, sizeof b) == 0);
	calib_pointwise_state_init(&c, s->kind);
	FUZZ_CHECK(calib_pointwise_state_merge(&b, &c, 1));
	FUZZ_CHECK(memcmp(s, &b, sizeof b) == 0);
	if (calib_pointwise_state_merge(&b, s, 1))
	{
		FUZZ_CHECK(calib_pointwise_state_merge(&b, s, -1));
		FUZZ_CHECK(memcmp(s, &b, sizeof b) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		err[CALIB_AGGSTATE_ERRLEN];
	CalibStateParse r = CALIB_STATE_MALFORMED;
	CalibBinnedState *s = (CalibBinnedState *) st1;
	CalibPointwiseState p;
	int			bins = 0;
	uint8_t		mode;

	if (size < 1)
		return 0;
	mode = data[0] % 4;
	data++, size--;
	err[0] = '\0';
	switch (mode)
	{
		case 0:
			if (calib_binned_state_text_bins((const char *) data, size, &bins, err, sizeof err))
			{
				FUZZ_CHECK(bins >= CALIB_MIN_BINS && bins <= CALIB_MAX_BINS);
				s->bins = bins;
				r = calib_binned_state_from_text((const char *) data, size, s, err, sizeof err);
			}
			break;
		case 1:
			if (calib_binned_state_wire_bins(data, size, &bins, err, sizeof err))
			{
				FUZZ_CHECK(bins >= CALIB_MIN_BINS && bins <= CALIB_MAX_BINS);
				s->bins = bins;
				r = calib_binned_state_from_wire(data, size, s, err, sizeof err);
			}
			break;
		case 2:
			r = calib_pointwise_state_from_text((const char *) data, size, &p, err, sizeof err);
			break;
		case 3:
			r = calib_pointwise_state_from_wire(data, size, &p, err, sizeof err);
			break;
	}
	if (r != CALIB_STATE_OK)
	{
		FUZZ_CHECK(err[0] != '\0');	/* a refusal always says why */
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	if (mode <= 1)
		binned_accepted(s);
	else
		pointwise_accepted(&p);
	return 0;
}
