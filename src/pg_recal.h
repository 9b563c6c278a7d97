/*
 * pg_recal.h -- calib.map values for glue outside pg_recal.c (the vector
 * temperature map of pg_multiclass.c).
 */
#ifndef PG_RECAL_H
#define PG_RECAL_H

#include "postgres.h"
#include "fmgr.h"

#include "recal.h"

/* The stored calib.map of a malloc'd core map (which it frees). */
void	   *pgmap_from(CalibMap *m);

/* The map argument d, detoasted and checked, cached in fn_extra across rows
 * (fn_extra must not be used for anything else). */
const CalibMap *pgmap_get_cached(FunctionCallInfo fcinfo, Datum d);

#endif
