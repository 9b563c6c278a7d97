/*
 * pg_compat.h -- every difference between the PostgreSQL majors calib
 * supports (15, 16, 17, 18), in one place.  pg_calib.h includes it, so every
 * src/pg_*.c that includes pg_calib.h first compiles on each of them; the
 * rest of the glue is written against the common API.
 *
 * Guards are by PG_VERSION_NUM and only where the server's API differs:
 *
 *   16  the varlena macros (VARDATA, VARSIZE, SET_VARSIZE, ...) moved from
 *       postgres.h to varatt.h
 *   18  pg_attribute_noreturn() (after a declaration) became pg_noreturn
 *       (before it); PG_MODULE_MAGIC_EXT records the module's name and
 *       version, shown by pg_get_loaded_modules()
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

#include "postgres.h"
#include "fmgr.h"

#if PG_VERSION_NUM < 150000
#error "calib needs PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * Declare functions that never return with pg_noreturn before the
 * declaration, as PostgreSQL 18 does:  pg_noreturn void f(void);
 * Before 18, pg_attribute_noreturn() is GCC's and Clang's
 * __attribute__((noreturn)), which may stand in the same place.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/* CALIB_VERSION comes from calib.control through the Makefile. */
#ifndef CALIB_VERSION
#define CALIB_VERSION "unknown"
#endif
#if PG_VERSION_NUM >= 180000
#define CALIB_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "calib", .version = CALIB_VERSION)
#else
#define CALIB_MODULE_MAGIC PG_MODULE_MAGIC
#endif

#endif
