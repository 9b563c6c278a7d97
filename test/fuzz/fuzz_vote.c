/*
 * fuzz_vote.c -- the vote state of calib.vote / calib.agreement
 * (src/vote.c): its text and binary input, which read values from outside
 * (calib.vote_state's input and receive functions, Citus, COPY), and the
 * answer table fed arbitrary answers.
 *
 * Input: a mode byte; bit 0 clear feeds the rest as answers (split at byte
 * 0x00, a weight from the first byte of each; bit 1: weighted); mode 1
 * reads the rest as text, mode 3 as the binary form.
 *
 * Invariants: input accepts only what writes back to the same bytes; a
 * built state's text and binary forms read back to the same forms; the
 * summary has a winner exactly when there are rows, shares in [0, 1],
 * entropy >= 0; agreement is in [0, 1] or NaN below two rows.
 */
#include <math.h>

#include "fuzz.h"
#include "vote.h"
#include "../unit/vote_arena.h"

static void
check_state(const CalibVote *v)
{
	size_t		tlen = calib_vote_text_size(v),
				wlen = calib_vote_wire_size(v);
	char	   *text = malloc(tlen),
			   *text2;
	uint8_t    *wire = malloc(wlen),
			   *wire2;
	CalibVote  *back;
	CalibVoteSummary s;
	double		agree;
	char		err[160];

	calib_vote_to_text(v, text);
	FUZZ_CHECK(strlen(text) < tlen);
	FUZZ_CHECK(calib_vote_from_text(text, strlen(text), &arena_mem, &back, err, sizeof err) == CALIB_VOTE_OK);
	text2 = malloc(calib_vote_text_size(back));
	calib_vote_to_text(back, text2);
	FUZZ_CHECK(strcmp(text, text2) == 0);

	calib_vote_to_wire(v, wire);
	FUZZ_CHECK(calib_vote_from_wire(wire, wlen, &arena_mem, &back, err, sizeof err) == CALIB_VOTE_OK);
	FUZZ_CHECK(calib_vote_wire_size(back) == wlen);
	wire2 = malloc(wlen);
	calib_vote_to_wire(back, wire2);
	FUZZ_CHECK(memcmp(wire, wire2, wlen) == 0);

	calib_vote_summarize(v, &arena_mem, &s);
	FUZZ_CHECK((s.winner >= 0) == (calib_vote_distinct(v) > 0));
	FUZZ_CHECK(isnan(s.share) || (s.share >= 0.0 && s.share <= 1.0 + 1e-12));
	FUZZ_CHECK(isnan(s.entropy) || s.entropy >= -1e-12);
	FUZZ_CHECK(s.distinct_answers == (int64_t) calib_vote_distinct(v));
	if (s.winner >= 0)
	{
		size_t		alen;

		(void) calib_vote_answer(v, s.winner, &alen);
	}
	agree = calib_vote_agreement(v);
	FUZZ_CHECK(v->n < 2 ? isnan(agree) : (agree >= 0.0 && agree <= 1.0 + 1e-12));
	free(text);
	free(text2);
	free(wire);
	free(wire2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CalibVote  *v;
	char		err[160];

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
	{
		const char *p = (const char *) data + 1,
				   *end = (const char *) data + size;

		v = calib_vote_new(&arena_mem, data[0] & 2);
		while (p < end)
		{
			const char *z = memchr(p, 0, (size_t) (end - p));
			size_t		len = z ? (size_t) (z - p) : (size_t) (end - p);

			if (calib_vote_add(&v, &arena_mem, p, len, len ? (double) (uint8_t) p[0] / 16.0 : 0.0) != CALIB_VOTE_OK)
				break;
			p += len + 1;
		}
		check_state(v);
	}
	else
	{
		/* exactly the bytes, in a block of their own (ASan sees overreads) */
		char	   *copy = malloc(size - 1 ? size - 1 : 1);
		CalibVoteStatus st;

		memcpy(copy, data + 1, size - 1);
		if (data[0] & 2)
			st = calib_vote_from_wire((const uint8_t *) copy, size - 1, &arena_mem, &v, err, sizeof err);
		else
			st = calib_vote_from_text(copy, size - 1, &arena_mem, &v, err, sizeof err);
		FUZZ_CHECK(st != CALIB_VOTE_OK || v != NULL);
		if (st == CALIB_VOTE_OK)
		{
			if (data[0] & 2)
			{
				size_t		len = calib_vote_wire_size(v);
				uint8_t    *buf = malloc(len);

				FUZZ_CHECK(len == size - 1);
				calib_vote_to_wire(v, buf);
				FUZZ_CHECK(memcmp(buf, copy, len) == 0);
				free(buf);
			}
			else
			{
				char	   *buf = malloc(calib_vote_text_size(v));

				calib_vote_to_text(v, buf);
				FUZZ_CHECK(strlen(buf) == size - 1 && memcmp(buf, copy, size - 1) == 0);
				free(buf);
			}
			check_state(v);
		}
		else
			FUZZ_CHECK(err[0] != '\0');
		free(copy);
	}
	arena_reset();
	return 0;
}
