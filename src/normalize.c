/*
 * normalize.c -- calib_normalize_answer; the rules are in normalize.h.
 *
 * Pass 1 decodes the input once, folds case and collapses whitespace into
 * `scratch`.  Pass 2 finds the span left after stripping punctuation and
 * articles.  Pass 3 copies that span token by token into `out`, rewriting
 * numbers.  Every read is bounded by the length of the buffer being read.
 */
#include "normalize.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "unicode_tables.h"

/* A byte that is not part of valid UTF-8 decodes to RAW | byte. */
#define RAW 0x80000000u

/* ------------------------------------------------------------- UTF-8 */

/* Decode one character of s[0 .. len), len >= 1; returns its byte count. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned	c = s[0];
	size_t		need;
	uint32_t	v,
				min;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, v = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, v = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, v = c & 0x07, min = 0x10000;
	else
		goto raw;
	if (len <= need)
		goto raw;
	for (size_t i = 1; i <= need; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			goto raw;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto raw;
	*cp = v;
	return need + 1;
raw:
	*cp = RAW | c;
	return 1;
}

static size_t
utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *) out;

	if (cp & RAW)
	{
		o[0] = (unsigned char) (cp & 0xFF);
		return 1;
	}
	if (cp < 0x80)
	{
		o[0] = (unsigned char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		o[0] = (unsigned char) (0xC0 | (cp >> 6));
		o[1] = (unsigned char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		o[0] = (unsigned char) (0xE0 | (cp >> 12));
		o[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char) (0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char) (0xF0 | (cp >> 18));
	o[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char) (0x80 | (cp & 0x3F));
	return 4;
}

/* ------------------------------------------------------ classification */

static bool
in_ranges(uint32_t cp, const uint32_t (*r)[2], int n)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cp < r[mid][0])
			hi = mid - 1;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool
is_space(uint32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
	if (cp & RAW)
		return false;
	/* zero-width space, word joiner, BOM: invisible separators */
	if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF)
		return true;
	return in_ranges(cp, calib_space_ranges, CALIB_SPACE_COUNT);
}

/* General category P*, plus the backtick of Markdown code spans. */
static bool
is_punct(uint32_t cp)
{
	if (cp < 0x80)
		return cp < 0x7F && cp > 0x20 && strchr("!\"#%&'()*,-./:;?@[\\]_{}`", (int) cp) != NULL;
	if (cp & RAW)
		return false;
	return in_ranges(cp, calib_punct_ranges, CALIB_PUNCT_COUNT);
}

static uint32_t
fold(uint32_t cp)
{
	int			lo = 0,
				hi = CALIB_FOLD_COUNT - 1;

	if (cp < 0x80)
		return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
	if (cp & RAW)
		return cp;
	if (cp == 0x2212)			/* MINUS SIGN */
		return '-';
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cp < calib_fold_table[mid][0])
			hi = mid - 1;
		else if (cp > calib_fold_table[mid][0])
			lo = mid + 1;
		else
			return calib_fold_table[mid][1];
	}
	return cp;
}

static inline bool
is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* ------------------------------------------------------------- pass 1 */

/* Fold case, trim and collapse whitespace; returns the length written. */
static size_t
fold_and_collapse(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *) in;
	size_t		i = 0,
				o = 0;
	bool		pending_space = false;

	while (i < len)
	{
		uint32_t	cp;

		i += utf8_decode(s + i, len - i, &cp);
		if (is_space(cp))
		{
			pending_space = (o > 0);
			continue;
		}
		if (pending_space)
			out[o++] = ' ';
		pending_space = false;
		o += utf8_encode(fold(cp), out + o);
	}
	return o;
}

/* ------------------------------------------------------------- pass 2 */

/* Whether b[i] (a '-', '+' or '.') begins a number within b[0 .. e). */
static bool
number_starts_at(const char *b, size_t i, size_t e)
{
	size_t		j = i;

	if (b[j] == '-' || b[j] == '+')
		j++;
	if (j < e && b[j] == '.')
		j++;
	return j > i && j < e && is_digit((unsigned char) b[j]);
}

/* First position in [s, e) after leading spaces and punctuation. */
static size_t
strip_leading(const char *b, size_t s, size_t e)
{
	while (s < e)
	{
		uint32_t	cp;
		size_t		k = utf8_decode((const unsigned char *) b + s, e - s, &cp);

		if (cp != ' ' && !(is_punct(cp) && !number_starts_at(b, s, e)))
			break;
		s += k;
	}
	return s;
}

/* End of the last character in [0, e) that is neither space nor
 * punctuation, or is a '%' right after a digit. */
static size_t
strip_trailing(const char *b, size_t e)
{
	size_t		keep = 0,
				i = 0;
	uint32_t	prev = 0;

	while (i < e)
	{
		uint32_t	cp;
		size_t		k = utf8_decode((const unsigned char *) b + i, e - i, &cp);

		if ((cp != ' ' && !is_punct(cp)) || (cp == '%' && is_digit(prev)))
			keep = i + k;
		prev = cp;
		i += k;
	}
	return keep;
}

/* Length of a leading article ("the ", "an ", "a ") at b[0 .. n), or 0. */
static size_t
article_len(const char *b, size_t n)
{
	static const char *const articles[] = {"the ", "an ", "a "};

	for (int a = 0; a < 3; a++)
	{
		size_t		l = strlen(articles[a]);

		if (n > l && memcmp(b, articles[a], l) == 0)
			return l;
	}
	return 0;
}

/* ------------------------------------------------------------- pass 3 */

/* Skip one digit group "ddd" after a ',' at t[j]; returns the new j or 0. */
static size_t
digit_group(const char *t, size_t j, size_t n)
{
	if (n - j < 4 || !is_digit((unsigned char) t[j + 1]) ||
		!is_digit((unsigned char) t[j + 2]) || !is_digit((unsigned char) t[j + 3]))
		return 0;
	return j + 4;
}

/*
 * If t[0 .. n) is a number (grammar in normalize.h), write its canonical
 * form to out and return its length (at most n + 1); otherwise return 0.
 */
static size_t
canonical_number(const char *t, size_t n, char *out)
{
	size_t		i = 0,
				j,
				int_end,
				frac_start = 0,
				frac_end = 0,
				o = 0;
	bool		neg = false,
				pct = false,
				nonzero = false,
				started = false;

	if (i < n && (t[i] == '+' || t[i] == '-'))
		neg = (t[i++] == '-');
	for (j = i; j < n && is_digit((unsigned char) t[j]); j++)
		;
	if (j < n && t[j] == ',')
	{
		/* grouped: [1-9] d{0,2} (',' ddd)+ */
		if (j - i < 1 || j - i > 3 || t[i] == '0')
			return 0;
		while (j < n && t[j] == ',')
			if ((j = digit_group(t, j, n)) == 0)
				return 0;
		if (j < n && is_digit((unsigned char) t[j]))
			return 0;
	}
	int_end = j;
	if (j < n && t[j] == '.')
	{
		frac_start = ++j;
		while (j < n && is_digit((unsigned char) t[j]))
			j++;
		if (j == frac_start)
			return 0;
		frac_end = j;
	}
	if (int_end == i && frac_end == 0)
		return 0;				/* no digits at all */
	if (j < n && t[j] == '%')
		pct = true, j++;
	if (j != n)
		return 0;

	for (size_t k = i; k < j; k++)
		if (t[k] >= '1' && t[k] <= '9')
			nonzero = true;
	if (neg && nonzero)
		out[o++] = '-';			/* "-0", "-0.00" are 0 */

	/* integer digits without grouping commas and leading zeros */
	for (size_t k = i; k < int_end; k++)
	{
		if (t[k] == ',' || (t[k] == '0' && !started))
			continue;
		started = true;
		out[o++] = t[k];
	}
	if (!started)
		out[o++] = '0';
	while (frac_end > frac_start && t[frac_end - 1] == '0')
		frac_end--;
	if (frac_end > frac_start)
	{
		out[o++] = '.';
		memcpy(out + o, t + frac_start, frac_end - frac_start);
		o += frac_end - frac_start;
	}
	if (pct)
		out[o++] = '%';
	return o;
}

/* ------------------------------------------------------------- entry */

size_t
calib_normalize_answer(const char *in, size_t len, char *out, char *scratch)
{
	size_t		n = fold_and_collapse(in, len, scratch),
				e = strip_trailing(scratch, n),
				s = strip_leading(scratch, 0, e),
				o = 0;

	/* articles, as long as something is left after them */
	for (;;)
	{
		size_t		a = article_len(scratch + s, e - s),
					s2;

		if (a == 0)
			break;
		s2 = strip_leading(scratch, s + a, e);
		if (s2 >= e)
			break;
		s = s2;
	}

	while (s < e)
	{
		const char *sp = memchr(scratch + s, ' ', e - s);
		size_t		tlen = sp ? (size_t) (sp - (scratch + s)) : e - s,
					w = canonical_number(scratch + s, tlen, out + o);

		if (w == 0)
		{
			memcpy(out + o, scratch + s, tlen);
			w = tlen;
		}
		o += w;
		s += tlen;
		if (s < e)
			out[o++] = scratch[s++];	/* the single space */
	}
	return o;
}
