/*
 * fuzz_vector_state.c -- src/multiclass.c: the parsers of calib.vector_state
 * (text input and binary receive) and the probability-vector validator.
 *
 * Input: a mode byte.  Mode % 3 == 0: the rest is state text; 1: state wire
 * bytes; 2: a vector -- a bins byte, a label byte, then 8-byte doubles (raw
 * bits when the flag byte's bit 0 is set, else k/255), checked as a whole
 * and a truncated distribution and, when accepted, added to a classwise,
 * a Full-ECE, a Brier and an NLL state.
 *
 * Invariants: a parser returns NULL with a state, or a message without one.
 * An accepted state passes calib_vs_check, prints to text that parses back
 * to the same bytes, and its wire form reads back to the same bytes; merged
 * with itself it is still valid (or the merge reports overflow); its
 * metric is NaN only without rows and otherwise finite and >= 0.  An
 * accepted vector has finite entries in [0, 1 + 1e-6] and a sum within the
 * tolerance; the states it is added to stay valid.
 */
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "multiclass.h"

static void
check_state(const CalibVecState *st)
{
	char		err[CALIB_MC_ERRLEN];
	size_t		size = calib_vs_size(st->kind, st->k, st->bins);
	char	   *text = calib_vs_to_text(st);
	CalibVecState *back = NULL,
			   *twice;
	bool		syntax;
	size_t		wl = calib_vs_wire_size(st);
	unsigned char *wire = malloc(wl);
	double		m;

	FUZZ_CHECK(calib_vs_check(st, err, sizeof err) == NULL);
	FUZZ_CHECK(text != NULL && wire != NULL);
	FUZZ_CHECK(calib_vs_from_text(text, strlen(text), &back, &syntax, err, sizeof err) == NULL);
	FUZZ_CHECK(back != NULL && memcmp(back, st, size) == 0);
	free(back);
	calib_vs_to_wire(st, wire);
	FUZZ_CHECK(calib_vs_from_wire(wire, wl, &back, err, sizeof err) == NULL);
	FUZZ_CHECK(back != NULL && memcmp(back, st, size) == 0);
	free(back);

	m = st->kind == CALIB_VS_CLASSWISE ? calib_vs_classwise_ece(st) :
		st->kind == CALIB_VS_FULL ? calib_vs_full_ece(st) : calib_vs_mean(st);
	FUZZ_CHECK(st->n == 0 ? isnan(m) : (isfinite(m) && m >= 0.0));

	twice = malloc(size);
	memcpy(twice, st, size);
	if (calib_vs_merge(twice, st))
		FUZZ_CHECK(calib_vs_check(twice, err, sizeof err) == NULL);
	free(twice);
	free(text);
	free(wire);
}

static void
fuzz_vector(const uint8_t *data, size_t size)
{
	FuzzIn		in = {data, size};
	int			bins = 1 + fuzz_u8(&in) % 20,
				label = fuzz_u8(&in),
				k = 0;
	double		p[64],
				sum;
	char		err[CALIB_MC_ERRLEN];

	while (in.left > 0 && k < 64)
	{
		uint8_t		flag = fuzz_u8(&in);
		uint64_t	bits = 0;

		for (int i = 0; i < 8; i++)
			bits = (bits << 8) | fuzz_u8(&in);
		if (flag & 1)
			memcpy(&p[k], &bits, 8);
		else
			p[k] = (double) (bits & 0xff) / 255.0;
		k++;
	}
	if (k == 0)
		return;
	for (int trunc = 0; trunc < 2; trunc++)
	{
		if (calib_probs_check(p, k, trunc, &sum, err, sizeof err) != NULL)
			continue;
		for (int i = 0; i < k; i++)
			FUZZ_CHECK(isfinite(p[i]) && p[i] >= 0.0 && p[i] <= 1.0 + CALIB_PROBS_TOL);
		FUZZ_CHECK(sum <= 1.0 + CALIB_PROBS_TOL && (trunc || sum >= 1.0 - CALIB_PROBS_TOL));
		if (!trunc && label >= 1 && label <= k)
		{
			CalibVecState *cw = malloc(calib_vs_size(CALIB_VS_CLASSWISE, k, bins)),
					   *br = malloc(calib_vs_size(CALIB_VS_BRIER, 0, 0)),
					   *nl = malloc(calib_vs_size(CALIB_VS_NLL, 0, 0));

			calib_vs_init(cw, CALIB_VS_CLASSWISE, k, bins);
			calib_vs_init(br, CALIB_VS_BRIER, 0, 0);
			calib_vs_init(nl, CALIB_VS_NLL, 0, 0);
			FUZZ_CHECK(calib_vs_add_classwise(cw, p, label, NULL));
			FUZZ_CHECK(calib_vs_add_term(br, calib_vec_brier_term(p, k, label)));
			FUZZ_CHECK(calib_vs_add_term(nl, calib_vec_nll_term(p, k, label)));
			check_state(cw);
			check_state(br);
			check_state(nl);
			free(cw);
			free(br);
			free(nl);
		}
		if (trunc && label <= k &&
			calib_full_row_check(p, k, sum, label, bins, err, sizeof err) == NULL)
		{
			CalibVecState *full = malloc(calib_vs_size(CALIB_VS_FULL, 0, bins));

			calib_vs_init(full, CALIB_VS_FULL, 0, bins);
			FUZZ_CHECK(calib_vs_add_full(full, p, k, label, NULL));
			check_state(full);
			free(full);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		err[CALIB_MC_ERRLEN];
	CalibVecState *st = NULL;
	const char *e;
	bool		syntax;

	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			e = calib_vs_from_text((const char *) data + 1, size - 1, &st, &syntax, err, sizeof err);
			break;
		case 1:
			e = calib_vs_from_wire(data + 1, size - 1, &st, err, sizeof err);
			break;
		default:
			fuzz_vector(data + 1, size - 1);
			return 0;
	}
	if (e != NULL)
	{
		FUZZ_CHECK(st == NULL && e[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(st != NULL);
	check_state(st);
	free(st);
	return 0;
}
