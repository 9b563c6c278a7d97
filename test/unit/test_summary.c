/*
 * Unit tests of src/summary.c: the fine-bin index, folding into coarse bins
 * against direct binning, exact sums, the text / wire / stored encodings and
 * their validation (truncation, trailing bytes, byte flips, forged values),
 * merge overflow, and AUROC against the exact Mann-Whitney of scores.c.
 */
#include <stdint.h>
#include <string.h>

#include "pointwise.h"
#include "scores.h"
#include "summary.h"
/* unit.h's generator: reproducible values without libc rand's differences */
#define UNIT_RNG_SEED 88172645463325252ULL
#include "unit.h"

#define FINE CALIB_SUMMARY_FINE_BINS

static char err[CALIB_SUMMARY_ERRLEN];


/* Random confidences, every fourth one on an edge k/600, some 0 and 1. */
static double
some_confidence(int i)
{
	switch (i % 6)
	{
		case 0:
			return (double) (int) (rng_unit() * 601) / 600.0;
		case 1:
			return i % 12 == 1 ? 0.0 : 1.0;
		case 2:
			return (double) (int) (rng_unit() * 101) / 100.0;
		default:
			return rng_unit();
	}
}

static bool
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Equal content: every byte (all sums are exact integers, no padding). */
static bool
same_summary(const CalibSummary *a, const CalibSummary *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

static void
fill(CalibSummary *s, int rows, int seed)
{
	calib_summary_init(s);
	for (int i = 0; i < rows; i++)
	{
		double		c = some_confidence(i + seed);

		calib_summary_add(s, c, rng_unit() < c);
	}
}

static void
test_edge_index(void)
{
	double		edge[FINE + 1];

	for (int k = 0; k <= FINE; k++)
		edge[k] = calib_bin_edge(k, FINE);
	/* every edge, its neighbours, and random values: the table lookup gives
	 * calib_bin_index's bin */
	for (int k = 0; k <= FINE; k++)
	{
		double		v[3] = {edge[k], nextafter(edge[k], -1.0), nextafter(edge[k], 2.0)};

		for (int i = 0; i < 3; i++)
			if (calib_confidence_ok(v[i]))
				CHECK(calib_bin_index_edges(v[i], edge, FINE) == calib_bin_index(v[i], FINE));
	}
	for (int i = 0; i < 200000; i++)
	{
		double		c = rng_unit();

		CHECK(calib_bin_index_edges(c, edge, FINE) == calib_bin_index(c, FINE));
	}
	/* hand: 0.2 is the edge 120/600, in bin 119; 0 and 1/600 share bin 0 */
	CHECK(calib_bin_index_edges(0.2, edge, FINE) == 119);
	CHECK(calib_bin_index_edges(0.0, edge, FINE) == 0);
	CHECK(calib_bin_index_edges(1.0 / 600.0, edge, FINE) == 0);
	CHECK(calib_bin_index_edges(1.0, edge, FINE) == 599);
}

/* Hand-worked: (0.2 wrong) (0.5 right) (0.8 right) (1.0 wrong). */
static void
test_hand(void)
{
	CalibSummary s;
	CalibBinAcc two[2];
	CalibBinnedError e;
	double		bound;

	calib_summary_init(&s);
	calib_summary_add(&s, 0.2, false);
	calib_summary_add(&s, 0.5, true);
	calib_summary_add(&s, 0.8, true);
	calib_summary_add(&s, 1.0, false);
	CHECK(s.n == 4 && s.n_correct == 2);
	CHECK(s.bins[119].n == 1 && s.bins[299].n == 1 && s.bins[479].n == 1 && s.bins[599].n == 1);
	CHECK(s.bins[299].n_correct == 1 && s.bins[599].n_correct == 0);
	CHECK_NEAR(calib_summary_sq_error(&s), 0.04 + 0.25 + 0.04 + 1.0, 1e-15);
	/* -ln .8 - ln .5 - ln .8 - ln(2^-52): 1.0 wrong is clipped to 1 - 2^-52 */
	CHECK_NEAR(calib_summary_log_loss(&s), -2 * log(0.8) - log(0.5) + 52 * log(2.0), 1e-13);
	CHECK_NEAR(calib_summary_mean_confidence(&s), 2.5 / 4, 1e-15);
	CHECK(calib_summary_bins_ok(2, err, sizeof err));
	calib_summary_rebin(&s, 2, two);
	calib_binned_error(two, 2, &e);
	CHECK_NEAR(e.ece, 0.275, 1e-15);	/* .5 * .15 + .5 * .4 */
	CHECK_NEAR(e.mce, 0.4, 1e-15);
	/* correct {.5, .8} vs wrong {.2, 1}: .5>.2, .8>.2 win; 2 of 4 pairs */
	CHECK_NEAR(calib_summary_auroc(&s, &bound), 0.5, 1e-15);
	CHECK(bound == 0.0);
	CHECK(!calib_summary_bins_ok(7, err, sizeof err));
	CHECK(strstr(err, "1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 25, 30, 40, 50, 60, 75, 100") != NULL);
	CHECK(strstr(err, "got 7") != NULL);
	CHECK(!calib_summary_bins_ok(0, err, sizeof err) && !calib_summary_bins_ok(1200, err, sizeof err));
	CHECK(calib_summary_check(&s, err, sizeof err));
}

/* Folding fine bins gives the direct bins of every divisor of 600, edges
 * included; the log-loss product equals the sum of calib_log_loss terms. */
static void
test_rebin_and_sums(void)
{
	enum
	{
	ROWS = 20000};
	static double c[ROWS];
	static bool y[ROWS];
	CalibSummary s;
	double		ll = 0.0,
				sq = 0.0;

	calib_summary_init(&s);
	for (int i = 0; i < ROWS; i++)
	{
		c[i] = some_confidence(i);
		y[i] = rng_unit() < c[i];
		calib_summary_add(&s, c[i], y[i]);
		ll += calib_log_loss(c[i], y[i]);
		sq += calib_sq_error(c[i], y[i]);
	}
	CHECK_NEAR(calib_summary_log_loss(&s), ll, 1e-12 * ll);
	CHECK_NEAR(calib_summary_sq_error(&s), sq, 1e-12 * sq);
	for (int B = 1; B <= FINE; B++)
	{
		CalibBinAcc direct[FINE],
					folded[FINE],
					exact_direct[FINE];
		CalibBinExact ex[FINE];
		bool		exact = true;

		if (FINE % B != 0)
			continue;
		memset(direct, 0, sizeof direct);
		memset(ex, 0, sizeof ex);
		for (int i = 0; i < ROWS; i++)
		{
			calib_bins_add(direct, B, c[i], y[i]);
			calib_bin_exact_add(&ex[calib_bin_index(c[i], B)], c[i], y[i]);
		}
		calib_summary_rebin(&s, B, folded);
		calib_bins_exact_to_acc(ex, B, exact_direct);
		for (int k = 0; k < B; k++)
			exact = exact && direct[k].n == folded[k].n && direct[k].n_correct == folded[k].n_correct &&
				fabs(direct[k].sum_conf - folded[k].sum_conf) <= 1e-12 * (1 + direct[k].sum_conf) &&
				same_double(exact_direct[k].sum_conf, folded[k].sum_conf);
		CHECK(exact);
	}
}

static void
test_text_round_trip(void)
{
	size_t		cap = calib_summary_text_bound();
	char	   *t1 = malloc(cap),
			   *t2 = malloc(cap);

	for (int r = 0; r < 30; r++)
	{
		CalibSummary s,
					back;
		size_t		len;

		fill(&s, r * r * 7, r);
		len = calib_summary_to_text(&s, t1, cap);
		CHECK(len < cap && strlen(t1) == len);
		CHECK(calib_summary_from_text(t1, len, &back, err, sizeof err));
		CHECK(same_summary(&s, &back));
		calib_summary_to_text(&back, t2, cap);
		CHECK(strcmp(t1, t2) == 0);
		/* surrounding blanks are accepted, anything else after is not */
		{
			char	   *padded = malloc(len + 8);

			sprintf(padded, "  %s \n", t1);
			CHECK(calib_summary_from_text(padded, strlen(padded), &back, err, sizeof err));
			sprintf(padded, "%s x", t1);
			CHECK(!calib_summary_from_text(padded, strlen(padded), &back, err, sizeof err));
			free(padded);
		}
	}
	/* exact sums in hexadecimal: 0.1 = 0x1.999999999999ap-4, so its
	 * 2^-64 units are 0x1999999999999a00; (1 - 0.1)^2 rounds to
	 * 0x1.9eb851eb851ecp-1 = 0.cf5c28f5c28f6000 */
	{
		CalibSummary s;

		calib_summary_init(&s);
		calib_summary_add(&s, 0.1, true);
		calib_summary_to_text(&s, t1, cap);
		CHECK(strstr(t1, " | 59:1:1:0.1999999999999a00") != NULL);
		/* -ln(0.1) = 2.302585092994045684 = 0x2.4d763776aaa2b05b...: the
		 * term is a double within an ulp (0x2000 units) of it */
		CHECK(strncmp(t1, "v2 fine=600 n=1 correct=1 sq=0.cf5c28f5c28f6000 ll=2.4d763776aaa2", 65) == 0);
		CHECK(strstr(t1, "000 |") != NULL);
	}
	free(t1);
	free(t2);
}

/* Every prefix of a valid text either fails or (when it cuts a number
 * short and the result still fits the bounds) is itself valid; it never
 * reads past the given length (ASan would tell). */
static void
test_text_prefixes(void)
{
	size_t		cap = calib_summary_text_bound();
	char	   *t = malloc(cap);
	CalibSummary s,
				back;
	size_t		len;
	int			accepted = 0;

	fill(&s, 300, 5);
	len = calib_summary_to_text(&s, t, cap);
	for (size_t k = 0; k < len; k++)
	{
		char	   *p = malloc(k == 0 ? 1 : k);	/* exactly k bytes, no NUL */

		memcpy(p, t, k);
		if (calib_summary_from_text(p, k, &back, err, sizeof err))
		{
			accepted++;
			CHECK(calib_summary_check(&back, err, sizeof err));
		}
		free(p);
	}
	CHECK(accepted < 5);
	free(t);
}

static const char *bad_texts[] = {
	"",
	"v",
	"v1 fine=600",
	"v1 fine=600 n=0 correct=0 sq=0 ll=0",
	"v0 fine=600 n=0 correct=0 sq=0 ll=0 |",
	"v1 fine=599 n=0 correct=0 sq=0 ll=0 |",
	"v1 fine=600 n=0 correct=0 sq=-0.5 ll=0 |",
	"v1 fine=600 n=0 correct=0 sq=nan ll=0 |",
	"v1 fine=600 n=0 correct=0 sq=inf ll=0 |",
	"v1 fine=600 n=0 correct=0 sq=1e400 ll=0 |",
	"v1 fine=600 n=0 correct=0 sq=0 ll=1 |",
	"v1 fine=600 n=1 correct=0 sq=0 ll=0 |",
	"v1 fine=600 n=+1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5:1",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.4",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5000001",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:1:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.7 | 299:1:0:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.3 ll=0.6931471805599453 | 299:1:0:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 |  299:1:0:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5 299:0:0:0",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0x1p-1",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 1000000000000000000000:1:0:0.5",
	"v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.50000000000000000000000000000000000000000000000001",
	"v1\tfine=600 n=0 correct=0 sq=0 ll=0 |",
	"V1 fine=600 n=0 correct=0 sq=0 ll=0 |",
	/* version 2: exact sums only, in their one canonical form */
	"v2 fine=600 n=0 correct=0 sq=0 ll=0 |",
	"v3 fine=600 n=0 correct=0 sq=0.0000000000000000 ll=0.0000000000000000 |",
	"v2 fine=600 n=0 correct=0 sq=-0.0000000000000000 ll=0.0000000000000000 |",
	"v2 fine=600 n=0 correct=0 sq=0.0000000000000001 ll=0.0000000000000000 |",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.B17217F7D1CF7800 | 299:1:0:0.8000000000000000",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf79 | 299:1:0:0.8000000000000000",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf7900 | 299:1:0:0.5",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf7900 | 299:1:0:00.8000000000000000",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf7900 | 299:1:0:0.8100000000000000",
	"v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf7900 | 299:1:0:1.0000000000000000",
	/* a huge count must not widen the margin to admit negative sums (fuzz) */
	"v1 fine=600 n=9223372036854775807 correct=0 sq=0 ll=0 | 1:9223372036854775807:0:-.5",
	"v1 fine=600 n=9223372036854775807 correct=0 sq=0 ll=0 | 1:9223372036854775807:0:1",
};

static void
test_bad_texts(void)
{
	CalibSummary s;

	for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++)
	{
		bool		ok = calib_summary_from_text(bad_texts[i], strlen(bad_texts[i]), &s, err, sizeof err);

		CHECK(!ok);
		if (ok)
			fprintf(stderr, "accepted: %s\n", bad_texts[i]);
		CHECK(err[0] != '\0');
	}
	/* the valid neighbours of those cases are accepted */
	CHECK(calib_summary_from_text("v1 fine=600 n=0 correct=0 sq=0 ll=0 |", 37, &s, err, sizeof err));
	{
		/* -log(0.5) = 0x1.62e42fefa39efp-1 -> 0.b17217f7d1cf7800 */
		const char *ok = "v2 fine=600 n=1 correct=0 sq=0.4000000000000000 ll=0.b17217f7d1cf7800 | 299:1:0:0.8000000000000000";

		CHECK(calib_summary_from_text(ok, strlen(ok), &s, err, sizeof err));
		CHECK(s.bins[299].n == 1 && s.n == 1 && calib_summary_sq_error(&s) == 0.25);
	}
	{
		const char *ok = "v1 fine=600 n=1 correct=0 sq=0.25 ll=0.6931471805599453 | 299:1:0:0.5";

		CHECK(calib_summary_from_text(ok, strlen(ok), &s, err, sizeof err));
	}
	CHECK(s.bins[299].n == 1 && s.n == 1);
}

static void
test_wire(void)
{
	size_t		cap = calib_summary_wire_bound();
	uint8_t    *w = malloc(cap);
	CalibSummary s,
				back;
	size_t		len;
	int			accepted = 0;

	for (int r = 0; r < 20; r++)
	{
		fill(&s, r * 97, r);
		len = calib_summary_to_wire(&s, w, cap);
		CHECK(calib_summary_from_wire(w, len, &back, err, sizeof err));
		CHECK(same_summary(&s, &back));
	}
	fill(&s, 500, 3);
	len = calib_summary_to_wire(&s, w, cap);
	/* every truncation fails, and so does a trailing byte */
	for (size_t k = 0; k < len; k++)
	{
		uint8_t    *p = malloc(k == 0 ? 1 : k);

		memcpy(p, w, k);
		CHECK(!calib_summary_from_wire(p, k, &back, err, sizeof err));
		free(p);
	}
	w[len] = 0;
	CHECK(!calib_summary_from_wire(w, len + 1, &back, err, sizeof err));
	CHECK(strstr(err, "trailing") != NULL);
	/* every single-byte change either fails or gives a summary that passes
	 * the full check (a sum's low bits, say) */
	for (size_t k = 0; k < len; k++)
		for (int bit = 0; bit < 8; bit++)
		{
			w[k] ^= (uint8_t) (1 << bit);
			if (calib_summary_from_wire(w, len, &back, err, sizeof err))
			{
				accepted++;
				CHECK(calib_summary_check(&back, err, sizeof err));
			}
			w[k] ^= (uint8_t) (1 << bit);
		}
	CHECK(accepted > 0);		/* low mantissa bits of sums are not detectable */
	CHECK(accepted < (int) (len * 8) / 2);
	free(w);
}

static void
test_stored(void)
{
	size_t		cap = calib_summary_packed_bound();
	uint8_t    *buf = malloc(cap);
	uint8_t    *dense = malloc(calib_summary_dense_size() + 8);
	CalibSummary s,
				back,
				twice;
	size_t		len;

	for (int r = 0; r < 20; r++)
	{
		fill(&s, r * 131, r);
		len = calib_summary_pack(&s, buf, cap);
		CHECK(calib_summary_stored_form(buf, len) == CALIB_SUMMARY_PACKED);
		calib_summary_init(&back);
		CHECK(calib_summary_stored_add(buf, len, &back, err, sizeof err));
		CHECK(same_summary(&s, &back));
	}
	/* the dense form, at an aligned and a misaligned address */
	for (int off = 0; off <= 4; off += 4)
	{
		uint8_t    *d = dense + off;

		calib_summary_dense_header(d);
		memcpy(d + CALIB_SUMMARY_STORED_HDR, &s, sizeof s);
		CHECK(calib_summary_stored_form(d, calib_summary_dense_size()) == CALIB_SUMMARY_DENSE);
		calib_summary_init(&twice);
		CHECK(calib_summary_stored_add(d, calib_summary_dense_size(), &twice, err, sizeof err));
		CHECK(calib_summary_stored_add(buf, len, &twice, err, sizeof err));
		CHECK(twice.n == 2 * s.n && twice.bins[599].n == 2 * s.bins[599].n);
		CHECK(!calib_summary_stored_add(d, calib_summary_dense_size() - 1, &twice, err, sizeof err));
	}
	/* truncations and byte flips of the packed form never crash; accepted
	 * ones keep totals consistent with their bins */
	fill(&s, 400, 9);
	len = calib_summary_pack(&s, buf, cap);
	for (size_t k = 0; k < len; k++)
	{
		uint8_t    *p = malloc(k == 0 ? 1 : k);

		memcpy(p, buf, k);
		calib_summary_init(&back);
		CHECK(!calib_summary_stored_add(p, k, &back, err, sizeof err));
		free(p);
	}
	for (size_t k = 0; k < len; k++)
	{
		uint8_t		keep = buf[k];

		buf[k] ^= 0x5a;
		calib_summary_init(&back);
		if (calib_summary_stored_add(buf, len, &back, err, sizeof err))
		{
			int64_t		n = 0;

			for (int j = 0; j < FINE; j++)
				n += back.bins[j].n;
			CHECK(n == back.n);
		}
		buf[k] = keep;
	}
	free(buf);
	free(dense);
}

/* A bin sum a hair above n * upper edge is inside the input rounding margin:
 * accepted from the wire, and its packed form must decode again (fuzz_summary
 * found a stricter stored check refusing it). */
static void
test_margin_round_trip(void)
{
	CalibSummary s,
				back;
	uint8_t    *buf = malloc(calib_summary_packed_bound());
	size_t		len;

	calib_summary_init(&s);
	calib_summary_add(&s, 0.5, false);
	s.bins[299].sum_conf = calib_exact_from_double(0.5 + 1e-11);	/* above the edge 0.5, within the margin */
	CHECK(calib_summary_check(&s, err, sizeof err));
	len = calib_summary_pack(&s, buf, calib_summary_packed_bound());
	calib_summary_init(&back);
	CHECK(calib_summary_stored_add(buf, len, &back, err, sizeof err));
	CHECK(same_summary(&s, &back));
	s.bins[299].sum_conf = calib_exact_from_double(0.5 + 1e-6);	/* beyond the margin */
	CHECK(!calib_summary_check(&s, err, sizeof err));
	free(buf);
}

static void
test_check_and_overflow(void)
{
	CalibSummary s,
				t;

	fill(&s, 100, 1);
	CHECK(calib_summary_check(&s, err, sizeof err));
	t = s;
	t.bins[10].n = -1;
	CHECK(!calib_summary_check(&t, err, sizeof err));
	t = s;
	t.bins[599].sum_conf = calib_exact_negate(t.bins[599].sum_conf);
	CHECK(!calib_summary_check(&t, err, sizeof err));
	t = s;
	t.n++;
	CHECK(!calib_summary_check(&t, err, sizeof err));
	t = s;
	t.sum_sq_error = calib_exact_negate((CalibExact) {1, 0});	/* -2^-64 */
	CHECK(!calib_summary_check(&t, err, sizeof err));

	/* merge refuses to overflow the row count */
	calib_summary_init(&s);
	s.n = s.bins[0].n = INT64_MAX - 5;
	t = s;
	CHECK(!calib_summary_merge(&s, &t, err, sizeof err));
	CHECK(strstr(err, "more than") != NULL);
	/* merging is order-independent to the byte, and a merged part
	 * subtracts out exactly */
	{
		CalibSummary a,
					b,
					c,
					ab_c,
					a_cb;

		fill(&a, 300, 1);
		fill(&b, 500, 2);
		fill(&c, 700, 3);
		ab_c = a;
		CHECK(calib_summary_merge(&ab_c, &b, err, sizeof err));
		CHECK(calib_summary_merge(&ab_c, &c, err, sizeof err));
		a_cb = c;
		CHECK(calib_summary_merge(&a_cb, &b, err, sizeof err));
		CHECK(calib_summary_merge(&a_cb, &a, err, sizeof err));
		CHECK(same_summary(&ab_c, &a_cb));
		{
			CalibSummary ac = a;

			CHECK(calib_summary_merge(&ac, &c, err, sizeof err));
			CHECK(calib_summary_unmerge(&ab_c, &b, err, sizeof err));
			CHECK(same_summary(&ab_c, &ac));
			/* taking out more than is there fails */
			CHECK(!calib_summary_unmerge(&a, &c, err, sizeof err));
		}
	}
}

/* AUROC: within the stated bound of the exact value; exact when the
 * confidences are on a grid coarser than the fine bins. */
static void
test_auroc(void)
{
	enum
	{
	ROWS = 5000};
	static double pos[ROWS],
				neg[ROWS];

	for (int grid = 0; grid <= 1; grid++)
	{
		CalibSummary s;
		CalibScores sc;
		int64_t		np = 0,
					nn = 0;
		double		bound,
					a;

		calib_summary_init(&s);
		for (int i = 0; i < ROWS; i++)
		{
			double		c = grid ? (double) (1 + (int) (rng_unit() * 100)) / 100.0 : rng_unit();
			bool		y = rng_unit() < c;

			calib_summary_add(&s, c, y);
			if (y)
				pos[np++] = c;
			else
				neg[nn++] = c;
		}
		qsort(pos, np, sizeof(double), unit_cmp_double);
		qsort(neg, nn, sizeof(double), unit_cmp_double);
		sc = (CalibScores) {pos, np, neg, nn};
		a = calib_summary_auroc(&s, &bound);
		CHECK(fabs(a - calib_auroc(&sc)) <= bound + 1e-15);
		if (grid)
			CHECK_NEAR(a, calib_auroc(&sc), 1e-15);
		else
			CHECK(bound > 0 && bound < 0.01);
	}
}


/*
 * Version 1 (calib 0.1.0) values of the same rows, written here by hand
 * from the 0.1.0 layouts (double sums added in row order), in all four
 * encodings: each must decode into a version-2 summary with the same
 * counts and sums and metrics equal to ~1e-12.
 */
typedef struct V1Sums
{
	int64_t		n,
				nc;
	double		sq,
				ll;
	CalibBinAcc bins[FINE];
} V1Sums;

static size_t
v1_text(const V1Sums *v, char *buf, size_t cap)
{
	size_t		pos = (size_t) snprintf(buf, cap, "v1 fine=600 n=%lld correct=%lld sq=%.17g ll=%.17g |",
										(long long) v->n, (long long) v->nc, v->sq, v->ll);

	for (int j = 0; j < FINE; j++)
		if (v->bins[j].n)
			pos += (size_t) snprintf(buf + pos, cap - pos, " %d:%lld:%lld:%.17g", j,
									 (long long) v->bins[j].n, (long long) v->bins[j].n_correct,
									 v->bins[j].sum_conf);
	return pos;
}

static uint8_t *
be(uint8_t *p, uint64_t x, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (uint8_t) (x >> (8 * i));
	return p;
}

static uint64_t
dbits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static int
v1_nnz(const V1Sums *v)
{
	int			nnz = 0;

	for (int j = 0; j < FINE; j++)
		nnz += v->bins[j].n != 0;
	return nnz;
}

static size_t
v1_wire(const V1Sums *v, uint8_t *buf)
{
	uint8_t    *p = buf;

	p = be(p, 1, 1);
	p = be(p, FINE, 2);
	p = be(p, (uint64_t) v->n, 8);
	p = be(p, (uint64_t) v->nc, 8);
	p = be(p, dbits(v->sq), 8);
	p = be(p, dbits(v->ll), 8);
	p = be(p, (uint64_t) v1_nnz(v), 2);
	for (int j = 0; j < FINE; j++)
		if (v->bins[j].n)
		{
			p = be(p, (uint64_t) j, 2);
			p = be(p, (uint64_t) v->bins[j].n, 8);
			p = be(p, (uint64_t) v->bins[j].n_correct, 8);
			p = be(p, dbits(v->bins[j].sum_conf), 8);
		}
	return (size_t) (p - buf);
}

static uint8_t *
leb(uint8_t *p, uint64_t x)
{
	while (x >= 0x80)
	{
		*p++ = (uint8_t) (x | 0x80);
		x >>= 7;
	}
	*p++ = (uint8_t) x;
	return p;
}

static size_t
v1_packed(const V1Sums *v, uint8_t *buf)
{
	uint16_t	fine = FINE,
				nnz = (uint16_t) v1_nnz(v);
	uint8_t    *p = buf + 4,
			   *bitmap,
			   *sums;

	buf[0] = 1;
	buf[1] = 'P';
	memcpy(buf + 2, &fine, 2);
	memcpy(p, &v->n, 8);
	memcpy(p + 8, &v->nc, 8);
	memcpy(p + 16, &v->sq, 8);
	memcpy(p + 24, &v->ll, 8);
	memcpy(p + 32, &nnz, 2);
	bitmap = p + 34;
	memset(bitmap, 0, 75);
	sums = bitmap + 75;
	p = sums + 8 * nnz;
	for (int j = 0; j < FINE; j++)
		if (v->bins[j].n)
		{
			bitmap[j / 8] |= (uint8_t) (1 << (j % 8));
			memcpy(sums, &v->bins[j].sum_conf, 8);
			sums += 8;
			p = leb(p, (uint64_t) v->bins[j].n);
			p = leb(p, (uint64_t) v->bins[j].n_correct);
		}
	return (size_t) (p - buf);
}

/* The 0.1.0 dense working state: the log loss partly as a pending product
 * ll_mant 2^ll_exp (here 0.5 2^-3, i.e. 4 ln 2 of the total). */
static size_t
v1_dense(const V1Sums *v, uint8_t *buf)
{
	struct
	{
		int64_t		n,
					nc;
		double		sq,
					ll,
					mant;
		int64_t		exp;
		CalibBinAcc bins[FINE];
	}			d;
	uint16_t	fine = FINE;

	d.n = v->n;
	d.nc = v->nc;
	d.sq = v->sq;
	d.ll = v->ll - 4 * log(2.0);
	d.mant = 0.5;
	d.exp = -3;
	memcpy(d.bins, v->bins, sizeof d.bins);
	buf[0] = 1;
	buf[1] = 'D';
	memcpy(buf + 2, &fine, 2);
	memcpy(buf + 4, &d, sizeof d);
	return 4 + sizeof d;
}

static void
check_like_v1(const CalibSummary *got, const CalibSummary *want)
{
	CalibBinAcc a[10],
				b[10];
	CalibBinnedError ea,
				eb;

	CHECK(got->n == want->n && got->n_correct == want->n_correct);
	for (int j = 0; j < FINE; j++)
		CHECK(got->bins[j].n == want->bins[j].n && got->bins[j].n_correct == want->bins[j].n_correct);
	CHECK_NEAR(calib_summary_sq_error(got), calib_summary_sq_error(want), 1e-12 * (1 + want->n));
	CHECK_NEAR(calib_summary_log_loss(got), calib_summary_log_loss(want), 1e-12 * (1 + want->n));
	calib_summary_rebin(got, 10, a);
	calib_summary_rebin(want, 10, b);
	calib_binned_error(a, 10, &ea);
	calib_binned_error(b, 10, &eb);
	CHECK_NEAR(ea.ece, eb.ece, 1e-12);
	if (want->n > 0)
		CHECK_NEAR(calib_summary_mean_confidence(got), calib_summary_mean_confidence(want), 1e-12);
}

static void
test_version1(void)
{
	static V1Sums v;
	static char text[FINE * 80 + 200];
	static uint8_t buf[FINE * 40 + 20000];
	CalibSummary want,
				got;

	for (int r = 0; r < 8; r++)
	{
		int			rows = r * r * 113;
		size_t		len;

		memset(&v, 0, sizeof v);
		calib_summary_init(&want);
		for (int i = 0; i < rows; i++)
		{
			double		c = some_confidence(i + r);
			bool		y = rng_unit() < c;

			calib_summary_add(&want, c, y);
			calib_bin_acc_add(&v.bins[calib_bin_index(c, FINE)], c, y);
			v.n++;
			v.nc += y;
			v.sq += calib_sq_error(c, y);
			v.ll += calib_log_loss(c, y);
		}
		len = v1_text(&v, text, sizeof text);
		CHECK(calib_summary_from_text(text, len, &got, err, sizeof err));
		check_like_v1(&got, &want);
		len = v1_wire(&v, buf);
		CHECK(calib_summary_from_wire(buf, len, &got, err, sizeof err));
		check_like_v1(&got, &want);
		len = v1_packed(&v, buf);
		CHECK(calib_summary_stored_form(buf, len) == CALIB_SUMMARY_PACKED);
		calib_summary_init(&got);
		CHECK(calib_summary_stored_add(buf, len, &got, err, sizeof err));
		check_like_v1(&got, &want);
		/* a v1 value merged into a v2 one: counts add up */
		CHECK(calib_summary_stored_add(buf, len, &got, err, sizeof err));
		CHECK(got.n == 2 * want.n);
		len = v1_dense(&v, buf);
		CHECK(calib_summary_stored_form(buf, len) == CALIB_SUMMARY_DENSE);
		calib_summary_init(&got);
		CHECK(calib_summary_stored_add(buf, len, &got, err, sizeof err));
		check_like_v1(&got, &want);
		/* truncated v1 forms fail */
		CHECK(!calib_summary_stored_add(buf, len - 1, &got, err, sizeof err));
	}
}

int
main(void)
{
	test_edge_index();
	test_hand();
	test_rebin_and_sums();
	test_text_round_trip();
	test_text_prefixes();
	test_bad_texts();
	test_wire();
	test_stored();
	test_margin_round_trip();
	test_check_and_overflow();
	test_auroc();
	test_version1();
	return unit_report("test_summary");
}
