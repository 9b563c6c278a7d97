/*
 * pg_scores.h -- the "keep every row" aggregate state of pg_scores.c, shared
 * with the other aggregates that need every confidence (pg_recal.c): two
 * growing arrays of the confidences of correct and of wrong answers, sorted
 * once in the final function, plus the group's constant arguments.
 *
 * One transition, combine, serialize and deserialize implementation serves
 * every such aggregate; what differs (which constant arguments a transition
 * takes, how a family reports a mismatch) is a CalibParamsReader and a
 * CalibRowsKind.
 */
#ifndef PG_SCORES_H
#define PG_SCORES_H

#include "pg_calib.h"

#include "scores.h"

typedef struct ScoresState ScoresState;

/*
 * The per-group constant arguments of a keep-every-row aggregate: bins
 * (calib.ace, calib.ece_ci), level, resamples and seed (calib.ece_ci),
 * target (calib.threshold_for_accuracy); zero where an aggregate has none.
 * No padding, and always zeroed before it is filled: compared byte-wise.
 */
typedef struct CalibRowParams
{
	int32		bins;
	int32		resamples;
	double		level;
	double		target;
	int64		seed;
} CalibRowParams;

/* Reads (and checks) a transition call's constant arguments into a zeroed
 * p; runs on every row, before rows with a NULL are skipped.  NULL for an
 * aggregate that has none. */
typedef void (*CalibParamsReader) (FunctionCallInfo fcinfo, CalibRowParams *p);

/* What one family of keep-every-row aggregates has of its own. */
typedef struct CalibRowsKind
{
	/* Called when a group's rows or partial states disagree on the constant
	 * arguments (a: the state so far, b: the newcomer); raises the family's
	 * error (22023) and does not return. */
	void		(*mismatch) (const CalibRowParams *a, const CalibRowParams *b);
	int32		min_bins;		/* a deserialised state with fewer is corrupt */
} CalibRowsKind;

/* The support functions of a keep-every-row aggregate of that kind. */
Datum		calib_rows_transition(FunctionCallInfo fcinfo, const CalibRowsKind *kind,
								  CalibParamsReader read);
Datum		calib_rows_combine(FunctionCallInfo fcinfo, const CalibRowsKind *kind);
Datum		calib_rows_serialize(FunctionCallInfo fcinfo);
Datum		calib_rows_deserialize(FunctionCallInfo fcinfo, const CalibRowsKind *kind);

/*
 * One row (c, correct) into the state in argument 0 of a transition that
 * reads its own row (c a validated confidence; p zeroed, then filled):
 * what calib_rows_transition does after reading its arguments.
 */
Datum		calib_rows_add(FunctionCallInfo fcinfo, const CalibRowsKind *kind,
						   const CalibRowParams *p, double c, bool correct);

/* The kind of calib.auroc and calib.ace (bins must match). */
extern const CalibRowsKind calib_scores_kind;

/* Defines the fmgr entry point fname: a transition of that kind, reading its
 * constant arguments with read. */
#define CALIB_ROWS_TRANSITION(fname, kind, read) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS) { return calib_rows_transition(fcinfo, &(kind), (read)); } \
	extern int	no_such_variable

/*
 * Defines a family's fmgr entry points prefix_combine, prefix_serialize and
 * prefix_deserialize (the COMBINEFUNC, SERIALFUNC and DESERIALFUNC the
 * install script names) over the support functions above.
 */
#define CALIB_ROWS_SUPPORT_FUNCTIONS(prefix, kind) \
	PG_FUNCTION_INFO_V1(prefix##_combine); \
	Datum prefix##_combine(PG_FUNCTION_ARGS) { return calib_rows_combine(fcinfo, &(kind)); } \
	PG_FUNCTION_INFO_V1(prefix##_serialize); \
	Datum prefix##_serialize(PG_FUNCTION_ARGS) { return calib_rows_serialize(fcinfo); } \
	PG_FUNCTION_INFO_V1(prefix##_deserialize); \
	Datum prefix##_deserialize(PG_FUNCTION_ARGS) { return calib_rows_deserialize(fcinfo, &(kind)); } \
	extern int	no_such_variable

/* For a final function: the state's sorted rows and its constant arguments
 * (p may be NULL); false when the state is NULL or holds no row. */
bool		calib_rows_final(FunctionCallInfo fcinfo, CalibScores *s, CalibRowParams *p);

/* A final function returning metric(sorted rows): NULL for no rows or NaN. */
Datum		calib_rows_metric_final(FunctionCallInfo fcinfo, double (*metric) (const CalibScores *));

#endif
