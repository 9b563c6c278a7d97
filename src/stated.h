/*
 * stated.h -- the confidence a response states in words or numbers
 * (calib.parse_confidence, calib.parse_confidence_details).  Plain C, no
 * PostgreSQL headers, no locale: the result depends on the bytes only, so
 * the SQL functions are IMMUTABLE.  docs/stated.md has the user-facing rules.
 *
 * One left-to-right scan over the bytes with a bounded lookahead (a few
 * spaces and at most two numbers after a '(' or a number), no allocation, no
 * backtracking: every byte is examined a bounded number of times
 * (CALIB_STATED_STEPS_PER_BYTE, checked by the fuzz harness).  Nothing
 * outside text[0 .. len) is read, whatever the bytes are.
 *
 * Candidates, strongest first:
 *   rank 2  a number attached to a confidence word (confidence, conf,
 *           certainty, probability, likelihood; the adjectives confident,
 *           certain, sure; the labels P1..P9 of top-k prompts), or a
 *           percentage right before one ("90% sure");
 *   rank 1  a bare percentage ("85%", "85 %", "85 percent", "80-90%"), or a
 *           bare fraction over 10 or 100 ("7/10", "85/100", "7 out of 10");
 *   rank 0  a phrase of the survey table, only when there is no number.
 * Among equals the last one wins, except that among P-labels the lowest
 * label wins (P1 is the top guess's probability).
 */
#ifndef CALIB_STATED_H
#define CALIB_STATED_H

#include <stddef.h>

typedef enum CalibStatedKind
{
	CALIB_STATED_NONE = 0,		/* the text states no confidence */
	CALIB_STATED_PERCENT,
	CALIB_STATED_PROBABILITY,
	CALIB_STATED_FRACTION,
	CALIB_STATED_SCALE,
	CALIB_STATED_PHRASE
} CalibStatedKind;

typedef struct CalibStated
{
	CalibStatedKind kind;		/* NONE: nothing stated, the rest is unset */
	double		value;			/* in [0, 1]; NaN when the winning candidate
								 * ends outside [0, 1] ("150%") */
	size_t		match_start;	/* the bytes read: text[match_start ..
								 * match_start + match_len) */
	size_t		match_len;
} CalibStated;

/* Upper bound of the scan's steps per input byte (plus a constant): each
 * number is read at most about four times (a "(a-b)" lookahead, the main
 * loop, the range or fraction lookahead of the number before); the
 * fuzz harness checks steps <= CALIB_STATED_STEPS_PER_BYTE * len + 64. */
#define CALIB_STATED_STEPS_PER_BYTE 12

/* Read the stated confidence of text[0 .. len). */
void		calib_stated_parse(const char *text, size_t len, CalibStated *out);

/* The same, also counting the bytes examined (with repeats) into *steps. */
void		calib_stated_parse_counted(const char *text, size_t len, CalibStated *out,
									   size_t *steps);

/* "percent", "probability", "fraction", "scale", "phrase"; NULL for NONE. */
const char *calib_stated_kind_name(CalibStatedKind kind);

/* The phrase table (docs/stated.md lists it): words separated by one space,
 * and the value; ends with a NULL phrase.  Negative values mark phrases that
 * are recognised so that their words are not read as a shorter phrase, but
 * state nothing ("most likely"). */
typedef struct CalibStatedPhrase
{
	const char *phrase;
	double		value;
} CalibStatedPhrase;

extern const CalibStatedPhrase calib_stated_phrases[];

#endif
