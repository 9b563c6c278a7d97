/*
 * semantic.c -- semantic entropy and embedding clusters (see semantic.h and
 * docs/semantic.md).
 */
#include "semantic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
	{
		p[i] = (uint8_t) v;
		v >>= 8;
	}
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static uint32_t
get_u32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint64_t
dbits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static double
bitsd(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

static uint32_t
fbits(float f)
{
	uint32_t	u;

	memcpy(&u, &f, 4);
	return u;
}

static float
bitsf(uint32_t u)
{
	float		f;

	memcpy(&f, &u, 4);
	return f;
}

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

/* ---------------------------------------------------------------- hex */

void
calib_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++)
	{
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
calib_hex_decode(const char *in, size_t outlen, uint8_t *out)
{
	for (size_t i = 0; i < outlen; i++)
	{
		int			h = hexval(in[2 * i]),
					l = hexval(in[2 * i + 1]);

		if (h < 0 || l < 0)
			return false;
		out[i] = (uint8_t) (h << 4 | l);
	}
	return true;
}

/* ------------------------------------------------ semantic entropy (ids) */

void
calib_se_to_wire(uint8_t flags, const CalibSeEntry *e, uint64_t n, uint8_t *out)
{
	size_t		w = calib_se_entry_wire(flags);

	out[0] = 'E';
	out[1] = 1;
	out[2] = flags;
	out[3] = 0;
	put_u64(out + 4, n);
	for (uint64_t i = 0; i < n; i++)
	{
		uint8_t    *p = out + CALIB_SE_HDR + i * w;

		put_u64(p, (uint64_t) e[i].id);
		if (flags & CALIB_SE_WEIGHTED)
			put_u64(p + 8, dbits(e[i].lp));
	}
}

bool
calib_se_wire_check(const uint8_t *in, size_t len, uint8_t *flags, uint64_t *n,
					char *err, size_t errlen)
{
	size_t		w;

	if (len < CALIB_SE_HDR)
		ERR("%zu bytes is shorter than the %d-byte header", len, CALIB_SE_HDR);
	if (in[0] != 'E' || in[1] != 1)
		ERR("unknown format tag %d version %d", in[0], in[1]);
	if ((in[2] & ~CALIB_SE_WEIGHTED) != 0 || in[3] != 0)
		ERR("unknown flags %d", in[2]);
	*flags = in[2];
	*n = get_u64(in + 4);
	w = calib_se_entry_wire(*flags);
	if ((len - CALIB_SE_HDR) % w != 0 || *n != (len - CALIB_SE_HDR) / w)
		ERR("%llu entries claimed, %zu bytes of entries given",
			(unsigned long long) *n, len - CALIB_SE_HDR);
	if (*n == 0)
		ERR("a state holds at least one answer");
	if (*flags & CALIB_SE_WEIGHTED)
		for (uint64_t i = 0; i < *n; i++)
		{
			double		lp = bitsd(get_u64(in + CALIB_SE_HDR + i * w + 8));

			if (isnan(lp) || lp == INFINITY)
				ERR("entry %llu: log-probability %g is not finite or -Infinity",
					(unsigned long long) i + 1, lp);
		}
	return true;
}

void
calib_se_wire_decode(const uint8_t *in, uint8_t flags, uint64_t n, CalibSeEntry *out)
{
	size_t		w = calib_se_entry_wire(flags);

	for (uint64_t i = 0; i < n; i++)
	{
		const uint8_t *p = in + CALIB_SE_HDR + i * w;

		out[i].id = (int64_t) get_u64(p);
		out[i].lp = (flags & CALIB_SE_WEIGHTED) ? bitsd(get_u64(p + 8)) : 0.0;
	}
}

static int
cmp_entry(const void *a, const void *b)
{
	const CalibSeEntry *x = a,
			   *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->lp > y->lp) - (x->lp < y->lp);
}

static int
cmp_mass(const void *a, const void *b)
{
	const CalibSeMass *x = a,
			   *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

double
calib_se_entropy(CalibSeEntry *e, uint64_t n, bool weighted, uint64_t *clusters,
				 CalibSeMass *cm)
{
	double		m = -INFINITY,
				total = 0,
				h = 0;
	uint64_t	k = 0;

	*clusters = 0;
	if (n == 0)
		return NAN;
	qsort(e, n, sizeof *e, cmp_entry);
	if (weighted)
		for (uint64_t i = 0; i < n; i++)
			if (e[i].lp > m)
				m = e[i].lp;
	if (weighted && m == -INFINITY)
		return NAN;
	/* per cluster, entries in ascending log-prob: a fixed order */
	for (uint64_t i = 0; i < n;)
	{
		uint64_t	j = i;
		double		s = 0;

		for (; j < n && e[j].id == e[i].id; j++)
			s += weighted ? exp(e[j].lp - m) : 1.0;
		cm[k].p = s;
		cm[k].id = e[i].id;
		k++;
		i = j;
	}
	qsort(cm, k, sizeof *cm, cmp_mass);
	for (uint64_t c = 0; c < k; c++)
		total += cm[c].p;
	for (uint64_t c = 0; c < k; c++)
	{
		double		p = cm[c].p / total;

		if (p > 0)
			h -= p * log(p);
	}
	*clusters = k;
	return h + 0.0;
}

/* ------------------------------------------------- embedding clusters */

void
calib_sem_to_wire(const CalibSemRows *r, uint8_t flags, double threshold,
				  uint64_t trailing, uint8_t *out)
{
	uint8_t    *p = out + CALIB_SEM_HDR;

	out[0] = 'S';
	out[1] = 1;
	out[2] = (uint8_t) r->elem;
	out[3] = flags;
	put_u32(out + 4, r->dim);
	put_u64(out + 8, dbits(threshold));
	put_u64(out + 16, r->n);
	put_u64(out + 24, trailing);
	for (uint64_t i = 0; i < r->n; i++)
	{
		const unsigned char *row = r->base + i * r->stride;
		int64_t		before;

		memcpy(&before, row, 8);
		put_u64(p, (uint64_t) before);
		p += 8;
		for (uint32_t k = 0; k < r->dim; k++)
		{
			if (r->elem == 4)
			{
				float		f;

				memcpy(&f, row + 8 + 4 * (size_t) k, 4);
				put_u32(p, fbits(f));
				p += 4;
			}
			else
			{
				double		d;

				memcpy(&d, row + 8 + 8 * (size_t) k, 8);
				put_u64(p, dbits(d));
				p += 8;
			}
		}
	}
}

/*
 * The common case first, on the bits and without branches (so that the
 * compiler vectorises it): a value is not finite when its exponent bits are
 * all set, and nonzero when any bit but the sign is.  Only when some value
 * is not finite does the plain loop below run, to find the first one.
 */
static bool
all_finite_f(const void *values, uint32_t dim, bool *nonzero)
{
	const unsigned char *p = values;
	uint32_t	bad[8] = {0},
				any[8] = {0},
				b = 0,
				a = 0;
	uint32_t	k = 0;

	/* eight lanes, one per k mod 8: straight-line code the compiler turns
	 * into vector instructions */
	for (; k + 8 <= dim; k += 8)
	{
		uint32_t	u[8];

		memcpy(u, p + 4 * (size_t) k, 32);
		for (int l = 0; l < 8; l++)
		{
			bad[l] |= (uint32_t) ((u[l] & 0x7f800000u) == 0x7f800000u);
			any[l] |= u[l] & 0x7fffffffu;
		}
	}
	for (; k < dim; k++)
	{
		uint32_t	u;

		memcpy(&u, p + 4 * (size_t) k, 4);
		bad[0] |= (uint32_t) ((u & 0x7f800000u) == 0x7f800000u);
		any[0] |= u & 0x7fffffffu;
	}
	for (int l = 0; l < 8; l++)
	{
		b |= bad[l];
		a |= any[l];
	}
	*nonzero = a != 0;
	return b == 0;
}

static bool
all_finite_d(const void *values, uint32_t dim, bool *nonzero)
{
	const unsigned char *p = values;
	uint64_t	bad = 0,
				any = 0;

	for (uint32_t k = 0; k < dim; k++)
	{
		uint64_t	u;

		memcpy(&u, p + 8 * (size_t) k, 8);
		bad |= (uint64_t) ((u & 0x7ff0000000000000u) == 0x7ff0000000000000u);
		any |= u & 0x7fffffffffffffffu;
	}
	*nonzero = any != 0;
	return bad == 0;
}

int
calib_sem_check_values(const void *values, int elem, uint32_t dim, uint32_t *at)
{
	bool		nonzero = false;

	if (elem == 4 ? all_finite_f(values, dim, &nonzero) : all_finite_d(values, dim, &nonzero))
		return nonzero ? 0 : 2;

	for (uint32_t k = 0; k < dim; k++)
	{
		double		v;

		if (elem == 4)
		{
			float		f;

			memcpy(&f, (const char *) values + 4 * (size_t) k, 4);
			v = f;
		}
		else
			memcpy(&v, (const char *) values + 8 * (size_t) k, 8);
		if (!isfinite(v))
		{
			*at = k;
			return 1;
		}
		if (v != 0)
			nonzero = true;
	}
	return nonzero ? 0 : 2;
}

bool
calib_sem_wire_check(const uint8_t *in, size_t len, CalibSemWireInfo *info,
					 char *err, size_t errlen)
{
	size_t		stride,
				rows_len;
	uint64_t	total;

	if (len < CALIB_SEM_HDR)
		ERR("%zu bytes is shorter than the %d-byte header", len, CALIB_SEM_HDR);
	if (in[0] != 'S' || in[1] != 1)
		ERR("unknown format tag %d version %d", in[0], in[1]);
	if (in[2] != 4 && in[2] != 8)
		ERR("element size %d is neither 4 (real) nor 8 (double precision)", in[2]);
	if ((in[3] & ~CALIB_SEM_KEEPS_NULLS) != 0)
		ERR("unknown flags %d", in[3]);
	info->elem = in[2];
	info->flags = in[3];
	info->dim = get_u32(in + 4);
	info->threshold = bitsd(get_u64(in + 8));
	info->n = get_u64(in + 16);
	info->trailing = get_u64(in + 24);
	if (!(info->threshold >= -1 && info->threshold <= 1))
		ERR("threshold %g is not in [-1, 1]", info->threshold);
	if ((info->n == 0) != (info->dim == 0))
		ERR("%llu rows of dimension %u", (unsigned long long) info->n, info->dim);
	if (info->trailing != 0 && !(info->flags & CALIB_SEM_KEEPS_NULLS))
		ERR("NULL rows in a state that does not keep them");
	if (info->n == 0 && info->trailing == 0)
		ERR("a state holds at least one row");
	stride = calib_sem_stride(info->elem, info->dim);
	if (info->n > (len - CALIB_SEM_HDR) || (len - CALIB_SEM_HDR) % stride != 0 ||
		info->n != (len - CALIB_SEM_HDR) / stride)
		ERR("%llu rows of dimension %u claimed, %zu bytes of rows given",
			(unsigned long long) info->n, info->dim, len - CALIB_SEM_HDR);
	rows_len = len - CALIB_SEM_HDR;
	(void) rows_len;
	total = info->trailing;
	if (total > CALIB_SEM_MAX_ROWS)
		ERR("more than %llu rows", (unsigned long long) CALIB_SEM_MAX_ROWS);
	for (uint64_t i = 0; i < info->n; i++)
	{
		const uint8_t *p = in + CALIB_SEM_HDR + i * stride;
		uint64_t	before = get_u64(p);
		bool		nonzero = false;

		if (before != 0 && !(info->flags & CALIB_SEM_KEEPS_NULLS))
			ERR("NULL rows in a state that does not keep them");
		if (before > CALIB_SEM_MAX_ROWS || (total += before + 1) > CALIB_SEM_MAX_ROWS)
			ERR("more than %llu rows", (unsigned long long) CALIB_SEM_MAX_ROWS);
		for (uint32_t k = 0; k < info->dim; k++)
		{
			double		v = info->elem == 4 ? (double) bitsf(get_u32(p + 8 + 4 * (size_t) k))
				: bitsd(get_u64(p + 8 + 8 * (size_t) k));

			if (!isfinite(v))
				ERR("row %llu, element %u: %g is not finite", (unsigned long long) i + 1, k + 1, v);
			if (v != 0)
				nonzero = true;
		}
		if (!nonzero)
			ERR("row %llu is all zero", (unsigned long long) i + 1);
	}
	return true;
}

void
calib_sem_wire_decode(const uint8_t *in, const CalibSemWireInfo *info, unsigned char *dst)
{
	size_t		stride = calib_sem_stride(info->elem, info->dim);

	for (uint64_t i = 0; i < info->n; i++)
	{
		const uint8_t *p = in + CALIB_SEM_HDR + i * stride;
		unsigned char *row = dst + i * stride;
		int64_t		before = (int64_t) get_u64(p);

		memcpy(row, &before, 8);
		for (uint32_t k = 0; k < info->dim; k++)
		{
			if (info->elem == 4)
			{
				float		f = bitsf(get_u32(p + 8 + 4 * (size_t) k));

				memcpy(row + 8 + 4 * (size_t) k, &f, 4);
			}
			else
			{
				double		d = bitsd(get_u64(p + 8 + 8 * (size_t) k));

				memcpy(row + 8 + 8 * (size_t) k, &d, 8);
			}
		}
	}
}

/*
 * Dot products in double precision with four partial sums: element k goes
 * to sum k mod 4, and the result is (s0 + s1) + (s2 + s3).  For real[] each
 * product of two floats is exact in double; double[] rows are first scaled
 * by a power of two (exactly) so that no square overflows.
 */
static inline double
dot_f(const float *a, const float *b, uint32_t d)
{
	double		s0 = 0,
				s1 = 0,
				s2 = 0,
				s3 = 0;
	uint32_t	k = 0;

	for (; k + 4 <= d; k += 4)
	{
		s0 += (double) a[k] * b[k];
		s1 += (double) a[k + 1] * b[k + 1];
		s2 += (double) a[k + 2] * b[k + 2];
		s3 += (double) a[k + 3] * b[k + 3];
	}
	if (k < d)
		s0 += (double) a[k] * b[k];
	if (k + 1 < d)
		s1 += (double) a[k + 1] * b[k + 1];
	if (k + 2 < d)
		s2 += (double) a[k + 2] * b[k + 2];
	return (s0 + s1) + (s2 + s3);
}

static inline double
dot_d(const double *a, const double *b, uint32_t d)
{
	double		s0 = 0,
				s1 = 0,
				s2 = 0,
				s3 = 0;
	uint32_t	k = 0;

	for (; k + 4 <= d; k += 4)
	{
		s0 += a[k] * b[k];
		s1 += a[k + 1] * b[k + 1];
		s2 += a[k + 2] * b[k + 2];
		s3 += a[k + 3] * b[k + 3];
	}
	if (k < d)
		s0 += a[k] * b[k];
	if (k + 1 < d)
		s1 += a[k + 1] * b[k + 1];
	if (k + 2 < d)
		s2 += a[k + 2] * b[k + 2];
	return (s0 + s1) + (s2 + s3);
}

/*
 * dot_f (dot_d) of a with b and of a with c at once: eight independent
 * sums, each taking exactly the terms of dot_f's sum in the same order, so
 * each result has dot_f's bits; the two chains of additions overlap, which
 * dot_f's four (one addition's latency each) cannot.
 */
static inline void
dot2_f(const float *a, const float *b, const float *c, uint32_t d, double *ab, double *ac)
{
	double		s0 = 0,
				s1 = 0,
				s2 = 0,
				s3 = 0,
				t0 = 0,
				t1 = 0,
				t2 = 0,
				t3 = 0;
	uint32_t	k = 0;

	for (; k + 4 <= d; k += 4)
	{
		double		a0 = a[k],
					a1 = a[k + 1],
					a2 = a[k + 2],
					a3 = a[k + 3];

		s0 += a0 * b[k];
		s1 += a1 * b[k + 1];
		s2 += a2 * b[k + 2];
		s3 += a3 * b[k + 3];
		t0 += a0 * c[k];
		t1 += a1 * c[k + 1];
		t2 += a2 * c[k + 2];
		t3 += a3 * c[k + 3];
	}
	if (k < d)
	{
		s0 += (double) a[k] * b[k];
		t0 += (double) a[k] * c[k];
	}
	if (k + 1 < d)
	{
		s1 += (double) a[k + 1] * b[k + 1];
		t1 += (double) a[k + 1] * c[k + 1];
	}
	if (k + 2 < d)
	{
		s2 += (double) a[k + 2] * b[k + 2];
		t2 += (double) a[k + 2] * c[k + 2];
	}
	*ab = (s0 + s1) + (s2 + s3);
	*ac = (t0 + t1) + (t2 + t3);
}

static inline void
dot2_d(const double *a, const double *b, const double *c, uint32_t d, double *ab, double *ac)
{
	double		s0 = 0,
				s1 = 0,
				s2 = 0,
				s3 = 0,
				t0 = 0,
				t1 = 0,
				t2 = 0,
				t3 = 0;
	uint32_t	k = 0;

	for (; k + 4 <= d; k += 4)
	{
		s0 += a[k] * b[k];
		s1 += a[k + 1] * b[k + 1];
		s2 += a[k + 2] * b[k + 2];
		s3 += a[k + 3] * b[k + 3];
		t0 += a[k] * c[k];
		t1 += a[k + 1] * c[k + 1];
		t2 += a[k + 2] * c[k + 2];
		t3 += a[k + 3] * c[k + 3];
	}
	if (k < d)
	{
		s0 += a[k] * b[k];
		t0 += a[k] * c[k];
	}
	if (k + 1 < d)
	{
		s1 += a[k + 1] * b[k + 1];
		t1 += a[k + 1] * c[k + 1];
	}
	if (k + 2 < d)
	{
		s2 += a[k + 2] * b[k + 2];
		t2 += a[k + 2] * c[k + 2];
	}
	*ab = (s0 + s1) + (s2 + s3);
	*ac = (t0 + t1) + (t2 + t3);
}

static inline const void *
row_values(const CalibSemRows *r, uint64_t i)
{
	return r->base + i * r->stride + 8;
}

/* the power-of-two exponent that scales row i's largest |value| into
 * [0.5, 1) (double rows only) */
static int
row_exponent(const CalibSemRows *r, uint64_t i)
{
	const double *v = row_values(r, i);
	double		m = 0;
	int			e;

	for (uint32_t k = 0; k < r->dim; k++)
		if (fabs(v[k]) > m)
			m = fabs(v[k]);
	frexp(m, &e);
	return e;
}

/* Sum of squares of row i (scaled by 2^-2e for double rows). */
static double
row_sumsq(const CalibSemRows *r, uint64_t i, double *scaled)
{
	if (r->elem == 4)
	{
		const float *v = row_values(r, i);

		return dot_f(v, v, r->dim);
	}
	return dot_d(scaled, scaled, r->dim);
}

static inline int64_t
uf_find(int64_t *parent, int64_t x)
{
	while (parent[x] != x)
	{
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

uint64_t
calib_sem_components(const CalibSemRows *r, double threshold, int32_t *label,
					 double *norm, int64_t *parent, double *scaled, uint64_t *edges)
{
	uint64_t	n = r->n,
				k = 0,
				ne = 0;

	if (n == 0)
		return 0;
	if (r->elem == 4)
		scaled = NULL;
	/* double rows: scaled copies (exact powers of two) */
	if (scaled)
	{
		for (uint64_t i = 0; i < n; i++)
		{
			const double *v = row_values(r, i);
			int			e = row_exponent(r, i);

			for (uint32_t q = 0; q < r->dim; q++)
				scaled[i * r->dim + q] = ldexp(v[q], -e);
		}
	}
	for (uint64_t i = 0; i < n; i++)
	{
		norm[i] = row_sumsq(r, i, scaled ? scaled + i * r->dim : NULL);	/* squared */
		parent[i] = (int64_t) i;
	}
	/*
	 * Pairs (i, j) for j > i, two j at a time (dot2_*).  Without edge
	 * counting, a pair already in one component is skipped; a second pair
	 * that the first one's union has just joined is still compared, which
	 * changes nothing (its union is a no-op), so the components are those
	 * of every pair at or above the threshold either way.
	 */
	for (uint64_t i = 0; i < n; i++)
	{
		uint64_t	j = i + 1;

		for (;;)
		{
			uint64_t	pj[2];
			double		dot[2];
			int			m = 0;

			for (; j < n && m < 2; j++)
			{
				if (edges == NULL &&
					uf_find(parent, (int64_t) i) == uf_find(parent, (int64_t) j))
					continue;
				pj[m++] = j;
			}
			if (m == 0)
				break;
			if (m == 2)
			{
				if (scaled)
					dot2_d(scaled + i * r->dim, scaled + pj[0] * r->dim,
						   scaled + pj[1] * r->dim, r->dim, &dot[0], &dot[1]);
				else
					dot2_f(row_values(r, i), row_values(r, pj[0]), row_values(r, pj[1]),
						   r->dim, &dot[0], &dot[1]);
			}
			else if (scaled)
				dot[0] = dot_d(scaled + i * r->dim, scaled + pj[0] * r->dim, r->dim);
			else
				dot[0] = dot_f(row_values(r, i), row_values(r, pj[0]), r->dim);
			for (int q = 0; q < m; q++)
			{
				/* rounding can put a cosine a few ulps outside [-1, 1]:
				 * clamped, a threshold of -1 joins every pair */
				double		c = fmax(-1.0, fmin(1.0, dot[q] / sqrt(norm[i] * norm[pj[q]])));

				if (c >= threshold)
				{
					int64_t		ri = uf_find(parent, (int64_t) i),
								rj = uf_find(parent, (int64_t) pj[q]);

					ne++;
					if (ri != rj)
					{
						/* the smaller index is the root: a component's
						 * root is its first row */
						if (ri < rj)
							parent[rj] = ri;
						else
							parent[ri] = rj;
					}
				}
			}
		}
	}
	for (uint64_t i = 0; i < n; i++)
	{
		int64_t		root = uf_find(parent, (int64_t) i);

		label[i] = root == (int64_t) i ? (int32_t) ++k : label[root];
	}
	if (edges)
		*edges = ne;
	return k;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

double
calib_sem_size_entropy(uint64_t *sizes, uint64_t k, uint64_t n, double *largest)
{
	double		h = 0;

	qsort(sizes, k, sizeof *sizes, cmp_u64);
	for (uint64_t c = 0; c < k; c++)
	{
		double		p = (double) sizes[c] / (double) n;

		h -= p * log(p);
	}
	*largest = k ? (double) sizes[k - 1] / (double) n : NAN;
	return h + 0.0;
}
