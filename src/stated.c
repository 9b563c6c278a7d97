/*
 * stated.c -- read the confidence a response states (see stated.h and
 * docs/stated.md for the rules).  One left-to-right scan; every lookahead is
 * bounded (a few spaces, one separator, one number) and what it reads is
 * either consumed or read at most once more by the main loop.
 */
#include "stated.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------ the table */

/*
 * Medians of Fagen-Ulmschneider's "Perception of Probability Words" survey
 * (2015, 123 respondents), computed from its published raw responses.
 * "very likely" / "very unlikely" / "almost certainly" are read like the
 * survey's "highly likely" / "highly unlikely" / "almost certain".
 */
const CalibStatedPhrase calib_stated_phrases[] = {
	{"almost certain", 0.95},
	{"almost certainly", 0.95},
	{"highly likely", 0.90},
	{"very likely", 0.90},
	{"very good chance", 0.80},
	{"we believe", 0.75},
	{"probable", 0.70},
	{"likely", 0.70},
	{"probably", 0.70},
	{"better than even", 0.60},
	{"about even", 0.50},
	{"probably not", 0.25},
	{"we doubt", 0.20},
	{"unlikely", 0.20},
	{"improbable", 0.10},
	{"little chance", 0.10},
	{"chances are slight", 0.10},
	{"highly unlikely", 0.05},
	{"very unlikely", 0.05},
	{"almost no chance", 0.02},
	{"most likely", -1},
	{"more likely", -1},
	{"less likely", -1},
	{NULL, 0}
};

/* The values read for a negated phrase ("not likely"): the survey's
 * "unlikely" and "improbable". */
#define NEG_UNLIKELY 0.20
#define NEG_IMPROBABLE 0.10

typedef enum Word
{
	W_OTHER = 0,
	/* confidence words */
	W_CONF_NOUN,				/* confidence, conf, certainty, probability,
								 * likelihood */
	W_CONF_ADJ,					/* confident, sure (certain is W_CERTAIN) */
	W_LABEL,					/* p1 .. p9 */
	/* suffixes and scales */
	W_PERCENT, W_PER, W_CENT, W_OUT, W_OF, W_TO, W_SCALE, W_FROM,
	/* phrase words */
	W_ALMOST, W_CERTAIN, W_CERTAINLY, W_HIGHLY, W_VERY, W_LIKELY, W_GOOD,
	W_CHANCE, W_CHANCES, W_PROBABLE, W_PROBABLY, W_BETTER, W_THAN, W_EVEN,
	W_ABOUT, W_WE, W_BELIEVE, W_DOUBT, W_IMPROBABLE, W_UNLIKELY, W_NOT,
	W_LITTLE, W_NO, W_ARE, W_SLIGHT, W_MOST, W_MORE, W_LESS,
	/* other fillers */
	W_FILL
} Word;

/* filler classes: which words may stand between a confidence word and its
 * number */
#define F_NOUN 1				/* after confidence, probability, ... */
#define F_ADJ 2					/* after confident, certain, sure, P1 */

typedef struct WordEntry
{
	const char *w;
	unsigned char id;
	unsigned char flags;
	unsigned char label;
} WordEntry;

/* Sorted by length, then bytes (looked up by length, then a short scan). */
static const WordEntry words[] = {
	/* 1 */
	{"a", W_FILL, F_NOUN, 0}, {"d", W_FILL, F_NOUN | F_ADJ, 0},
	{"i", W_FILL, F_NOUN | F_ADJ, 0}, {"m", W_FILL, F_NOUN | F_ADJ, 0},
	{"s", W_FILL, F_NOUN | F_ADJ, 0},
	/* 2 */
	{"am", W_FILL, F_NOUN | F_ADJ, 0}, {"an", W_FILL, F_NOUN, 0},
	{"as", W_FILL, F_NOUN, 0}, {"at", W_FILL, F_NOUN | F_ADJ, 0},
	{"be", W_FILL, F_NOUN, 0}, {"in", W_FILL, F_NOUN, 0},
	{"is", W_FILL, F_NOUN | F_ADJ, 0}, {"it", W_FILL, F_NOUN, 0},
	{"my", W_FILL, F_NOUN, 0}, {"no", W_NO, 0, 0}, {"of", W_OF, F_NOUN | F_ADJ, 0},
	{"on", W_FILL, F_NOUN, 0}, {"p1", W_LABEL, 0, 1}, {"p2", W_LABEL, 0, 2},
	{"p3", W_LABEL, 0, 3}, {"p4", W_LABEL, 0, 4}, {"p5", W_LABEL, 0, 5},
	{"p6", W_LABEL, 0, 6}, {"p7", W_LABEL, 0, 7}, {"p8", W_LABEL, 0, 8},
	{"p9", W_LABEL, 0, 9}, {"to", W_TO, F_NOUN, 0}, {"we", W_WE, F_NOUN, 0},
	/* 3 */
	{"are", W_ARE, 0, 0}, {"for", W_FILL, F_NOUN, 0}, {"has", W_FILL, F_NOUN, 0},
	{"its", W_FILL, F_NOUN, 0}, {"low", W_FILL, F_NOUN, 0}, {"not", W_NOT, 0, 0},
	{"our", W_FILL, F_NOUN, 0}, {"out", W_OUT, 0, 0}, {"pct", W_PERCENT, 0, 0},
	{"per", W_PER, 0, 0}, {"put", W_FILL, F_NOUN, 0}, {"say", W_FILL, F_NOUN, 0},
	{"the", W_FILL, F_NOUN, 0}, {"was", W_FILL, F_NOUN, 0},
	/* 4 */
	{"cent", W_CENT, 0, 0}, {"conf", W_CONF_NOUN, 0, 0}, {"even", W_EVEN, 0, 0},
	{"from", W_FROM, F_NOUN, 0}, {"good", W_GOOD, 0, 0}, {"here", W_FILL, F_NOUN, 0},
	{"high", W_FILL, F_NOUN, 0}, {"less", W_LESS, 0, 0}, {"like", W_FILL, F_NOUN, 0},
	{"more", W_MORE, 0, 0}, {"most", W_MOST, 0, 0}, {"sure", W_CONF_ADJ, 0, 0},
	{"than", W_THAN, 0, 0}, {"that", W_FILL, F_NOUN, 0}, {"this", W_FILL, F_NOUN, 0},
	{"true", W_FILL, F_NOUN, 0}, {"very", W_VERY, F_NOUN, 0}, {"will", W_FILL, F_NOUN, 0},
	{"with", W_FILL, F_NOUN, 0}, {"your", W_FILL, F_NOUN, 0},
	/* 5 */
	{"about", W_ABOUT, F_NOUN | F_ADJ, 0}, {"being", W_FILL, F_NOUN, 0},
	{"doubt", W_DOUBT, 0, 0}, {"given", W_FILL, F_NOUN, 0},
	{"level", W_FILL, F_NOUN | F_ADJ, 0}, {"quite", W_FILL, F_NOUN, 0},
	{"right", W_FILL, F_NOUN, 0}, {"scale", W_SCALE, F_NOUN, 0},
	{"score", W_FILL, F_NOUN, 0}, {"would", W_FILL, F_NOUN, 0},
	/* 6 */
	{"almost", W_ALMOST, 0, 0}, {"answer", W_FILL, F_NOUN, 0},
	{"approx", W_FILL, F_NOUN | F_ADJ, 0}, {"around", W_FILL, F_NOUN | F_ADJ, 0},
	{"assign", W_FILL, F_NOUN, 0}, {"better", W_BETTER, 0, 0}, {"chance", W_CHANCE, 0, 0},
	{"fairly", W_FILL, F_NOUN, 0}, {"highly", W_HIGHLY, F_NOUN, 0},
	{"likely", W_LIKELY, 0, 0}, {"little", W_LITTLE, 0, 0}, {"medium", W_FILL, F_NOUN, 0},
	{"pretty", W_FILL, F_NOUN, 0}, {"rating", W_FILL, F_NOUN, 0},
	{"slight", W_SLIGHT, 0, 0}, {"stated", W_FILL, F_NOUN, 0},
	/* 7 */
	{"believe", W_BELIEVE, 0, 0}, {"between", W_FILL, F_NOUN, 0},
	{"certain", W_CERTAIN, 0, 0}, {"chances", W_CHANCES, 0, 0},
	{"correct", W_FILL, F_NOUN, 0}, {"overall", W_FILL, F_NOUN, 0},
	{"percent", W_PERCENT, 0, 0}, {"roughly", W_FILL, F_NOUN | F_ADJ, 0},
	/* 8 */
	{"assigned", W_FILL, F_NOUN, 0}, {"estimate", W_FILL, F_NOUN, 0},
	{"moderate", W_FILL, F_NOUN, 0}, {"probable", W_PROBABLE, 0, 0},
	{"probably", W_PROBABLY, 0, 0}, {"reported", W_FILL, F_NOUN, 0},
	{"response", W_FILL, F_NOUN, 0}, {"unlikely", W_UNLIKELY, 0, 0},
	/* 9 */
	{"certainly", W_CERTAINLY, 0, 0}, {"certainty", W_CONF_NOUN, 0, 0},
	{"confident", W_CONF_ADJ, 0, 0}, {"estimated", W_FILL, F_NOUN, 0},
	{"extremely", W_FILL, F_NOUN, 0},
	/* 10 */
	{"confidence", W_CONF_NOUN, 0, 0}, {"improbable", W_IMPROBABLE, 0, 0},
	{"likelihood", W_CONF_NOUN, 0, 0}, {"moderately", W_FILL, F_NOUN, 0},
	{"reasonably", W_FILL, F_NOUN, 0},
	/* 11 */
	{"probability", W_CONF_NOUN, 0, 0},
	/* 13 */
	{"approximately", W_FILL, F_NOUN | F_ADJ, 0},
};

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define MAXWORD 13

/* first index of each length in words[] (filled by word_lookup's caller
 * table below; lengths are contiguous) */
static const unsigned char len_first[MAXWORD + 2] = {
	0, 0, 5, 28, 42, 62, 72, 88, 96, 104, 109, 114, 115, 115, 116
};

static const WordEntry *
word_lookup(const char *w, size_t n)
{
	if (n == 0 || n > MAXWORD)
		return NULL;
	for (unsigned i = len_first[n]; i < len_first[n + 1]; i++)
		if (words[i].w[0] == w[0] && memcmp(words[i].w, w, n) == 0)
			return &words[i];
	return NULL;
}

/* Phrases by word ids; value < 0: recognised, states nothing. */
typedef struct PhraseDef
{
	unsigned char n;
	unsigned char w[3];
	double		value;
	double		negated;		/* value after "not"; < 0: states nothing */
} PhraseDef;

static const PhraseDef phrases[] = {
	{3, {W_ALMOST, W_NO, W_CHANCE}, 0.02, -1},
	{3, {W_VERY, W_GOOD, W_CHANCE}, 0.80, -1},
	{3, {W_BETTER, W_THAN, W_EVEN}, 0.60, -1},
	{3, {W_CHANCES, W_ARE, W_SLIGHT}, 0.10, -1},
	{2, {W_ALMOST, W_CERTAIN}, 0.95, NEG_UNLIKELY},
	{2, {W_ALMOST, W_CERTAINLY}, 0.95, NEG_UNLIKELY},
	{2, {W_HIGHLY, W_LIKELY}, 0.90, NEG_UNLIKELY},
	{2, {W_VERY, W_LIKELY}, 0.90, NEG_UNLIKELY},
	{2, {W_ABOUT, W_EVEN}, 0.50, -1},
	{2, {W_WE, W_BELIEVE}, 0.75, -1},
	{2, {W_WE, W_DOUBT}, 0.20, -1},
	{2, {W_PROBABLY, W_NOT}, 0.25, -1},
	{2, {W_HIGHLY, W_UNLIKELY}, 0.05, -1},
	{2, {W_VERY, W_UNLIKELY}, 0.05, -1},
	{2, {W_LITTLE, W_CHANCE}, 0.10, -1},
	{2, {W_MOST, W_LIKELY}, -1, -1},
	{2, {W_MORE, W_LIKELY}, -1, -1},
	{2, {W_LESS, W_LIKELY}, -1, -1},
	{1, {W_PROBABLE}, 0.70, NEG_IMPROBABLE},
	{1, {W_LIKELY}, 0.70, NEG_UNLIKELY},
	{1, {W_PROBABLY}, 0.70, NEG_UNLIKELY},
	{1, {W_UNLIKELY}, 0.20, -1},
	{1, {W_IMPROBABLE}, 0.10, -1},
};

#define NPHRASES (sizeof(phrases) / sizeof(phrases[0]))

/* ------------------------------------------------------------- scanning */

typedef struct Cand
{
	int			rank;			/* 0 none, 1 bare, 2 attached (phrases are
								 * kept apart) */
	int			label;			/* 1..9 for a P-label, else 0 */
	CalibStatedKind kind;
	double		value;			/* NaN: outside [0, 1] */
	size_t		start,
				end;
} Cand;

typedef struct Num
{
	uint64_t	mant;			/* significant digits */
	int			scale;			/* value = mant / 10^scale */
	bool		neg;
	bool		huge;			/* more than 18 integer digits */
	size_t		start,
				end;
} Num;

typedef struct Scan
{
	const unsigned char *s;
	size_t		n;
	size_t		p;
	size_t		steps;

	Cand		best;			/* strongest numeric candidate so far */

	/* the confidence word whose number may follow */
	int			ctx;			/* 0 none, 1 noun, 2 adjective or label */
	int			ctx_label;
	int			ctx_gap;		/* filler words since */
	size_t		ctx_start;

	/* the current sentence */
	bool		scale_ok;		/* a stated scale (lo-hi) */
	double		scale_lo,
				scale_hi;
	bool		scale_word;		/* "scale" was the last word (through of,
								 * from, a) */
	Cand		plain;			/* the last attached unitless number, for a
								 * scale stated after it */
	double		plain_x;
	bool		plain_ok;
	Cand		pct;			/* the last bare percentage, for "90% sure" */
	int			pct_gap;
	bool		pct_ok;

	/* phrases: the last four words separated by blanks only */
	unsigned char win[4];
	size_t		win_start[4],
				win_end[4];
	int			nwin;
	bool		ph_pending;
	int			ph_first;		/* index in the word count of the pending
								 * phrase's first word */
	long		wordno;
	double		ph_value;
	size_t		ph_start,
				ph_end;
	bool		ph_have;		/* a committed phrase */
	double		ph_best;
	size_t		ph_best_start,
				ph_best_end;
	long		ph_pending_first;

	bool		prev_not;		/* the last token was a negation word */
	bool		suppress;		/* the number being read is negated */
	int			out_state;		/* 1 after "out", 2 after "out of" */
	unsigned char last_sig;		/* the last non-blank byte class: 'a' word,
								 * '0' number, else the byte */
} Scan;

static inline unsigned char
at(Scan *sc, size_t i)
{
	sc->steps++;
	return i < sc->n ? sc->s[i] : 0;
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_alpha(unsigned char c)
{
	return (unsigned char) ((c | 0x20) - 'a') < 26;
}

static inline bool
is_alnum(unsigned char c)
{
	return is_digit(c) || is_alpha(c);
}

static inline bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* mant / 10^(scale + extra), correctly rounded when mant < 2^53 */
static double
num_value(const Num *x, int extra)
{
	double		v;
	int			e = x->scale + extra;

	if (x->huge)
		return x->neg ? -INFINITY : INFINITY;
	if (e <= 22)
		v = (double) x->mant / pow10tab[e];
	else
	{
		v = (double) x->mant;
		for (; e > 22; e -= 22)
			v /= 1e22;
		v /= pow10tab[e];
	}
	return x->neg ? -v : v;
}

/* Skip at most max blanks from p; returns the new position. */
static size_t
skip_blanks(Scan *sc, size_t p, int max)
{
	while (max-- > 0 && is_blank(at(sc, p)))
		p++;
	return p;
}

/*
 * A number at p: '-'? digits ((',' digits) | ('.' digits))? or '-'? '.'
 * digits.  A comma followed by exactly three digits groups thousands;
 * otherwise it is a decimal comma ("0,85").  Returns false (and sets *end
 * past the run) when the run is no number: glued to a letter, '_' or a
 * following ".digit" ("1.2.3", "3rd", "v2").
 */
static bool
read_number(Scan *sc, size_t p, Num *x, size_t *end)
{
	int			sig = 0;
	bool		any = false;
	unsigned char c;

	memset(x, 0, sizeof *x);
	x->start = p;
	if (at(sc, p) == '-')
	{
		x->neg = true;
		p++;
	}
	for (;;)
	{
		for (c = at(sc, p); is_digit(c); c = at(sc, ++p))
		{
			any = true;
			if (sig == 0 && c == '0')
				continue;
			if (sig < 18)
			{
				x->mant = x->mant * 10 + (c - '0');
				sig++;
			}
			else
				x->huge = true;
		}
		/* thousands: ",ddd" not followed by another digit */
		if (any && c == ',' && x->mant != 0 && is_digit(at(sc, p + 1)) && is_digit(at(sc, p + 2)) &&
			is_digit(at(sc, p + 3)) && !is_digit(at(sc, p + 4)))
		{
			p++;
			continue;
		}
		break;
	}
	if ((c == '.' || (c == ',' && any)) && is_digit(at(sc, p + 1)))
	{
		p++;
		for (c = at(sc, p); is_digit(c); c = at(sc, ++p))
		{
			any = true;
			if (sig >= 18)
				continue;		/* digits past the 18th are dropped */
			if (x->scale < 400)
				x->scale++;
			if (sig == 0 && c == '0')
				continue;
			x->mant = x->mant * 10 + (c - '0');
			sig++;
		}
	}
	x->end = p;
	*end = p;
	if (!any)
		return false;
	/* glued to a word or a version number: not a number */
	if (is_alpha(c) || c == '_' || ((c == '.' || c == ',') && is_digit(at(sc, p + 1))))
	{
		while (is_alnum(c) || c == '_' || ((c == '.' || c == ',') && is_alnum(at(sc, p + 1))))
			c = at(sc, ++p);
		*end = p;
		return false;
	}
	if (x->mant == 0)
		x->neg = false;			/* -0 is 0 */
	return true;
}

/* Is there a number at p (after an optional '-')? */
static inline bool
number_starts(Scan *sc, size_t p)
{
	unsigned char c = at(sc, p);

	if (c == '-')
		c = at(sc, ++p);
	return is_digit(c) || (c == '.' && is_digit(at(sc, p + 1)));
}

/* A lowercase word at p (letters, then letters or digits); returns its
 * entry or NULL, sets *end. */
static const WordEntry *
read_word_upto(Scan *sc, size_t p, size_t *end, size_t limit)
{
	char		buf[MAXWORD];
	size_t		n = 0;
	unsigned char c;

	for (c = at(sc, p); is_alnum(c) && n < limit; c = at(sc, ++p))
	{
		if (n < MAXWORD)
			buf[n] = (char) (c | (is_alpha(c) ? 0x20 : 0));
		n++;
	}
	*end = p;
	return word_lookup(buf, n);
}

/* the whole word (main loop) */
static inline const WordEntry *
read_word(Scan *sc, size_t p, size_t *end)
{
	return read_word_upto(sc, p, end, SIZE_MAX);
}

/* a keyword in a lookahead: reads at most MAXWORD + 1 bytes, so a long
 * word after a number costs the lookahead O(1) */
static inline const WordEntry *
peek_word(Scan *sc, size_t p, size_t *end)
{
	const WordEntry *w = read_word_upto(sc, p, end, MAXWORD + 1);

	return (w && !is_alnum(at(sc, *end))) ? w : NULL;
}

/* A range separator between two numbers at p: '-', en or em dash, "to". */
static bool
range_sep(Scan *sc, size_t p, size_t *end)
{
	unsigned char c = at(sc, p);

	if (c == '-')
	{
		*end = p + 1;
		return true;
	}
	if (c == 0xE2 && at(sc, p + 1) == 0x80 && (at(sc, p + 2) == 0x93 || at(sc, p + 2) == 0x94))
	{
		*end = p + 3;
		return true;
	}
	if ((c | 0x20) == 't' && (at(sc, p + 1) | 0x20) == 'o' && !is_alnum(at(sc, p + 2)))
	{
		*end = p + 2;
		return true;
	}
	return false;
}

/* A percent sign or word at p: '%', fullwidth '％', "percent", "pct",
 * "per cent".  Sets *end past it. */
static bool
percent_at(Scan *sc, size_t p, size_t *end)
{
	unsigned char c = at(sc, p);
	const WordEntry *w;
	size_t		e;

	if (c == '%')
	{
		*end = p + 1;
		return true;
	}
	if (c == 0xEF && at(sc, p + 1) == 0xBC && at(sc, p + 2) == 0x85)
	{
		*end = p + 3;
		return true;
	}
	if (!is_alpha(c))
		return false;
	w = peek_word(sc, p, &e);
	if (w && w->id == W_PERCENT)
	{
		*end = e;
		return true;
	}
	if (w && w->id == W_PER && is_blank(at(sc, e)))
	{
		size_t		e2;
		const WordEntry *w2 = peek_word(sc, e + 1, &e2);

		if (w2 && w2->id == W_CENT)
		{
			*end = e2;
			return true;
		}
	}
	return false;
}

static void
offer(Scan *sc, const Cand *c)
{
	Cand	   *b = &sc->best;

	if (sc->suppress)
		return;					/* "not 100% sure" states no 100% */
	if (b->rank == 0 || c->rank > b->rank ||
		(c->rank == b->rank && !(b->label && c->label && c->label > b->label)))
		*b = *c;
}

/* x as an attached unitless number under the sentence's rules */
static void
eval_plain(Scan *sc, Cand *c, const Num *x)
{
	double		v = num_value(x, 0);

	if (sc->scale_ok)
	{
		c->kind = CALIB_STATED_SCALE;
		c->value = (v >= sc->scale_lo && v <= sc->scale_hi) ? v / sc->scale_hi + 0.0 : NAN;
		if (c->value > 1)
			c->value = NAN;
	}
	else if (v >= 0 && v <= 1)
	{
		c->kind = CALIB_STATED_PROBABILITY;
		c->value = v + 0.0;
	}
	else if (v > 1 && v <= 100)
	{
		c->kind = CALIB_STATED_PERCENT;
		c->value = num_value(x, 2);
	}
	else
	{
		c->kind = v > 1 ? CALIB_STATED_PERCENT : CALIB_STATED_PROBABILITY;
		c->value = NAN;
	}
}

static void
end_sentence(Scan *sc)
{
	sc->ctx = 0;
	sc->scale_ok = false;
	sc->scale_word = false;
	sc->plain_ok = false;
	sc->pct_ok = false;
}

static void
set_scale(Scan *sc, const Num *lo, const Num *hi)
{
	double		l = num_value(lo, 0),
				h = num_value(hi, 0);

	sc->scale_word = false;
	if (!(l >= 0 && h > l && h <= 1e6))
		return;
	sc->scale_ok = true;
	sc->scale_lo = l;
	sc->scale_hi = h;
	/* a scale stated after the number: "Confidence: 8 (1-10)" */
	if (sc->plain_ok)
	{
		Cand		c = sc->plain;
		bool		was_best = sc->best.start == c.start && sc->best.end == c.end &&
			sc->best.rank == c.rank;

		c.kind = CALIB_STATED_SCALE;
		c.value = (sc->plain_x >= l && sc->plain_x <= h) ? sc->plain_x / h + 0.0 : NAN;
		if (c.value > 1)
			c.value = NAN;
		sc->plain_ok = false;
		if (was_best)
			sc->best = c;
	}
}

/* ------------------------------------------------------------- phrases */

static void
phrase_commit(Scan *sc)
{
	if (sc->ph_pending && sc->ph_value >= 0)
	{
		sc->ph_have = true;
		sc->ph_best = sc->ph_value;
		sc->ph_best_start = sc->ph_start;
		sc->ph_best_end = sc->ph_end;
	}
	sc->ph_pending = false;
}

/* A word arrived; sep_blank: only blanks since the previous word. */
static void
phrase_word(Scan *sc, int id, size_t start, size_t end, bool sep_blank)
{
	int			k;

	if (!sep_blank)
	{
		phrase_commit(sc);
		sc->nwin = 0;
	}
	if (sc->nwin == 4)
	{
		memmove(sc->win, sc->win + 1, 3);
		memmove(sc->win_start, sc->win_start + 1, 3 * sizeof(size_t));
		memmove(sc->win_end, sc->win_end + 1, 3 * sizeof(size_t));
		sc->nwin = 3;
	}
	sc->win[sc->nwin] = (unsigned char) id;
	sc->win_start[sc->nwin] = start;
	sc->win_end[sc->nwin] = end;
	sc->nwin++;
	sc->wordno++;

	if (id < W_ALMOST || id > W_LESS)
	{
		phrase_commit(sc);
		return;
	}
	/* the longest phrase ending at this word */
	for (k = 0; k < (int) NPHRASES; k++)
	{
		const PhraseDef *ph = &phrases[k];
		int			first = sc->nwin - ph->n;
		int			j;

		if (first < 0)
			continue;
		for (j = 0; j < ph->n; j++)
			if (sc->win[first + j] != ph->w[j])
				break;
		if (j < ph->n)
			continue;
		/* found (phrases[] lists longer ones first) */
		{
			long		first_no = sc->wordno - ph->n;
			bool		negated = first > 0 && (sc->win[first - 1] == W_NOT);
			double		v = negated ? ph->negated : ph->value;
			size_t		s = negated ? sc->win_start[first - 1] : sc->win_start[first];

			if (sc->ph_pending && first_no > sc->ph_pending_first)
				phrase_commit(sc);
			/* else it covers the pending one, which it replaces */
			sc->ph_pending = true;
			sc->ph_pending_first = negated ? first_no - 1 : first_no;
			sc->ph_value = v;
			sc->ph_start = s;
			sc->ph_end = end;
			return;
		}
	}
	/* no phrase ends here: a pending one can no longer grow unless this
	 * word may still complete a longer phrase starting at or before it
	 * (only multi-word prefixes do: almost, very, better, chances, ...) */
	if (sc->ph_pending && sc->wordno - 1 - sc->ph_pending_first >= 1)
		phrase_commit(sc);
}

/* --------------------------------------------------------------- words */

static void
on_word(Scan *sc, const WordEntry *w, size_t start, size_t end, bool sep_blank)
{
	int			id = w ? w->id : W_OTHER;
	int			flags = w ? w->flags : 0;

	phrase_word(sc, id, start, end, sep_blank);
	sc->prev_not = id == W_NOT;
	sc->out_state = id == W_OUT ? 1 : (id == W_OF && sc->out_state == 1) ? 2 : 0;

	/* "90% sure", "85 percent confident": the percentage is attached */
	if (sc->pct_ok && (id == W_CONF_NOUN || id == W_CONF_ADJ || id == W_CERTAIN))
	{
		Cand		c = sc->pct;

		c.rank = 2;
		c.end = end;
		offer(sc, &c);
		sc->pct_ok = false;
	}
	else if (sc->pct_ok && ++sc->pct_gap > 1)
		sc->pct_ok = false;

	if (id == W_CONF_NOUN || id == W_CONF_ADJ || id == W_CERTAIN || id == W_LABEL)
	{
		sc->ctx = id == W_CONF_NOUN ? 1 : 2;
		sc->ctx_label = id == W_LABEL ? w->label : 0;
		sc->ctx_gap = 0;
		sc->ctx_start = start;
		sc->scale_word = false;
		return;
	}
	if (id == W_SCALE)
		sc->scale_word = true;
	else if (!(sc->scale_word && (id == W_OF || id == W_FROM || (w && w->w[0] == 'a' && w->w[1] == 0))))
		sc->scale_word = false;

	if (sc->ctx)
	{
		int			need = sc->ctx == 1 ? F_NOUN : F_ADJ;
		int			maxgap = sc->ctx == 1 ? 8 : 3;

		if (!(flags & need) || ++sc->ctx_gap > maxgap)
			sc->ctx = 0;
	}
}

/* -------------------------------------------------------------- numbers */

/*
 * A number at p (number_starts() is true): read it with its suffix (a
 * percent, "/b", "out of b", a range "a-b"), classify and offer it.
 * Returns the position after everything consumed.
 */
static size_t on_number_read(Scan *sc, size_t p);

static size_t
on_number(Scan *sc, size_t p)
{
	size_t		e;

	sc->suppress = sc->prev_not;
	sc->prev_not = false;
	e = on_number_read(sc, p);
	sc->suppress = false;
	sc->out_state = 0;
	return e;
}

static size_t
on_number_read(Scan *sc, size_t p)
{
	Num			a,
				b;
	size_t		e,
				q,
				e2;
	Cand		c;
	bool		attached = sc->ctx != 0;

	if (!read_number(sc, p, &a, &e))
	{
		/* a run that is no number counts as a word */
		on_word(sc, NULL, p, e, false);
		return e;
	}
	/* "8 (out of 10)": the scale of the number before */
	if (sc->out_state == 2 && sc->plain_ok)
	{
		double		nb = num_value(&a, 0);
		Cand		pc = sc->plain;
		bool		was_best = sc->best.start == pc.start && sc->best.end == pc.end &&
			sc->best.rank == pc.rank;

		pc.kind = CALIB_STATED_FRACTION;
		pc.value = (nb > 0 && sc->plain_x >= 0 && sc->plain_x <= nb) ? sc->plain_x / nb + 0.0 : NAN;
		pc.end = e;
		sc->plain_ok = false;
		if (was_best && !sc->suppress)
			sc->best = pc;
		return e;
	}
	memset(&c, 0, sizeof c);
	c.start = attached ? sc->ctx_start : p;
	c.label = attached ? sc->ctx_label : 0;
	c.rank = attached ? 2 : 1;

	q = skip_blanks(sc, e, 3);

	/* a percentage */
	if (percent_at(sc, q, &e2))
	{
		c.kind = CALIB_STATED_PERCENT;
		c.value = num_value(&a, 2);
		if (!(c.value >= 0 && c.value <= 1))
			c.value = NAN;
		c.end = e2;
		goto offered_pct;
	}

	/* a fraction a/b or "a out of b" */
	{
		size_t		r = q;
		bool		frac = false;

		if (at(sc, q) == '/')
		{
			r = skip_blanks(sc, q + 1, 3);
			frac = is_digit(at(sc, r)) || (at(sc, r) == '.' && is_digit(at(sc, r + 1)));
		}
		else if ((at(sc, q) | 0x20) == 'o')
		{
			size_t		we;
			const WordEntry *w = peek_word(sc, q, &we);

			if (w && w->id == W_OUT && is_blank(at(sc, we)))
			{
				size_t		we2;
				const WordEntry *w2 = peek_word(sc, we + 1, &we2);

				if (w2 && w2->id == W_OF)
				{
					r = skip_blanks(sc, we2, 3);
					frac = is_digit(at(sc, r));
				}
			}
		}
		if (frac)
		{
			size_t		fe;

			if (!read_number(sc, r, &b, &fe))
			{
				on_word(sc, NULL, r, fe, false);
				return fe;
			}
			{
				double		na = num_value(&a, 0),
							nb = num_value(&b, 0);

				c.kind = CALIB_STATED_FRACTION;
				c.end = fe;
				if (na == 50 && nb == 50)
					c.value = 0.5;	/* "50/50": even odds */
				else if (nb > 0 && na >= 0 && na <= nb)
					c.value = na / nb + 0.0;
				else
					c.value = NAN;
				if (!attached && !(nb == 10 || nb == 100))
				{
					sc->ctx = 0;
					return fe;	/* a bare fraction over anything else is no
								 * confidence (dates, scores, ratios) */
				}
				offer(sc, &c);
				sc->ctx = 0;
				sc->plain_ok = false;
				return fe;
			}
		}
	}

	/* a range a-b: a scale, a percentage range, or a range after a
	 * confidence word */
	{
		size_t		r,
					se;

		if (range_sep(sc, q, &se) && (r = skip_blanks(sc, se, 3), number_starts(sc, r)) &&
			at(sc, r) != '-')
		{
			size_t		re;

			if (!read_number(sc, r, &b, &re))
			{
				on_word(sc, NULL, r, re, false);
				return re;
			}
			{
				size_t		t = skip_blanks(sc, re, 3);
				size_t		pe;

				if (percent_at(sc, t, &pe))
				{
					c.kind = CALIB_STATED_PERCENT;
					c.value = (num_value(&a, 0) + num_value(&b, 0)) / 2 / 100;
					if (!(c.value >= 0 && c.value <= 1))
						c.value = NAN;
					c.end = pe;
					e = pe;
					goto offered_pct;
				}
				if (sc->scale_word || at(sc, t) == ':')
				{
					/* "scale of 1-10", "Confidence 1-10: 7" */
					set_scale(sc, &a, &b);
					return re;
				}
				if (attached)
				{
					Num			mid = a;
					double		v = (num_value(&a, 0) + num_value(&b, 0)) / 2;

					eval_plain(sc, &c, &mid);
					/* evaluate the midpoint */
					if (c.kind == CALIB_STATED_SCALE)
						c.value = (v >= sc->scale_lo && v <= sc->scale_hi) ? v / sc->scale_hi : NAN;
					else if (v >= 0 && v <= 1)
					{
						c.kind = CALIB_STATED_PROBABILITY;
						c.value = v;
					}
					else if (v > 1 && v <= 100)
					{
						c.kind = CALIB_STATED_PERCENT;
						c.value = v / 100;
					}
					else
						c.value = NAN;
					c.end = re;
					offer(sc, &c);
					sc->ctx = 0;
					sc->plain_ok = false;
				}
				return re;
			}
		}
	}

	/* a unitless number: only after a confidence word */
	if (attached)
	{
		eval_plain(sc, &c, &a);
		c.end = e;
		offer(sc, &c);
		sc->ctx = 0;
		if (c.kind != CALIB_STATED_SCALE)
		{
			sc->plain = c;
			sc->plain_x = num_value(&a, 0);
			sc->plain_ok = true;
		}
		return e;
	}
	/* a bare unitless number breaks nothing but the pending "90%" */
	sc->pct_ok = false;
	return e;

offered_pct:
	offer(sc, &c);
	if (!attached && !sc->suppress)
	{
		sc->pct = c;
		sc->pct_ok = true;
		sc->pct_gap = 0;
	}
	sc->ctx = 0;
	sc->plain_ok = false;
	return c.end;
}

/* '(' or '[' at p: a stated scale "(0-100)", "[1 to 10]", "(0-100%)"?
 * Returns the position after it, or 0 when there is none. */
static size_t
paren_scale(Scan *sc, size_t p)
{
	Num			a,
				b;
	size_t		q = skip_blanks(sc, p + 1, 3),
				e,
				se;

	if (!is_digit(at(sc, q)) && !(at(sc, q) == '.' && is_digit(at(sc, q + 1))))
		return 0;
	if (!read_number(sc, q, &a, &e))
		return 0;
	q = skip_blanks(sc, e, 3);
	if (!range_sep(sc, q, &se))
		return 0;
	q = skip_blanks(sc, se, 3);
	if (!is_digit(at(sc, q)) && !(at(sc, q) == '.' && is_digit(at(sc, q + 1))))
		return 0;
	if (!read_number(sc, q, &b, &e))
		return 0;
	q = skip_blanks(sc, e, 3);
	if (at(sc, q) == '%')
		q = skip_blanks(sc, q + 1, 3);
	if (at(sc, q) != ')' && at(sc, q) != ']')
		return 0;
	set_scale(sc, &a, &b);
	return q + 1;
}

/* ------------------------------------------------------------------ main */

void
calib_stated_parse_counted(const char *text, size_t len, CalibStated *out, size_t *steps)
{
	Scan		sc;
	size_t		p = 0;
	bool		sep_blank = false;	/* only blanks since the last word */

	memset(&sc, 0, sizeof sc);
	sc.s = (const unsigned char *) text;
	sc.n = len;

	while (p < len)
	{
		unsigned char c = at(&sc, p);

		if (is_alpha(c))
		{
			size_t		e;
			const WordEntry *w = read_word(&sc, p, &e);

			/* "isn't", "don't", "won't", "can't": a negation */
			if (e > p && (sc.s[e - 1] | 0x20) == 'n' && e + 1 < len)
			{
				size_t		t = 0;

				if (at(&sc, e) == '\'')
					t = e + 1;
				else if (at(&sc, e) == 0xE2 && at(&sc, e + 1) == 0x80 && at(&sc, e + 2) == 0x99)
					t = e + 3;
				if (t && (at(&sc, t) | 0x20) == 't' && !is_alnum(at(&sc, t + 1)))
				{
					static const WordEntry neg = {"not", W_NOT, 0, 0};

					on_word(&sc, &neg, p, t + 1, sep_blank);
					sc.last_sig = 'a';
					p = t + 1;
					sep_blank = true;
					continue;
				}
			}
			on_word(&sc, w, p, e, sep_blank);
			p = e;
			sep_blank = true;
			sc.last_sig = 'a';
			continue;
		}
		if (is_digit(c) || (((c == '-' && (p == 0 || !is_alnum(sc.s[p - 1]))) || c == '.') &&
							number_starts(&sc, p)))
		{
			sc.last_sig = '0';
			p = on_number(&sc, p);
			phrase_commit(&sc);
			sc.nwin = 0;
			sep_blank = false;
			continue;
		}
		if (is_blank(c))
		{
			p++;
			continue;
		}
		sep_blank = false;
		sc.prev_not = false;
		if (c != '\n' && c != '\r')
			sc.last_sig = c;
		switch (c)
		{
			case '.':
			case '!':
			case '?':
				{
					unsigned char d = at(&sc, p + 1);

					if (p + 1 >= len || is_blank(d) || d == '\n' || d == '\r' || d == '"' ||
						d == '*' || d == ')')
						end_sentence(&sc);
					p++;
					break;
				}
			case '\n':
				/* a line break ends the sentence, unless a confidence word
				 * still waits for its number ("Confidence:\n85%") */
				if (!(sc.ctx && (sc.ctx_gap == 0 || sc.last_sig == ':' || sc.last_sig == '=')))
					end_sentence(&sc);
				p++;
				break;
			case '(':
			case '[':
				{
					size_t		e = paren_scale(&sc, p);

					p = e ? e : p + 1;
					break;
				}
			default:
				p++;
				break;
		}
	}
	phrase_commit(&sc);

	memset(out, 0, sizeof *out);
	if (sc.best.rank > 0)
	{
		out->kind = sc.best.kind;
		out->value = sc.best.value;
		out->match_start = sc.best.start;
		out->match_len = sc.best.end - sc.best.start;
	}
	else if (sc.ph_have)
	{
		out->kind = CALIB_STATED_PHRASE;
		out->value = sc.ph_best;
		out->match_start = sc.ph_best_start;
		out->match_len = sc.ph_best_end - sc.ph_best_start;
	}
	else
		out->kind = CALIB_STATED_NONE;
	if (steps)
		*steps = sc.steps;
}

void
calib_stated_parse(const char *text, size_t len, CalibStated *out)
{
	calib_stated_parse_counted(text, len, out, NULL);
}

const char *
calib_stated_kind_name(CalibStatedKind kind)
{
	switch (kind)
	{
		case CALIB_STATED_PERCENT:
			return "percent";
		case CALIB_STATED_PROBABILITY:
			return "probability";
		case CALIB_STATED_FRACTION:
			return "fraction";
		case CALIB_STATED_SCALE:
			return "scale";
		case CALIB_STATED_PHRASE:
			return "phrase";
		default:
			return NULL;
	}
}
