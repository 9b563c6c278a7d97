/*
 * normalize.h -- the canonical form of a short answer, for comparing the
 * answers of several samples (calib.normalize_answer).  Plain C, no
 * PostgreSQL headers, no locale: the result depends on the bytes only, so
 * the SQL function is IMMUTABLE.  docs/votes.md has the user-facing rules.
 *
 * Steps, in order:
 *  1. Decode UTF-8.  A byte that does not start a valid, shortest-form
 *     sequence of a scalar value (U+0000..U+10FFFF, no surrogates) is kept as
 *     that one raw byte and is otherwise treated like a letter.
 *  2. Whitespace -- White_Space (ASCII tab, LF, VT, FF, CR, space, U+0085,
 *     NBSP, U+1680, U+2000..U+200A, U+2028/9, U+202F, U+205F, U+3000) plus
 *     the invisible U+200B, U+2060 and U+FEFF -- is trimmed and every run
 *     collapses to one ASCII space.
 *  3. Simple Unicode case folding (CaseFolding.txt status C + S): one code
 *     point to one code point, so 'ß' stays 'ß' and 'ẞ' becomes 'ß'.
 *     U+2212 MINUS SIGN becomes '-'.
 *  4. Surrounding punctuation (general category P*, plus '`') and spaces are
 *     stripped from both ends, except that a '-' or '.' starting a number
 *     ("-5", ".5", "-.5") stays, and a '%' right after a digit stays.
 *  5. One leading article "the ", "an " or "a " is removed (then step 4's
 *     leading strip again), unless nothing would remain.
 *  6. Every space-separated token that is a decimal number is rewritten in
 *     canonical form:
 *        number := sign? (int ('.' digit+)? | '.' digit+) '%'?
 *        sign   := '+' | '-'
 *        int    := digit+ | [1-9] digit{0,2} (',' digit{3})+
 *     ASCII digits only.  Commas (grouping) go, leading zeros of the integer
 *     part go (keeping one 0), trailing zeros of the fraction go, a '.' with
 *     no fraction left goes, '+' goes, '-' stays unless the value is zero.
 *     "1,000" -> "1000", "3.50" -> "3.5", "2.0" -> "2", ".5" -> "0.5",
 *     "+2" -> "2", "-0.0" -> "0", "50.0%" -> "50%".  Not numbers (left as
 *     they are): "1,00", "1,5", "0,123", "1e3", "1.", "$5", "1 000".
 */
#ifndef CALIB_NORMALIZE_H
#define CALIB_NORMALIZE_H

#include <stddef.h>

/*
 * Capacity each of `out` and `scratch` must have for an input of len bytes
 * (the result never exceeds 1.5 * len; the generator checks that case
 * folding grows no character by more).  Callers keep len < SIZE_MAX / 2.
 */
static inline size_t
calib_normalize_bound(size_t len)
{
	return len + len / 2 + 4;
}

/* Normalise in[0 .. len) into out; returns the length written.  Reads no
 * byte outside in[0 .. len) whatever the bytes are. */
size_t		calib_normalize_answer(const char *in, size_t len, char *out, char *scratch);

#endif
