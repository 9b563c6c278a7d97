/*
 * Unit tests of the recalibration core: map text/binary forms and their
 * validation, apply, the four fits, selective prediction, debiased ECE, the
 * generator and the bootstrap.  Every expected value is worked out by hand in
 * the comment next to it.
 */
#include <string.h>

#include "bootstrap.h"
#include "recal.h"
#include "selective.h"
#include "smece.h"
#include "unit.h"

static char err[CALIB_MAP_ERRLEN];

/* Scores from (confidence, correct) pairs; arrays must be sorted already. */
#define SCORES(p, n) ((CalibScores) {p, (int64_t) (sizeof(p) / sizeof(double)), n, (int64_t) (sizeof(n) / sizeof(double))})

static CalibMap *
parse(const char *s)
{
	CalibMap   *m = NULL;

	if (calib_map_from_text(s, strlen(s), &m, err, sizeof err) != NULL)
		return NULL;
	return m;
}

static void
test_round_trip(void)
{
	const char *lits[] = {
		"v1:temperature(1.5)", "v1:platt(1.2,-0.3)", "v1:platt(0.1,-0)",
		"v1:platt(0.30000000000000004,4.94065645841247e-324)",
		"v1:histogram(0.1,0.3333333333333333,1,0,2.2250738585072014e-308)",
		"v1:isotonic(0:0,0.5:0.25,1:1)", "v1:isotonic(0.42:0.7)",
	};

	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++)
	{
		CalibMap   *m = parse(lits[i]),
				   *m2 = NULL;
		char	   *txt;
		unsigned char bin[256];
		size_t		size;

		CHECK(m != NULL);
		if (m == NULL)
		{
			fprintf(stderr, "%s: %s\n", lits[i], err);
			continue;
		}
		txt = calib_map_to_text(m);
		CHECK(strcmp(txt, lits[i]) == 0);	/* canonical literals print as given */
		size = calib_map_size(m->kind, m->n);
		CHECK(calib_map_binary_size(m) <= sizeof bin);
		calib_map_to_binary(m, bin);
		CHECK(calib_map_from_binary(bin, calib_map_binary_size(m), &m2, err, sizeof err) == NULL);
		CHECK(m2 != NULL && memcmp(m, m2, size) == 0);	/* bit-exact */
		free(txt);
		free(m);
		free(m2);
	}

	/* awkward doubles written by the formatter read back bit-exactly */
	{
		double		xs[] = {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324, 0.1 + 0.2, 1 - 1e-16, 123456789.125};

		for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
		{
			char		buf[32];
			double		back;

			calib_format_double(xs[i], buf);
			back = strtod(buf, NULL);
			CHECK(memcmp(&back, &xs[i], sizeof back) == 0);
		}
	}
	/* surrounding whitespace is accepted */
	{
		CalibMap   *m = parse("  v1:temperature(2)\n");

		CHECK(m != NULL && m->kind == CALIB_MAP_TEMPERATURE && m->v[0] == 2.0);
		free(m);
	}
}

static void
test_malformed_text(void)
{
	const char *bad[] = {
		"", "   ", "v1", "v1:", "v2:temperature(1)", "V1:temperature(1)", "v1:temp(1)",
		"v1:temperature", "v1:temperature(", "v1:temperature()", "v1:temperature(1,2)",
		"v1:temperature(0)", "v1:temperature(-1)", "v1:temperature(nan)", "v1:temperature(inf)",
		"v1:temperature(1e999)", "v1:temperature(0x1p1)", "v1:temperature( 1)", "v1:temperature(1 )",
		"v1:temperature(1))", "v1:temperature(1)x", "v1:temperature(1.2.3)", "v1:temperature(--1)",
		"v1:temperature(1e)", "v1:temperature(.)", "v1:platt(1)", "v1:platt(1,2,3)", "v1:platt(1,)",
		"v1:platt(1;2)", "v1:histogram()", "v1:histogram(1.5)", "v1:histogram(-0.1)",
		"v1:histogram(0.5,)", "v1:isotonic()", "v1:isotonic(0.5)", "v1:isotonic(0.5:)",
		"v1:isotonic(0.5:0.2,0.4:0.3)", "v1:isotonic(0.2:0.5,0.4:0.3)", "v1:isotonic(0.2:0.5,0.2:0.6)",
		"v1:isotonic(1.5:0.5)", "v1:isotonic(0.5:1.5)", "v1:isotonic(0.5:0.5:0.5)",
		"v1:temperature(11111111111111111111111111111111111111111111111111111)",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
	{
		CalibMap   *m = parse(bad[i]);

		CHECK(m == NULL);
		if (m != NULL)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(strlen(err) > 0);
		free(m);
	}
	/* an embedded NUL (or anything) after the map is trailing text */
	{
		CalibMap   *m = NULL;

		CHECK(calib_map_from_text("v1:temperature(1)\0", 18, &m, err, sizeof err) != NULL);
		CHECK(calib_map_from_text("v1:temperature(1)", 10, &m, err, sizeof err) != NULL);
	}
	/* 10000 histogram values are fine, 10001 are not */
	{
		size_t		cap = 32 + 10001 * 2;
		char	   *s = malloc(cap);
		size_t		len = (size_t) sprintf(s, "v1:histogram(");
		CalibMap   *m = NULL;

		for (int k = 0; k < 10000; k++)
			len += (size_t) sprintf(s + len, k ? ",0" : "0");
		strcpy(s + len, ")");
		CHECK(calib_map_from_text(s, strlen(s), &m, err, sizeof err) == NULL && m && m->n == 10000);
		free(m);
		strcpy(s + len, ",0)");
		CHECK(calib_map_from_text(s, strlen(s), &m, err, sizeof err) != NULL);
		free(s);
	}
}

static void
test_malformed_binary(void)
{
	/* version 1, temperature, n = 0, T = 2.0 (0x4000000000000000) */
	unsigned char ok[] = {1, 1, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0};
	unsigned char buf[64];
	CalibMap   *m = NULL;

	CHECK(calib_map_from_binary(ok, sizeof ok, &m, err, sizeof err) == NULL && m && m->v[0] == 2.0);
	free(m);
	CHECK(calib_map_from_binary(ok, 5, &m, err, sizeof err) != NULL);	/* short header */
	CHECK(calib_map_from_binary(ok, 13, &m, err, sizeof err) != NULL);	/* short value */
	memcpy(buf, ok, sizeof ok);
	buf[sizeof ok] = 0;
	CHECK(calib_map_from_binary(buf, sizeof ok + 1, &m, err, sizeof err) != NULL);	/* trailing */
	buf[0] = 2;
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);	/* version */
	memcpy(buf, ok, sizeof ok);
	buf[1] = 9;
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);	/* kind */
	memcpy(buf, ok, sizeof ok);
	buf[5] = 1;
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);	/* n for temperature */
	memcpy(buf, ok, sizeof ok);
	buf[6] = 0xC0;				/* T = -2 */
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);
	buf[6] = 0x7F;
	buf[7] = 0xF8;				/* NaN */
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);
	/* histogram claiming 2^31 - 1 bins in 14 bytes */
	memcpy(buf, ok, sizeof ok);
	buf[1] = CALIB_MAP_HISTOGRAM;
	buf[2] = 0x7F;
	buf[3] = buf[4] = buf[5] = 0xFF;
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);
	/* isotonic claiming 2^32 - 1 knots */
	buf[1] = CALIB_MAP_ISOTONIC;
	buf[2] = 0xFF;
	CHECK(calib_map_from_binary(buf, sizeof ok, &m, err, sizeof err) != NULL);
}

static void
test_apply(void)
{
	CalibMap   *t = parse("v1:temperature(2)"),
			   *p = parse("v1:platt(1,0)"),
			   *h = parse("v1:histogram(0.1,0.5)"),
			   *i = parse("v1:isotonic(0:0,0.5:0.25,1:1)"),
			   *c = parse("v1:isotonic(0.2:0.3,0.6:0.9)");

	/* logit(0.9) = ln 9; / 2 = ln 3; sigma(ln 3) = 3/4 */
	CHECK_NEAR(calib_map_apply(t, 0.9), 0.75, 1e-15);
	CHECK_NEAR(calib_map_apply(t, 0.5), 0.5, 1e-15);
	/* p = 1 is clipped to q = 1 - 1e-12 (as a double, so 1 - q is 1.0000889e-12)
	 * before the logit: sigma(logit(q) / 2) = 1 / (1 + sqrt((1 - q) / q)) */
	{
		volatile double q = 1.0 - 1e-12;

		CHECK_NEAR(calib_map_apply(t, 1.0), 1.0 / (1.0 + sqrt((1.0 - q) / q)), 1e-14);
	}
	CHECK_NEAR(calib_map_apply(p, 0.3), 0.3, 1e-15);	/* identity */
	CHECK(calib_map_apply(p, 0.0) > 0.0);	/* clipped: 1e-12 */
	CHECK_NEAR(calib_map_apply(p, 0.0), 1e-12, 1e-24);
	CHECK(calib_map_apply(h, 0.5) == 0.1);	/* 0.5 is the upper edge of bin 1 */
	CHECK(calib_map_apply(h, 0.50001) == 0.5);
	CHECK(calib_map_apply(h, 0.0) == 0.1);
	CHECK_NEAR(calib_map_apply(i, 0.75), 0.625, 1e-15);	/* halfway 0.25 .. 1 */
	CHECK_NEAR(calib_map_apply(i, 0.25), 0.125, 1e-15);
	CHECK(calib_map_apply(i, 0.5) == 0.25);
	CHECK(calib_map_apply(c, 0.1) == 0.3);	/* clipped below the first knot */
	CHECK(calib_map_apply(c, 0.7) == 0.9);	/* and above the last */
	CHECK_NEAR(calib_map_apply(c, 0.4), 0.6, 1e-15);
	free(t);
	free(p);
	free(h);
	free(i);
	free(c);
}

static void
test_fit_temperature(void)
{
	double		work[64];
	CalibMap   *m;

	/* 3 of 4 correct at p = 0.9: sigma(beta ln 9) = 3/4 gives beta ln 9 = ln 3,
	 * beta = 1/2, T = 2 */
	{
		double		pos[] = {0.9, 0.9, 0.9},
					neg[] = {0.9};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[0], 2.0, 1e-12);
		free(m);
	}
	/* ... and mirrored at p = 0.1 with 1 of 4 correct: still T = 2 */
	{
		double		pos[] = {0.1, 0.9, 0.9, 0.9},
					neg[] = {0.1, 0.1, 0.1, 0.9};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[0], 2.0, 1e-12);
		free(m);
	}
	/* calibrated at p = 0.75 (3 of 4): T = 1 */
	{
		double		pos[] = {0.75, 0.75, 0.75},
					neg[] = {0.75};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[0], 1.0, 1e-12);
		free(m);
	}
	/* all confidences 1/2: every T fits, T = 1 */
	{
		double		pos[] = {0.5},
					neg[] = {0.5, 0.5};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) == NULL && m->v[0] == 1.0);
		free(m);
	}
	/* separable: above 0.5 correct, below wrong -> error */
	{
		double		pos[] = {0.6, 0.9},
					neg[] = {0.2, 0.5};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) != NULL && m == NULL);
	}
	/* all correct, all above 0.5 -> separable too */
	{
		double		pos[] = {0.6, 1.0},
					neg[1];
		CalibScores s = {pos, 2, neg, 0};

		CHECK(calib_fit_temperature(&s, work, &m) != NULL);
	}
	/* anti-associated: high confidence wrong -> L'(0) >= 0 -> error */
	{
		double		pos[] = {0.2, 0.3},
					neg[] = {0.8, 0.9};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_temperature(&s, work, &m) != NULL);
	}
	/* confidences exactly 0 and 1 (clipped to logit +-27.63) still fit */
	{
		double		pos[] = {0.0, 1.0, 1.0, 1.0},
					neg[] = {0.0, 0.0, 0.0, 1.0};
		CalibScores s = SCORES(pos, neg);

		/* nearly symmetric: sigma(beta z) = 3/4 at z = +-27.63 gives beta =
		 * ln 3 / z; the clipped logits of 0 and 1 differ by 9e-5 (1 - 1e-12 is
		 * not exact in binary), hence the tolerance */
		CHECK(calib_fit_temperature(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[0], calib_clipped_logit(1.0 - 1e-12) / log(3.0), 1e-3);
		free(m);
	}
}

static void
test_fit_platt(void)
{
	double		work[64];
	CalibMap   *m;

	/* 1 of 4 correct at p = 0.5 (z = 0), 3 of 4 at p = 0.9 (z = ln 9): the
	 * fit reproduces both accuracies, b = logit(1/4) = -ln 3 and
	 * a ln 9 - ln 3 = ln 3, a = 1 */
	{
		double		pos[] = {0.5, 0.9, 0.9, 0.9},
					neg[] = {0.5, 0.5, 0.5, 0.9};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_platt(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[0], 1.0, 1e-10);
		CHECK_NEAR(m->v[1], -log(3.0), 1e-10);
		free(m);
	}
	/* degenerate cases, each an error */
	{
		double		pos[] = {0.2, 0.9},
					neg[] = {0.1, 0.2};	/* max wrong 0.2 <= min correct 0.2 */
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_platt(&s, work, &m) != NULL);
	}
	{
		double		pos[] = {0.1, 0.2},
					neg[] = {0.3, 0.9};	/* reversed separation */
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_platt(&s, work, &m) != NULL);
	}
	{
		double		pos[] = {0.4, 0.4},
					neg[] = {0.4};	/* one distinct value */
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_platt(&s, work, &m) != NULL);
	}
	{
		double		pos[] = {0.1, 0.4},
					neg[1];
		CalibScores s = {pos, 2, neg, 0};	/* all correct */

		CHECK(calib_fit_platt(&s, work, &m) != NULL);
		s = (CalibScores) {neg, 0, pos, 2};	/* all wrong */
		CHECK(calib_fit_platt(&s, work, &m) != NULL);
	}
	{
		/* 1e-13 and 1e-14 both clip to 1e-12: same logit, so separable */
		double		pos[] = {1e-13, 0.9},
					neg[] = {1e-14};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_platt(&s, work, &m) != NULL);
	}
	/* 0 and 1 with overlap: the symmetric case a z + b = +-ln 3 -> b = 0 */
	{
		double		pos[] = {0.0, 1.0, 1.0, 1.0},
					neg[] = {0.0, 0.0, 0.0, 1.0};
		CalibScores s = SCORES(pos, neg);

		/* (nearly: the clipped logits of 0 and 1 differ by 9e-5, see above) */
		CHECK(calib_fit_platt(&s, work, &m) == NULL);
		CHECK_NEAR(m->v[1], 0.0, 1e-5);
		CHECK_NEAR(m->v[0], log(3.0) / calib_clipped_logit(1.0), 1e-6);
		free(m);
	}
}

static void
test_fit_isotonic_histogram(void)
{
	double		work[64];
	CalibMap   *m;

	/* (0.1 correct) (0.2 wrong) (0.3 correct) (0.4 correct): PAV pools the
	 * first two (1 >= 0) to 1/2 and the last two (1 >= 1) to 1 */
	{
		double		pos[] = {0.1, 0.3, 0.4},
					neg[] = {0.2};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_isotonic(&s, work, &m) == NULL);
		CHECK(m->n == 4);
		CHECK(m->v[0] == 0.1 && m->v[1] == 0.2 && m->v[2] == 0.3 && m->v[3] == 0.4);
		CHECK(m->v[4] == 0.5 && m->v[5] == 0.5 && m->v[6] == 1.0 && m->v[7] == 1.0);
		CHECK_NEAR(calib_map_apply(m, 0.25), 0.75, 1e-15);
		CHECK(calib_map_apply(m, 0.05) == 0.5 && calib_map_apply(m, 0.9) == 1.0);
		CHECK(calib_map_check(m, err, sizeof err) == NULL);
		free(m);
	}
	/* already increasing with ties: 0.3 x2 (1 of 2), 0.6 (correct) -> 3 knots? no:
	 * blocks {0.3: 1/2}, {0.6: 1}, single points -> 2 knots */
	{
		double		pos[] = {0.3, 0.6},
					neg[] = {0.3};
		CalibScores s = SCORES(pos, neg);

		CHECK(calib_fit_isotonic(&s, work, &m) == NULL);
		CHECK(m->n == 2 && m->v[0] == 0.3 && m->v[1] == 0.6 && m->v[2] == 0.5 && m->v[3] == 1.0);
		free(m);
	}
	/* histogram: 4 bins; (0.2 F) -> 0; (0.5 T) -> 1; empty (0.5, 0.75] ->
	 * midpoint 0.625; (0.8 T, 1.0 F) -> 1/2 */
	{
		CalibBinAcc acc[4] = {{0}};

		calib_bins_add(acc, 4, 0.2, false);
		calib_bins_add(acc, 4, 0.5, true);
		calib_bins_add(acc, 4, 0.8, true);
		calib_bins_add(acc, 4, 1.0, false);
		CHECK(calib_fit_histogram(acc, 4, &m) == NULL);
		CHECK(m->v[0] == 0.0 && m->v[1] == 1.0 && m->v[2] == 0.625 && m->v[3] == 0.5);
		free(m);
	}
}

static void
test_selective(void)
{
	/* rows (0.9 T) (0.9 F) (0.8 T) (0.5 F); walking down:
	 *   t = 0.9: 2 answered, 1 correct -> coverage 1/2, accuracy 1/2
	 *   t = 0.8: 3 answered, 2 correct -> 3/4, 2/3
	 *   t = 0.5: 4 answered, 2 correct -> 1, 1/2
	 * AURC = 1/2 * 1/2 + 1/4 * 1/3 + 1/4 * 1/2 = 11/24 */
	double		pos[] = {0.8, 0.9},
				neg[] = {0.5, 0.9};
	CalibScores s = SCORES(pos, neg);
	CalibCoveragePoint pts[4],
				pt;

	CHECK(calib_coverage_points(&s) == 3);
	calib_risk_coverage(&s, pts);
	CHECK(pts[0].threshold == 0.9 && pts[0].coverage == 0.5 && pts[0].accuracy == 0.5);
	CHECK(pts[1].threshold == 0.8 && pts[1].coverage == 0.75 && pts[1].accuracy == 2.0 / 3.0);
	CHECK(pts[2].threshold == 0.5 && pts[2].coverage == 1.0 && pts[2].accuracy == 0.5);
	CHECK_NEAR(calib_aurc(&s), 11.0 / 24.0, 1e-15);
	CHECK(calib_threshold_for_accuracy(&s, 0.6, &pt) && pt.threshold == 0.8);
	CHECK(!calib_threshold_for_accuracy(&s, 0.7, &pt));
	CHECK(calib_threshold_for_accuracy(&s, 0.5, &pt) && pt.threshold == 0.5 && pt.coverage == 1.0);
}

static void
test_debiased(void)
{
	CalibBinAcc acc[2] = {{0}};

	/* one bin of 4 at 0.9, 2 correct: (0.9 - 0.5)^2 - 0.25/3 = 0.0766667 */
	for (int i = 0; i < 4; i++)
		calib_bins_add(acc, 2, 0.9, i < 2);
	CHECK_NEAR(calib_debiased_ece(acc, 2), sqrt(0.16 - 0.25 / 3.0), 1e-15);
	/* a single row in the other bin contributes 0 but counts in n:
	 * CE^2 = 4/5 * 0.0766667 */
	calib_bins_add(acc, 2, 0.1, true);
	CHECK_NEAR(calib_debiased_ece(acc, 2), sqrt(0.8 * (0.16 - 0.25 / 3.0)), 1e-15);
	/* the binning.c example: every bin's correction exceeds its gap -> 0 */
	memset(acc, 0, sizeof acc);
	calib_bins_add(acc, 2, 0.2, false);
	calib_bins_add(acc, 2, 0.5, true);
	calib_bins_add(acc, 2, 0.8, true);
	calib_bins_add(acc, 2, 1.0, false);
	CHECK(calib_debiased_ece(acc, 2) == 0.0);
}

static void
test_rng_bootstrap(void)
{
	uint64_t	st = 0;
	CalibRng	r1,
				r2;
	double		v[] = {1, 2, 3, 4};

	/* splitmix64 reference output for seed 0 (Vigna's splitmix64.c) */
	CHECK(calib_splitmix64(&st) == UINT64_C(0xE220A8397B1DCDAF));
	calib_rng_seed(&r1, 42);
	calib_rng_seed(&r2, 42);
	for (int i = 0; i < 1000; i++)
	{
		uint64_t	a = calib_rng_below(&r1, 7),
					b = calib_rng_below(&r2, 7);

		CHECK(a == b && a < 7);
	}
	/* percentile_cont: position q (n - 1) */
	CHECK(calib_percentile_sorted(v, 4, 0.5) == 2.5);
	CHECK(calib_percentile_sorted(v, 4, 0.0) == 1.0);
	CHECK(calib_percentile_sorted(v, 4, 1.0) == 4.0);
	CHECK_NEAR(calib_percentile_sorted(v, 4, 0.025), 1.075, 1e-15);

	/* every resample of a one-row sample is that row: ECE |0.7 - 1| */
	{
		double		pos[] = {0.7},
					neg[1];
		CalibScores s = {pos, 1, neg, 0};
		CalibBootstrap bs;
		uint32_t	count[1];
		int64_t		start[22];
		CalibBinAcc acc[10];

		calib_bootstrap_init(&bs, &s, 10, 7, count, start, acc);
		CHECK_NEAR(calib_bootstrap_ece(&bs), 0.3, 1e-15);
	}
	/* same seed, same sequence of resampled ECEs */
	{
		double		pos[] = {0.1, 0.5, 0.7, 0.9},
					neg[] = {0.2, 0.6, 0.95};
		CalibScores s = SCORES(pos, neg);
		CalibBootstrap a,
					b;
		uint32_t	cnta[7],
					cntb[7];
		int64_t		sta[22],
					stb[22];
		CalibBinAcc acca[10],
					accb[10];
		int			differ = 0;

		calib_bootstrap_init(&a, &s, 10, 1, cnta, sta, acca);
		calib_bootstrap_init(&b, &s, 10, 1, cntb, stb, accb);
		for (int i = 0; i < 50; i++)
		{
			double		x = calib_bootstrap_ece(&a),
						y = calib_bootstrap_ece(&b);

			CHECK(x == y && x >= 0.0 && x <= 1.0);
			differ |= x != calib_bootstrap_ece(&b) ? 1 : 0;
			calib_bootstrap_ece(&a);
		}
		CHECK(differ);			/* resamples do vary */
	}
	/* a resample equals the naive one: the same draws (same seed) binned row
	 * by row with calib_bins_add */
	{
		double		pos[] = {0.05, 0.1, 0.3, 0.35, 0.5, 0.7, 0.9, 1.0},
					neg[] = {0.0, 0.2, 0.6, 0.6, 0.95};
		CalibScores s = SCORES(pos, neg);
		CalibBootstrap bs;
		uint32_t	cnt[13];
		int64_t		st[22];
		CalibBinAcc acc[10];
		CalibRng	r;

		calib_bootstrap_init(&bs, &s, 10, 99, cnt, st, acc);
		calib_rng_seed(&r, 99);
		for (int rep = 0; rep < 20; rep++)
		{
			CalibBinAcc naive[10] = {{0}};
			CalibBinnedError e;

			for (int i = 0; i < 13; i++)
			{
				uint64_t	j = calib_rng_below(&r, 13);

				if (j < 8)
					calib_bins_add(naive, 10, pos[j], true);
				else
					calib_bins_add(naive, 10, neg[j - 8], false);
			}
			calib_binned_error(naive, 10, &e);
			CHECK_NEAR(calib_bootstrap_ece(&bs), e.ece, 1e-15);
		}
	}
}

static void
test_smece(void)
{
	static double work[CALIB_SMECE_WORK];
	double		sigma;

	/* one row at 0.5, correct: the smoothed residual is -1/2 wherever the
	 * density dominates eps; smECE lies in (0, 1/2] */
	{
		double		pos[] = {0.5},
					neg[1];
		CalibScores s = {pos, 1, neg, 0};
		double		e = calib_smooth_ece(&s, &sigma, work);

		CHECK(e > 0.0 && e <= 0.5);
		CHECK(sigma > 0.0 && sigma <= 1.0);
	}
	/* the fixed point: sigma is where smECE(sigma) crosses sigma, to 2^-10 */
	{
		double		pos[] = {0.3, 0.6, 0.8, 0.9, 0.9, 0.95},
					neg[] = {0.2, 0.7, 0.9, 0.99};
		CalibScores s = SCORES(pos, neg);
		double		e = calib_smooth_ece(&s, &sigma, work);

		CHECK(sigma >= e - 1.0 / 1024 || sigma == 1.0);
		CHECK(calib_smooth_ece_sigma(&s, sigma - 1.0 / 1024, work) > sigma - 1.0 / 1024);
	}
}

int
main(void)
{
	test_round_trip();
	test_malformed_text();
	test_malformed_binary();
	test_apply();
	test_fit_temperature();
	test_fit_platt();
	test_fit_isotonic_histogram();
	test_selective();
	test_debiased();
	test_rng_bootstrap();
	test_smece();
	return unit_report("test_recal");
}
