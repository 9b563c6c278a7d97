/*
 * fuzz_vote.c -- the vote state of calib.vote / calib.agreement
 * (src/vote.c): its deserializer, which receives bytes between parallel
 * workers, and the hash table fed arbitrary answers.
 *
 * Input: a mode byte; mode 0 feeds the rest as answers (split at byte 0x00,
 * a weight from the first byte of each), mode 1 deserializes the rest.
 *
 * Invariants: deserialize accepts only what it can re-serialize to the same
 * bytes; a built state serializes and deserializes to the same bytes; the
 * summary has a winner exactly when there are rows, shares in [0, 1],
 * entropy >= 0; agreement is in [0, 1] or NaN below two rows.
 */
#include <math.h>

#include "fuzz.h"
#include "vote.h"

static void *
grow(void *arg, void *p, size_t old_size, size_t new_size)
{
	void	   *q = realloc(p, new_size ? new_size : 1);

	(void) arg;
	(void) old_size;
	FUZZ_CHECK(q != NULL);
	return q;
}

static void
release(void *arg, void *p)
{
	(void) arg;
	free(p);
}

static const CalibMem mem = {grow, release};

static void
check_state(CalibVote *v)
{
	uint64_t	len = calib_vote_wire_size(v);
	char	   *buf = malloc(len ? len : 1),
			   *buf2;
	CalibVote	back;
	CalibVoteSummary s;
	double		agree;

	calib_vote_serialize(v, buf);
	calib_vote_init(&back, &mem, NULL, v->weighted);
	FUZZ_CHECK(calib_vote_deserialize(&back, buf, len) == CALIB_VOTE_OK);
	FUZZ_CHECK(calib_vote_wire_size(&back) == len);
	buf2 = malloc(len ? len : 1);
	calib_vote_serialize(&back, buf2);
	FUZZ_CHECK(memcmp(buf, buf2, len) == 0);

	calib_vote_summarize(v, &s);
	FUZZ_CHECK((s.winner >= 0) == (v->n > 0));
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
	calib_vote_free(&back);
	free(buf);
	free(buf2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CalibVote	v;

	if (size < 1)
		return 0;
	calib_vote_init(&v, &mem, NULL, data[0] & 2);
	if ((data[0] & 1) == 0)
	{
		const char *p = (const char *) data + 1,
				   *end = (const char *) data + size;

		while (p < end)
		{
			const char *z = memchr(p, 0, (size_t) (end - p));
			size_t		len = z ? (size_t) (z - p) : (size_t) (end - p);

			if (calib_vote_add(&v, p, len, len ? (double) (uint8_t) p[0] / 16.0 : 0.0) != CALIB_VOTE_OK)
				break;
			p += len + 1;
		}
		check_state(&v);
	}
	else
	{
		char	   *copy = malloc(size);

		memcpy(copy, data + 1, size - 1);	/* exactly the bytes */
		if (calib_vote_deserialize(&v, copy, size - 1) == CALIB_VOTE_OK)
		{
			uint64_t	len = calib_vote_wire_size(&v);
			char	   *buf = malloc(len ? len : 1);

			FUZZ_CHECK(len == size - 1);
			calib_vote_serialize(&v, buf);
			FUZZ_CHECK(memcmp(buf, copy, len) == 0);
			free(buf);
			check_state(&v);
		}
		free(copy);
	}
	calib_vote_free(&v);
	return 0;
}
