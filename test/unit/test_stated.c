/* Unit tests of src/stated.c (calib.parse_confidence): realistic response
 * texts with the value read by hand from each rule in docs/stated.md, the
 * lm-polygraph failure cases, the phrase table, and robustness (run under
 * ASan: every text is parsed from an exactly-sized heap copy, so a read past
 * the end fails). */
#include <math.h>
#include <string.h>

#include "stated.h"
#include "unit.h"

static int	cases = 0;

static void
parse_exact(const char *text, size_t len, CalibStated *r, size_t *steps)
{
	char	   *copy = malloc(len ? len : 1);

	memcpy(copy, text, len);
	calib_stated_parse_counted(copy, len, r, steps);
	free(copy);
}

/* want_kind NULL: nothing stated; want NAN: stated but outside [0, 1].
 * want_match NULL: the matched text is not checked. */
static void
expect(const char *text, double want, const char *want_kind, const char *want_match, int line)
{
	CalibStated r;
	size_t		steps;
	size_t		len = strlen(text);
	const char *kind;
	int			ok;

	parse_exact(text, len, &r, &steps);
	kind = calib_stated_kind_name(r.kind);
	cases++;
	unit_checks++;
	if (want_kind == NULL)
		ok = kind == NULL;
	else
		ok = kind != NULL && strcmp(kind, want_kind) == 0 &&
			(isnan(want) ? isnan(r.value) : r.value == want);
	if (ok && want_match && kind)
		ok = r.match_len == strlen(want_match) &&
			memcmp(text + r.match_start, want_match, r.match_len) == 0;
	if (kind && (r.match_start > len || r.match_len > len - r.match_start))
		ok = 0;
	if (steps > (size_t) CALIB_STATED_STEPS_PER_BYTE * len + 64)
		ok = 0;
	if (!ok)
	{
		unit_failures++;
		fprintf(stderr, "line %d: \"%s\" -> %s %.17g '%.*s' (steps %zu), expected %s %.17g '%s'\n",
				line, text, kind ? kind : "none", r.value,
				kind ? (int) r.match_len : 0, kind ? text + r.match_start : "", steps,
				want_kind ? want_kind : "none", want, want_match ? want_match : "");
	}
}

#define E(text, want, kind) expect(text, want, kind, NULL, __LINE__)
#define M(text, want, kind, match) expect(text, want, kind, match, __LINE__)
#define NONE(text) expect(text, 0, NULL, NULL, __LINE__)
#define BAD(text, kind) expect(text, NAN, kind, NULL, __LINE__)

/* The failures of lm-polygraph's verbalized parser named in issue 15. */
static void
test_polygraph_failures(void)
{
	E("85%", 0.85, "percent");
	E("Confidence: 85%", 0.85, "percent");
	E("Confidence: 1", 1.0, "probability");
	E("1", 0, NULL);			/* a bare number states nothing */
	M("Probably Not", 0.25, "phrase", "Probably Not");
	M("Highly Unlikely", 0.05, "phrase", "Highly Unlikely");
	E("Guess: Paris\nProbability: 1", 1.0, "probability");
	E("Guess: Paris\nProbability: 85", 0.85, "percent");
	E("The answer is probably not Lyon.", 0.25, "phrase");
	E("It is highly unlikely that the treaty was signed in 1700.", 0.05, "phrase");
}

static void
test_percent(void)
{
	M("85%", 0.85, "percent", "85%");
	M("85 %", 0.85, "percent", "85 %");
	M("85 percent", 0.85, "percent", "85 percent");
	M("85 per cent", 0.85, "percent", "85 per cent");
	E("85 pct", 0.85, "percent");
	E("85\xEF\xBC\x85", 0.85, "percent");		/* fullwidth percent sign */
	E("I'd put it at 72.5%.", 0.725, "percent");
	E("0%", 0.0, "percent");
	E("100%", 1.0, "percent");
	E("100.0%", 1.0, "percent");
	E("0.5%", 0.005, "percent");
	E("There is a 30% chance of rain.", 0.30, "percent");
	E("Roughly 60% of the time this holds.", 0.60, "percent");
	BAD("150%", "percent");
	BAD("Confidence: 150%", "percent");
	BAD("-5%", "percent");
	E("80-90%", 0.85, "percent");
	E("80 - 90 %", 0.85, "percent");
	E("80\xE2\x80\x93" "90%", 0.85, "percent");		/* en dash */
	E("between 70 to 80 percent", 0.75, "percent");
	E("Confidence: 80-90%", 0.85, "percent");
	E("1,000%", NAN, "percent");
	E("PERCENT: none. 45 PERCENT", 0.45, "percent");
	E("45Percent", 0, NULL);		/* glued to a word: no number */
	E("The result is 12.5% higher; the answer is B.", 0.125, "percent");
	E("**Confidence:** **90%**", 0.90, "percent");
	E("Confidence: 95%.", 0.95, "percent");
	E("confidence 33%", 0.33, "percent");
	E("CONFIDENCE: 77%", 0.77, "percent");
	E("Confidence = 64 %", 0.64, "percent");
}

static void
test_attached_numbers(void)
{
	M("Confidence: 0.85", 0.85, "probability", "Confidence: 0.85");
	E("Confidence: .85", 0.85, "probability");
	E("confidence=0.42", 0.42, "probability");
	E("Confidence:0.9", 0.9, "probability");
	E("Confidence: 0", 0.0, "probability");
	E("Confidence: 0.0", 0.0, "probability");
	E("Confidence: 1.0", 1.0, "probability");
	E("Confidence: 85", 0.85, "percent");
	E("Confidence: 100", 1.0, "percent");
	E("Confidence: 1.5", 0.015, "percent");
	BAD("Confidence: 101", "percent");
	BAD("Confidence: 250", "percent");
	BAD("Confidence: -0.2", "probability");
	E("Confidence: -0", 0.0, "probability");
	E("confidence at 0.6", 0.6, "probability");
	E("my confidence is 0.7", 0.7, "probability");
	E("My confidence level is 80", 0.80, "percent");
	E("Confidence level: 0.95", 0.95, "probability");
	E("Confidence score: 0.31", 0.31, "probability");
	E("Confidence rating - 0.66", 0.66, "probability");
	E("conf: 0.88", 0.88, "probability");
	E("Certainty: 0.75", 0.75, "probability");
	E("Probability: 0.12", 0.12, "probability");
	E("Likelihood: 0.4", 0.4, "probability");
	E("Probability that the answer is correct: 0.93", 0.93, "probability");
	E("The probability that my answer is right is 0.8.", 0.8, "probability");
	E("I am confident at 0.7", 0.7, "probability");
	E("Confident: 0.8", 0.8, "probability");
	E("Sure: 0.55", 0.55, "probability");
	E("Certain: 0.65", 0.65, "probability");
	E("Confidence:\n0.85", 0.85, "probability");
	E("Confidence level:\n85", 0.85, "percent");
	E("Confidence\n0.6", 0.6, "probability");
	E("Answer: 42\nConfidence: 0.8", 0.8, "probability");
	E("Confidence: high\nAnswer: 42", 0, NULL);
	E("Confidence: high (0.8)", 0.8, "probability");
	E("Confidence: very high, 0.9", 0.9, "probability");
	E("Confidence level: moderate, about 0.6", 0.6, "probability");
	E("Confidence: ~0.7", 0.7, "probability");
	E("Confidence: approximately 0.7", 0.7, "probability");
	E("Confidence: 0,85", 0.85, "probability");	/* decimal comma */
	E("Confidence: 0.123456789012345678999", 0.12345678901234568, "probability");
	E("Confidence: 0.85 (85%)", 0.85, "probability");
	E("Confidence: 7-8", 0.075, "percent");		/* a range: its midpoint */
	E("Confidence: 0.6-0.8", 0.7, "probability");
	E("Confidence in this answer: 0.72", 0.72, "probability");
	E("My confidence in this answer is 90", 0.9, "percent");
	E("Confidence: 0.9. The capital is 1 of 3 options.", 0.9, "probability");
	E("Final answer: B. Confidence: 0.65", 0.65, "probability");
	E("Overall confidence: 0.5", 0.5, "probability");
}

static void
test_not_attached(void)
{
	NONE("The answer is 42.");
	NONE("Paris");
	NONE("I'm sure the answer is 4");
	NONE("Sure, the answer is 4.");
	NONE("I am confident that in 1969 Apollo 11 landed.");
	NONE("I'm sure it was 1945.");
	NONE("The probability of rain is discussed in chapter 3.");
	NONE("Confidence. 85");
	NONE("Version 1.2.3 of the library");
	NONE("gpt-4 answered 3");
	NONE("On 12/25 the shop closes.");
	NONE("The ratio is 3/4.");
	NONE("H2O has 3 atoms");
	NONE("It's 3rd on the list");
	NONE("");
	NONE("   ");
	NONE("Confidence:");
	NONE("Confidence: N/A");
	NONE("confidence: unknown");
	NONE("The likelihood ratio test gives a p-value");
	NONE("Answer: 7\nReasoning: step 2 gives 5");
}

static void
test_ranking(void)
{
	M("The tax rate is 25%. Confidence: 70%", 0.70, "percent", "Confidence: 70%");
	E("Confidence: 70%. The tax rate is 25%.", 0.70, "percent");
	E("Confidence: 0.7. Growth was 150%.", 0.7, "probability");
	E("Growth was 150%. Confidence: 0.7", 0.7, "probability");
	E("It rose 10%, then 20%.", 0.20, "percent");		/* last bare wins */
	E("Confidence: 60%. On reflection, confidence: 80%.", 0.80, "percent");
	E("Confidence: 0.6\nConfidence: 0.9", 0.9, "probability");
	E("I'm 90% sure. About 30% of people disagree.", 0.9, "percent");
	M("I am 90% sure it is Paris.", 0.9, "percent", "90% sure");
	M("I'm 95% confident.", 0.95, "percent", "95% confident");
	E("I'm 85 percent certain", 0.85, "percent");
	E("I'm 80% very confident", 0.8, "percent");
	E("80% confidence", 0.8, "percent");
	E("with 70% probability", 0.7, "percent");
	E("90% of the people are sure", 0.9, "percent");		/* bare, not attached */
	E("The answer is 42, likely.", 0.70, "phrase");		/* no number candidate */
	E("Likely Paris. Confidence: 0.4", 0.4, "probability");	/* numbers beat phrases */
	E("Highly likely. 30% of sources disagree.", 0.3, "percent");
	E("I'm not 100% sure, but I'd say 80%.", 0.8, "percent");
	E("I'm not 100% sure.", 0, NULL);
	E("Confidence: 150%. Confidence: 0.5", 0.5, "probability");
	BAD("Confidence: 0.5. Confidence: 150%", "percent");
	E("Confidence: 0.8 (but see 50% below)", 0.8, "probability");
}

static void
test_fractions(void)
{
	M("7/10", 0.7, "fraction", "7/10");
	E("85/100", 0.85, "fraction");
	E("7 out of 10", 0.7, "fraction");
	E("my confidence is 7/10", 0.7, "fraction");
	M("Confidence: 8/10", 0.8, "fraction", "Confidence: 8/10");
	E("Confidence: 4/5", 0.8, "fraction");
	E("Confidence: 3 out of 4", 0.75, "fraction");
	E("Confidence: 9 / 10", 0.9, "fraction");
	BAD("Confidence: 11/10", "fraction");
	BAD("Confidence: 3/0", "fraction");
	E("Confidence: 50/50", 0.5, "fraction");
	E("It's a 50/50 call", 0, NULL);		/* bare over 50: not read */
	E("I'd rate it 9/10.", 0.9, "fraction");
	E("Score: 6/10", 0.6, "fraction");
	E("Confidence: 4 (out of 5)", 0.8, "fraction");
	E("Confidence level: 4 out of 5", 0.8, "fraction");
	E("Confidence: 8 out of 10.", 0.8, "fraction");
	E("Certainty: 2/3", 2.0 / 3.0, "fraction");
	E("Confidence: 0.5/1", 0.5, "fraction");
	E("7/10 stars, confidence 0.6", 0.6, "probability");
}

static void
test_scales(void)
{
	M("Confidence (0-100): 85", 0.85, "scale", "Confidence (0-100): 85");
	E("Confidence (1-10): 6", 0.6, "scale");
	E("Confidence (1-10): 10", 1.0, "scale");
	E("Confidence (1-10): 1", 0.1, "scale");
	E("Confidence [0-1]: 0.7", 0.7, "scale");
	E("Confidence (0 to 100): 42", 0.42, "scale");
	E("Confidence score (0 to 1): 0.85", 0.85, "scale");
	E("Confidence (0-100%): 85", 0.85, "scale");
	E("Confidence (on a scale of 1-10): 7", 0.7, "scale");
	E("On a scale of 1 to 10, my confidence is 8.", 0.8, "scale");
	E("On a scale from 0 to 5, confidence 4", 0.8, "scale");
	E("Confidence: 8 (1-10)", 0.8, "scale");
	E("Confidence: 8 on a scale of 1-10", 0.8, "scale");
	E("Confidence 1-10: 7", 0.7, "scale");
	E("Confidence (1\xE2\x80\x93" "5): 4", 0.8, "scale");
	BAD("Confidence (1-10): 11", "scale");
	BAD("Confidence (1-10): 0", "scale");
	E("Confidence (0-10): 0", 0.0, "scale");
	E("Confidence (1-10): 7.5", 0.75, "scale");
	E("Confidence (0-100): 85%", 0.85, "percent");	/* an explicit % wins */
	E("Confidence (1-10): 6. Growth was 20%.", 0.6, "scale");
	E("Confidence (10-1): 6", 0.06, "percent");		/* not a scale */
	E("(1-10) scale. The answer is 7.", 0, NULL);		/* no confidence word */
	E("Confidence [1-5]: 3", 0.6, "scale");
}

static void
test_labels(void)
{
	E("G1: Paris\nP1: 0.85\nG2: Lyon\nP2: 0.10", 0.85, "probability");
	E("G1: Paris P1: 0.85 G2: Lyon P2: 0.10 G3: Nice P3: 0.05", 0.85, "probability");
	E("G2: Lyon\nP2: 0.10\nG1: Paris\nP1: 0.85", 0.85, "probability");
	E("P1: 85%", 0.85, "percent");
	E("P1 = 0.6", 0.6, "probability");
	E("P2: 0.3", 0.3, "probability");
	E("P1: 0.7\nConfidence: 0.9", 0.9, "probability");
	NONE("The P1 team scored 3 points");
}

static void
test_phrases(void)
{
	const CalibStatedPhrase *ph;

	/* every table entry, alone and in a sentence, any case */
	for (ph = calib_stated_phrases; ph->phrase; ph++)
	{
		char		buf[200];

		if (ph->value < 0)
		{
			NONE(ph->phrase);
			continue;
		}
		M(ph->phrase, ph->value, "phrase", ph->phrase);
		snprintf(buf, sizeof buf, "I think it is %s the right answer.", ph->phrase);
		E(buf, ph->value, "phrase");
		snprintf(buf, sizeof buf, "%s", ph->phrase);
		for (char *q = buf; *q; q++)
			if (*q >= 'a' && *q <= 'z')
				*q -= 32;
		E(buf, ph->value, "phrase");
	}
	M("Highly likely", 0.90, "phrase", "Highly likely");
	E("It's very likely Paris.", 0.90, "phrase");
	E("The answer is almost certainly 1912.", 0.95, "phrase");
	E("It is not likely.", 0.20, "phrase");
	M("This is not likely to be right.", 0.20, "phrase", "not likely");
	M("It isn't likely.", 0.20, "phrase", "isn't likely");
	E("It isn\xE2\x80\x99t likely.", 0.20, "phrase");
	E("It's not very likely.", 0.20, "phrase");
	E("It's not highly likely", 0.20, "phrase");
	E("This is not probable.", 0.10, "phrase");
	E("not unlikely", 0, NULL);
	E("It is unlikely, not impossible.", 0.20, "phrase");
	E("Probably, not Paris", 0.70, "phrase");		/* a comma splits the phrase */
	E("The most likely answer is Paris.", 0, NULL);
	E("Paris is more likely than Lyon.", 0, NULL);
	E("Lyon is less likely.", 0, NULL);
	E("Likely. Actually, highly unlikely.", 0.05, "phrase");	/* last wins */
	E("Highly unlikely. On reflection, likely.", 0.70, "phrase");
	E("The likelihood is low.", 0, NULL);
	E("unlikelyhood", 0, NULL);
	E("There is almost no chance of that.", 0.02, "phrase");
	E("Chances are slight.", 0.10, "phrase");
	E("Chances are good.", 0, NULL);
	E("It is better than even.", 0.60, "phrase");
	E("It's about even.", 0.50, "phrase");
	E("There's a very good chance it's Paris.", 0.80, "phrase");
	E("There is little chance.", 0.10, "phrase");
	E("We believe it is Paris.", 0.75, "phrase");
	E("We doubt it.", 0.20, "phrase");
	E("It is improbable.", 0.10, "phrase");
	E("Answer: Paris (probable)", 0.70, "phrase");
	E("LIKELY", 0.70, "phrase");
	E("likely\n", 0.70, "phrase");
	E("Very\tlikely", 0.90, "phrase");
	E("highly  unlikely", 0.05, "phrase");
	E("Probably\nnot", 0.70, "phrase");			/* a line break splits it */
}

static void
test_realistic(void)
{
	E("The capital of Australia is Canberra.\n\nConfidence: 95%", 0.95, "percent");
	E("Answer: (B) 1848\nConfidence: 80%", 0.80, "percent");
	E("Answer: Mount Everest. Confidence level: 0.92.", 0.92, "probability");
	E("I believe the answer is Jupiter, with about 85% confidence.", 0.85, "percent");
	E("My best guess is 1912. I'm about 70% sure.", 0.70, "percent");
	E("Final answer: 17\nConfidence (0-100): 60", 0.60, "scale");
	E("Answer: Nitrogen\nConfidence (1-10): 9", 0.9, "scale");
	E("Guess: Ottawa\nProbability: 0.9", 0.9, "probability");
	E("Answer: 3.14159 (pi)\nConfidence: 99%", 0.99, "percent");
	E("The answer is 12. Confidence: 3/5", 0.6, "fraction");
	E("I'm fairly confident the answer is Lisbon (confidence: 0.75).", 0.75, "probability");
	E("The treaty was signed in 1648; I'm 90 percent sure.", 0.90, "percent");
	E("Answer: Paris\nConfidence: Very high (95%)", 0.95, "percent");
	E("Answer: Au. Confidence: 100%", 1.0, "percent");
	E("It's likely Venus, but I'm only 60% confident.", 0.60, "percent");
	E("{\"answer\": \"Paris\", \"confidence\": 0.87}", 0.87, "probability");
	E("{\"answer\": \"Paris\", \"confidence\": 87}", 0.87, "percent");
	E("answer=Paris; confidence=0.33", 0.33, "probability");
	E("| answer | confidence |\n| Paris | 0.8 |", 0, NULL);
	E("Answer: 1066\n\nConfidence: 0.6 (moderately confident)", 0.6, "probability");
	E("Answer: B\nExplanation: Option B is correct because 20% of ...\nConfidence: 85%", 0.85, "percent");
	E("The answer is Pluto. I would say that is highly likely.", 0.90, "phrase");
	E("It's probably Mars.", 0.70, "phrase");
	E("I'm not sure, but it might be Saturn.", 0, NULL);
	E("I don't know.", 0, NULL);
	E("Answer: 5 apples. Confidence: 8/10.", 0.8, "fraction");
	E("Answer: 2,000,000\nConfidence: 40%", 0.40, "percent");
	E("Answer: 3/4 cup\nConfidence: 0.7", 0.7, "probability");
	E("Answer: 25% of the population. Confidence: 0.35", 0.35, "probability");
	E("Answer: 25% of the population.", 0.25, "percent");
	E("Confidence: 65% (moderate).", 0.65, "percent");
	E("Confidence - 72%", 0.72, "percent");
	E("Probability the answer is correct: 85%", 0.85, "percent");
	E("I estimate a probability of 0.15 that this is wrong.", 0.15, "probability");
	E("Confidence: 0.85\n", 0.85, "probability");
	E("\tConfidence:\t0.85\t", 0.85, "probability");
	E("Answer: London\r\nConfidence: 0.7\r\n", 0.7, "probability");
	E("Answer: Tokyo. Confidence: Highly likely", 0.90, "phrase");
	E("Answer: Tokyo. Confidence: likely (70%)", 0.70, "percent");
	E("I'm certain: 100%", 1.0, "percent");
	E("certainty of about 0.7", 0.7, "probability");
	E("The likelihood of this being correct is 0.4", 0.4, "probability");
	E("Answer: the French Revolution, 1789-1799. Confidence: 0.8", 0.8, "probability");
	E("The war lasted 1939-1945.", 0, NULL);
	E("Confidence: 0.9 \xF0\x9F\x98\x80", 0.9, "probability");	/* emoji after */
	E("Confidence\xC2\xA0: 0.9", 0.9, "probability");		/* NBSP */
	E("Réponse : Paris. Confidence : 80 %", 0.80, "percent");
}

static void
test_robustness(void)
{
	/* prefixes of every test text are parsed without reading past them:
	 * ASan checks the exactly-sized copies */
	static const char *texts[] = {
		"Confidence (0-100): 85", "I'm 90% sure", "Confidence: 0.123", "7 out of 10",
		"80-90%", "It isn't likely.", "P1: 0.85", "85 per cent", "Confidence: 4 (out of 5)",
		"0.5%", "(1-10", "1,000", "0,85", "\xEF\xBC", "\xE2\x80", "..5", "-.5%", "5 -",
	};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (size_t k = 0; k <= strlen(texts[t]); k++)
		{
			CalibStated r;
			size_t		steps;

			parse_exact(texts[t], k, &r, &steps);
			CHECK(r.kind == CALIB_STATED_NONE || isnan(r.value) || (r.value >= 0 && r.value <= 1));
			CHECK(steps <= (size_t) CALIB_STATED_STEPS_PER_BYTE * k + 64);
		}

	/* long and adversarial texts: linear steps */
	{
		static const char *units[] = {
			"9", "(", "( 1 - ", "1-", "1/", "confidence ", "not ", "likely ", "5 o", "0.",
			"P1: ", "-", "1,0", "% ", "per ", "out of ", "(1-2", "very ", "a", "\xE2\x80\x93",
		};
		size_t		n = 200000;
		char	   *buf = malloc(n);

		for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		{
			CalibStated r;
			size_t		steps,
						ul = strlen(units[u]);

			for (size_t i = 0; i < n; i++)
				buf[i] = units[u][i % ul];
			calib_stated_parse_counted(buf, n, &r, &steps);
			if (steps > (size_t) CALIB_STATED_STEPS_PER_BYTE * n + 64)
				fprintf(stderr, "unit '%s': %zu steps for %zu bytes\n", units[u], steps, n);
			CHECK(steps <= (size_t) CALIB_STATED_STEPS_PER_BYTE * n + 64);
			CHECK(r.kind == CALIB_STATED_NONE || isnan(r.value) || (r.value >= 0 && r.value <= 1));
		}
		/* random bytes from a small alphabet */
		for (int rep = 0; rep < 50; rep++)
		{
			static const char alpha[] = "0123456789.,-/% ()[]:\nconfidetsurlkyabp1";
			CalibStated r;
			size_t		steps;

			for (size_t i = 0; i < 5000; i++)
				buf[i] = alpha[rng_next() % (sizeof alpha - 1)];
			calib_stated_parse_counted(buf, 5000, &r, &steps);
			CHECK(steps <= (size_t) CALIB_STATED_STEPS_PER_BYTE * 5000 + 64);
			CHECK(r.kind == CALIB_STATED_NONE || isnan(r.value) || (r.value >= 0 && r.value <= 1));
		}
		free(buf);
	}
}

int
main(void)
{
	test_polygraph_failures();
	test_percent();
	test_attached_numbers();
	test_not_attached();
	test_ranking();
	test_fractions();
	test_scales();
	test_labels();
	test_phrases();
	test_realistic();
	test_robustness();
	printf("test_stated: %d response texts\n", cases);
	return unit_report("test_stated");
}
