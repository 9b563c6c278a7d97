/*
 * svg.c -- reliability diagrams as SVG and as text.  See svg.h.
 *
 * The picture, top to bottom: the title; the diagram (x = confidence,
 * y = accuracy, both 0..1) with the diagonal of perfect calibration, one bar
 * per non-empty bin up to its accuracy, the gap between accuracy and mean
 * confidence shaded red when over-confident (confidence > accuracy) and
 * yellow when under-confident, the 95% Wilson interval of the accuracy as a
 * whisker at the bin's mean confidence, and empty bins as a pale dashed
 * column with no bar; beneath it a histogram of how many responses fall in
 * each bin; then the axis labels, the caption (ECE, n, bins) and a legend.
 * Every bin carries a <title> tooltip with its numbers.
 */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Geometry, in SVG user units. */
#define W			560
#define PX0			70			/* plot left */
#define PSIZE		440			/* plot width and height */
#define PY0			44			/* plot top */
#define HY0			(PY0 + PSIZE + 12)	/* histogram top */
#define HH			70			/* histogram height */
#define H			690

#define COL_BAR		"#4e79a7"
#define COL_OVER	"#e15759"
#define COL_UNDER	"#edc948"
#define COL_HIST	"#8c8c8c"
#define COL_EMPTY	"#f2f2f2"

static void
emits(CalibEmit emit, void *ctx, const char *s)
{
	emit(ctx, s, strlen(s));
}

#if defined(__GNUC__)
static void emitf(CalibEmit emit, void *ctx, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
#endif

/* printf into a bounded local buffer: every call here is short numbers and
 * fixed words (external text never goes through it). */
static void
emitf(CalibEmit emit, void *ctx, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;
	int			len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	emit(ctx, buf, (size_t) len < sizeof(buf) ? (size_t) len : sizeof(buf) - 1);
}

static double
sx(double conf)
{
	return PX0 + conf * PSIZE;
}

static double
sy(double acc)
{
	return PY0 + (1.0 - acc) * PSIZE;
}

/*
 * One UTF-8 character from s[0 .. len-1]: its code point, or -1 when the
 * bytes are not well-formed UTF-8 (overlong, surrogate, beyond U+10FFFF,
 * truncated).  *used is how many bytes to skip (1 on error).
 */
static long
utf8_next(const unsigned char *s, size_t len, size_t *used)
{
	long		cp;
	size_t		need;
	static const long min_cp[4] = {0, 0x80, 0x800, 0x10000};

	*used = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xE0) == 0xC0)
		need = 1, cp = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		need = 2, cp = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		need = 3, cp = s[0] & 0x07;
	else
		return -1;
	if (need >= len)
		return -1;
	for (size_t i = 1; i <= need; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min_cp[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*used = need + 1;
	return cp;
}

void
calib_xml_escape(const char *s, size_t len, size_t max_chars, CalibEmit emit, void *ctx)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		pos = 0,
				chars = 0;

	while (pos < len)
	{
		size_t		used;
		long		cp = utf8_next(p + pos, len - pos, &used);

		if (max_chars > 0 && chars == max_chars)
		{
			emits(emit, ctx, "...");
			return;
		}
		pos += used;
		chars++;
		if (cp == '\t' || cp == '\n' || cp == '\r')
			cp = ' ';
		if (cp < 0 || (cp < 0x20) || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF)
			cp = 0xFFFD;
		switch (cp)
		{
			case '&':
				emits(emit, ctx, "&amp;");
				break;
			case '<':
				emits(emit, ctx, "&lt;");
				break;
			case '>':
				emits(emit, ctx, "&gt;");
				break;
			case '"':
				emits(emit, ctx, "&quot;");
				break;
			case '\'':
				emits(emit, ctx, "&#39;");
				break;
			default:
				if (cp < 0x80)
				{
					char		c = (char) cp;

					emit(ctx, &c, 1);
				}
				else
					emitf(emit, ctx, "&#x%lX;", cp);
		}
	}
}

/* The numbers of one bin, as a tooltip. */
static void
bin_tooltip(const CalibBinRow *r, CalibEmit emit, void *ctx)
{
	if (r->n == 0)
	{
		emitf(emit, ctx, "<title>bin %d (%.4g, %.4g]: no responses</title>",
			  r->bin, r->lower, r->upper);
		return;
	}
	emitf(emit, ctx,
		  "<title>bin %d (%.4g, %.4g]: n = %lld, mean confidence %.3f, "
		  "accuracy %.3f (95%% CI %.3f to %.3f), gap %+.3f</title>",
		  r->bin, r->lower, r->upper, (long long) r->n, r->mean_confidence,
		  r->accuracy, r->ci_low, r->ci_high, r->gap);
}

static void
draw_axes(CalibEmit emit, void *ctx)
{
	/* grid, ticks and tick labels every 0.2 on both axes */
	emits(emit, ctx, "<g class=\"axes\" font-size=\"11\" fill=\"#333\">");
	for (int i = 0; i <= 5; i++)
	{
		double		v = i / 5.0;

		emitf(emit, ctx,
			  "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>"
			  "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#e6e6e6\"/>"
			  "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" dominant-baseline=\"middle\">%.1f</text>"
			  "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>",
			  PX0, sy(v), PX0 + PSIZE, sy(v),
			  sx(v), PY0, sx(v), HY0 + HH,
			  PX0 - 6, sy(v), v,
			  sx(v), HY0 + HH + 16, v);
	}
	emitf(emit, ctx,
		  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>"
		  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>",
		  PX0, PY0, PSIZE, PSIZE, PX0, HY0, PSIZE, HH);
	emitf(emit, ctx,
		  "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">"
		  "confidence (mean per bin)</text>"
		  "<text class=\"ylabel\" x=\"18\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" "
		  "transform=\"rotate(-90 18 %d)\">accuracy (fraction correct)</text>"
		  "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" "
		  "transform=\"rotate(-90 %d %d)\">responses</text>",
		  PX0 + PSIZE / 2, HY0 + HH + 34,
		  PY0 + PSIZE / 2, PY0 + PSIZE / 2,
		  30, HY0 + HH / 2, 30, HY0 + HH / 2);
	emits(emit, ctx, "</g>");
}

/* One bin of the diagram: bar to the accuracy, shaded gap, Wilson whisker. */
static void
draw_bin(const CalibBinRow *r, CalibEmit emit, void *ctx)
{
	double		x0 = sx(r->lower),
				x1 = sx(r->upper),
				pad = (x1 - x0) > 4 ? 0.5 : 0.0;
	double		lo,
				hi,
				xc;

	if (r->n == 0)
	{
		emitf(emit, ctx,
			  "<g class=\"bin empty\"><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
			  "fill=\"" COL_EMPTY "\" stroke=\"#c8c8c8\" stroke-dasharray=\"3 3\"/>",
			  x0 + pad, PY0, x1 - x0 - 2 * pad, PSIZE);
		bin_tooltip(r, emit, ctx);
		emits(emit, ctx, "</g>");
		return;
	}
	emitf(emit, ctx, "<g class=\"bin\" data-bin=\"%d\" data-n=\"%lld\">", r->bin, (long long) r->n);
	bin_tooltip(r, emit, ctx);
	emitf(emit, ctx,
		  "<rect class=\"accuracy\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		  "fill=\"" COL_BAR "\" fill-opacity=\"0.85\"/>",
		  x0 + pad, sy(r->accuracy), x1 - x0 - 2 * pad, sy(0.0) - sy(r->accuracy));
	lo = fmin(r->accuracy, r->mean_confidence);
	hi = fmax(r->accuracy, r->mean_confidence);
	if (hi > lo)
		emitf(emit, ctx,
			  "<rect class=\"gap %s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			  "fill=\"%s\" fill-opacity=\"0.75\" stroke=\"%s\"/>",
			  r->gap > 0 ? "over" : "under",
			  x0 + pad, sy(hi), x1 - x0 - 2 * pad, sy(lo) - sy(hi),
			  r->gap > 0 ? COL_OVER : COL_UNDER, r->gap > 0 ? COL_OVER : "#b8962e");
	xc = sx(r->mean_confidence);
	emitf(emit, ctx,
		  "<path class=\"ci\" d=\"M%.2f %.2fV%.2fM%.2f %.2fH%.2fM%.2f %.2fH%.2f\" "
		  "stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>"
		  "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"#222\"/></g>",
		  xc, sy(r->ci_low), sy(r->ci_high),
		  xc - 3, sy(r->ci_low), xc + 3, xc - 3, sy(r->ci_high), xc + 3,
		  xc, sy(r->accuracy));
}

/* The histogram of confidences: bar heights relative to the fullest bin. */
static void
draw_histogram(const CalibChart *c, CalibEmit emit, void *ctx)
{
	int64_t		max_n = 0;

	for (int k = 0; k < c->bins; k++)
		if (c->rows[k].n > max_n)
			max_n = c->rows[k].n;
	emits(emit, ctx, "<g class=\"histogram\" fill=\"" COL_HIST "\">");
	for (int k = 0; k < c->bins && max_n > 0; k++)
	{
		const CalibBinRow *r = &c->rows[k];
		double		x0 = sx(r->lower),
					x1 = sx(r->upper),
					pad = (x1 - x0) > 4 ? 0.5 : 0.0,
					h = (double) HH * (double) r->n / (double) max_n;

		if (r->n == 0)
			continue;
		emitf(emit, ctx, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
			  "<title>bin %d: %lld responses</title></rect>",
			  x0 + pad, HY0 + HH - h, x1 - x0 - 2 * pad, h, r->bin, (long long) r->n);
	}
	emitf(emit, ctx, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" fill=\"#333\">"
		  "%lld</text></g>", PX0 - 4, HY0 + 9, (long long) max_n);
}

static void
draw_caption(const CalibChart *c, CalibEmit emit, void *ctx)
{
	emitf(emit, ctx, "<text class=\"caption\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
		  "font-size=\"13\">", W / 2, HY0 + HH + 56);
	if (c->n > 0 && !isnan(c->ece))
		emitf(emit, ctx, "ECE = %.4f", c->ece);
	else
		emits(emit, ctx, "ECE undefined (no responses)");
	emitf(emit, ctx, " &#183; n = %lld &#183; %d bin%s &#183; whiskers: 95%% Wilson interval</text>",
		  (long long) c->n, c->bins, c->bins == 1 ? "" : "s");
}

/* Two rows of legend under the caption. */
static void
draw_legend(CalibEmit emit, void *ctx)
{
	static const struct
	{
		const char *colour;
		const char *label;
	}			items[] = {
		{COL_BAR, "accuracy"},
		{COL_OVER, "over-confident gap"},
		{COL_UNDER, "under-confident gap"},
		{COL_EMPTY, "empty bin"},
	};
	int			y = H - 34;

	emitf(emit, ctx, "<g class=\"legend\" font-size=\"11\" fill=\"#333\">");
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
	{
		int			x = PX0 + (int) (i % 3) * 150;

		if (i == 3)
			y += 20;
		emitf(emit, ctx,
			  "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#999\"/>"
			  "<text x=\"%d\" y=\"%d\">%s</text>",
			  x, y - 10, items[i].colour, x + 16, y, items[i].label);
	}
	emitf(emit, ctx, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" "
		  "stroke-dasharray=\"5 4\"/><text x=\"%d\" y=\"%d\">perfect calibration</text>"
		  "<path d=\"M%d %dV%dM%d %dH%dM%d %dH%d\" stroke=\"#222\" fill=\"none\"/>"
		  "<circle cx=\"%d\" cy=\"%d\" r=\"2.5\" fill=\"#222\"/>"
		  "<text x=\"%d\" y=\"%d\">accuracy, 95%% interval</text></g>",
		  PX0 + 150, y - 4, PX0 + 168, y - 4, PX0 + 172, y,
		  PX0 + 306, y - 11, y + 3, PX0 + 303, y - 11, PX0 + 309, PX0 + 303, y + 3, PX0 + 309,
		  PX0 + 306, y - 4, PX0 + 316, y);
}

void
calib_svg_reliability(const CalibChart *c, CalibEmit emit, void *ctx)
{
	emitf(emit, ctx,
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"calib-reliability\" "
		  "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		  "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
		  W, H, W, H);
	emits(emit, ctx, "<title>");
	if (c->title && c->title[0])
		calib_xml_escape(c->title, strlen(c->title), CALIB_TITLE_MAX_CHARS, emit, ctx);
	else
		emits(emit, ctx, "reliability diagram");
	emits(emit, ctx, "</title>");
	emitf(emit, ctx, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", W, H);
	if (c->title && c->title[0])
	{
		emitf(emit, ctx, "<text class=\"title\" x=\"%d\" y=\"28\" text-anchor=\"middle\" "
			  "font-size=\"16\" font-weight=\"bold\">", W / 2);
		calib_xml_escape(c->title, strlen(c->title), CALIB_TITLE_MAX_CHARS, emit, ctx);
		emits(emit, ctx, "</text>");
	}
	draw_axes(emit, ctx);
	emits(emit, ctx, "<g class=\"bins\">");
	for (int k = 0; k < c->bins; k++)
		draw_bin(&c->rows[k], emit, ctx);
	emits(emit, ctx, "</g>");
	emitf(emit, ctx, "<line class=\"diagonal\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
		  "stroke=\"#555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>",
		  sx(0), sy(0), sx(1), sy(1));
	draw_histogram(c, emit, ctx);
	draw_caption(c, emit, ctx);
	draw_legend(emit, ctx);
	emits(emit, ctx, "</svg>\n");
}

/* ---- text ------------------------------------------------------------- */

#define TEXT_BAR 40				/* columns for the 0..1 scale */

/*
 * One bin as text: '#' up to the accuracy, '|' at the mean confidence, and
 * the gap between them drawn with '>' (over-confident: the confidence mark is
 * to the right of the bar) or '<' (under-confident: the bar runs past it).
 */
static void
text_bar(const CalibBinRow *r, char *bar)
{
	int			acc = (int) lround(r->accuracy * TEXT_BAR),
				conf = (int) lround(r->mean_confidence * TEXT_BAR);

	if (conf > TEXT_BAR - 1)
		conf = TEXT_BAR - 1;
	for (int i = 0; i < TEXT_BAR; i++)
	{
		if (i < acc && i < conf)
			bar[i] = '#';
		else if (i < acc)
			bar[i] = '<';
		else if (i < conf)
			bar[i] = '>';
		else
			bar[i] = ' ';
	}
	bar[conf] = '|';
	bar[TEXT_BAR] = '\0';
}

void
calib_text_reliability(const CalibChart *c, CalibEmit emit, void *ctx)
{
	char		bar[TEXT_BAR + 1];

	if (c->title && c->title[0])
	{
		emit(ctx, c->title, strlen(c->title));
		emits(emit, ctx, "\n");
	}
	emitf(emit, ctx, "%-17s %9s %6s %6s %-15s %-*s  %s\n",
		  "confidence", "n", "conf", "acc", "95% CI", TEXT_BAR + 2,
		  "0 .. 1: # accuracy, | confidence", "gap");
	for (int k = 0; k < c->bins; k++)
	{
		const CalibBinRow *r = &c->rows[k];
		char		range[32];

		snprintf(range, sizeof(range), "%s%.4g, %.4g]", k == 0 ? "[" : "(", r->lower, r->upper);
		if (r->n == 0)
		{
			emitf(emit, ctx, "%-17s %9d %6s %6s %-15s |%*s|  %s\n", range, 0, "", "", "",
				  TEXT_BAR, "", "(empty)");
			continue;
		}
		text_bar(r, bar);
		emitf(emit, ctx, "%-17s %9lld %6.3f %6.3f [%5.3f, %5.3f] |%s|  %+.3f %s\n",
			  range, (long long) r->n, r->mean_confidence, r->accuracy,
			  r->ci_low, r->ci_high, bar, r->gap,
			  r->gap > 0 ? "over" : (r->gap < 0 ? "under" : ""));
	}
	if (c->n > 0 && !isnan(c->ece))
		emitf(emit, ctx, "ECE = %.4f, n = %lld, %d bin%s; > over-confident, < under-confident\n",
			  c->ece, (long long) c->n, c->bins, c->bins == 1 ? "" : "s");
	else
		emitf(emit, ctx, "ECE undefined, n = 0, %d bin%s\n", c->bins, c->bins == 1 ? "" : "s");
}
