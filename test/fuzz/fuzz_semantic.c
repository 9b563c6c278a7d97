/*
 * fuzz_semantic.c -- src/semantic.c: the wire parsers of
 * calib.semantic_entropy_state and calib.semantic_state (what binary
 * receive and, after the hexadecimal armour, text input read), the armour
 * itself, and the computations run on what they accept.
 *
 * Input: a mode byte, then the bytes.  Mode % 3 == 0: an entropy state's
 * wire form; 1: an embedding state's wire form; 2: hexadecimal text.
 *
 * Invariants: a parser accepts or names the problem.  An accepted state
 * encodes back to exactly the bytes read.  Semantic entropy is NaN only
 * without rows (or, weighted, when every log-probability is -Infinity),
 * otherwise in [0, ln clusters]; the clusters are the distinct ids.
 * Components: numbered 1, 2, ... by first appearance, the same with and
 * without edge counting, equal rows in one component, a threshold of -1
 * joins everything; the size entropy is in [0, ln k] and the largest share
 * in (0, 1].  Hex text decodes only when every character is a hex digit,
 * and encodes back to its lower-case form.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz.h"
#include "semantic.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

static void
fuzz_entropy_state(const uint8_t *in, size_t len)
{
	char		err[CALIB_SEM_ERRLEN];
	uint8_t		flags;
	uint64_t	n,
				clusters = 0,
				distinct = 0;
	CalibSeEntry *e;
	CalibSeMass *scratch;
	uint8_t    *back;
	int64_t    *ids;
	bool		weighted,
				any_finite = false;
	double		h;

	if (!calib_se_wire_check(in, len, &flags, &n, err, sizeof err))
	{
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	weighted = (flags & CALIB_SE_WEIGHTED) != 0;
	FUZZ_CHECK(calib_se_wire_size(flags, n) == len);
	e = malloc((n + 1) * sizeof *e);
	scratch = malloc((n + 1) * sizeof *scratch);
	ids = malloc((n + 1) * sizeof *ids);
	back = malloc(len);
	calib_se_wire_decode(in, flags, n, e);
	calib_se_to_wire(flags, e, n, back);
	FUZZ_CHECK(memcmp(back, in, len) == 0);

	/* the distinct ids, counted apart from the code under test */
	for (uint64_t i = 0; i < n; i++)
	{
		ids[i] = e[i].id;
		any_finite |= isfinite(e[i].lp);
		if (weighted)
			FUZZ_CHECK(isfinite(e[i].lp) || (isinf(e[i].lp) && e[i].lp < 0));
	}
	qsort(ids, n, sizeof *ids, cmp_i64);
	for (uint64_t i = 0; i < n; i++)
		distinct += (i == 0 || ids[i] != ids[i - 1]);

	h = calib_se_entropy(e, n, weighted, &clusters, scratch);
	if (n == 0 || (weighted && !any_finite))
		FUZZ_CHECK(isnan(h));
	else
	{
		FUZZ_CHECK(clusters == distinct);
		FUZZ_CHECK(isfinite(h) && h >= 0.0 && h <= log((double) clusters) + 1e-12);
	}
	free(e);
	free(scratch);
	free(ids);
	free(back);
}

static void
check_components(const CalibSemRows *r)
{
	uint64_t	n = r->n,
				k,
				k_all,
				edges = 0;
	int32_t    *label = malloc(n * sizeof *label),
			   *label2 = malloc(n * sizeof *label2);
	double	   *norm = malloc(n * sizeof *norm),
			   *scaled = malloc(n * (size_t) r->dim * sizeof *scaled + 1),
				largest = 0.0,
				h;
	int64_t    *parent = malloc(n * sizeof *parent);
	uint64_t   *sizes;
	int32_t		seen = 0;
	size_t		vbytes = (size_t) r->dim * r->elem;

	for (int t = 0; t < 4; t++)
	{
		/* thresholds: exactly at 1 and -1, and two between */
		double		threshold = t == 0 ? 1.0 : t == 1 ? -1.0 : t == 2 ? 0.5 : 0.999;

		k = calib_sem_components(r, threshold, label, norm, parent, scaled, &edges);
		FUZZ_CHECK(edges <= n * (n - 1) / 2);
		k_all = calib_sem_components(r, threshold, label2, norm, parent, scaled, NULL);
		FUZZ_CHECK(k == k_all && memcmp(label, label2, n * sizeof *label) == 0);
		FUZZ_CHECK(k >= 1 && k <= n);
		if (threshold == -1.0)
			FUZZ_CHECK(k == 1 && edges == n * (n - 1) / 2);
		seen = 0;
		for (uint64_t i = 0; i < n; i++)
		{
			FUZZ_CHECK(label[i] >= 1 && label[i] <= seen + 1);
			if (label[i] == seen + 1)
				seen++;
			/* an equal row has cosine exactly 1 */
			for (uint64_t j = 0; j < i; j++)
				if (memcmp(r->base + i * r->stride + 8, r->base + j * r->stride + 8, vbytes) == 0)
					FUZZ_CHECK(label[i] == label[j]);
		}
		FUZZ_CHECK((uint64_t) seen == k);

		sizes = calloc(k, sizeof *sizes);
		for (uint64_t i = 0; i < n; i++)
			sizes[label[i] - 1]++;
		h = calib_sem_size_entropy(sizes, k, n, &largest);
		FUZZ_CHECK(isfinite(h) && h >= 0.0 && h <= log((double) k) + 1e-12);
		FUZZ_CHECK(largest > 0.0 && largest <= 1.0);
		free(sizes);
	}
	free(label);
	free(label2);
	free(norm);
	free(scaled);
	free(parent);
}

static void
fuzz_embedding_state(const uint8_t *in, size_t len)
{
	char		err[CALIB_SEM_ERRLEN];
	CalibSemWireInfo info;
	CalibSemRows r;
	unsigned char *rows;
	uint8_t    *back;

	if (!calib_sem_wire_check(in, len, &info, err, sizeof err))
	{
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	FUZZ_CHECK(info.threshold >= -1.0 && info.threshold <= 1.0);
	r.elem = info.elem;
	r.dim = info.dim;
	r.n = info.n;
	r.stride = calib_sem_stride(info.elem, info.dim);
	FUZZ_CHECK(calib_sem_wire_size(&r) == len);
	rows = malloc(r.n * r.stride + 1);
	back = malloc(len);
	calib_sem_wire_decode(in, &info, rows);
	r.base = rows;
	calib_sem_to_wire(&r, info.flags, info.threshold, info.trailing, back);
	FUZZ_CHECK(memcmp(back, in, len) == 0);
	for (uint64_t i = 0; i < r.n; i++)
	{
		uint32_t	at;

		FUZZ_CHECK(calib_sem_check_values(rows + i * r.stride + 8, r.elem, r.dim, &at) == 0);
	}
	if (r.n > 0)
		check_components(&r);
	free(rows);
	free(back);
}

static void
fuzz_hex(const uint8_t *in, size_t len)
{
	size_t		outlen = len / 2;
	uint8_t    *out = malloc(outlen + 1);
	char	   *again = malloc(2 * outlen + 1);
	bool		all_hex = true;

	for (size_t i = 0; i < 2 * outlen; i++)
		all_hex &= isxdigit(in[i]) != 0;
	FUZZ_CHECK(calib_hex_decode((const char *) in, outlen, out) == all_hex);
	if (all_hex)
	{
		calib_hex_encode(out, outlen, again);
		for (size_t i = 0; i < 2 * outlen; i++)
			FUZZ_CHECK(again[i] == tolower(in[i]));
	}
	free(out);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			fuzz_entropy_state(data + 1, size - 1);
			break;
		case 1:
			fuzz_embedding_state(data + 1, size - 1);
			break;
		default:
			fuzz_hex(data + 1, size - 1);
			break;
	}
	return 0;
}
