/*
 * Unit tests of the probability-vector core (multiclass.c): validation,
 * argmax, softmax, the states (adding, merging in any order, text and wire
 * forms, their validation), the four metrics on hand-worked cases, Full-ECE
 * from a truncated vector, and the vector temperature fit.  Every expected
 * value is worked out by hand in the comment next to it.
 */
#include <string.h>

#include "multiclass.h"
#include "unit.h"

static char err[CALIB_MC_ERRLEN];

static void
test_validation(void)
{
	double		s;
	double		ok[] = {0.7, 0.2, 0.1};
	double		over[] = {0.7, 0.2, 0.2};
	double		under[] = {0.5, 0.2};
	double		neg[] = {1.1, -0.1};
	double		nan_[] = {0.5, NAN};
	double		big[] = {1.0000005, 0.0};	/* within 1e-6 of 1: accepted */
	double		big2[] = {1.00001, 0.0};

	CHECK(calib_probs_check(ok, 3, false, &s, err, sizeof err) == NULL);
	CHECK_NEAR(s, 1.0, 1e-15);
	CHECK(calib_probs_check(over, 3, false, &s, err, sizeof err) != NULL);
	CHECK(strstr(err, "sum to 1.0999999999999999,") != NULL);
	CHECK(calib_probs_check(over, 3, true, &s, err, sizeof err) != NULL);	/* above 1 even truncated */
	CHECK(calib_probs_check(under, 2, false, &s, err, sizeof err) != NULL);
	CHECK(calib_probs_check(under, 2, true, &s, err, sizeof err) == NULL);	/* a top-2 of more */
	CHECK(calib_probs_check(neg, 2, false, &s, err, sizeof err) != NULL);
	CHECK(strstr(err, "probability 1 is 1.1,") != NULL);
	CHECK(calib_probs_check(nan_, 2, false, &s, err, sizeof err) != NULL);
	CHECK(strstr(err, "probability 2 is NaN") != NULL);
	CHECK(calib_probs_check(big, 2, false, &s, err, sizeof err) == NULL);
	CHECK(calib_prob_clamp(big[0]) == 1.0);
	CHECK(calib_probs_check(big2, 2, false, &s, err, sizeof err) != NULL);
	CHECK(strstr(err, "probability 1 is 1.00001") != NULL);
}

static void
test_argmax_softmax(void)
{
	double		tie[] = {0.4, 0.4, 0.2};
	double		z[] = {1.0, 2.0, 3.0};
	double		zi[] = {0.0, -INFINITY, 0.0};
	double		zbig[] = {1000.0, 1000.0};
	double		out[3];
	double		e1 = exp(-2.0),
				e2 = exp(-1.0);

	CHECK(calib_argmax(tie, 3) == 0);	/* ties: the lowest index */
	CHECK(calib_argmax(z, 3) == 2);
	/* softmax(1,2,3) = (e^-2, e^-1, 1) / (1 + e^-1 + e^-2) */
	calib_softmax(z, 3, 1.0, out);
	CHECK_NEAR(out[0], e1 / (1 + e1 + e2), 1e-16);
	CHECK_NEAR(out[2], 1 / (1 + e1 + e2), 1e-16);
	/* T = 2 halves the logits: (e^-1, e^-0.5, 1) / sum */
	calib_softmax(z, 3, 2.0, out);
	CHECK_NEAR(out[1], exp(-0.5) / (1 + exp(-0.5) + exp(-1.0)), 1e-16);
	calib_softmax(zi, 3, 1.0, out);
	CHECK(out[0] == 0.5 && out[1] == 0.0 && out[2] == 0.5);
	calib_softmax(zbig, 2, 1.0, out);	/* no overflow: max subtracted */
	CHECK(out[0] == 0.5 && out[1] == 0.5);
	CHECK(calib_logits_check(zi, 3, err, sizeof err) == NULL);
	{
		double		allinf[] = {-INFINITY, -INFINITY};
		double		pinf[] = {0.0, INFINITY};

		CHECK(calib_logits_check(allinf, 2, err, sizeof err) != NULL);
		CHECK(calib_logits_check(pinf, 2, err, sizeof err) != NULL);
		CHECK(strstr(err, "logit 2 is Infinity") != NULL);
	}
}

static CalibVecState *
new_state(int kind, int k, int bins)
{
	CalibVecState *st = malloc(calib_vs_size(kind, k, bins));

	calib_vs_init(st, kind, k, bins);
	return st;
}

/* Round trip through text and wire; both must give the same bytes. */
static void
check_round_trip(const CalibVecState *st)
{
	size_t		size = calib_vs_size(st->kind, st->k, st->bins);
	char	   *text = calib_vs_to_text(st);
	CalibVecState *back = NULL;
	bool		syntax;
	unsigned char *wire = malloc(calib_vs_wire_size(st));

	CHECK(calib_vs_check(st, err, sizeof err) == NULL);
	CHECK(calib_vs_from_text(text, strlen(text), &back, &syntax, err, sizeof err) == NULL);
	CHECK(back != NULL && memcmp(back, st, size) == 0);
	free(back);
	calib_vs_to_wire(st, wire);
	CHECK(calib_vs_from_wire(wire, calib_vs_wire_size(st), &back, err, sizeof err) == NULL);
	CHECK(back != NULL && memcmp(back, st, size) == 0);
	free(back);
	free(wire);
	free(text);
}

static void
test_hand_metrics(void)
{
	/*
	 * Four rows, K = 3, 10 bins:
	 *   (0.7, 0.2, 0.1) label 1: top 0.7 correct
	 *   (0.3, 0.6, 0.1) label 1: top 0.6 wrong
	 *   (0.25, 0.25, 0.5) label 3: top 0.5 correct
	 *   (0.5, 0.5, 0) label 2: top 0.5 at index 1 (tie), wrong
	 * Top-label bins: (0.4,0.5]: 2 rows, conf 0.5, acc 0.5; (0.5,0.6]: conf
	 * 0.6, acc 0; (0.6,0.7]: conf 0.7, acc 1.  ECE = 1/4 * 0.6 + 1/4 * 0.3
	 * = 0.225; MCE = 0.6.
	 */
	double		rows[4][3] = {{0.7, 0.2, 0.1}, {0.3, 0.6, 0.1}, {0.25, 0.25, 0.5}, {0.5, 0.5, 0.0}};
	int			label[4] = {1, 1, 3, 2};
	CalibVecState *cw = new_state(CALIB_VS_CLASSWISE, 3, 10),
			   *full = new_state(CALIB_VS_FULL, 0, 10),
			   *br = new_state(CALIB_VS_BRIER, 0, 0),
			   *nl = new_state(CALIB_VS_NLL, 0, 0);
	CalibBinAcc acc[10] = {{0}};
	CalibBinnedError e;

	for (int i = 0; i < 4; i++)
	{
		int			t = calib_argmax(rows[i], 3);

		/* the top-label row of the binary binned state (aggstate.h) */
		calib_bins_add(acc, 10, rows[i][t], t == label[i] - 1);
		CHECK(calib_vs_add_classwise(cw, rows[i], label[i], NULL));
		CHECK(calib_vs_add_full(full, rows[i], 3, label[i], NULL));
		CHECK(calib_vs_add_term(br, calib_vec_brier_term(rows[i], 3, label[i])));
		CHECK(calib_vs_add_term(nl, calib_vec_nll_term(rows[i], 3, label[i])));
	}
	calib_binned_error(acc, 10, &e);
	CHECK_NEAR(e.ece, 0.225, 1e-15);
	CHECK_NEAR(e.mce, 0.6, 1e-15);

	/*
	 * Classwise, class 1 (p = 0.7 y1, 0.3 y1, 0.25 y0, 0.5 y0): bins
	 * (0.2,0.3]: 0.25 and 0.3, acc 1/2, conf 0.275, gap 0.225; (0.4,0.5]:
	 * 0.5 acc 0, gap 0.5; (0.6,0.7]: 0.7 acc 1, gap 0.3.  ECE1 = (2*0.225 +
	 * 0.5 + 0.3)/4 = 0.3125.
	 * Class 2 (0.2 y0, 0.6 y0, 0.25 y0, 0.5 y1): (0.1,0.2]: gap 0.2;
	 * (0.2,0.3]: gap 0.25; (0.4,0.5]: |0.5-1| = 0.5; (0.5,0.6]: 0.6.
	 * ECE2 = (0.2+0.25+0.5+0.6)/4 = 0.3875.
	 * Class 3 (0.1 y0, 0.1 y0, 0.5 y1, 0 y0): [0,0.1]: 0.1, 0.1, 0 -> conf
	 * 0.2/3, acc 0, gap 0.2/3, weight 3/4 -> 0.05; (0.4,0.5]: |0.5-1| = 0.5,
	 * weight 1/4 -> 0.125.  ECE3 = 0.175.
	 * Classwise ECE = (0.3125 + 0.3875 + 0.175)/3 = 0.875/3.
	 */
	CHECK_NEAR(calib_vs_classwise_ece(cw), 0.875 / 3, 1e-15);

	/*
	 * Full-ECE: all 12 entries into bins, hit = entry of the label.
	 * [0,0.1]: 0.1 (r1), 0.1 (r2), 0 (r4): sum 0.2, hits 0 -> 0.2
	 * (0.1,0.2]: 0.2 (r1): 0.2, hits 0 -> 0.2
	 * (0.2,0.3]: 0.3 (r2 label), 0.25, 0.25 (r3): 0.8, hits 1 -> 0.2
	 * (0.4,0.5]: 0.5 (r3 label), 0.5, 0.5 (r4, label 2): 1.5, hits 2 -> 0.5
	 * (0.5,0.6]: 0.6 (r2): 0.6, hits 0 -> 0.6
	 * (0.6,0.7]: 0.7 (r1 label): 0.7, hits 1 -> 0.3
	 * Full-ECE = (0.2+0.2+0.2+0.5+0.6+0.3)/4 = 0.5
	 */
	CHECK_NEAR(calib_vs_full_ece(full), 0.5, 1e-15);

	/*
	 * Brier: r1 (0.3^2 + 0.04 + 0.01) = 0.14; r2 0.49 + 0.36 + 0.01 = 0.86;
	 * r3 0.0625*2 + 0.25 = 0.375; r4 0.25 + 0.25 + 0 = 0.5.  Mean 1.875/4.
	 * NLL: -(ln 0.7 + ln 0.3 + ln 0.5 + ln 0.5)/4.
	 */
	CHECK_NEAR(calib_vs_mean(br), 1.875 / 4, 1e-15);
	CHECK_NEAR(calib_vs_mean(nl), -(log(0.7) + log(0.3) + 2 * log(0.5)) / 4, 1e-15);

	check_round_trip(cw);
	check_round_trip(full);
	check_round_trip(br);
	check_round_trip(nl);
	free(cw);
	free(full);
	free(br);
	free(nl);
}

/*
 * Full-ECE of a truncated vector: the full distribution
 * (0.5, 0.3, 0.08, 0.07, 0.05) against its top 3 (0.5, 0.3, 0.08) with the
 * omitted 0.12 counted in the first bin, for each label (label 4 and 5 are
 * label 0 in the top 3).  The smallest given, 0.08, is in the first bin.
 */
static void
test_truncated(void)
{
	double		full[] = {0.5, 0.3, 0.08, 0.07, 0.05};

	for (int label = 1; label <= 5; label++)
	{
		CalibVecState *a = new_state(CALIB_VS_FULL, 0, 10),
				   *b = new_state(CALIB_VS_FULL, 0, 10);
		double		s;
		int			tl = label <= 3 ? label : 0;

		CHECK(calib_probs_check(full, 3, true, &s, err, sizeof err) == NULL);
		CHECK(calib_full_row_check(full, 3, s, tl, 10, err, sizeof err) == NULL);
		CHECK(calib_vs_add_full(a, full, 5, label, NULL));
		CHECK(calib_vs_add_full(b, full, 3, tl, NULL));
		CHECK_NEAR(calib_vs_full_ece(a), calib_vs_full_ece(b), 1e-15);
		check_round_trip(b);
		free(a);
		free(b);
	}
	/* with 20 bins the first bin ends at 0.05 < 0.08: refused */
	{
		double		s;

		CHECK(calib_probs_check(full, 3, true, &s, err, sizeof err) == NULL);
		CHECK(calib_full_row_check(full, 3, s, 1, 20, err, sizeof err) != NULL);
		CHECK(strstr(err, "0.08") != NULL && strstr(err, "0.05") != NULL);
		/* label 0 on a whole vector is a truncation too */
		CHECK(calib_probs_check(full, 5, true, &s, err, sizeof err) == NULL);
		CHECK(calib_full_row_check(full, 5, s, 0, 20, err, sizeof err) == NULL);	/* 0.05 <= 0.05 */
		CHECK(calib_full_row_check(full, 5, s, 0, 21, err, sizeof err) != NULL);
		CHECK(calib_full_row_check(full, 5, s, 3, 21, err, sizeof err) == NULL);
	}
}

/* Merging in any split and order gives the same bytes. */
static void
test_merge_order(void)
{
	enum
	{
		N = 300, K = 5
	};
	static double p[N][K];
	static int	label[N];
	int			kinds[] = {CALIB_VS_CLASSWISE, CALIB_VS_FULL, CALIB_VS_BRIER};

	for (int i = 0; i < N; i++)
	{
		double		s = 0.0;

		for (int k = 0; k < K; k++)
			s += (p[i][k] = rng_unit() + (i % 7 == 0 ? 0.0 : 0.01));
		for (int k = 0; k < K; k++)
			p[i][k] /= s;
		label[i] = 1 + (int) (rng_next() % K);
	}
	for (int t = 0; t < 3; t++)
	{
		int			kind = kinds[t],
					k = kind == CALIB_VS_CLASSWISE ? K : 0,
					bins = kind == CALIB_VS_BRIER ? 0 : 7;
		CalibVecState *all = new_state(kind, k, bins),
				   *part[3];
		size_t		size = calib_vs_size(kind, k, bins);

		for (int j = 0; j < 3; j++)
			part[j] = new_state(kind, k, bins);
		for (int i = 0; i < N; i++)
		{
			CalibVecState *dst[2] = {all, part[(i * 7) % 3]};

			for (int d = 0; d < 2; d++)
				if (kind == CALIB_VS_CLASSWISE)
					calib_vs_add_classwise(dst[d], p[i], label[i], NULL);
				else if (kind == CALIB_VS_FULL)
					calib_vs_add_full(dst[d], p[i], K, label[i], NULL);
				else
					calib_vs_add_term(dst[d], calib_vec_brier_term(p[i], K, label[i]));
		}
		/* (2 + 0) + 1 */
		CHECK(calib_vs_merge(part[2], part[0]));
		CHECK(calib_vs_merge(part[2], part[1]));
		CHECK(memcmp(part[2], all, size) == 0);
		check_round_trip(all);
		for (int j = 0; j < 3; j++)
			free(part[j]);
		free(all);
	}
}

static void
test_text_rejects(void)
{
	const char *bad_syntax[] = {
		"", "brier", "brier:v2:n=1:0.2000000000000000", "brier:v1:n=01:0.2000000000000000",
		"brier:v1:n=1:0.2", "brier:v1:n=1:0.2000000000000000;", "brier:v1:n=-1:0.2000000000000000",
		"toplabel:v1:bins=1:n=1:1,1,0.8000000000000000", "classwise:v1:bins=1:n=1:1,1,0.8000000000000000",
		"full_ece:v1:bins=2:n=1:1,1.0000000000000000", "brier:v1:n=99999999999999999999:0.0000000000000000",
	};
	const char *bad_value[] = {
		"brier:v1:n=0:0.0000000000000000",	/* no rows */
		"brier:v1:n=1:2.0000000002000001",	/* above 2 + 2^-39 per row */
		"nll:v1:n=1:-0.0000000000000001",
		"classwise:v1:k=1:bins=0:n=1:",
		"classwise:v1:k=1:bins=1:n=1:1,2,1.0000000000000000",	/* 2 correct of 1 */
		"classwise:v1:k=1:bins=1:n=2:1,1,1.0000000000000000",	/* rows != n */
		"classwise:v1:k=1:bins=1:n=1:1,1,1.0000000000000001",	/* sum above n */
		"classwise:v1:k=2:bins=1:n=1:1,1,0.8000000000000000;1,1,0.2000000000000000",	/* 2 labels */
		"classwise:v1:k=2000:bins=1000:n=1:",	/* too many cells */
		"full_ece:v1:bins=2:n=1:1,0.8000000000000000;0,0.9000000000000000",	/* sums 0.5 + 0.5625 != 1 */
		"full_ece:v1:bins=2:n=1:0,0.8000000000000000;0,0.2000000000000000",	/* no hit */
	};
	CalibVecState *st;
	bool		syntax;

	for (size_t i = 0; i < sizeof bad_syntax / sizeof bad_syntax[0]; i++)
	{
		CHECK(calib_vs_from_text(bad_syntax[i], strlen(bad_syntax[i]), &st, &syntax, err, sizeof err) != NULL);
		CHECK(st == NULL && syntax);
	}
	for (size_t i = 0; i < sizeof bad_value / sizeof bad_value[0]; i++)
	{
		if (calib_vs_from_text(bad_value[i], strlen(bad_value[i]), &st, &syntax, err, sizeof err) == NULL)
		{
			fprintf(stderr, "accepted: %s\n", bad_value[i]);
			free(st);
		}
		CHECK(st == NULL && !syntax);
	}
	{
		const char *g2 = "full_ece:v1:bins=2:n=1:1,0.4000000000000000;0,0.c000000000000000";

		CHECK(calib_vs_from_text(g2, strlen(g2), &st, &syntax, err, sizeof err) == NULL);
		/* one row: hits - sums = (1 - 0.25) + (0 - 0.75): Full-ECE 1.5 */
		CHECK_NEAR(calib_vs_full_ece(st), 1.5, 1e-15);
		free(st);
	}
	/*
	 * A row within the 1e-6 tolerance can score above 2: all on a wrong
	 * class plus 1e-6 on another (found by the fuzzer).  Its state, and
	 * the bound 2 + 2^-39 itself, are valid.
	 */
	{
		const double p[3] = {0.0, 1.0, 1e-6};
		const char *edge = "brier:v1:n=1:2.0000000002000000";
		CalibVecState *br = malloc(calib_vs_size(CALIB_VS_BRIER, 0, 0));
		double		sum;

		calib_vs_init(br, CALIB_VS_BRIER, 0, 0);
		CHECK(calib_probs_check(p, 3, false, &sum, err, sizeof err) == NULL);
		CHECK(calib_vs_add_term(br, calib_vec_brier_term(p, 3, 1)));
		CHECK(calib_vec_brier_term(p, 3, 1) > 2.0);
		CHECK(calib_vs_check(br, err, sizeof err) == NULL);
		free(br);
		CHECK(calib_vs_from_text(edge, strlen(edge), &st, &syntax, err, sizeof err) == NULL);
		free(st);
	}
	/* merging at the int64 limit fails instead of wrapping */
	{
		const char *a = "brier:v1:n=9223372036854775807:0.0000000000000000";
		CalibVecState *x,
				   *y;

		CHECK(calib_vs_from_text(a, strlen(a), &x, &syntax, err, sizeof err) == NULL);
		CHECK(calib_vs_from_text(a, strlen(a), &y, &syntax, err, sizeof err) == NULL);
		CHECK(!calib_vs_merge(x, y));
		free(x);
		CHECK(calib_vs_from_text(a, strlen(a), &x, &syntax, err, sizeof err) == NULL);
		CHECK(!calib_vs_add_term(x, 0.5));
		free(x);
		free(y);
	}
}

/*
 * Vector temperature: rows of logits (z, 0) with label 1 half the time and
 * label 2 the other, logit z = 2: the likelihood per pair of rows is
 * softmax(2b)_1 * softmax(2b)_2 ... The MLE puts p = sigma(2 beta) at the
 * frequency of label 1 among rows: with 3 of 4 rows label 1, sigma(2 beta)
 * = 3/4, beta = ln(3)/2, T = 2/ln 3.
 */
static void
test_fit(void)
{
	double		z[] = {2, 0, 2, 0, 2, 0, 2, 0};
	int64_t		off[] = {0, 2, 4, 6, 8};
	int32_t		label[] = {1, 1, 1, 2};
	CalibLogitRows r = {z, off, label, 4};
	CalibMap   *m = NULL;
	char	   *text;

	CHECK(calib_fit_vector_temperature(&r, &m) == NULL);
	CHECK(m != NULL && m->kind == CALIB_MAP_VECTOR_TEMPERATURE);
	CHECK_NEAR(m->v[0], 2.0 / log(3.0), 1e-12);
	text = calib_map_to_text(m);
	CHECK(strncmp(text, "v1:vector_temperature(", 22) == 0);
	{
		CalibMap   *back = NULL;
		unsigned char bin[64];

		CHECK(calib_map_from_text(text, strlen(text), &back, err, sizeof err) == NULL);
		CHECK(back && back->kind == CALIB_MAP_VECTOR_TEMPERATURE && back->v[0] == m->v[0]);
		free(back);
		calib_map_to_binary(m, bin);
		CHECK(bin[0] == 1 && bin[1] == 5);	/* format version 1, kind 5 */
		CHECK(calib_map_from_binary(bin, calib_map_binary_size(m), &back, err, sizeof err) == NULL);
		CHECK(back && back->v[0] == m->v[0]);
		CHECK(isnan(calib_map_apply(back, 0.5)));	/* not for a confidence */
		free(back);
	}
	free(text);
	free(m);

	/* all correct options on top: T -> 0 */
	label[3] = 1;
	CHECK(calib_fit_vector_temperature(&r, &m) != NULL && m == NULL);
	/* anti-associated: 3 of 4 rows wrong -> T -> infinity (1/T <= 0) */
	label[0] = label[1] = label[2] = 2;
	CHECK(calib_fit_vector_temperature(&r, &m) != NULL && m == NULL);
	/* -Infinity logits are left out: (2, 0, -inf) fits like (2, 0) */
	{
		double		z3[] = {2, 0, -INFINITY, 2, 0, -INFINITY, 2, 0, -INFINITY, 2, 0, -INFINITY};
		int64_t		off3[] = {0, 3, 6, 9, 12};
		int32_t		l3[] = {1, 1, 1, 2};
		CalibLogitRows r3 = {z3, off3, l3, 4};

		CHECK(calib_fit_vector_temperature(&r3, &m) == NULL);
		CHECK_NEAR(m->v[0], 2.0 / log(3.0), 1e-12);
		free(m);
	}
}

int
main(void)
{
	test_validation();
	test_argmax_softmax();
	test_hand_metrics();
	test_truncated();
	test_merge_order();
	test_text_rejects();
	test_fit();
	return unit_report("test_multiclass");
}
