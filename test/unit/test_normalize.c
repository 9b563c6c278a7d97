/* Unit tests of src/normalize.c: the documented rules case by case, and
 * robustness on arbitrary bytes (run under ASan, so any read outside the
 * input or write outside the documented bound fails). */
#include <stdint.h>
#include <string.h>

#include "normalize.h"
#include "unit.h"

/* Normalise into exactly-sized heap buffers so ASan sees any overflow. */
static char *
norm_n(const char *in, size_t len, size_t *outlen)
{
	size_t		cap = calib_normalize_bound(len);
	char	   *copy = malloc(len ? len : 1);
	char	   *out = malloc(cap);
	char	   *scratch = malloc(cap);
	char	   *res;

	memcpy(copy, in, len);
	*outlen = calib_normalize_answer(copy, len, out, scratch);
	CHECK(*outlen <= len + len / 2);
	res = malloc(*outlen + 1);
	memcpy(res, out, *outlen);
	res[*outlen] = '\0';
	free(copy);
	free(out);
	free(scratch);
	return res;
}

static int
expect(const char *in, const char *want, int line)
{
	size_t		n;
	char	   *got = norm_n(in, strlen(in), &n);
	int			ok = strcmp(got, want) == 0;

	unit_checks++;
	if (!ok)
	{
		unit_failures++;
		fprintf(stderr, "line %d: normalize(\"%s\") = \"%s\", expected \"%s\"\n",
				line, in, got, want);
	}
	free(got);
	return ok;
}

#define EXPECT(in, want) expect(in, want, __LINE__)

static void
test_case_and_space(void)
{
	EXPECT("", "");
	EXPECT("   ", "");
	EXPECT("Paris", "paris");
	EXPECT("  New \t York \n", "new york");
	EXPECT("NEW\xC2\xA0YORK", "new york");			/* NBSP */
	EXPECT("x\xE2\x80\x83\xE3\x80\x80" "y", "x y");	/* em space + ideographic space */
	EXPECT("\xEF\xBB\xBFyes\xE2\x80\x8B", "yes");		/* BOM, zero-width space */
	EXPECT("\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9");	/* ÉTÉ -> été */
	EXPECT("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91", "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1");	/* ΣΟΦΙΑ */
	EXPECT("\xCF\x82", "\xCF\x83");			/* final sigma folds to sigma */
	EXPECT("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0");	/* Москва */
	EXPECT("STRA\xC3\x9F" "E", "stra\xC3\x9f" "e");	/* ß stays: simple folding */
	EXPECT("\xE1\xBA\x9E", "\xC3\x9F");				/* ẞ (S status) -> ß */
	EXPECT("\xE2\x84\xAA", "k");					/* Kelvin sign -> k */
	EXPECT("\xC8\xBA", "\xE2\xB1\xA5");				/* Ⱥ (2 bytes) -> ⱥ (3 bytes) */
	EXPECT("\xF0\x90\x90\x80", "\xF0\x90\x90\xA8");	/* Deseret 𐐀 -> 𐐨 */
	EXPECT("\xC4\xB0", "\xC4\xB0");					/* İ: only F/T mappings, unchanged */
	EXPECT("\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC");	/* 日本 */
}

static void
test_punctuation_and_articles(void)
{
	EXPECT("Paris.", "paris");
	EXPECT("\"Paris!\"", "paris");
	EXPECT("\xC2\xABParis\xC2\xBB", "paris");		/* « » (Pi/Pf) */
	EXPECT("\xE2\x80\x9CParis\xE2\x80\x9D.", "paris");	/* “ ” */
	EXPECT("**Paris**", "paris");
	EXPECT("`x`", "x");
	EXPECT("(42)", "42");
	EXPECT("f(x)", "f(x");							/* surrounding only, no balancing */
	EXPECT("St. Louis", "st. louis");				/* inner punctuation stays */
	EXPECT("...", "");
	EXPECT("-", "");
	EXPECT("C++", "c++");							/* '+' is Sm, not punctuation */
	EXPECT("$5", "$5");								/* '$' is Sc */
	EXPECT("\xE3\x80\x82\xE7\xAD\x94\xE3\x80\x82", "\xE7\xAD\x94");	/* 。答。 */
	EXPECT("The Eiffel Tower", "eiffel tower");
	EXPECT("an apple", "apple");
	EXPECT("A dog.", "dog");
	EXPECT("the", "the");							/* nothing would remain */
	EXPECT("The.", "the");
	EXPECT("A", "a");								/* a multiple-choice letter */
	EXPECT("A)", "a");
	EXPECT("the ...", "the");
	EXPECT("The 'Beatles'", "beatles");
	EXPECT("the the cat", "cat");					/* repeated: idempotent */
	EXPECT("The The", "the");
	EXPECT("theater", "theater");
	EXPECT("another", "another");
	EXPECT("A 5", "5");
}

static void
test_numbers(void)
{
	EXPECT("1,000", "1000");
	EXPECT("1,000,000", "1000000");
	EXPECT("1,234.50", "1234.5");
	EXPECT("3.50", "3.5");
	EXPECT("2.0", "2");
	EXPECT("2.", "2");								/* trailing '.' is punctuation */
	EXPECT("0.50", "0.5");
	EXPECT(".5", "0.5");
	EXPECT("-.5", "-0.5");
	EXPECT("+2", "2");
	EXPECT("-2", "-2");
	EXPECT("\xE2\x88\x92" "2", "-2");				/* U+2212 MINUS SIGN */
	EXPECT("\xE2\x88\x92", "");
	EXPECT("-0", "0");
	EXPECT("-0.000", "0");
	EXPECT("+0", "0");
	EXPECT("007", "7");
	EXPECT("000", "0");
	EXPECT("00.10", "0.1");
	EXPECT("50%", "50%");
	EXPECT("50.0%", "50%");
	EXPECT("(50%)", "50%");
	EXPECT("50%%", "50%");
	EXPECT("%5", "5");
	EXPECT("50 %", "50");							/* '%' not after a digit */
	EXPECT("1,00", "1,00");
	EXPECT("1,5", "1,5");
	EXPECT("0,123", "0,123");
	EXPECT("1234,567", "1234,567");
	EXPECT("1,2345", "1,2345");
	EXPECT("1,000,00", "1,000,00");
	EXPECT("1e3", "1e3");
	EXPECT("1E3", "1e3");
	EXPECT("1.2.3", "1.2.3");
	EXPECT("--5", "-5");
	EXPECT("'-5'", "-5");
	EXPECT("...5", "0.5");
	EXPECT("12 apples", "12 apples");
	EXPECT("The answer is 1,000.00 meters.", "answer is 1000 meters");
	EXPECT("x = +3.10", "x = 3.1");
	EXPECT("1,000 - 2,000", "1000 - 2000");
	EXPECT("12345678901234567890123.4500", "12345678901234567890123.45");
}

/* Invalid UTF-8 is kept byte for byte and never read past. */
static void
test_invalid_utf8(void)
{
	EXPECT("\xFF", "\xFF");
	EXPECT("A\xC3", "a\xC3");						/* truncated sequence */
	EXPECT("\xC3(", "\xC3");						/* bad continuation; '(' stripped */
	EXPECT("\xE2\x82", "\xE2\x82");
	EXPECT("\xC0\xAF", "\xC0\xAF");				/* overlong '/' is not punctuation */
	EXPECT("\xED\xA0\x80X", "\xED\xA0\x80x");		/* surrogate */
	EXPECT("\xF4\x90\x80\x80", "\xF4\x90\x80\x80");	/* > U+10FFFF */
	EXPECT("\xE2\x80 A", "\xE2\x80 a");
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t
next_rand(void)
{
	return (uint32_t) (unit_xorshift64(&rng) >> 11);
}

/* Random strings from an alphabet rich in the interesting bytes: no crash,
 * output within bound, and idempotent when the input is valid UTF-8. */
static void
test_random(void)
{
	static const char *const atoms[] = {
		"a", "Z", " ", "\t", ".", ",", "-", "+", "%", "0", "5", "9", "the ", "A ",
		"\xC2\xA0", "\xE2\x88\x92", "\xC3\x89", "\xE1\xBA\x9E", "\xC8\xBA", "\xE2\x80\x9C",
		"\xEF\xBB\xBF", "\xF0\x9F\x98\x80", "'", "(", ")", "`", "1,000", ".5", "e"};
	static const int natoms = sizeof(atoms) / sizeof(atoms[0]);
	char		buf[256];
	int			bad = 0;

	for (int iter = 0; iter < 200000; iter++)
	{
		size_t		len = 0,
					n1,
					n2;
		int			k = next_rand() % 12;
		char	   *once,
				   *twice;

		for (int t = 0; t < k; t++)
		{
			const char *a = atoms[next_rand() % natoms];

			memcpy(buf + len, a, strlen(a));
			len += strlen(a);
		}
		once = norm_n(buf, len, &n1);
		twice = norm_n(once, n1, &n2);
		if (n1 != n2 || memcmp(once, twice, n1) != 0)
			bad++;
		free(once);
		free(twice);
	}
	CHECK(bad == 0);

	/* arbitrary bytes: only memory safety and the bound are checked */
	for (int iter = 0; iter < 200000; iter++)
	{
		size_t		len = next_rand() % 24,
					n;

		for (size_t i = 0; i < len; i++)
			buf[i] = (char) next_rand();
		free(norm_n(buf, len, &n));
	}
}

/* Every single code point: folding and classification agree with what the
 * tables say, and nothing grows beyond the bound. */
static void
test_all_code_points(void)
{
	char		in[8];
	int			bad = 0;

	for (uint32_t cp = 1; cp <= 0x10FFFF; cp++)
	{
		size_t		len,
					n;
		char	   *out;

		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		if (cp < 0x80)
			in[0] = (char) cp, len = 1;
		else if (cp < 0x800)
			in[0] = (char) (0xC0 | (cp >> 6)), in[1] = (char) (0x80 | (cp & 0x3F)), len = 2;
		else if (cp < 0x10000)
			in[0] = (char) (0xE0 | (cp >> 12)), in[1] = (char) (0x80 | ((cp >> 6) & 0x3F)),
				in[2] = (char) (0x80 | (cp & 0x3F)), len = 3;
		else
			in[0] = (char) (0xF0 | (cp >> 18)), in[1] = (char) (0x80 | ((cp >> 12) & 0x3F)),
				in[2] = (char) (0x80 | ((cp >> 6) & 0x3F)), in[3] = (char) (0x80 | (cp & 0x3F)), len = 4;
		out = norm_n(in, len, &n);
		if (n > len + len / 2)
			bad++;
		free(out);
	}
	CHECK(bad == 0);
}

int
main(void)
{
	test_case_and_space();
	test_punctuation_and_articles();
	test_numbers();
	test_invalid_utf8();
	test_random();
	test_all_code_points();
	return unit_report("test_normalize");
}
