/*
 * pg_binned.h -- the calib.binned_state glue that other aggregate files
 * reuse (the formulas' finals in pg_recal.c, the multi-class aggregates):
 * the per-row "add one (confidence, correct)" path with its in-place update
 * and cached bin edges, and reading a state for a final function.
 *
 * A transition function over calib.binned_state looks like
 *
 *     CalibBinnedState *st = calib_binned_state_for_update(fcinfo, bins);
 *     calib_binned_add(fcinfo, st, confidence, correct);   // once or more
 *     PG_RETURN_POINTER(st);
 *
 * with the confidence already checked (calib_checked_confidence) and rows
 * with a NULL skipped before (returning argument 0 as it is, NULL or not).
 */
#ifndef PG_BINNED_H
#define PG_BINNED_H

#include "pg_calib.h"

#include "aggstate.h"
#include "pointwise.h"

/*
 * Per call site (fn_extra): the bin edges of the first bin count seen, and
 * what AggCheckCallContext said, so the per-row path needs neither a
 * division nor a function call.
 */
typedef struct CalibBinnedSite
{
	CalibAggSite agg;
	int			bins;
	double		edge[FLEXIBLE_ARRAY_MEMBER];	/* bins + 1 of them */
} CalibBinnedSite;

CalibBinnedSite *calib_binned_site_setup(FunctionCallInfo fcinfo, int bins);

static inline CalibBinnedSite *
calib_binned_site(FunctionCallInfo fcinfo, int bins)
{
	CalibBinnedSite *site = (CalibBinnedSite *) fcinfo->flinfo->fn_extra;

	if (unlikely(site == NULL))
		site = calib_binned_site_setup(fcinfo, bins);
	return site;
}

/* The state to update, from argument 0: in place when called as an
 * aggregate (a new one for the first row), else a copy.  Errors (22023)
 * when the state has another bin count. */
CalibBinnedState *calib_binned_state_for_update_slow(FunctionCallInfo fcinfo, int bins);

static inline CalibBinnedState *
calib_binned_state_for_update(FunctionCallInfo fcinfo, int bins)
{
	CalibBinnedSite *site = (CalibBinnedSite *) fcinfo->flinfo->fn_extra;

	if (likely(site != NULL && site->agg.in_agg && !PG_ARGISNULL(0)))
	{
		CalibBinnedState *st = (CalibBinnedState *) PG_GETARG_POINTER(0);

		if (likely(st->bins == bins))
			return st;
	}
	return calib_binned_state_for_update_slow(fcinfo, bins);
}

/* One validated row into st (sign -1: out again, for MINVFUNC).  The bin
 * comes from the call site's cached edges, or calib_bin_index when this
 * site has seen another bin count (the same bin either way). */
static inline void
calib_binned_add(FunctionCallInfo fcinfo, CalibBinnedState *st, double c, bool correct, int sign)
{
	CalibBinnedSite *site = calib_binned_site(fcinfo, st->bins);
	int			k = likely(site->bins == st->bins) ?
		calib_bin_index_edges(c, site->edge, st->bins) : calib_bin_index(c, st->bins);

	if (likely(sign > 0))
		calib_binned_state_row(st, k, c, correct, calib_sq_error(c, correct));
	else if (!calib_binned_state_unrow(st, k, c, correct, calib_sq_error(c, correct)))
		calib_row_not_in_state(c, correct);
}

/* Argument argno as a state to read (detoasted, aligned, shape checked:
 * ERRCODE_DATA_CORRUPTED otherwise); NULL for SQL NULL. */
const CalibBinnedState *calib_binned_state_read(FunctionCallInfo fcinfo, int argno);

/* The state's bins as doubles for the formulas of binning.c (palloc'd);
 * NULL when argument 0 is NULL or holds no rows, which the finals return
 * as NULL (an emptied moving-window state answers like no rows at all). */
CalibBinAcc *calib_binned_final_acc(FunctionCallInfo fcinfo, int *bins,
									const CalibBinnedState **stp);

#endif
