/*
 * pg_logprob.h -- glue shared by pg_logprob.c (arrays) and
 * pg_logprob_json.c (API responses in jsonb).
 */
#ifndef PG_LOGPROB_H
#define PG_LOGPROB_H

#include "pg_calib.h"
#include "utils/array.h"

#include "logprob.h"

/* An array argument as the core sees it, with what the messages need. */
typedef struct CalibLpInput
{
	CalibVec	v;
	const char *what;			/* "token log-probabilities", "top_logprobs", ... */
	bool		is_float4;
	int64		rows;			/* tokens */
	int64		k;				/* top-k entries per token; 0 for 1-D input */
} CalibLpInput;

/* ereport(ERROR) describing err (22023), naming the position and value. */
pg_noreturn void calib_lp_report(const CalibLpInput *in, const CalibLpError *err);

/* A new double precision array of the given shape (lower bounds 1). */
ArrayType  *calib_new_float8_array(int ndim, const int *dims);

#endif
