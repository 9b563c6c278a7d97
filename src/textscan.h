/*
 * textscan.h -- the small scanner behind the text input of calib's own types
 * (calib.summary, calib.binned_state, calib.pointwise_state).  Plain C.
 *
 * Every function reports a problem as a message in the cursor's err buffer
 * and returns false; none allocates, and each looks at every input byte a
 * bounded number of times (linear time on any text).
 */
#ifndef CALIB_TEXTSCAN_H
#define CALIB_TEXTSCAN_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exactsum.h"

static inline bool calib_fail(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Writes the message into err (when there is room) and returns false. */
static inline bool
calib_fail(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

typedef struct CalibCursor
{
	const char *buf;
	size_t		len;
	size_t		pos;
	char	   *err;
	size_t		errlen;
} CalibCursor;

static inline bool
calib_is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static inline void
calib_skip_blanks(CalibCursor *c)
{
	while (c->pos < c->len && calib_is_blank(c->buf[c->pos]))
		c->pos++;
}

/* Up to 20 characters at the cursor, non-printables as '?', for messages. */
static inline const char *
calib_snippet(const CalibCursor *c, char *out)
{
	size_t		k = 0;

	if (c->pos >= c->len)
		return "end of input";
	out[k++] = '"';
	for (size_t i = c->pos; i < c->len && k < 21; i++)
		out[k++] = (c->buf[i] >= 0x20 && c->buf[i] < 0x7f) ? c->buf[i] : '?';
	if (c->pos + 20 < c->len)
	{
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

static inline bool
calib_syntax(CalibCursor *c, const char *expected)
{
	char		s[32];

	return calib_fail(c->err, c->errlen, "expected %s at offset %zu, found %s",
					  expected, c->pos, calib_snippet(c, s));
}

static inline bool
calib_expect(CalibCursor *c, const char *lit)
{
	size_t		n = strlen(lit);
	char		what[24];

	if (c->len - c->pos >= n && memcmp(c->buf + c->pos, lit, n) == 0)
	{
		c->pos += n;
		return true;
	}
	snprintf(what, sizeof what, "\"%s\"", lit);
	return calib_syntax(c, what);
}

/* A count: decimal digits only (no sign), at most INT64_MAX. */
static inline bool
calib_parse_count(CalibCursor *c, const char *what, int64_t *out)
{
	size_t		start = c->pos;
	int64_t		v = 0;

	while (c->pos < c->len && c->buf[c->pos] >= '0' && c->buf[c->pos] <= '9')
	{
		int			d = c->buf[c->pos] - '0';

		if (v > (INT64_MAX - d) / 10)
			return calib_fail(c->err, c->errlen, "%s at offset %zu is larger than %" PRId64,
							  what, start, INT64_MAX);
		v = v * 10 + d;
		c->pos++;
	}
	if (c->pos == start)
		return calib_syntax(c, what);
	*out = v;
	return true;
}

/* An exact sum in the text form of exactsum.h: the token is every
 * character up to the next blank, ':' or end (at most 40 are looked at
 * before it is refused as too long). */
static inline bool
calib_parse_exact(CalibCursor *c, const char *what, CalibExact *out)
{
	size_t		start = c->pos;
	char		msg[96];

	while (c->pos < c->len && c->pos - start <= CALIB_EXACT_TEXT_MAX &&
		   !calib_is_blank(c->buf[c->pos]) && c->buf[c->pos] != ':')
		c->pos++;
	if (c->pos == start)
		return calib_syntax(c, what);
	if (!calib_exact_from_text(c->buf + start, c->pos - start, out, msg, sizeof msg))
		return calib_fail(c->err, c->errlen, "%s at offset %zu: %s", what, start, msg);
	return true;
}

static inline bool
calib_at_trailing_blanks(const CalibCursor *c)
{
	for (size_t i = c->pos; i < c->len; i++)
		if (!calib_is_blank(c->buf[i]))
			return false;
	return true;
}

/* Big-endian integers of the wire forms. */
static inline uint8_t *
calib_put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static inline uint64_t
calib_get_be(const uint8_t **p, int bytes)
{
	uint64_t	v = 0;

	for (int i = 0; i < bytes; i++)
		v = (v << 8) | *(*p)++;
	return v;
}

#endif
