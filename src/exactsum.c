/*
 * exactsum.c -- text and wire forms of the fixed-point sums (exactsum.h).
 */
#include "exactsum.h"

#include <stdio.h>

static const char hexdig[] = "0123456789abcdef";

size_t
calib_exact_to_text(CalibExact a, char *out)
{
	bool		neg = calib_exact_is_negative(a);
	CalibExact	m = neg ? calib_exact_negate(a) : a;
	char	   *p = out;
	int			shift;

	if (neg)
		*p++ = '-';
	shift = 60;
	while (shift > 0 && ((m.hi >> shift) & 0xf) == 0)
		shift -= 4;				/* no leading zeros in the integer part */
	for (; shift >= 0; shift -= 4)
		*p++ = hexdig[(m.hi >> shift) & 0xf];
	*p++ = '.';
	for (shift = 60; shift >= 0; shift -= 4)
		*p++ = hexdig[(m.lo >> shift) & 0xf];
	*p = '\0';
	return (size_t) (p - out);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
calib_exact_from_text(const char *s, size_t len, CalibExact *out,
					  char *err, size_t errlen)
{
	size_t		i = 0,
				int_start,
				int_len;
	bool		neg = false;
	CalibExact	m = {0, 0};

	if (i < len && s[i] == '-')
	{
		neg = true;
		i++;
	}
	int_start = i;
	while (i < len && s[i] != '.')
	{
		int			d = hexval(s[i]);

		if (d < 0)
		{
			snprintf(err, errlen, "invalid digit \"%c\" in an exact sum", s[i]);
			return false;
		}
		if (i - int_start >= 16)
		{
			snprintf(err, errlen, "exact sum has more than 16 integer digits");
			return false;
		}
		m.hi = (m.hi << 4) | (uint64_t) d;
		i++;
	}
	int_len = i - int_start;
	if (int_len == 0 || i == len)
	{
		snprintf(err, errlen, "exact sum must look like [-]H.FFFFFFFFFFFFFFFF");
		return false;
	}
	if (int_len > 1 && s[int_start] == '0')
	{
		snprintf(err, errlen, "exact sum has a leading zero");
		return false;
	}
	i++;						/* '.' */
	if (len - i != 16)
	{
		snprintf(err, errlen, "exact sum needs exactly 16 fraction digits, got %zu", len - i);
		return false;
	}
	for (; i < len; i++)
	{
		int			d = hexval(s[i]);

		if (d < 0)
		{
			snprintf(err, errlen, "invalid digit \"%c\" in an exact sum", s[i]);
			return false;
		}
		m.lo = (m.lo << 4) | (uint64_t) d;
	}
	/* Range: a positive magnitude below 2^63, a negative one up to 2^63. */
	if ((m.hi >> 63) != 0 && !(neg && m.hi == (UINT64_C(1) << 63) && m.lo == 0))
	{
		snprintf(err, errlen, "exact sum is out of range");
		return false;
	}
	if (neg && m.hi == 0 && m.lo == 0)
	{
		snprintf(err, errlen, "exact sum \"-0\" is not canonical");
		return false;
	}
	*out = neg ? calib_exact_negate(m) : m;
	return true;
}

void
calib_exact_to_wire(CalibExact a, uint8_t *buf)
{
	int			i;

	for (i = 0; i < 8; i++)
	{
		buf[i] = (uint8_t) (a.hi >> (56 - 8 * i));
		buf[8 + i] = (uint8_t) (a.lo >> (56 - 8 * i));
	}
}

CalibExact
calib_exact_from_wire(const uint8_t *buf)
{
	CalibExact	a = {0, 0};
	int			i;

	for (i = 0; i < 8; i++)
	{
		a.hi = (a.hi << 8) | buf[i];
		a.lo = (a.lo << 8) | buf[8 + i];
	}
	return a;
}
