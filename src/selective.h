/*
 * selective.h -- selective prediction (abstention) over sorted scores: the
 * risk-coverage curve, its area, and the threshold that reaches a target
 * accuracy.  Plain C.
 *
 * A threshold t answers the rows with confidence >= t.  The curve has one
 * point per distinct confidence t_1 > t_2 > ... > t_m (walking down, ties
 * together): coverage_k = answered_k / n, accuracy_k = correct_k / answered_k.
 */
#ifndef CALIB_SELECTIVE_H
#define CALIB_SELECTIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "scores.h"

typedef struct CalibCoveragePoint
{
	double		threshold;
	double		coverage;
	double		accuracy;
} CalibCoveragePoint;

/* Number of points (distinct confidences). */
int64_t		calib_coverage_points(const CalibScores *s);

/* Fill out[0 .. calib_coverage_points(s)), highest threshold first. */
void		calib_risk_coverage(const CalibScores *s, CalibCoveragePoint *out);

/* AURC = sum_k (coverage_k - coverage_{k-1}) (1 - accuracy_k), coverage_0 = 0;
 * NaN without rows. */
double		calib_aurc(const CalibScores *s);

/* The lowest threshold whose accuracy (as the double correct/answered) is
 * >= target; false when none is. */
bool		calib_threshold_for_accuracy(const CalibScores *s, double target,
										 CalibCoveragePoint *out);

#endif
