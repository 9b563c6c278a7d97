-- calib: calibration metrics for model responses.
-- This install script is assembled by the Makefile from sql/parts/*.sql.
-- Everything lives in schema calib (see calib.control).

\echo Use "CREATE EXTENSION calib" to load this file. \quit

-- One row of a reliability diagram; calib.reliability returns every bin.
CREATE TYPE calib.bin AS (
    bin             integer,            -- 1 .. bins
    lower           double precision,   -- (lower, upper]; the first bin holds 0
    upper           double precision,
    n               bigint,
    mean_confidence double precision,   -- NULL when n = 0
    accuracy        double precision,   -- NULL when n = 0
    gap             double precision,   -- mean_confidence - accuracy
    ci_low          double precision,   -- 95% Wilson score interval of accuracy
    ci_high         double precision
);

-- Murphy's (1973) decomposition of the Brier score over equal-width bins.
CREATE TYPE calib.brier_parts AS (
    brier        double precision,  -- exact mean squared error
    reliability  double precision,  -- sum n_b/n (conf_b - acc_b)^2
    resolution   double precision,  -- sum n_b/n (acc_b - acc)^2
    uncertainty  double precision,  -- acc (1 - acc)
    within_bin   double precision   -- brier - (reliability - resolution + uncertainty)
);
