/* test/unit/vote_arena.h -- memory for vote states outside the server, for
 * the unit tests, the fuzz harness and the seed writer: every block is
 * remembered and freed at once by arena_reset (a state that grows leaves
 * its old block behind, as in the server, where the executor frees it). */
#ifndef CALIB_VOTE_ARENA_H
#define CALIB_VOTE_ARENA_H

#include <stdlib.h>

#include "vote.h"

static void **arena_blocks = NULL;
static size_t arena_n = 0,
			arena_cap = 0;

static void *
arena_alloc(void *arg, size_t n)
{
	void	   *p = malloc(n);

	(void) arg;
	if (p == NULL)
		abort();
	if (arena_n == arena_cap)
	{
		arena_cap = arena_cap ? 2 * arena_cap : 64;
		arena_blocks = realloc(arena_blocks, arena_cap * sizeof(void *));
		if (arena_blocks == NULL)
			abort();
	}
	arena_blocks[arena_n++] = p;
	return p;
}

/* scratch blocks: freed at the reset like everything else */
static void
arena_release(void *arg, void *p)
{
	(void) arg;
	(void) p;
}

static void
arena_reset(void)
{
	for (size_t i = 0; i < arena_n; i++)
		free(arena_blocks[i]);
	arena_n = 0;
}

static const CalibVoteMem arena_mem = {arena_alloc, arena_release, NULL};

#endif
