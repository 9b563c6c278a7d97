/* test/unit/unit.h -- a tiny assertion kit for the plain-C core's tests. */
#ifndef CALIB_UNIT_H
#define CALIB_UNIT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int	unit_failures = 0;
static int	unit_checks = 0;

#define CHECK(cond) do { unit_checks++; if (!(cond)) { unit_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double _a = (a), _b = (b); unit_checks++; \
	if (!(fabs(_a - _b) <= (tol))) { unit_failures++; \
	fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, _a, _b); } } while (0)

static inline int
unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
