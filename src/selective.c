/*
 * selective.c -- risk-coverage curve, AURC and accuracy-target thresholds,
 * all one descending walk over the distinct confidences (scores.h).
 */
#include "selective.h"

#include <math.h>

typedef struct CoverageWalk
{
	CalibGroupIter it;
	int64_t		n,
				answered,
				correct;
} CoverageWalk;

static void
walk_init(CoverageWalk *w, const CalibScores *s)
{
	calib_group_iter_init(&w->it, s, true);
	w->n = s->npos + s->nneg;
	w->answered = w->correct = 0;
}

/* The next point, lowering the threshold to the next distinct value. */
static bool
walk_next(CoverageWalk *w, CalibCoveragePoint *p)
{
	CalibGroup	g;

	if (!calib_group_next(&w->it, &g))
		return false;
	w->answered += g.npos + g.nneg;
	w->correct += g.npos;
	p->threshold = g.value;
	p->coverage = (double) w->answered / (double) w->n;
	p->accuracy = (double) w->correct / (double) w->answered;
	return true;
}

int64_t
calib_coverage_points(const CalibScores *s)
{
	CalibGroupIter it;
	CalibGroup	g;
	int64_t		k = 0;

	calib_group_iter_init(&it, s, true);
	while (calib_group_next(&it, &g))
		k++;
	return k;
}

void
calib_risk_coverage(const CalibScores *s, CalibCoveragePoint *out)
{
	CoverageWalk w;
	int64_t		k = 0;

	walk_init(&w, s);
	while (walk_next(&w, &out[k]))
		k++;
}

/*
 * Each distinct threshold contributes its rows' share of coverage times the
 * risk once all of them are answered; without ties this is the usual
 * (1/n) sum_i risk(top i).  Summed as (rows_k / n) (wrong_k / answered_k).
 */
double
calib_aurc(const CalibScores *s)
{
	CoverageWalk w;
	CalibCoveragePoint p;
	int64_t		prev = 0;
	double		area = 0.0;

	walk_init(&w, s);
	if (w.n == 0)
		return NAN;
	while (walk_next(&w, &p))
	{
		area += (double) (w.answered - prev) / (double) w.n *
			((double) (w.answered - w.correct) / (double) w.answered);
		prev = w.answered;
	}
	return area;
}

bool
calib_threshold_for_accuracy(const CalibScores *s, double target, CalibCoveragePoint *out)
{
	CoverageWalk w;
	CalibCoveragePoint p;
	bool		found = false;

	walk_init(&w, s);
	while (walk_next(&w, &p))
		if (p.accuracy >= target)
		{
			*out = p;
			found = true;
		}
	return found;
}
