/* Unit tests of src/vote.c: hand-worked votes, order independence under
 * shuffling, splitting and the wire format, corrupt wire input, agreement
 * and best-of-N. */
#include <stdint.h>
#include <string.h>

#include "vote.h"
#include "unit.h"

#include "vote_arena.h"

static CalibVote *
new_vote(bool weighted)
{
	return calib_vote_new(&arena_mem, weighted);
}

/* blocks are freed by arena_reset */
static void
drop_vote(CalibVote *v)
{
	(void) v;
}

static void
add(CalibVote **v, const char *s, double w)
{
	CHECK(calib_vote_add(v, &arena_mem, s, strlen(s), w) == CALIB_VOTE_OK);
}

static const char *
winner(CalibVote *v, CalibVoteSummary *s)
{
	static char buf[256];
	size_t		len;
	const char *a;

	calib_vote_summarize(v, &arena_mem, s);
	if (s->winner < 0)
		return NULL;
	a = calib_vote_answer(v, s->winner, &len);
	memcpy(buf, a, len);
	buf[len] = '\0';
	return buf;
}

static void
test_hand(void)
{
	CalibVote  *v = new_vote(false);
	CalibVoteSummary s;

	/* empty */
	CHECK(winner(v, &s) == NULL);
	CHECK(s.n == 0 && s.distinct_answers == 0 && isnan(s.share) && isnan(s.entropy));
	CHECK(isnan(calib_vote_agreement(v)));

	/* a b a c: a wins 2 of 4; H = -(1/2 ln 1/2 + 2 * 1/4 ln 1/4) = 1.5 ln 2 */
	add(&v, "a", 1);
	CHECK(isnan(calib_vote_agreement(v)));	/* one answer */
	add(&v, "b", 1);
	add(&v, "a", 1);
	add(&v, "c", 1);
	CHECK(strcmp(winner(v, &s), "a") == 0);
	CHECK(s.votes == 2 && s.n == 4 && s.distinct_answers == 3);
	CHECK(s.share == 0.5);
	CHECK_NEAR(s.entropy, 1.5 * log(2.0), 1e-15);
	/* agreement: (2*1 + 0 + 0) / (4*3) = 1/6 */
	CHECK_NEAR(calib_vote_agreement(v), 1.0 / 6.0, 1e-16);
	drop_vote(v);

	/* ties: smallest bytes, a proper prefix first, the empty string first */
	v = new_vote(false);
	add(&v, "b", 1);
	add(&v, "ab", 1);
	add(&v, "a", 1);
	CHECK(strcmp(winner(v, &s), "a") == 0);
	CHECK_NEAR(s.entropy, log(3.0), 1e-15);
	add(&v, "", 1);
	CHECK(strcmp(winner(v, &s), "") == 0);
	/* bytes compare unsigned: "\xC3\xA9" (é) after "z" */
	add(&v, "\xC3\xA9", 1);
	add(&v, "\xC3\xA9", 1);
	add(&v, "z", 1);
	add(&v, "z", 1);
	CHECK(strcmp(winner(v, &s), "z") == 0);
	CHECK(s.votes == 2 && s.n == 8 && s.distinct_answers == 6);
	drop_vote(v);

	/* one answer: share 1, entropy 0, agreement 1 */
	v = new_vote(false);
	add(&v, "x", 1);
	add(&v, "x", 1);
	add(&v, "x", 1);
	CHECK(strcmp(winner(v, &s), "x") == 0);
	CHECK(s.share == 1.0 && s.entropy == 0.0 && calib_vote_agreement(v) == 1.0);
	drop_vote(v);
}

static void
test_weighted_hand(void)
{
	CalibVote  *v = new_vote(true);
	CalibVoteSummary s;

	/* a: .5 + .25 = .75, b: 1.0 -> b wins with share 1/1.75 = 4/7 */
	add(&v, "a", 0.5);
	add(&v, "b", 1.0);
	add(&v, "a", 0.25);
	CHECK(strcmp(winner(v, &s), "b") == 0);
	CHECK(s.votes == 1.0 && s.n == 3 && s.distinct_answers == 2);
	CHECK_NEAR(s.share, 4.0 / 7.0, 1e-15);
	CHECK_NEAR(s.entropy, -(3.0 / 7 * log(3.0 / 7) + 4.0 / 7 * log(4.0 / 7)), 1e-15);
	drop_vote(v);

	/* all weights zero: smallest answer, share and entropy undefined */
	v = new_vote(true);
	add(&v, "q", 0.0);
	add(&v, "p", -0.0);
	CHECK(strcmp(winner(v, &s), "p") == 0);
	CHECK(s.votes == 0.0 && !signbit(s.votes) && isnan(s.share) && isnan(s.entropy));
	drop_vote(v);

	/* weights up to just below 2^40 (the exact sum's bound per term); two
	 * answers of 2^23 such rows each overflow the 2^63 total: built by text */
	v = new_vote(true);
	add(&v, "a", 1099511627775.9998);
	calib_vote_summarize(v, &arena_mem, &s);
	CHECK(!s.overflow && s.share == 1.0 && s.votes == 1099511627775.9998);
	CHECK(calib_vote_weight_ok(1099511627775.9998) && !calib_vote_weight_ok(1099511627776.0));
	CHECK(!calib_vote_weight_ok(-1.0) && !calib_vote_weight_ok(NAN) && !calib_vote_weight_ok(INFINITY));
	CHECK(calib_vote_weight_ok(-0.0));
	{
		const char *t = "wvote1 16777216 2 8388608:7fffffffffffffff.0000000000000000:61 "
			"8388608:7fffffffffffffff.0000000000000000:62";
		char		err[160];
		CalibVote  *o;

		CHECK(calib_vote_from_text(t, strlen(t), &arena_mem, &o, err, sizeof err) == CALIB_VOTE_OK);
		calib_vote_summarize(o, &arena_mem, &s);
		CHECK(s.overflow);
		/* and one more row of weight 1 on "a" overflows its own sum */
		CHECK(calib_vote_add(&o, &arena_mem, "a", 1, 1.0) == CALIB_VOTE_OVERFLOW);
	}

	/*
	 * Row order must not matter.  Near 2^39 a double's ulp is 2^-13: summed
	 * in arrival order 2^39 + 2^-14 + 2^-14 is 2^39 (each 2^-14 is half an
	 * ulp and rounds to even) but 2^-14 + 2^-14 + 2^39 is 2^39 + 2^-13.
	 * The exact sum always gives 2^39 + 2^-13, which ties with y's single
	 * 2^39 + 2^-13, so x wins the tie by bytes in any order.
	 */
	for (int order = 0; order < 2; order++)
	{
		double		big = ldexp(1.0, 39),
					half = ldexp(1.0, -14);

		v = new_vote(true);
		add(&v, "y", big + 2 * half);
		if (order == 0)
		{
			add(&v, "x", big);
			add(&v, "x", half);
			add(&v, "x", half);
		}
		else
		{
			add(&v, "x", half);
			add(&v, "x", half);
			add(&v, "x", big);
		}
		CHECK(strcmp(winner(v, &s), "x") == 0);
		CHECK(s.votes == big + 2 * half && s.share == 0.5);
		drop_vote(v);
	}
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint32_t
next_rand(void)
{
	return (uint32_t) (unit_xorshift64(&rng) >> 11);
}

typedef struct Row
{
	char		answer[24];
	double		w;
} Row;

static CalibVote *
vote_rows(const Row *rows, int n, bool weighted)
{
	CalibVote  *v = new_vote(weighted);

	for (int i = 0; i < n; i++)
		add(&v, rows[i].answer, rows[i].w);
	return v;
}

/* Through the text form, then the binary form, and back. */
static CalibVote *
roundtrip(const CalibVote *v)
{
	char	   *text = malloc(calib_vote_text_size(v)),
				err[160];
	size_t		wlen;
	uint8_t    *wire;
	CalibVote  *t,
			   *r;

	calib_vote_to_text(v, text);
	CHECK(calib_vote_from_text(text, strlen(text), &arena_mem, &t, err, sizeof err) == CALIB_VOTE_OK);
	wlen = calib_vote_wire_size(t);
	wire = malloc(wlen);
	calib_vote_to_wire(t, wire);
	CHECK(calib_vote_from_wire(wire, wlen, &arena_mem, &r, err, sizeof err) == CALIB_VOTE_OK);
	CHECK(calib_vote_weighted(r) == calib_vote_weighted(v) && r->n == v->n);
	free(text);
	free(wire);
	return r;
}

static bool
same_summary(const CalibVoteSummary *a, CalibVote *va, const CalibVoteSummary *b, CalibVote *vb)
{
	size_t		la,
				lb;
	const char *sa = calib_vote_answer(va, a->winner, &la),
			   *sb = calib_vote_answer(vb, b->winner, &lb);

	/* bitwise equality of the doubles, not approximate */
	return la == lb && memcmp(sa, sb, la) == 0 && a->n == b->n &&
		a->distinct_answers == b->distinct_answers &&
		memcmp(&a->votes, &b->votes, sizeof(double)) == 0 &&
		memcmp(&a->share, &b->share, sizeof(double)) == 0 &&
		memcmp(&a->entropy, &b->entropy, sizeof(double)) == 0;
}

/*
 * Random groups (few or many distinct answers, so both the linear scan and
 * the slot index are used): shuffled rows, and rows split into parts that
 * are serialised, read back and merged in reverse order, give bit-identical
 * summaries; the counts match a brute-force count.
 */
static void
test_order_independence(void)
{
	enum
	{
		MAXROWS = 3000
	};
	static Row	rows[MAXROWS];

	for (int iter = 0; iter < 300; iter++)
	{
		int			n = 1 + next_rand() % (iter % 3 == 0 ? MAXROWS : 40);
		int			kinds = 1 + next_rand() % (iter % 2 ? 5 : 500);
		bool		weighted = iter % 4 >= 2;
		CalibVote  *base,
				   *shuffled,
				   *merged;
		CalibVoteSummary s1,
					s2,
					s3;
		int			parts = 1 + next_rand() % 5;

		for (int i = 0; i < n; i++)
		{
			snprintf(rows[i].answer, sizeof rows[i].answer, "ans%u", next_rand() % kinds);
			/* weights across 30 binary orders of magnitude */
			rows[i].w = ldexp((double) (next_rand() % 1000 + 1), -(int) (next_rand() % 30));
		}
		base = vote_rows(rows, n, weighted);
		for (int i = n - 1; i > 0; i--)
		{
			int			j = next_rand() % (i + 1);
			Row			t = rows[i];

			rows[i] = rows[j];
			rows[j] = t;
		}
		shuffled = vote_rows(rows, n, weighted);
		merged = new_vote(weighted);
		for (int p = parts - 1; p >= 0; p--)
		{
			int			lo = n * p / parts,
						hi = n * (p + 1) / parts;
			CalibVote  *part = vote_rows(rows + lo, hi - lo, weighted),
					   *back = roundtrip(part);

			CHECK(calib_vote_merge(&merged, &arena_mem, back) == CALIB_VOTE_OK);
			drop_vote(part);
			drop_vote(back);
		}
		calib_vote_summarize(base, &arena_mem, &s1);
		calib_vote_summarize(shuffled, &arena_mem, &s2);
		calib_vote_summarize(merged, &arena_mem, &s3);
		CHECK(same_summary(&s1, base, &s2, shuffled));
		CHECK(same_summary(&s1, base, &s3, merged));
		{
			double		a1 = calib_vote_agreement(base),
						a2 = calib_vote_agreement(merged);

			CHECK(memcmp(&a1, &a2, sizeof(double)) == 0);
		}

		/* brute force: the winner's count, and no answer beats it */
		if (!weighted)
		{
			size_t		wl;
			const char *wp = calib_vote_answer(base, s1.winner, &wl);
			char		w[32];
			int			wc = 0;
			bool		ok = true;

			memcpy(w, wp, wl);
			w[wl] = '\0';
			for (int i = 0; i < n; i++)
				wc += strcmp(rows[i].answer, w) == 0;
			CHECK(s1.votes == wc);
			for (int i = 0; i < n; i++)
			{
				int			c = 0;

				for (int j = 0; j < n; j++)
					c += strcmp(rows[i].answer, rows[j].answer) == 0;
				/* strcmp orders like memcmp with a proper prefix first */
				if (c > wc || (c == wc && strcmp(rows[i].answer, w) < 0))
					ok = false;
			}
			CHECK(ok);
		}
		drop_vote(base);
		drop_vote(shuffled);
		drop_vote(merged);
	}
}

/* Corrupt binary input: every truncation of a valid state fails, random
 * byte flips either fail cleanly or give a state that writes back to the
 * same bytes; an answer twice is refused. */
static void
test_corrupt_wire(void)
{
	CalibVote  *v = new_vote(true);
	size_t		size;
	uint8_t    *good,
			   *buf;
	int			accepted = 0;
	char		err[160];

	for (int i = 0; i < 40; i++)
	{
		char		a[8];

		snprintf(a, sizeof a, "w%d", i % 11);
		add(&v, a, i * 0.25);
	}
	size = calib_vote_wire_size(v);
	good = malloc(size);
	calib_vote_to_wire(v, good);

	for (size_t cut = 0; cut < size; cut++)
	{
		CalibVote  *r;

		buf = malloc(cut ? cut : 1);
		memcpy(buf, good, cut);
		CHECK(calib_vote_from_wire(buf, cut, &arena_mem, &r, err, sizeof err) != CALIB_VOTE_OK);
		free(buf);
	}
	for (int iter = 0; iter < 20000; iter++)
	{
		CalibVote  *r;
		int			flips = 1 + next_rand() % 3;

		buf = malloc(size);
		memcpy(buf, good, size);
		for (int f = 0; f < flips; f++)
			buf[next_rand() % size] ^= (uint8_t) (1 << (next_rand() % 8));
		if (calib_vote_from_wire(buf, size, &arena_mem, &r, err, sizeof err) == CALIB_VOTE_OK)
		{
			CalibVoteSummary s;
			uint8_t    *again = malloc(size);

			accepted++;
			CHECK(calib_vote_wire_size(r) == size);
			calib_vote_to_wire(r, again);
			CHECK(memcmp(again, buf, size) == 0);
			calib_vote_summarize(r, &arena_mem, &s);
			CHECK(s.n == r->n);
			free(again);
		}
		free(buf);
		if (iter % 1000 == 0)
			arena_reset();
	}
	printf("test_vote: %d of 20000 mutated states were still valid\n", accepted);
	free(good);
	arena_reset();

	/* duplicate answers are refused, in both forms */
	{
		static uint8_t dup[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2,
			0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'a',
		0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'a'};
		CalibVote  *r;

		CHECK(calib_vote_from_wire(dup, sizeof dup, &arena_mem, &r, err, sizeof err) == CALIB_VOTE_CORRUPT);
		CHECK(calib_vote_from_text("vote1 2 2 1:61 1:61", 19, &arena_mem, &r, err, sizeof err) == CALIB_VOTE_CORRUPT);
		/* the same bytes with two answers are fine */
		dup[sizeof dup - 1] = 'b';
		CHECK(calib_vote_from_wire(dup, sizeof dup, &arena_mem, &r, err, sizeof err) == CALIB_VOTE_OK);
	}
}

/* The text form, written by hand. */
static void
test_text(void)
{
	CalibVote  *v = new_vote(false),
			   *r;
	char		buf[256],
				err[160];
	static const char *bad[] = {"", "vote1", "vote1 1", "vote1 1 1", "vote1 1 1 1", "vote1 1 1 1:6 ",
		"vote1 1 1 1:6", "vote1 1 1 1:61 ", "vote1 01 1 1:61", "vote1 1 1 01:61", "Vote1 0 0",
		"vote1 1 1 1:6F", "vote1 1 2 1:61", "vote1 1 0 1:61", "wvote1 1 1 1:61",
	"wvote1 1 1 1:1:61", "vote1 18446744073709551616 0", "vote1 9223372036854775808 0"};
	static const char *impossible[] = {"vote1 1 1 0:61", "vote1 2 1 1:61", "vote1 1 1 2:61",
		"vote1 2 2 1:61 1:61", "wvote1 1 1 1:-0.0000000000000001:61",
	"wvote1 1 1 1:10000000000.0000000000000000:61"};

	add(&v, "a", 1);
	add(&v, "b", 1);
	add(&v, "a", 1);
	add(&v, "", 1);
	calib_vote_to_text(v, buf);
	CHECK(strcmp(buf, "vote1 4 3 2:61 1:62 1:") == 0);
	CHECK(strlen(buf) < calib_vote_text_size(v));
	v = new_vote(true);
	add(&v, "a", 0.5);
	add(&v, "a", 0.25);
	calib_vote_to_text(v, buf);
	CHECK(strcmp(buf, "wvote1 2 1 2:0.c000000000000000:61") == 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
	{
		CalibVoteStatus st = calib_vote_from_text(bad[i], strlen(bad[i]), &arena_mem, &r, err, sizeof err);

		if (st != CALIB_VOTE_SYNTAX)
			fprintf(stderr, "test_vote: \"%s\" gave %d\n", bad[i], (int) st);
		CHECK(st == CALIB_VOTE_SYNTAX);
	}
	for (size_t i = 0; i < sizeof impossible / sizeof impossible[0]; i++)
	{
		CalibVoteStatus st = calib_vote_from_text(impossible[i], strlen(impossible[i]), &arena_mem, &r, err, sizeof err);

		if (st != CALIB_VOTE_CORRUPT)
			fprintf(stderr, "test_vote: \"%s\" gave %d\n", impossible[i], (int) st);
		CHECK(st == CALIB_VOTE_CORRUPT);
	}
	/* the largest weight a row can carry, and a count's worth of them */
	{
		const char *most = "wvote1 2 1 2:1ffffffffff.ffffffffffffffff:61",
				   *over = "wvote1 2 1 2:20000000000.0000000000000000:61";

		CHECK(calib_vote_from_text(most, strlen(most), &arena_mem, &r, err, sizeof err) == CALIB_VOTE_OK);
		CHECK(calib_vote_from_text(over, strlen(over), &arena_mem, &r, err, sizeof err) == CALIB_VOTE_CORRUPT);
	}
	arena_reset();
}

static void
test_best_of(void)
{
	CalibBestOf b = {0},
				c = {0};

	CHECK(isnan(calib_best_of_result(&b)));
	calib_best_of_add(&b, -3.0, true);
	CHECK(calib_best_of_result(&b) == 1.0);
	calib_best_of_add(&b, -1.0, false);	/* new top, wrong */
	CHECK(calib_best_of_result(&b) == 0.0);
	calib_best_of_add(&b, -1.0, true);	/* tied top: 1 of 2 correct */
	CHECK(calib_best_of_result(&b) == 0.5);
	calib_best_of_add(&b, -2.0, true);	/* below the top: ignored */
	CHECK(calib_best_of_result(&b) == 0.5 && b.n == 4);

	/* merge: c has the same top with 2 of 3 correct -> 3 of 5 */
	calib_best_of_add(&c, -1.0, true);
	calib_best_of_add(&c, -1.0, true);
	calib_best_of_add(&c, -0.0 - 1.0, false);
	calib_best_of_merge(&b, &c);
	CHECK(b.ntop == 5 && b.ntop_correct == 3 && b.n == 7);
	CHECK_NEAR(calib_best_of_result(&b), 0.6, 1e-16);

	/* a higher top elsewhere replaces ours; an empty part changes nothing */
	{
		CalibBestOf d = {0},
					e = {0};

		calib_best_of_add(&d, 0.0, false);
		calib_best_of_merge(&b, &d);
		CHECK(calib_best_of_result(&b) == 0.0 && b.n == 8 && b.ntop == 1);
		calib_best_of_merge(&b, &e);
		CHECK(b.n == 8);
		calib_best_of_merge(&e, &b);
		CHECK(e.n == 8 && e.ntop == 1);
	}
	/* -0.0 and 0.0 tie; -infinity is a score like any other */
	{
		CalibBestOf z = {0};

		calib_best_of_add(&z, -INFINITY, true);
		CHECK(calib_best_of_result(&z) == 1.0);
		calib_best_of_add(&z, -0.0, true);
		calib_best_of_add(&z, 0.0, false);
		CHECK(calib_best_of_result(&z) == 0.5);
	}
}


/* Every (answer, count) of a state, found by calib_vote_answer and the
 * summary's distinct count, against a brute-force count of the rows. */
static void
check_counts(CalibVote *v, char rows[][64], const int *lens, int n)
{
	CalibVoteSummary s;
	int64_t		total = 0;

	calib_vote_summarize(v, &arena_mem, &s);
	CHECK(s.n == n);
	for (int64_t e = 0; e < s.distinct_answers; e++)
	{
		size_t		len;
		const char *a = calib_vote_answer(v, e, &len);
		int			c = 0;

		for (int i = 0; i < n; i++)
			c += (size_t) lens[i] == len && memcmp(rows[i], a, len) == 0;
		CHECK(c > 0);
		total += c;
	}
	CHECK(total == n);			/* every row's answer is among the entries */
}

/*
 * The small form's edges: 6 answers of 63 bytes in all stay inline, the
 * 7th answer or the 64th byte moves the state into a table; empty answers;
 * merging small into small (which may overflow), small into a table and a
 * table into a small state; the wire form read back into either form.
 * Every way must give the same summary as adding all rows to one state.
 */
static void
test_small_form_edges(void)
{
	static char rows[64][64];
	static int	lens[64];

	for (int iter = 0; iter < 4000; iter++)
	{
		int			n = 1 + next_rand() % 40;
		int			kinds = 1 + next_rand() % 9;
		int			klen[9];
		CalibVote  *all = new_vote(false),
				   *a = new_vote(false),
				   *b = new_vote(false),
				   *ab,
				   *ba;
		CalibVoteSummary s0,
					s1,
					s2;
		int			cut = next_rand() % (n + 1);

		/* answer lengths around the 63-byte budget: 0..30 bytes each */
		for (int k = 0; k < kinds; k++)
			klen[k] = (int) (next_rand() % 31);
		for (int i = 0; i < n; i++)
		{
			int			k = (int) (next_rand() % kinds);

			lens[i] = klen[k];
			memset(rows[i], 'a' + k, (size_t) lens[i]);
			if (lens[i] > 0)
				rows[i][0] = (char) ('A' + k);	/* same length, other answer */
		}
		for (int i = 0; i < n; i++)
		{
			CHECK(calib_vote_add(&all, &arena_mem, rows[i], (size_t) lens[i], 1.0) == CALIB_VOTE_OK);
			CHECK(calib_vote_add(i < cut ? &a : &b, &arena_mem, rows[i], (size_t) lens[i], 1.0) == CALIB_VOTE_OK);
		}
		check_counts(all, rows, lens, n);
		ab = roundtrip(a);
		ba = roundtrip(b);
		CHECK(calib_vote_merge(&ab, &arena_mem, b) == CALIB_VOTE_OK);
		CHECK(calib_vote_merge(&ba, &arena_mem, a) == CALIB_VOTE_OK);
		check_counts(ab, rows, lens, n);
		check_counts(ba, rows, lens, n);
		calib_vote_summarize(all, &arena_mem, &s0);
		calib_vote_summarize(ab, &arena_mem, &s1);
		calib_vote_summarize(ba, &arena_mem, &s2);
		CHECK(same_summary(&s0, all, &s1, ab));
		CHECK(same_summary(&s0, all, &s2, ba));
		{
			double		g0 = calib_vote_agreement(all),
						g1 = calib_vote_agreement(ba);

			CHECK(memcmp(&g0, &g1, sizeof(double)) == 0 || (isnan(g0) && isnan(g1)));
		}
		drop_vote(all);
		drop_vote(a);
		drop_vote(b);
		drop_vote(ab);
		drop_vote(ba);
	}

	/* exactly at the budget: 6 answers, 63 bytes; then one byte or one
	 * answer more */
	{
		CalibVote  *v = new_vote(false);
		char		big[64];
		CalibVoteSummary s;
		size_t		len;

		memset(big, 'x', sizeof big);
		CHECK(calib_vote_add(&v, &arena_mem, big, 58, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_add(&v, &arena_mem, "a", 1, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_add(&v, &arena_mem, "b", 1, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_add(&v, &arena_mem, "c", 1, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_add(&v, &arena_mem, "d", 1, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_add(&v, &arena_mem, "e", 1, 1) == CALIB_VOTE_OK);
		CHECK(!(v->flags & CALIB_VOTE_TABLE) && v->small_nbytes == 63);
		CHECK(calib_vote_add(&v, &arena_mem, "c", 1, 1) == CALIB_VOTE_OK);
		CHECK(!(v->flags & CALIB_VOTE_TABLE));
		CHECK(calib_vote_add(&v, &arena_mem, "", 0, 1) == CALIB_VOTE_OK);	/* a 7th answer */
		CHECK(v->flags & CALIB_VOTE_TABLE);
		calib_vote_summarize(v, &arena_mem, &s);
		CHECK(s.distinct_answers == 7 && s.n == 8 && s.votes == 2.0);
		CHECK(memcmp(calib_vote_answer(v, s.winner, &len), "c", 1) == 0 && len == 1);
		drop_vote(v);

		v = new_vote(false);
		CHECK(calib_vote_add(&v, &arena_mem, big, 63, 1) == CALIB_VOTE_OK);
		CHECK(!(v->flags & CALIB_VOTE_TABLE));
		CHECK(calib_vote_add(&v, &arena_mem, "", 0, 1) == CALIB_VOTE_OK);	/* 0 bytes fit */
		CHECK(!(v->flags & CALIB_VOTE_TABLE));
		CHECK(calib_vote_add(&v, &arena_mem, "z", 1, 1) == CALIB_VOTE_OK);	/* the 64th byte */
		CHECK(v->flags & CALIB_VOTE_TABLE);
		calib_vote_summarize(v, &arena_mem, &s);
		CHECK(s.distinct_answers == 3 && s.votes == 1.0);
		/* ties go to the smallest bytes: the empty answer */
		CHECK(calib_vote_answer(v, s.winner, &len) != NULL && len == 0);
		drop_vote(v);

		v = new_vote(false);
		CHECK(calib_vote_add(&v, &arena_mem, big, 64, 1) == CALIB_VOTE_OK);	/* too long at once */
		CHECK(v->flags & CALIB_VOTE_TABLE);
		drop_vote(v);
	}

	/* a count that outgrows 32 bits moves the state into a table: a wire
	 * state with "x" counted 2^32 - 1 times, then one more "x" */
	{
		const char *t = "vote1 4294967298 2 4294967295:78 3:7979";
		char		err[160];
		CalibVote  *v,
				   *w = new_vote(false);
		CalibVoteSummary s;
		size_t		len;

		CHECK(calib_vote_from_text(t, strlen(t), &arena_mem, &v, err, sizeof err) == CALIB_VOTE_OK);
		CHECK(!(v->flags & CALIB_VOTE_TABLE));
		CHECK(calib_vote_add(&v, &arena_mem, "x", 1, 1) == CALIB_VOTE_OK);
		CHECK(v->flags & CALIB_VOTE_TABLE);
		calib_vote_summarize(v, &arena_mem, &s);
		CHECK(s.votes == 4294967296.0 && s.n == INT64_C(4294967299) && s.distinct_answers == 2);
		CHECK(memcmp(calib_vote_answer(v, s.winner, &len), "x", 1) == 0 && len == 1);
		/* and merged into a small state: the same */
		CHECK(calib_vote_add(&w, &arena_mem, "x", 1, 1) == CALIB_VOTE_OK);
		CHECK(calib_vote_merge(&w, &arena_mem, v) == CALIB_VOTE_OK);
		calib_vote_summarize(w, &arena_mem, &s);
		CHECK(s.votes == 4294967297.0 && s.distinct_answers == 2);
		drop_vote(v);
		drop_vote(w);
	}
}

int
main(void)
{
	CHECK(sizeof(CalibVote) == 112);	/* with its chunk header, one 128-byte size class */
	test_text();
	test_hand();
	test_weighted_hand();
	test_order_independence();
	test_corrupt_wire();
	test_small_form_edges();
	test_best_of();
	return unit_report("test_vote");
}
