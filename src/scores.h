/*
 * scores.h -- exact metrics that need every confidence, not just bin counts:
 * AUROC (Mann-Whitney) and adaptive (equal-mass) ECE.  Plain C.
 *
 * The input is two arrays sorted ascending: the confidences of the correct
 * answers (pos) and of the wrong ones (neg).  calib_group_next walks both in
 * merged order one distinct value at a time, so ties are always handled as a
 * whole; every tie-aware metric is written on top of that walk.
 */
#ifndef CALIB_SCORES_H
#define CALIB_SCORES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct CalibScores
{
	const double *pos;			/* confidences of correct answers, ascending */
	int64_t		npos;
	const double *neg;			/* confidences of wrong answers, ascending */
	int64_t		nneg;
} CalibScores;

typedef struct CalibGroupIter
{
	const CalibScores *s;
	int64_t		ip;
	int64_t		in;
	bool		descending;
} CalibGroupIter;

/* One distinct value and how many correct and wrong rows carry it. */
typedef struct CalibGroup
{
	double		value;
	int64_t		npos;
	int64_t		nneg;
} CalibGroup;

void		calib_group_iter_init(CalibGroupIter *it, const CalibScores *s, bool descending);
bool		calib_group_next(CalibGroupIter *it, CalibGroup *g);

/* qsort comparator: ascending numeric order of doubles (-0.0 equal to 0.0). */
int			calib_cmp_double(const void *a, const void *b);

/* Sort ascending; scratch must hold n doubles.  -0.0 sorts equal to 0.0 only
 * if the caller normalises it first (the glue does: c + 0.0). */
void		calib_sort_doubles(double *v, int64_t n, double *scratch);

/* v[0 .. nsorted) is sorted ascending already: sort the rest and merge, so a
 * running window that adds a few values between finals pays O(n), not a full
 * sort.  scratch must hold n doubles. */
void		calib_sort_tail(double *v, int64_t nsorted, int64_t n, double *scratch);

/* NaN when either class is empty. */
double		calib_auroc(const CalibScores *s);

/* The k/bins quantiles, k = 1 .. bins-1, as percentile_cont computes them,
 * into edges[0 .. bins-2].  Needs at least one row. */
void		calib_quantiles(const CalibScores *s, int bins, double *edges);

/* Equal-mass ECE with `bins` bins; NaN when there are no rows.  `edges` is
 * scratch for bins - 1 doubles. */
double		calib_ace(const CalibScores *s, int bins, double *edges);

#endif
