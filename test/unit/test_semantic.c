/*
 * test_semantic.c -- src/semantic.c on hand-worked cases: semantic entropy
 * from cluster ids, connected components of embeddings at a cosine
 * threshold, the size entropy, and the wire forms with their checks.
 * Expected values are worked out in the comments, not taken from the code.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "semantic.h"
#include "unit.h"

static char err[CALIB_SEM_ERRLEN];

static void
test_hex(void)
{
	const uint8_t in[4] = {0x00, 0x9f, 0xa0, 0xff};
	uint8_t		out[4];
	char		text[9] = {0};

	calib_hex_encode(in, 4, text);
	CHECK(strcmp(text, "009fa0ff") == 0);
	CHECK(calib_hex_decode("009FA0ff", 4, out) && memcmp(out, in, 4) == 0);
	CHECK(!calib_hex_decode("009fa0fg", 4, out));
	CHECK(!calib_hex_decode("00 fa0ff", 4, out));
}

/* entropy of cluster ids, with and without log-probabilities */
static void
test_entropy(void)
{
	CalibSeEntry e[5];
	CalibSeMass scratch[5];
	uint64_t	clusters = 0;
	double		p;

	/* ids {1, 1, 2, 3}: p = 1/2, 1/4, 1/4, H = 1.5 ln 2 */
	e[0] = (CalibSeEntry) {3, 0};
	e[1] = (CalibSeEntry) {1, 0};
	e[2] = (CalibSeEntry) {2, 0};
	e[3] = (CalibSeEntry) {1, 0};
	CHECK_NEAR(calib_se_entropy(e, 4, false, &clusters, scratch), 1.5 * log(2.0), 1e-15);
	CHECK(clusters == 3);

	/* weighted: cluster 1 = e^-1 + e^-2, cluster 2 = e^-1:
	 * p = (1 + e^-1) / (2 + e^-1), H = -p ln p - (1 - p) ln(1 - p) */
	e[0] = (CalibSeEntry) {1, -1};
	e[1] = (CalibSeEntry) {2, -1};
	e[2] = (CalibSeEntry) {1, -2};
	p = (1 + exp(-1.0)) / (2 + exp(-1.0));
	CHECK_NEAR(calib_se_entropy(e, 3, true, &clusters, scratch),
			   -p * log(p) - (1 - p) * log(1 - p), 1e-15);
	CHECK(clusters == 2);

	/* log-sum-exp: log-probs of -2000 (exp underflows to 0) still give ln 2 */
	e[0] = (CalibSeEntry) {1, -2000};
	e[1] = (CalibSeEntry) {2, -2000};
	CHECK_NEAR(calib_se_entropy(e, 2, true, &clusters, scratch), log(2.0), 1e-15);

	/* -Infinity weighs nothing; all -Infinity is NaN; one cluster is 0 */
	e[0] = (CalibSeEntry) {1, -INFINITY};
	e[1] = (CalibSeEntry) {2, -1};
	CHECK(calib_se_entropy(e, 2, true, &clusters, scratch) == 0.0);
	e[1] = (CalibSeEntry) {2, -INFINITY};
	CHECK(isnan(calib_se_entropy(e, 2, true, &clusters, scratch)));
	e[0] = (CalibSeEntry) {7, 0};
	e[1] = (CalibSeEntry) {7, 0};
	CHECK(calib_se_entropy(e, 2, false, &clusters, scratch) == 0.0 && clusters == 1);
	CHECK(isnan(calib_se_entropy(e, 0, false, &clusters, scratch)));
}

/* n rows of dim floats, packed as calib_sem_components reads them */
static CalibSemRows
float_rows(unsigned char *buf, const float *v, uint64_t n, uint32_t dim)
{
	CalibSemRows r = {buf, calib_sem_stride(4, dim), 4, dim, n};

	for (uint64_t i = 0; i < n; i++)
	{
		int64_t		before = 0;

		memcpy(buf + i * r.stride, &before, 8);
		memcpy(buf + i * r.stride + 8, v + i * dim, dim * sizeof(float));
	}
	return r;
}

static uint64_t
components(const CalibSemRows *r, double threshold, int32_t *label, uint64_t *edges)
{
	double		norm[8],
				scaled[64];
	int64_t		parent[8];
	int32_t		label2[8];
	uint64_t	k = calib_sem_components(r, threshold, label, norm, parent, scaled, edges);

	/* skipping pairs already joined gives the same components */
	CHECK(calib_sem_components(r, threshold, label2, norm, parent, scaled, NULL) == k);
	CHECK(memcmp(label, label2, r->n * sizeof *label) == 0);
	return k;
}

static void
test_components(void)
{
	/* (3,4) and (4,3): cosine 24/25 = 0.96; (1,0) and (-1,0): -1 */
	const float v[8] = {3, 4, 1, 0, 4, 3, -1, 0};
	unsigned char buf[4 * 16];
	CalibSemRows r = float_rows(buf, v, 4, 2);
	int32_t		label[4];
	uint64_t	edges,
				sizes[4] = {2, 1, 1};
	double		largest;

	/* at 0.96 exactly: {1,3}, {2}, {4}; pairs at or above: (1,3) only */
	CHECK(components(&r, 0.96, label, &edges) == 3 && edges == 1);
	CHECK(label[0] == 1 && label[1] == 2 && label[2] == 1 && label[3] == 3);
	CHECK(components(&r, nextafter(0.96, 1), label, &edges) == 4 && edges == 0);
	/* (1,0) and (3,4): 0.6, (1,0) and (4,3): 0.8; the chain joins 1, 2, 3 */
	CHECK(components(&r, 0.6, label, &edges) == 2 && edges == 3);
	CHECK(label[0] == 1 && label[1] == 1 && label[2] == 1 && label[3] == 2);
	/* -1: every pair, the opposite ones included */
	CHECK(components(&r, -1, label, &edges) == 1 && edges == 6);

	/* shares 1/2, 1/4, 1/4: H = 1.5 ln 2, largest share 1/2 */
	CHECK_NEAR(calib_sem_size_entropy(sizes, 3, 4, &largest), 1.5 * log(2.0), 1e-15);
	CHECK(largest == 0.5);
	sizes[0] = 4;
	CHECK(calib_sem_size_entropy(sizes, 1, 4, &largest) == 0.0 && largest == 1.0);
}

/*
 * Opposite directions whose quotient rounds below -1: b is the float
 * rounding of -3a, and dot / sqrt(|a|^2 |b|^2) is -1.0000000000000002 in
 * double precision.  Clamped to [-1, 1], the pair is an edge at -1.
 */
static void
test_cosine_clamp(void)
{
	const float v[6] = {0.04f, -0.21f, -0.02f, -0.12f, 0.63f, 0.06f};
	unsigned char buf[2 * 20];
	CalibSemRows r = float_rows(buf, v, 2, 3);
	int32_t		label[2];
	uint64_t	edges;

	CHECK(components(&r, -1, label, &edges) == 1 && edges == 1);
	CHECK(components(&r, nextafter(-1, 0), label, &edges) == 2 && edges == 0);
}

/* double rows are scaled by a power of two: 1e300 and 1e-300 magnitudes
 * give the cosine of (3,4) and (4,3) */
static void
test_double_scaling(void)
{
	const double v[4] = {3e300, 4e300, 4e-300, 3e-300};
	unsigned char buf[2 * 24];
	CalibSemRows r = {buf, calib_sem_stride(8, 2), 8, 2, 2};
	int32_t		label[2];
	uint64_t	edges;

	for (int i = 0; i < 2; i++)
	{
		int64_t		before = 0;

		memcpy(buf + i * r.stride, &before, 8);
		memcpy(buf + i * r.stride + 8, v + 2 * i, 16);
	}
	/* 0.96 in the scaled values is 24/25 within rounding: joined at 0.95,
	 * apart at 0.97 */
	CHECK(components(&r, 0.95, label, &edges) == 1);
	CHECK(components(&r, 0.97, label, &edges) == 2);
}

static void
put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t) (v >> (8 * (bytes - 1 - i)));
}

static void
test_wire(void)
{
	const float v[4] = {1, 0, 0, 2};
	unsigned char buf[2 * 16],
				back[2 * 16];
	CalibSemRows r = float_rows(buf, v, 2, 2);
	uint8_t		w[CALIB_SEM_HDR + 2 * 16],
				bad[CALIB_SEM_HDR + 2 * 16];
	CalibSemWireInfo info;
	CalibSeEntry e[2] = {{5, -1.5}, {-2, -INFINITY}},
				d[2];
	uint8_t		se[CALIB_SE_HDR + 32],
				flags;
	uint64_t	n;
	double		nan = NAN;
	uint64_t	nanbits;

	calib_sem_to_wire(&r, 0, 0.5, 0, w);
	CHECK(calib_sem_wire_size(&r) == sizeof w);
	CHECK(calib_sem_wire_check(w, sizeof w, &info, err, sizeof err));
	CHECK(info.elem == 4 && info.dim == 2 && info.n == 2 && info.threshold == 0.5 && info.trailing == 0);
	calib_sem_wire_decode(w, &info, back);
	CHECK(memcmp(back, buf, sizeof buf) == 0);

	/* each of these is named and rejected */
	CHECK(!calib_sem_wire_check(w, sizeof w - 1, &info, err, sizeof err));
	CHECK(!calib_sem_wire_check(w, 31, &info, err, sizeof err));
	memcpy(bad, w, sizeof w);
	bad[0] = 'T';
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err));
	memcpy(bad, w, sizeof w);
	put_be(bad + 8, 0x4000000000000000u, 8);	/* threshold 2 */
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err) && strstr(err, "threshold") != NULL);
	memcpy(bad, w, sizeof w);
	put_be(bad + 24, 1, 8);		/* a trailing NULL row without the flag */
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err));
	bad[3] = CALIB_SEM_KEEPS_NULLS;
	CHECK(calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err) && info.trailing == 1);
	memcpy(bad, w, sizeof w);
	memset(bad + CALIB_SEM_HDR + 16 + 8, 0, 8);	/* row 2 all zero */
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err) && strstr(err, "all zero") != NULL);
	memcpy(bad, w, sizeof w);
	put_be(bad + CALIB_SEM_HDR + 8, 0x7fc00000u, 4);	/* NaN */
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err) && strstr(err, "not finite") != NULL);
	memcpy(bad, w, sizeof w);
	put_be(bad + 16, 3, 8);		/* 3 rows claimed, 2 given */
	CHECK(!calib_sem_wire_check(bad, sizeof w, &info, err, sizeof err));

	/* entropy state: round trip; +Infinity and NaN log-probs rejected */
	calib_se_to_wire(CALIB_SE_WEIGHTED, e, 2, se);
	CHECK(calib_se_wire_check(se, sizeof se, &flags, &n, err, sizeof err) && n == 2);
	calib_se_wire_decode(se, flags, n, d);
	CHECK(d[0].id == 5 && d[0].lp == -1.5 && d[1].id == -2 && d[1].lp == -INFINITY);
	e[1].lp = INFINITY;
	calib_se_to_wire(CALIB_SE_WEIGHTED, e, 2, se);
	CHECK(!calib_se_wire_check(se, sizeof se, &flags, &n, err, sizeof err));
	memcpy(&nanbits, &nan, 8);
	put_be(se + CALIB_SE_HDR + 16 + 8, nanbits, 8);
	CHECK(!calib_se_wire_check(se, sizeof se, &flags, &n, err, sizeof err));
	CHECK(!calib_se_wire_check(se, sizeof se - 8, &flags, &n, err, sizeof err));
}

static void
test_check_values(void)
{
	const float ok[3] = {0, 0, 1e-30f},
				zero[3] = {0, -0.0f, 0};
	const double inf[3] = {1, 2, INFINITY};
	uint32_t	at = 0;

	CHECK(calib_sem_check_values(ok, 4, 3, &at) == 0);
	CHECK(calib_sem_check_values(zero, 4, 3, &at) == 2);
	CHECK(calib_sem_check_values(inf, 8, 3, &at) == 1 && at == 2);
}

int
main(void)
{
	test_hex();
	test_entropy();
	test_components();
	test_cosine_clamp();
	test_double_scaling();
	test_wire();
	test_check_values();
	return unit_report("test_semantic");
}
