/*
 * pg_calib.h -- shared PostgreSQL glue: input validation with the documented
 * SQLSTATEs, and helpers the aggregate files have in common.
 */
#ifndef PG_CALIB_H
#define PG_CALIB_H

#include "pg_compat.h"		/* postgres.h, fmgr.h and the version differences */

#include "binning.h"

/* The error (22023) for a confidence that is not a finite value in [0,1]. */
pg_noreturn void calib_confidence_error(double c);

/* Confidence from row input: errors (22023) unless a finite value in [0,1].
 * Returns it with -0.0 turned into 0.0.  Inline: it runs for every row. */
static inline double
calib_checked_confidence(double c)
{
	if (unlikely(!calib_confidence_ok(c)))
		calib_confidence_error(c);
	return c + 0.0;				/* -0.0 becomes 0.0 */
}

/* Bin count argument: errors (22023) outside [1, 10000]. */
int			calib_checked_bins(int32 bins);

/* The optional `bins` argument number argno of an aggregate's transition
 * function, checked on every row (NULL: 22004; out of range: 22023). */
int			calib_bins_arg(FunctionCallInfo fcinfo, int argno);

/* The memory context of the running aggregate; errors when called outside
 * one (someone calling a transition function directly). */
MemoryContext calib_agg_context(FunctionCallInfo fcinfo, const char *fname);

/*
 * How a transition function over a real state type (calib.binned_state,
 * calib.pointwise_state, calib.summary) was called, found once per call
 * site and kept in fn_extra: whether as an aggregate's transition or
 * combine function (then argument 0 is the aggregate's own state, updated in
 * place), and in which context a new state goes.  With a real STYPE the
 * executor copies a state it has not seen into its aggregate context, so a
 * new one is made in the per-row context; the 0.1.0 definitions (STYPE
 * internal) keep the pointer, so there it goes into the aggregate context.
 */
typedef struct CalibAggSite
{
	bool		in_agg;
	MemoryContext new_state_ctx;	/* NULL: CurrentMemoryContext */
} CalibAggSite;

void		calib_agg_site_init(FunctionCallInfo fcinfo, CalibAggSite *site);

/* The error (22023) of a moving-window inverse asked to take out a row
 * that its state cannot hold, or to take a row out of no state at all
 * (only a direct call can do either). */
pg_noreturn void calib_row_not_in_state(double c, bool correct);

static inline MemoryContext
calib_agg_site_new_ctx(const CalibAggSite *site)
{
	return site->new_state_ctx ? site->new_state_ctx : CurrentMemoryContext;
}

/* calib.bin[] holding every bin of acc, built for the calling function's
 * declared result type. */
Datum		calib_reliability_array(FunctionCallInfo fcinfo, const CalibBinAcc *acc, int bins);

/* calib.brier_parts from bins and the exact sum of squared errors. */
Datum		calib_brier_parts_datum(FunctionCallInfo fcinfo, const CalibBinAcc *acc,
									int bins, double sum_sq_error);

/*
 * Return an aggregate transition state that may still be absent.  A NULL
 * pointer must go back as SQL NULL: returned as a non-null Datum 0 it would
 * reach the final function as a state and be dereferenced.
 */
#define CALIB_RETURN_STATE(st) \
	do { void *_st = (st); if (_st == NULL) PG_RETURN_NULL(); PG_RETURN_POINTER(_st); } while (0)

/* A float8 Datum that is NULL when x is NaN (empty bins, absent classes). */
#define CALIB_RETURN_FLOAT8_OR_NULL(x) \
	do { double _x = (x); if (isnan(_x)) PG_RETURN_NULL(); PG_RETURN_FLOAT8(_x); } while (0)

#endif
