/*
 * test/asan_first.c -- a shim preloaded after the ASan runtime by
 * test/sanitize.sh, so that an uninstrumented postgres can run with it.
 *
 * Why: preloaded libraries are initialised after the libraries postgres
 * links, so the runtime initialises lazily on the first malloc.  On Debian 12
 * that first malloc happens inside glibc's bindtextdomain (called from
 * libgpg-error's constructor) while it holds _nl_state_lock; ASan's
 * initialisation then calls dlerror -> dcgettext, which takes and releases
 * the same lock, corrupting it, and the next bindtextdomain (postgres's own,
 * in main) waits forever.  Interposing bindtextdomain to allocate once
 * before taking the lock makes the runtime initialise outside it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

char	   *bindtextdomain(const char *domain, const char *dir);

char *
bindtextdomain(const char *domain, const char *dir)
{
	static char *(*real) (const char *, const char *);
	void	   *volatile p = malloc(1);	/* volatile: not elided */

	free(p);
	if (!real)
		real = (char *(*) (const char *, const char *)) dlsym(RTLD_NEXT, "bindtextdomain");
	return real(domain, dir);
}
