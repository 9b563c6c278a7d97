/* Unit tests of src/svg.c: XML escaping, what the SVG diagram contains for
 * hand-built summaries, and the text diagram line by line.  The SVG's
 * well-formedness is checked by xmllint in test/suites/browser.sh and the
 * picture itself by Chromium there. */
#include <string.h>

#include "svg.h"
#include "unit.h"

typedef struct Buf
{
	char		data[1 << 20];
	size_t		len;
} Buf;

static Buf	buf;

static void
to_buf(void *ctx, const char *s, size_t len)
{
	Buf		   *b = ctx;

	if (b->len + len >= sizeof(b->data))
	{
		fprintf(stderr, "test buffer overflow\n");
		exit(2);
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static const char *
escaped(const char *s, size_t len, size_t max_chars)
{
	buf.len = 0;
	buf.data[0] = '\0';
	calib_xml_escape(s, len, max_chars, to_buf, &buf);
	return buf.data;
}

static int
count(const char *hay, const char *needle)
{
	int			c = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		c++;
	return c;
}

static void
test_escape(void)
{
	char		long_title[201];

	CHECK(strcmp(escaped("a<b>&\"c'", 8, 0), "a&lt;b&gt;&amp;&quot;c&#39;") == 0);
	CHECK(strcmp(escaped("</title><script>alert(1)</script>", 33, 0),
				 "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;") == 0);
	/* é is U+00E9 (C3 A9), the grinning face U+1F600 (F0 9F 98 80) */
	CHECK(strcmp(escaped("caf\xC3\xA9 \xF0\x9F\x98\x80", 10, 0), "caf&#xE9; &#x1F600;") == 0);
	/* malformed: a stray continuation byte, 0xFF, an overlong '/' (C0 AF),
	 * a UTF-8-encoded surrogate (ED A0 80), a truncated 3-byte sequence */
	CHECK(strcmp(escaped("\x80", 1, 0), "&#xFFFD;") == 0);
	CHECK(strcmp(escaped("\xFF", 1, 0), "&#xFFFD;") == 0);
	CHECK(strcmp(escaped("\xC0\xAF", 2, 0), "&#xFFFD;&#xFFFD;") == 0);
	CHECK(strcmp(escaped("\xED\xA0\x80", 3, 0), "&#xFFFD;&#xFFFD;&#xFFFD;") == 0);
	CHECK(strcmp(escaped("x\xE2\x82", 3, 0), "x&#xFFFD;&#xFFFD;") == 0);
	/* control characters are not allowed in XML 1.0 */
	CHECK(strcmp(escaped("a\tb\nc\x01\x7F", 7, 0), "a b c&#xFFFD;&#xFFFD;") == 0);
	/* U+FFFE (EF BF BE) is not an XML character either */
	CHECK(strcmp(escaped("\xEF\xBF\xBE", 3, 0), "&#xFFFD;") == 0);
	/* the limit counts characters, not bytes */
	memset(long_title, 'a', 200);
	long_title[200] = '\0';
	escaped(long_title, 200, 120);
	CHECK(buf.len == 123 && strcmp(buf.data + 120, "...") == 0);
	CHECK(strcmp(escaped("\xC3\xA9\xC3\xA9\xC3\xA9", 6, 2), "&#xE9;&#xE9;...") == 0);
	CHECK(strcmp(escaped("ab", 2, 2), "ab") == 0);
}

/* Rows of `bins` bins from (confidence, correct) pairs, through binning.c. */
static void
rows_of(const double *conf, const int *ok, int n, int bins, CalibBinRow *rows,
		CalibChart *chart)
{
	CalibBinAcc acc[100] = {{0}};
	CalibBinnedError err;

	for (int i = 0; i < n; i++)
		calib_bins_add(acc, bins, conf[i], ok[i]);
	for (int k = 0; k < bins; k++)
		calib_bin_row(acc, k, bins, &rows[k]);
	calib_binned_error(acc, bins, &err);
	chart->rows = rows;
	chart->bins = bins;
	chart->n = n;
	chart->ece = n ? err.ece : NAN;
	chart->title = NULL;
}

static const char *
svg_of(const CalibChart *c)
{
	buf.len = 0;
	buf.data[0] = '\0';
	calib_svg_reliability(c, to_buf, &buf);
	return buf.data;
}

static void
test_svg(void)
{
	/* Bins of width 0.2: bin 1 holds 0.1 (wrong) -> acc 0, conf 0.1, over;
	 * bin 3 holds 0.5, 0.5 (both right) -> acc 1, conf 0.5, under; bin 5
	 * holds 0.9 x4 with 3 right -> acc .75, conf .9, over; bins 2, 4 empty.
	 * ECE = (1*0.1 + 2*0.5 + 4*0.15) / 7 = 1.7/7 = 0.242857... */
	double		conf[] = {0.1, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9};
	int			ok[] = {0, 1, 1, 1, 1, 1, 0};
	CalibBinRow rows[100];
	CalibChart	c;
	const char *s;

	rows_of(conf, ok, 7, 5, rows, &c);
	c.title = "atlas-1 <law> & \"finance\"";
	s = svg_of(&c);
	CHECK(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	CHECK(strcmp(s + strlen(s) - 7, "</svg>\n") == 0);
	CHECK(count(s, "<g class=\"bin empty\">") == 2);
	CHECK(count(s, "<g class=\"bin\" ") == 3);
	CHECK(count(s, "class=\"gap over\"") == 2);
	CHECK(count(s, "class=\"gap under\"") == 1);
	CHECK(count(s, "class=\"ci\"") == 3);
	CHECK(count(s, "class=\"diagonal\"") == 1);
	CHECK(strstr(s, "ECE = 0.2429 &#183; n = 7 &#183; 5 bins") != NULL);
	CHECK(strstr(s, "atlas-1 &lt;law&gt; &amp; &quot;finance&quot;") != NULL);
	CHECK(strstr(s, "<law>") == NULL);
	/* bin 5: 3 of 4, Wilson 95% = (0.75 + z^2/8 -+ z sqrt(0.046875 + z^2/64)) / (1 + z^2/4)
	 * = 0.30064 .. 0.95441 */
	CHECK(strstr(s, "bin 5 (0.8, 1]: n = 4, mean confidence 0.900, accuracy 0.750 "
				 "(95% CI 0.301 to 0.954), gap +0.150") != NULL);
	/* the accuracy bar of bin 3 (x 0.4..0.6, accuracy 1) fills the plot's height:
	 * x = 70 + 0.4*440 + 0.5, y = 44, width 88 - 1, height 440 */
	CHECK(strstr(s, "<rect class=\"accuracy\" x=\"246.50\" y=\"44.00\" width=\"87.00\" "
				 "height=\"440.00\"") != NULL);
	/* bin 1 (accuracy 0) has a zero-height bar but is not empty */
	CHECK(strstr(s, "<rect class=\"accuracy\" x=\"70.50\" y=\"484.00\" width=\"87.00\" "
				 "height=\"0.00\"") != NULL);
	/* histogram heights relative to the fullest bin (4): 70 * 2/4 = 35 */
	CHECK(strstr(s, "height=\"35.00\"><title>bin 3: 2 responses</title>") != NULL);
	CHECK(strstr(s, "height=\"70.00\"><title>bin 5: 4 responses</title>") != NULL);
	CHECK(count(s, "responses</title></rect>") == 3);
}

static void
test_svg_edge_cases(void)
{
	double		conf[] = {0.3, 0.6, 1.0, 0.0};
	int			all_ok[] = {1, 1, 1, 1};
	CalibBinRow rows[100];
	CalibChart	c;
	const char *s;

	/* one bin, all correct: under-confident by 1 - mean(0.3,0.6,1,0) = 0.525 */
	rows_of(conf, all_ok, 4, 1, rows, &c);
	s = svg_of(&c);
	CHECK(count(s, "<g class=\"bin\" ") == 1);
	CHECK(count(s, "class=\"gap under\"") == 1);
	CHECK(count(s, "class=\"gap over\"") == 0);
	CHECK(strstr(s, "ECE = 0.5250 &#183; n = 4 &#183; 1 bin &#183;") != NULL);
	/* no title given: a generic <title>, no visible title text */
	CHECK(strstr(s, "<title>reliability diagram</title>") != NULL);
	CHECK(strstr(s, "class=\"title\"") == NULL);

	/* nothing at all: every bin empty, ECE undefined, no histogram bars */
	rows_of(conf, all_ok, 0, 10, rows, &c);
	s = svg_of(&c);
	CHECK(count(s, "<g class=\"bin empty\">") == 10);
	CHECK(count(s, "class=\"accuracy\"") == 0);
	CHECK(strstr(s, "ECE undefined (no responses) &#183; n = 0") != NULL);
	CHECK(count(s, "responses</title></rect>") == 0);

	/* perfectly calibrated bin: no gap drawn */
	{
		double		half[] = {0.5, 0.5};
		int			one[] = {1, 0};

		rows_of(half, one, 2, 2, rows, &c);
		s = svg_of(&c);
		CHECK(count(s, "class=\"gap") == 0);
		CHECK(strstr(s, "ECE = 0.0000") != NULL);
	}
}

static void
test_text(void)
{
	double		conf[] = {0.2, 0.5, 0.8, 1.0};
	int			ok[] = {0, 1, 1, 0};
	CalibBinRow rows[100];
	CalibChart	c;

	/* two bins: [0, 0.5] holds 0.2 (wrong), 0.5 (right): conf .35, acc .5;
	 * (0.5, 1] holds 0.8 (right), 1.0 (wrong): conf .9, acc .5.
	 * Bars are 40 wide: acc .5 -> 20 '#'; conf .35 -> '|' at 14 (0.35*40 =
	 * 14), so '<' from 15 to 19; conf .9 -> '|' at 36, '>' from 20 to 35.
	 * Wilson for 1 of 2: 0.0945 .. 0.9055.  ECE = (2*.15 + 2*.4)/4 = 0.275. */
	rows_of(conf, ok, 4, 2, rows, &c);
	c.title = "demo";
	buf.len = 0;
	calib_text_reliability(&c, to_buf, &buf);
	CHECK(strncmp(buf.data, "demo\nconfidence ", 16) == 0);
	CHECK(strstr(buf.data,
				 "[0, 0.5]                  2  0.350  0.500 [0.095, 0.905] "
				 "|##############|<<<<<                    |  -0.150 under\n") != NULL);
	CHECK(strstr(buf.data,
				 "(0.5, 1]                  2  0.900  0.500 [0.095, 0.905] "
				 "|####################>>>>>>>>>>>>>>>>|   |  +0.400 over\n") != NULL);
	CHECK(strstr(buf.data, "ECE = 0.2750, n = 4, 2 bins;") != NULL);

	/* an empty bin says so instead of printing zeros */
	{
		double		c1[] = {0.95};
		int			o1[] = {1};

		rows_of(c1, o1, 1, 2, rows, &c);
		buf.len = 0;
		calib_text_reliability(&c, to_buf, &buf);
		CHECK(strstr(buf.data, "[0, 0.5]                  0") != NULL);
		CHECK(count(buf.data, "(empty)") == 1);
		/* conf .95 -> 38; acc 1 -> 40: 38 '#', '|' at 38, '<' at 39 */
		CHECK(strstr(buf.data, "|######################################|<|  -0.050 under")
			  != NULL);
	}
}

int
main(void)
{
	test_escape();
	test_svg();
	test_svg_edge_cases();
	test_text();
	return unit_report("test_svg");
}
