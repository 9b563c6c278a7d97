/*
 * fuzz_summary.c -- the parsers of calib.summary in src/summary.c: the text
 * form (type input), the wire form (binary receive) and the stored forms
 * (dense and packed, what a datum read from disk holds).
 *
 * Input: a mode byte (0 text, 1 wire, 2 stored at an odd address, 3 stored
 * at the 8-aligned address a VARDATA has), then the bytes to parse.
 *
 * Invariants for every input: the parser returns, with an error message
 * when it refuses.  When it accepts text or wire input: calib_summary_check
 * holds (stored bytes are trusted to have been checked on the way in, so
 * the stored decoder checks structure only: a stored summary that fails the
 * value checks is only run through the metrics, for memory safety); the text
 * form round-trips to the same text; the wire form and the packed stored
 * form both decode to a summary with the same text; merging the summary with
 * an empty one changes nothing.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "summary.h"

static CalibSummary parsed,
			again,
			empty;
static char text1[1 << 16],
			text2[1 << 16];
static uint8_t wire[1 << 16];
static _Alignas(8) uint8_t stored[1 << 16];

static void
check_accepted(const CalibSummary *s)
{
	char		err[CALIB_SUMMARY_ERRLEN];
	size_t		len,
				tlen;

	FUZZ_CHECK(calib_summary_text_bound() <= sizeof text1);
	FUZZ_CHECK(calib_summary_check(s, err, sizeof err));
	tlen = calib_summary_to_text(s, text1, sizeof text1);
	FUZZ_CHECK(tlen < calib_summary_text_bound());

	FUZZ_CHECK(calib_summary_from_text(text1, tlen, &again, err, sizeof err));
	FUZZ_CHECK(calib_summary_to_text(&again, text2, sizeof text2) == tlen);
	FUZZ_CHECK(memcmp(text1, text2, tlen) == 0);

	FUZZ_CHECK(calib_summary_wire_bound() <= sizeof wire);
	len = calib_summary_to_wire(s, wire, sizeof wire);
	FUZZ_CHECK(calib_summary_from_wire(wire, len, &again, err, sizeof err));
	FUZZ_CHECK(calib_summary_to_text(&again, text2, sizeof text2) == tlen);
	FUZZ_CHECK(memcmp(text1, text2, tlen) == 0);

	FUZZ_CHECK(calib_summary_packed_bound() <= sizeof stored);
	len = calib_summary_pack(s, stored, sizeof stored);
	FUZZ_CHECK(calib_summary_stored_form(stored, len) == CALIB_SUMMARY_PACKED);
	calib_summary_init(&again);
	FUZZ_CHECK(calib_summary_stored_add(stored, len, &again, err, sizeof err));
	FUZZ_CHECK(calib_summary_to_text(&again, text2, sizeof text2) == tlen);
	FUZZ_CHECK(memcmp(text1, text2, tlen) == 0);

	calib_summary_init(&empty);
	again = *s;
	FUZZ_CHECK(calib_summary_merge(&again, &empty, err, sizeof err));
	FUZZ_CHECK(calib_summary_to_text(&again, text2, sizeof text2) == tlen);
	FUZZ_CHECK(memcmp(text1, text2, tlen) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		err[CALIB_SUMMARY_ERRLEN];
	bool		ok = false;
	uint8_t		mode;

	if (size < 1)
		return 0;
	mode = data[0] % 4;
	data++, size--;
	err[0] = '\0';
	switch (mode)
	{
		case 0:
			ok = calib_summary_from_text((const char *) data, size, &parsed, err, sizeof err);
			break;
		case 1:
			ok = calib_summary_from_wire(data, size, &parsed, err, sizeof err);
			break;
		case 2:
		case 3:
			{
				const uint8_t *buf = data;

				if (mode == 3 && size + 4 <= sizeof stored)
				{
					memcpy(stored + 4, data, size);		/* as VARDATA: 8-aligned + 4 */
					buf = stored + 4;
				}
				calib_summary_init(&parsed);
				(void) calib_summary_stored_form(buf, size);
				ok = calib_summary_stored_add(buf, size, &parsed, err, sizeof err);
				break;
			}
	}
	if (!ok)
	{
		FUZZ_CHECK(err[0] != '\0');	/* a refusal always says why */
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	if (mode >= 2 && !calib_summary_check(&parsed, err, sizeof err))
	{
		double		max_error;
		CalibBinAcc acc[CALIB_SUMMARY_FINE_BINS];

		(void) calib_summary_auroc(&parsed, &max_error);
		(void) calib_summary_mean_confidence(&parsed);
		(void) calib_summary_log_loss(&parsed);
		calib_summary_rebin(&parsed, 10, acc);
		return 0;
	}
	check_accepted(&parsed);
	return 0;
}
