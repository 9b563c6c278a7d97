/*
 * smece.h -- smooth ECE (Blasiok & Nakkiran, 2023) as their reference
 * implementation (relplot 1.0, relplot.metrics.smECE with the default
 * reflected Gaussian kernel) computes it.  Plain C.  See docs/recalibration.md
 * for the exact definition, including the grid discretisation.
 */
#ifndef CALIB_SMECE_H
#define CALIB_SMECE_H

#include "scores.h"

/* smallest bandwidth the search evaluates, and the largest grid it needs */
#define CALIB_SMECE_EPS 0.001
#define CALIB_SMECE_MAX_GRID 10001
#define CALIB_SMECE_WORK (5 * CALIB_SMECE_MAX_GRID)

/* smooth ECE at a fixed bandwidth sigma in [CALIB_SMECE_EPS, 1]; work holds
 * CALIB_SMECE_WORK doubles.  Needs at least one row. */
double		calib_smooth_ece_sigma(const CalibScores *s, double sigma, double *work);

/* smooth ECE with the bandwidth of the fixed-point search; *sigma gets it. */
double		calib_smooth_ece(const CalibScores *s, double *sigma, double *work);

#endif
