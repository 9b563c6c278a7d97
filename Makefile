# calib: built with PGXS.  `make && make install`, then CREATE EXTENSION calib.
EXTENSION   = calib
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" calib.control)
MODULE_big  = calib

# Every .c file under src/ is part of the module.  Files without the pg_
# prefix are the plain-C core: they never include PostgreSQL headers, so the
# same objects are unit-tested, fuzzed and sanitized outside the server.
CORE_SRCS   = $(filter-out src/pg_%.c,$(wildcard src/*.c))
GLUE_SRCS   = $(wildcard src/pg_*.c)
OBJS        = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# The install script is assembled from one file per concept in sql/parts/,
# in file-name order, so each concept's SQL sits next to nothing else.
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA        = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*--*.sql) $(wildcard sql/$(EXTENSION)--*.sql))

REGRESS      = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
EXTRA_CLEAN = test/unit/*.bin results regression.diffs regression.out

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object depends on every header: PGXS tracks no header dependencies,
# and a stale object after a header change (an inline function, a struct)
# builds a module that fails to load or misreads its states.
$(OBJS): $(wildcard src/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/parts/*.sql))
	cat $^ > $@

# ---- outside the server -------------------------------------------------
CORE_CC     ?= cc
CORE_CFLAGS ?= -O1 -g -Wall -Wextra -std=c99 -D_GNU_SOURCE
SAN_FLAGS    = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Unit tests of the plain-C core, built with ASan and UBSan.
unit:
	@set -e; for t in $(wildcard test/unit/test_*.c); do \
	  $(CORE_CC) $(CORE_CFLAGS) $(SAN_FLAGS) -Isrc -o $${t%.c}.bin $$t $(CORE_SRCS) -lm; \
	  ./$${t%.c}.bin; \
	done

# The whole test suite against a throwaway server (what README and CI run).
test-all:
	bash test/run.sh

# The demo on the bundled generated sample data.
demo:
	bash test/demo.sh

# Every benchmark section on one cluster, one table of medians.
bench:
	bash test/bench/run.sh

.PHONY: unit test-all demo bench
