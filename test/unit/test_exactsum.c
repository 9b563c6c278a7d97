/* Unit tests of src/exactsum.h: hand-worked conversions, order independence
 * of sums, exact subtraction, overflow detection, and the text and wire
 * forms (round trip and every rejection). */
#include <string.h>

#include "exactsum.h"
#include "unit.h"

static CalibExact
ex(uint64_t hi, uint64_t lo)
{
	CalibExact	a = {lo, hi};

	return a;
}

static void
test_conversions(void)
{
	/* 0.5 = 2^63 units; 1.25 = 1 + 2^62 units; -1 = hi all ones, lo 0 */
	CHECK(calib_exact_eq(calib_exact_from_double(0.5), ex(0, UINT64_C(1) << 63)));
	CHECK(calib_exact_eq(calib_exact_from_double(1.25), ex(1, UINT64_C(1) << 62)));
	CHECK(calib_exact_eq(calib_exact_from_double(-1.0), ex(UINT64_MAX, 0)));
	CHECK(calib_exact_eq(calib_exact_from_double(0.0), CALIB_EXACT_ZERO));
	CHECK(calib_exact_eq(calib_exact_from_double(-0.0), CALIB_EXACT_ZERO));
	/* 2^-64 is one unit; 2^-65 rounds toward zero to nothing */
	CHECK(calib_exact_eq(calib_exact_from_double(0x1p-64), ex(0, 1)));
	CHECK(calib_exact_eq(calib_exact_from_double(0x1p-65), CALIB_EXACT_ZERO));
	CHECK(calib_exact_eq(calib_exact_from_double(-0x1p-64), ex(UINT64_MAX, UINT64_MAX)));
	/* 0.1 = 0x1.999999999999ap-4: units = 0x1999999999999a00 exactly */
	CHECK(calib_exact_eq(calib_exact_from_double(0.1), ex(0, UINT64_C(0x1999999999999a00))));
	/* largest term 2^40 - 2^-12 */
	CHECK(calib_exact_term_ok(0x1p40 - 0x1p-12));
	CHECK(!calib_exact_term_ok(0x1p40));
	CHECK(!calib_exact_term_ok(-0x1p40));
	CHECK(!calib_exact_term_ok(NAN));
	CHECK(!calib_exact_term_ok(INFINITY));
	/* back to double: exact for these */
	CHECK(calib_exact_to_double(calib_exact_from_double(0.1)) == 0.1);
	CHECK(calib_exact_to_double(calib_exact_from_double(-1234.5)) == -1234.5);
	CHECK(calib_exact_to_double(ex(UINT64_MAX, UINT64_MAX)) == -0x1p-64);
	CHECK(calib_exact_to_double(ex(UINT64_C(1) << 63, 0)) == -0x1p63);
}

/* Terms that do not add up exactly in doubles: the integer sums must not
 * depend on the order, and must equal the exact sum of the converted terms
 * (computed here with a long sum of units that no term loses bits in). */
static void
test_order_independence(void)
{
	enum {N = 20000};
	static double x[N];
	CalibExact	fwd = CALIB_EXACT_ZERO,
				bwd = CALIB_EXACT_ZERO,
				split_a = CALIB_EXACT_ZERO,
				split_b = CALIB_EXACT_ZERO;
	double		fsum_f = 0,
				fsum_b = 0;
	int			i;

	for (i = 0; i < N; i++)
		x[i] = (i % 7 == 0) ? 1e-9 * rng_unit() : (i % 11 == 0 ? 36.0 * rng_unit() : rng_unit());
	for (i = 0; i < N; i++)
	{
		CHECK(calib_exact_add(&fwd, x[i]));
		fsum_f += x[i];
	}
	for (i = N - 1; i >= 0; i--)
	{
		CHECK(calib_exact_add(&bwd, x[i]));
		fsum_b += x[i];
	}
	for (i = 0; i < N; i++)
		CHECK(calib_exact_add(i % 3 ? &split_a : &split_b, x[i]));
	CHECK(calib_exact_add_to(&split_b, split_a));
	CHECK(calib_exact_eq(fwd, bwd));
	CHECK(calib_exact_eq(fwd, split_b));
	/* the premise: doubles do depend on the order for these terms */
	CHECK(fsum_f != fsum_b);
	/* and the fixed-point sum is within N units of 2^-64 of either (the
	 * double sums are themselves within N ulps of the real sum) */
	CHECK_NEAR(calib_exact_to_double(fwd), fsum_f, 1e-9);

	/* subtraction undoes addition exactly, whatever the order */
	for (i = 0; i < N; i += 2)
		CHECK(calib_exact_sub_from(&fwd, calib_exact_from_double(x[i])));
	for (i = 1; i < N; i += 2)
		CHECK(calib_exact_sub_from(&fwd, calib_exact_from_double(x[i])));
	CHECK(calib_exact_eq(fwd, CALIB_EXACT_ZERO));
}

static void
test_overflow(void)
{
	CalibExact	max = ex(UINT64_C(0x7fffffffffffffff), UINT64_MAX);
	CalibExact	min = ex(UINT64_C(1) << 63, 0);
	CalibExact	a;

	a = max;
	CHECK(!calib_exact_add_to(&a, ex(0, 1)));
	CHECK(calib_exact_eq(a, max));	/* untouched on failure */
	a = min;
	CHECK(!calib_exact_sub_from(&a, ex(0, 1)));
	CHECK(!calib_exact_add_to(&a, ex(UINT64_MAX, UINT64_MAX)));
	a = max;
	CHECK(calib_exact_add_to(&a, ex(UINT64_MAX, UINT64_MAX)));	/* max - 2^-64 */
	CHECK(calib_exact_eq(a, ex(UINT64_C(0x7fffffffffffffff), UINT64_MAX - 1)));
	a = CALIB_EXACT_ZERO;
	CHECK(calib_exact_sub_from(&a, max));
	CHECK(calib_exact_sub_from(&a, ex(0, 1)));
	CHECK(calib_exact_eq(a, min));
	CHECK(calib_exact_cmp(min, max) < 0 && calib_exact_cmp(max, min) > 0 && calib_exact_cmp(a, min) == 0);
}

static void
text_ok(const char *s, CalibExact want)
{
	char		err[128],
				buf[CALIB_EXACT_TEXT_MAX];
	CalibExact	got;

	CHECK(calib_exact_from_text(s, strlen(s), &got, err, sizeof err));
	CHECK(calib_exact_eq(got, want));
	CHECK(calib_exact_to_text(got, buf) == strlen(s));
	CHECK(strcmp(buf, s) == 0);
}

static void
text_bad(const char *s)
{
	char		err[128] = "";
	CalibExact	got = ex(7, 7);

	CHECK(!calib_exact_from_text(s, strlen(s), &got, err, sizeof err));
	CHECK(err[0] != '\0');
	CHECK(calib_exact_eq(got, ex(7, 7)));
}

static void
test_text_and_wire(void)
{
	uint8_t		w[CALIB_EXACT_WIRE_SIZE];
	static const uint8_t want_w[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0x80, 0, 0, 0, 0, 0, 0, 0};
	int			i;

	text_ok("0.0000000000000000", CALIB_EXACT_ZERO);
	text_ok("0.8000000000000000", ex(0, UINT64_C(1) << 63));
	text_ok("-1.0000000000000000", ex(UINT64_MAX, 0));
	text_ok("-1.8000000000000000", ex(UINT64_MAX - 1, UINT64_C(1) << 63));
	text_ok("7fffffffffffffff.ffffffffffffffff", ex(UINT64_C(0x7fffffffffffffff), UINT64_MAX));
	text_ok("-8000000000000000.0000000000000000", ex(UINT64_C(1) << 63, 0));
	text_ok("0.0000000000000001", ex(0, 1));
	text_bad("");
	text_bad("-");
	text_bad(".0000000000000000");
	text_bad("1");
	text_bad("1.");
	text_bad("1.000000000000000");		/* 15 fraction digits */
	text_bad("1.00000000000000000");	/* 17 */
	text_bad("01.0000000000000000");
	text_bad("-0.0000000000000000");
	text_bad("+1.0000000000000000");
	text_bad("A.0000000000000000");
	text_bad("1.000000000000000g");
	text_bad(" 1.0000000000000000");
	text_bad("--1.0000000000000000");
	text_bad("8000000000000000.0000000000000000");
	text_bad("-8000000000000000.0000000000000001");
	text_bad("10000000000000000.0000000000000000");
	text_bad("1.0000000000000000.0000000000000000");

	/* -1.5 on the wire: hi = ...fe, lo = 0x80... */
	calib_exact_to_wire(calib_exact_from_double(-1.5), w);
	CHECK(memcmp(w, want_w, 16) == 0);
	CHECK(calib_exact_eq(calib_exact_from_wire(w), calib_exact_from_double(-1.5)));
	for (i = 0; i < 1000; i++)
	{
		CalibExact	a = ex(rng_next(), rng_next());
		char		buf[CALIB_EXACT_TEXT_MAX],
					err[128];
		CalibExact	b;

		calib_exact_to_wire(a, w);
		CHECK(calib_exact_eq(calib_exact_from_wire(w), a));
		CHECK(calib_exact_from_text(buf, calib_exact_to_text(a, buf), &b, err, sizeof err));
		CHECK(calib_exact_eq(a, b));
	}
}

int
main(void)
{
	test_conversions();
	test_order_independence();
	test_overflow();
	test_text_and_wire();
	return unit_report("test_exactsum");
}
