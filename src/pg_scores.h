/*
 * pg_scores.h -- the "keep every row" aggregate state of pg_scores.c, shared
 * with the other aggregates that need every confidence (pg_recal.c): two
 * growing arrays of the confidences of correct and of wrong answers, sorted
 * once in the final function.
 */
#ifndef PG_SCORES_H
#define PG_SCORES_H

#include "postgres.h"

#include "scores.h"

typedef struct ScoresState ScoresState;

ScoresState *calib_scores_create(MemoryContext ctx);
void		calib_scores_push(ScoresState *st, double c, bool correct);
void		calib_scores_merge(ScoresState *dst, const ScoresState *src);

/* Serialised form: calib_scores_wire_size bytes written by calib_scores_write,
 * read back (validated, elog on corruption) by calib_scores_read. */
Size		calib_scores_wire_size(const ScoresState *st);
void		calib_scores_write(const ScoresState *st, char *dst);
ScoresState *calib_scores_read(MemoryContext ctx, const char *src, Size len);

/* Sort (once) and expose the arrays. */
void		calib_scores_view(ScoresState *st, CalibScores *out);

#endif
