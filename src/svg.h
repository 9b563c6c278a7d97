/*
 * svg.h -- reliability diagrams as a self-contained SVG and as plain text.
 * Plain C, no PostgreSQL headers: the drawing is unit-tested outside the
 * server; src/pg_svg.c feeds it rows from src/binning.c (calib_bin_row).
 *
 * Output goes through a callback, so the glue can append to a StringInfo
 * and the unit tests to a malloc'd buffer; nothing here allocates.
 */
#ifndef CALIB_SVG_H
#define CALIB_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "binning.h"

typedef void (*CalibEmit) (void *ctx, const char *s, size_t len);

/* The longest title drawn, in characters; longer ones end in "...". */
#define CALIB_TITLE_MAX_CHARS 120

typedef struct CalibChart
{
	const CalibBinRow *rows;	/* rows[0 .. bins-1], as calib_bin_row fills them */
	int			bins;
	int64_t		n;				/* rows summarised (sum of rows[k].n) */
	double		ece;			/* ECE with these bins; NaN when n == 0 */
	const char *title;			/* UTF-8 or NULL; escaped on output */
} CalibChart;

/*
 * The SVG document (no XML declaration: it is embeddable in HTML as is).
 * Every text from outside is escaped by calib_xml_escape.
 */
void		calib_svg_reliability(const CalibChart *c, CalibEmit emit, void *ctx);

/* A fixed-width text diagram for psql: one line per bin, then a caption. */
void		calib_text_reliability(const CalibChart *c, CalibEmit emit, void *ctx);

/*
 * Escape UTF-8 text for XML/HTML element content and attribute values, as
 * pure ASCII: & < > " ' become entities, every non-ASCII character becomes a
 * numeric reference (so the output is right whatever the reader's encoding),
 * tab/CR/LF become spaces, other control characters, U+FFFE/U+FFFF and
 * malformed UTF-8 become U+FFFD.  At most max_chars characters are written
 * (0: no limit); a cut text ends in "...".
 */
void		calib_xml_escape(const char *s, size_t len, size_t max_chars,
							 CalibEmit emit, void *ctx);

#endif
