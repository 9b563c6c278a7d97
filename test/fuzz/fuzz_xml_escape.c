/*
 * fuzz_xml_escape.c -- calib_xml_escape (src/svg.c), which puts titles and
 * labels from the user into SVG and HTML reports.
 *
 * Input: a byte for max_chars, then the text (arbitrary bytes).
 *
 * Invariants: the output is printable ASCII only; it contains no '<', '>',
 * '"' or '\'', and every '&' starts a well-formed entity or numeric
 * reference ending in ';' -- so no input can break out of an element or an
 * attribute.
 */
#include <ctype.h>

#include "fuzz.h"
#include "svg.h"

typedef struct Buf
{
	char	   *p;
	size_t		len,
				cap;
} Buf;

static void
emit(void *ctx, const char *s, size_t len)
{
	Buf		   *b = ctx;

	if (b->len + len + 1 > b->cap)
	{
		b->cap = 2 * (b->len + len + 1);
		b->p = realloc(b->p, b->cap);
		FUZZ_CHECK(b->p != NULL);
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Buf			b = {NULL, 0, 0};
	size_t		max_chars;
	char	   *in;

	if (size < 1)
		return 0;
	max_chars = data[0] % 64;
	in = malloc(size);
	memcpy(in, data + 1, size - 1);
	calib_xml_escape(in, size - 1, max_chars, emit, &b);
	for (size_t i = 0; i < b.len; i++)
	{
		unsigned char c = (unsigned char) b.p[i];

		FUZZ_CHECK(c >= 0x20 && c < 0x7f);
		FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		if (c == '&')
		{
			size_t		j = i + 1;

			if (j + 1 < b.len && b.p[j] == '#' && b.p[j + 1] == 'x')
			{
				j += 2;
				while (j < b.len && isxdigit((unsigned char) b.p[j]))
					j++;
			}
			else if (j < b.len && b.p[j] == '#')
			{
				j++;
				while (j < b.len && isdigit((unsigned char) b.p[j]))
					j++;
			}
			else
				while (j < b.len && isalpha((unsigned char) b.p[j]))
					j++;
			FUZZ_CHECK(j > i + 1 && j < b.len && b.p[j] == ';');
		}
	}
	free(b.p);
	free(in);
	return 0;
}
