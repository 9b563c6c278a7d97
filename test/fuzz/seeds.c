/*
 * seeds.c -- writes the valid seed inputs of the summary, map and vote harnesses
 * (`make fuzz-seeds`), made with the encoders themselves so they follow the
 * formats exactly; the fuzzer mutates them into the invalid ones.  Invalid
 * seeds and crash regressions are committed by hand next to them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recal.h"
#include "summary.h"
#include "vote.h"
#include "../unit/vote_arena.h"

static void
put(const char *dir, const char *name, uint8_t mode, const void *buf, size_t len)
{
	char		path[512];
	FILE	   *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 || fwrite(buf, 1, len, f) != len || fclose(f))
	{
		perror(path);
		exit(1);
	}
}

static CalibSummary s;
static char text[1 << 16];
static uint8_t bin[1 << 16];

static void
summary_seeds(const char *dir, const char *tag)
{
	char		name[64];
	size_t		len;

	len = calib_summary_to_text(&s, text, sizeof text);
	snprintf(name, sizeof name, "text_%s", tag);
	put(dir, name, 0, text, len);
	len = calib_summary_to_wire(&s, bin, sizeof bin);
	snprintf(name, sizeof name, "wire_%s", tag);
	put(dir, name, 1, bin, len);
	len = calib_summary_pack(&s, bin, sizeof bin);
	snprintf(name, sizeof name, "packed_%s", tag);
	put(dir, name, 3, bin, len);
}

static void
map_seed(const char *dir, const char *name, int kind, int32_t n, const double *v)
{
	CalibMap   *m = malloc(calib_map_size(kind, n));
	char	   *t;

	m->kind = kind;
	m->n = n;
	memcpy(m->v, v, calib_map_nvalues(kind, n) * sizeof(double));
	t = calib_map_to_text(m);
	put(dir, name, 0, t, strlen(t));
	calib_map_to_binary(m, (unsigned char *) bin);
	{
		char		bname[64];

		snprintf(bname, sizeof bname, "%s_bin", name);
		put(dir, bname, 1, bin, calib_map_binary_size(m));
	}
	free(t);
	free(m);
}

/* Vote states in both forms (mode byte 1 of fuzz_vote: text, 3: binary). */
static void
vote_seed(const char *dir, const char *name, bool weighted, int nanswers)
{
	CalibVote  *v = calib_vote_new(&arena_mem, weighted);
	char		answer[32],
				fname[64];
	char	   *text;
	uint8_t    *wire;

	for (int i = 0; i < nanswers; i++)
	{
		int			k = snprintf(answer, sizeof answer, "answer %d", (i * 7) % 5);

		calib_vote_add(&v, &arena_mem, answer, (size_t) k, 0.25 * (i % 4));
	}
	text = malloc(calib_vote_text_size(v));
	calib_vote_to_text(v, text);
	snprintf(fname, sizeof fname, "text_%s", name);
	put(dir, fname, 1, text, strlen(text));
	wire = malloc(calib_vote_wire_size(v));
	calib_vote_to_wire(v, wire);
	snprintf(fname, sizeof fname, "wire_%s", name);
	put(dir, fname, 3, wire, calib_vote_wire_size(v));
	free(text);
	free(wire);
	arena_reset();
}

int
main(int argc, char **argv)
{
	const char *sdir = argv[1],
			   *mdir = argv[2],
			   *vdir = argv[3];

	(void) argc;
	calib_summary_init(&s);
	summary_seeds(sdir, "empty");
	/* the hand case of test/sql/binned_hand.sql */
	calib_summary_add(&s, 0.2, false);
	calib_summary_add(&s, 0.5, true);
	calib_summary_add(&s, 0.8, true);
	calib_summary_add(&s, 1.0, false);
	summary_seeds(sdir, "hand");
	calib_summary_add(&s, 0.0, true);
	calib_summary_add(&s, 1e-300, false);
	calib_summary_add(&s, nextafter(1.0, 0.0), true);
	for (int i = 0; i < 700; i++)
		calib_summary_add(&s, (double) i / 700.0, i % 3 == 0);
	summary_seeds(sdir, "edges");
	{
		/* the dense stored form: header, then the struct */
		size_t		len = calib_summary_dense_size();

		calib_summary_dense_header(bin);
		memcpy(bin + CALIB_SUMMARY_STORED_HDR, &s, sizeof s);
		put(sdir, "dense_edges", 3, bin, len);
	}

	map_seed(mdir, "temperature", CALIB_MAP_TEMPERATURE, 0, (double[]) {1.5});
	map_seed(mdir, "platt", CALIB_MAP_PLATT, 0, (double[]) {0.8, -0.25});
	map_seed(mdir, "histogram", CALIB_MAP_HISTOGRAM, 4, (double[]) {0.1, 0.4, 0.0, 1.0});
	map_seed(mdir, "isotonic", CALIB_MAP_ISOTONIC, 3,
			 (double[]) {0.0, 0.5, 1.0, 0.0, 0.25, 1.0});

	vote_seed(vdir, "empty", false, 0);
	vote_seed(vdir, "counts", false, 12);
	vote_seed(vdir, "weighted", true, 40);
	return 0;
}
