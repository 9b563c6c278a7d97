/*
 * recal.h -- recalibration maps: the value, applying it, its text and binary
 * forms, and the four fitting algorithms.  Plain C, no PostgreSQL headers.
 *
 * A map is a kind plus a flat array of doubles:
 *   temperature  v = {T}                 p' = sigma(logit(p) / T),  T > 0
 *   platt        v = {a, b}              p' = sigma(a logit(p) + b)
 *   histogram    v = {h_1 .. h_n}        p' = h_k, k = the bin of p (binning.h)
 *   isotonic     v = {x_1..x_n, y_1..y_n} linear between knots, clipped at ends
 *   vector_temperature  v = {T}          p' = softmax(z / T) of a logit vector
 *                                        (multiclass.h); not for a confidence
 * logit(p) is taken of p clipped to [CALIB_LOGIT_EPS, 1 - CALIB_LOGIT_EPS].
 *
 * Text form (version 1), written by calib_map_to_text and accepted back:
 *   v1:temperature(T)
 *   v1:platt(a,b)
 *   v1:histogram(h_1,...,h_n)
 *   v1:isotonic(x_1:y_1,...,x_n:y_n)
 *   v1:vector_temperature(T)
 * (a kind added in 0.2.0: the forms of the four older kinds are unchanged,
 * so every map stored by 0.1.0 reads back identically)
 * numbers in the shortest %.{15,16,17}g form that reads back to the same
 * double.  Every parser takes (buf, len), needs no NUL terminator, validates
 * everything and returns NULL or an error message written into err.
 */
#ifndef CALIB_RECAL_H
#define CALIB_RECAL_H

#include <stddef.h>
#include <stdint.h>

#include "scores.h"
#include "binning.h"

#define CALIB_MAP_VERSION 1
#define CALIB_LOGIT_EPS 1e-12
#define CALIB_MAP_MAX_KNOTS (1 << 24)	/* isotonic knots */
#define CALIB_MAP_ERRLEN 160
#define CALIB_FIT_WORK(rows) (4 * (size_t) (rows))

typedef enum CalibMapKind
{
	CALIB_MAP_TEMPERATURE = 1,
	CALIB_MAP_PLATT = 2,
	CALIB_MAP_HISTOGRAM = 3,
	CALIB_MAP_ISOTONIC = 4,
	CALIB_MAP_VECTOR_TEMPERATURE = 5
} CalibMapKind;

#define CALIB_MAP_LAST_KIND CALIB_MAP_VECTOR_TEMPERATURE

/* Whether a map of that kind applies to a probability vector (logits)
 * rather than to one confidence. */
static inline int
calib_map_is_vector(int kind)
{
	return kind == CALIB_MAP_VECTOR_TEMPERATURE;
}

typedef struct CalibMap
{
	int32_t		kind;
	int32_t		n;				/* histogram bins, isotonic knots; else 0 */
	double		v[];			/* see above */
} CalibMap;

const char *calib_map_kind_name(int kind);

/* Number of doubles in v, or 0 for an unknown kind / bad n. */
size_t		calib_map_nvalues(int kind, int32_t n);
static inline size_t
calib_map_size(int kind, int32_t n)
{
	return offsetof(CalibMap, v) + calib_map_nvalues(kind, n) * sizeof(double);
}

/* Full validation of a map; NULL when valid, else the message in err. */
const char *calib_map_check(const CalibMap *m, char *err, size_t errlen);

/* Apply a valid scalar map (not calib_map_is_vector) to a confidence in
 * [0, 1]; NaN for a vector map. */
double		calib_map_apply(const CalibMap *m, double p);

/* logit of p clipped to [eps, 1 - eps], and the logistic function. */
double		calib_clipped_logit(double p);
double		calib_sigmoid(double t);

/* Shortest "%.{15..17}g" form of x that strtod reads back to x; buf >= 32. */
void		calib_format_double(double x, char *buf);

/* Text form, NUL-terminated, malloc'd (NULL when out of memory). */
char	   *calib_map_to_text(const CalibMap *m);
const char *calib_map_from_text(const char *buf, size_t len, CalibMap **out,
								char *err, size_t errlen);

/* Binary form: byte version, byte kind, uint32 n (big-endian), then the
 * values as big-endian IEEE doubles. */
size_t		calib_map_binary_size(const CalibMap *m);
void		calib_map_to_binary(const CalibMap *m, unsigned char *out);
const char *calib_map_from_binary(const unsigned char *buf, size_t len, CalibMap **out,
								  char *err, size_t errlen);

/*
 * Safeguarded Newton for the root of the derivative of a convex function of
 * beta > 0: derivs(ctx, beta, &d1, &d2) gives the first and second
 * derivatives.  Keeps a bracket lo < root < hi (hi infinite until d1 > 0 is
 * seen; steps that leave it double beta or bisect) and stops when a Newton
 * step inside the bracket is below 1e-9 relative (quadratic convergence then
 * leaves ~1e-18) or the bracket reaches rounding level.  The caller has
 * established that a root exists.
 */
typedef void (*CalibDerivs) (void *ctx, double beta, double *d1, double *d2);
double		calib_newton_1d(CalibDerivs derivs, void *ctx, double beta);

/*
 * Fitting.  Input: sorted scores with at least one row.  Each returns NULL
 * and a malloc'd map in *out, or a message saying why no map exists (the
 * glue raises it).  work must hold CALIB_FIT_WORK(npos + nneg) doubles.
 */
const char *calib_fit_temperature(const CalibScores *s, double *work, CalibMap **out);
const char *calib_fit_platt(const CalibScores *s, double *work, CalibMap **out);
const char *calib_fit_isotonic(const CalibScores *s, double *work, CalibMap **out);
/* from bins; needs at least one row overall */
const char *calib_fit_histogram(const CalibBinAcc *acc, int bins, CalibMap **out);

#endif
