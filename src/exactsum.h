/*
 * exactsum.h -- exact, order-independent sums of doubles in fixed point.
 *
 * Plain C, no PostgreSQL headers.  Every sum kept inside a mergeable state
 * (confidences, squared errors, log losses, weights) is a CalibExact: a
 * 128-bit two's-complement integer counting units of 2^-64.  A term x is
 * converted once, on its own, to the nearest unit toward zero; after that
 * only integer additions happen, which are associative and commutative, so
 * a state is byte-identical however the rows were split between parallel
 * workers, shards or merges and in whatever order the parts were combined.
 * Integer sums also subtract exactly, which moving-window aggregates need.
 *
 * Resolution and bounds:
 *   - one term loses less than 2^-64 (5.4e-20) in absolute value, so the sum
 *     of n terms is within n * 2^-64 of the exact real sum, and a mean within
 *     2^-64: far below the rounding of the final double for any mean above
 *     about 1e-3, and never more than one unit in the 4th-last decimal of a
 *     mean above 1e-16;
 *   - a term must satisfy |x| < 2^CALIB_EXACT_TERM_BITS (2^40, about 1.1e12):
 *     calib_exact_add refuses larger ones, so a sum of n terms stays below
 *     n * 2^40 units of 1 and overflows only past 2^23 = 8.4 million times
 *     more rows than any int64 count (2^63) allows for terms of size 1:
 *     with terms in [0, 1] (confidences, squared errors) no count that fits
 *     in int64 overflows; with log losses (at most 36.05 after clipping) it
 *     needs more than 2^57 rows.  Overflow is still detected, never wrapped.
 *
 * Conversion back to double: integer part plus fraction, each converted
 * once; the result is within one unit in the last place of the exact value
 * and, being a function of the integer alone, identical on every node.
 *
 * Text form (used inside the states' text I/O): optional '-', 1 to 16
 * lower-case hexadecimal digits of the integer part (no leading zeros except
 * "0"), '.', exactly 16 hexadecimal digits of the fraction: the magnitude,
 * exactly.  "0.8000000000000000" is 0.5; "-1.0000000000000000" is -1.
 * Wire form: 16 bytes, big-endian, high word first.
 */
#ifndef CALIB_EXACTSUM_H
#define CALIB_EXACTSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CALIB_EXACT_TERM_BITS	40
#define CALIB_EXACT_TERM_MAX	1099511627776.0 /* 2^40, exclusive */
#define CALIB_EXACT_TEXT_MAX	35		/* '-' + 16 + '.' + 16 + NUL */
#define CALIB_EXACT_WIRE_SIZE	16

typedef struct CalibExact
{
	uint64_t	lo;				/* fraction: units of 2^-64 */
	uint64_t	hi;				/* integer part, two's complement with lo */
} CalibExact;

#define CALIB_EXACT_ZERO ((CalibExact) {0, 0})

static inline bool
calib_exact_is_negative(CalibExact a)
{
	return (int64_t) a.hi < 0;
}

static inline CalibExact
calib_exact_negate(CalibExact a)
{
	CalibExact	r;

	r.lo = ~a.lo + 1;
	r.hi = ~a.hi + (r.lo == 0);
	return r;
}

/* a + b; false (and *out untouched) on signed 128-bit overflow. */
static inline bool
calib_exact_add_to(CalibExact *out, CalibExact b)
{
	CalibExact	a = *out,
				r;

	r.lo = a.lo + b.lo;
	r.hi = a.hi + b.hi + (r.lo < a.lo);
	/* overflow: both operands of one sign and the result of the other */
	if ((int64_t) ((a.hi ^ r.hi) & (b.hi ^ r.hi)) < 0)
		return false;
	*out = r;
	return true;
}

/* a - b; false on overflow. */
static inline bool
calib_exact_sub_from(CalibExact *out, CalibExact b)
{
	CalibExact	a = *out,
				r;

	r.lo = a.lo - b.lo;
	r.hi = a.hi - b.hi - (a.lo < b.lo);
	/* overflow: operands of different signs and the result not a's sign */
	if ((int64_t) ((a.hi ^ b.hi) & (a.hi ^ r.hi)) < 0)
		return false;
	*out = r;
	return true;
}

/*
 * The term x in units of 2^-64, rounded toward zero.  x must be finite with
 * |x| < 2^40 (calib_exact_term_ok): callers validate their inputs first.
 * Splitting off the integer part is exact (x - trunc(x) has no rounding for
 * doubles), and scaling the fraction by 2^64 is exact; only the final
 * conversion drops the bits below 2^-64.
 */
static inline bool
calib_exact_term_ok(double x)
{
	return x > -CALIB_EXACT_TERM_MAX && x < CALIB_EXACT_TERM_MAX;	/* NaN: false */
}

static inline CalibExact
calib_exact_from_double(double x)
{
	uint64_t	bits,
				mant;
	int			shift;
	unsigned __int128 u;
	CalibExact	r;

	/* x = mant 2^(e - 1075) with the 53-bit mantissa, so x in units of
	 * 2^-64 is mant 2^(e - 1011): a shift, truncating toward zero for a
	 * right shift.  Integer-only (no double -> uint64 conversions, slow on
	 * x86-64 above 2^63), and the same integer as trunc(|x| 2^64). */
	memcpy(&bits, &x, sizeof bits);
	shift = (int) ((bits >> 52) & 0x7ff);
	if (shift == 0)
		return CALIB_EXACT_ZERO;	/* zero or subnormal: below 2^-64 */
	mant = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
	shift -= 1011;
	if (shift >= 0)
		u = (unsigned __int128) mant << shift;	/* |x| < 2^63: shift < 75 */
	else
		u = shift > -64 ? mant >> -shift : 0;
	r.lo = (uint64_t) u;
	r.hi = (uint64_t) (u >> 64);
	return (int64_t) bits < 0 ? calib_exact_negate(r) : r;
}

/* sum += x for a term already known to pass calib_exact_term_ok; false only
 * on overflow of the sum. */
static inline bool
calib_exact_add(CalibExact *sum, double x)
{
	return calib_exact_add_to(sum, calib_exact_from_double(x));
}

/*
 * sum += x for a term known to be finite and in [0, 2^40), on the per-row
 * paths (confidences, Brier and log-loss terms), whose sums are bounded by
 * the row count times 36.05 and so cannot overflow while the count (int64)
 * fits: no overflow check, no sign; the same result as calib_exact_add.
 */
static inline void
calib_exact_add_term(CalibExact *sum, double x)
{
	uint64_t	bits,
				mant;
	int			shift;
	unsigned __int128 u,
				s;

	memcpy(&bits, &x, sizeof bits);
	shift = (int) ((bits >> 52) & 0x7ff) - 1011;	/* sign ignored: -0.0 is 0 */
	mant = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
	if (shift >= 0)
		u = (unsigned __int128) mant << shift;
	else						/* zero and subnormals: shift <= -1011 */
		u = shift > -64 ? mant >> -shift : 0;
	s = ((unsigned __int128) sum->hi << 64 | sum->lo) + u;
	sum->lo = (uint64_t) s;
	sum->hi = (uint64_t) (s >> 64);
}

/* The sum as a double (see the header comment). */
static inline double
calib_exact_to_double(CalibExact a)
{
	bool		neg = calib_exact_is_negative(a);
	CalibExact	m = neg ? calib_exact_negate(a) : a;
	double		v;

	/* hi of a magnitude is < 2^63 except for the most negative value,
	 * whose magnitude 2^63 still converts exactly as an unsigned. */
	v = (double) m.hi + (double) m.lo * 5.421010862427522170e-20;	/* 2^-64 */
	return neg ? -v : v;
}

static inline int
calib_exact_cmp(CalibExact a, CalibExact b)
{
	if (a.hi != b.hi)
		return (int64_t) a.hi < (int64_t) b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static inline bool
calib_exact_eq(CalibExact a, CalibExact b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* Whether 0 <= a <= n (a sum of n terms in [0, 1], each rounded toward
 * zero, always is). */
static inline bool
calib_exact_in_0_n(CalibExact a, int64_t n)
{
	if (calib_exact_is_negative(a))
		return false;
	return (int64_t) a.hi < n || ((int64_t) a.hi == n && a.lo == 0);
}

/* Writes the text form and a NUL into out (CALIB_EXACT_TEXT_MAX bytes);
 * returns its length. */
size_t		calib_exact_to_text(CalibExact a, char *out);

/*
 * Parses the text form at s (not NUL-terminated, exactly len bytes, no
 * blanks).  Returns false, with a message in err, on anything else: a sign
 * other than one leading '-', a missing or extra digit, an upper-case or
 * non-hexadecimal digit, "-0.0000000000000000", or a magnitude past the
 * 128-bit range.
 */
bool		calib_exact_from_text(const char *s, size_t len, CalibExact *out,
								  char *err, size_t errlen);

/* 16 bytes big-endian. */
void		calib_exact_to_wire(CalibExact a, uint8_t *buf);
CalibExact	calib_exact_from_wire(const uint8_t *buf);

#endif
