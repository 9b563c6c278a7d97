# calib: built with PGXS.  `make && make install`, then CREATE EXTENSION calib.
EXTENSION   = calib
# The source directory: this one, or in a VPATH build the VPATH that make was
# given (pg_buildext builds each PostgreSQL major in its own build-NN/).
SRCDIR      := $(if $(VPATH),$(VPATH)/,)
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(SRCDIR)calib.control)
MODULE_big  = calib

# Every .c file under src/ is part of the module.  Files without the pg_
# prefix are the plain-C core: they never include PostgreSQL headers, so the
# same objects are unit-tested, fuzzed and sanitized outside the server.
ALL_SRCS    = $(patsubst $(SRCDIR)%,%,$(wildcard $(SRCDIR)src/*.c))
CORE_SRCS   = $(filter-out src/pg_%.c,$(ALL_SRCS))
GLUE_SRCS   = $(filter src/pg_%.c,$(ALL_SRCS))
OBJS        = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# The install script is assembled from one file per concept in sql/parts/,
# in file-name order, so each concept's SQL sits next to nothing else.
DATA_built  = sql/$(EXTENSION)--$(EXTVERSION).sql
# Every frozen install script and every upgrade script (sql/calib--*.sql).
DATA        = $(filter-out $(DATA_built),$(patsubst $(SRCDIR)%,%,$(wildcard $(SRCDIR)sql/$(EXTENSION)--*.sql)))

REGRESS      = $(sort $(basename $(notdir $(wildcard $(SRCDIR)test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

# -Wshadow=compatible-local is in PostgreSQL 16+'s own flags: on 15 too, so the
# host's -Werror build catches what the newer majors would refuse.
# -ffp-contract=off: no fused multiply-add, so calib_ln gives the same bits
# on every compiler and machine (src/ln_table.c).
PG_CFLAGS   = -ffp-contract=off -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare \
              -Wshadow=compatible-local
# The version PG_MODULE_MAGIC_EXT reports on PostgreSQL 18 (src/pg_compat.h).
PG_CPPFLAGS = -DCALIB_VERSION=\"$(EXTVERSION)\"
EXTRA_CLEAN = test/unit/*.bin results regression.diffs regression.out src/.build-flags

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object depends on every header: PGXS tracks no header dependencies,
# and a stale object after a header change (an inline function, a struct)
# builds a module that fails to load or misreads its states.
$(OBJS): $(wildcard $(SRCDIR)src/*.h)

# ... and on the compiler, its flags and the PostgreSQL it builds against:
# the tests add COPT=-Werror, and a tree built for one major must not keep
# its objects when built for another.
BUILD_FLAGS := $(CC) $(CFLAGS) $(CPPFLAGS) $(MAJORVERSION)
src/.build-flags: FORCE
	@mkdir -p $(@D); echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@
$(OBJS): src/.build-flags
src/pg_calib.o: $(SRCDIR)calib.control

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard $(SRCDIR)sql/parts/*.sql))
	@mkdir -p $(@D)
	cat $^ > $@

# ---- outside the server -------------------------------------------------
CORE_CC     ?= cc
CORE_CFLAGS ?= -O1 -g -ffp-contract=off -Wall -Wextra -std=c99 -D_GNU_SOURCE
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

# libFuzzer harnesses over the plain-C core (test/fuzz/fuzz_*.c), built with
# clang and ASan + UBSan.  `make fuzz FUZZ_SECONDS=N` fuzzes each for N
# seconds starting from its committed seed corpus test/fuzz/corpus/<name>/;
# new inputs and crash artifacts go to $(FUZZ_OUT), never into the repo.
# `make fuzz-regress` runs every committed corpus file once (no fuzzing).
FUZZ_CC      ?= clang
FUZZ_CFLAGS   = -g -O1 -ffp-contract=off -std=c99 -D_GNU_SOURCE -Wall -Wextra -Isrc \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30
FUZZ_OUT     ?= test/fuzz/out
# 0 = a new random seed each run; the test command fixes one so a failure
# in CI replays the same way here.
FUZZ_SEED    ?= 0
FUZZ_NAMES    = $(basename $(notdir $(wildcard test/fuzz/fuzz_*.c)))
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1

test/fuzz/%.bin: test/fuzz/%.c test/fuzz/fuzz.h $(CORE_SRCS) $(wildcard src/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) -lm

fuzz-build: $(FUZZ_NAMES:%=test/fuzz/%.bin)

fuzz: fuzz-build
	@set -e; for h in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_OUT)/$$h/corpus $(FUZZ_OUT)/$$h/artifacts test/fuzz/corpus/$$h; \
	  echo "== fuzzing $$h for $(FUZZ_SECONDS) s"; \
	  ./test/fuzz/$$h.bin -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/$$h/artifacts/ \
	    $(FUZZ_OUT)/$$h/corpus test/fuzz/corpus/$$h 2>$(FUZZ_OUT)/$$h/log \
	    || { tail -60 $(FUZZ_OUT)/$$h/log; echo "fuzz: $$h failed; crash input in $(FUZZ_OUT)/$$h/artifacts/"; exit 1; }; \
	  grep -E '^stat::number_of_executed_runs|^Done' $(FUZZ_OUT)/$$h/log | tr '\n' ' '; echo; \
	done

# Regenerates the valid seeds of the summary, map and vote harnesses with the
# encoders (after a format change); the output is committed.
fuzz-seeds:
	$(CORE_CC) $(CORE_CFLAGS) -Isrc -o test/fuzz/seeds.bin test/fuzz/seeds.c $(CORE_SRCS) -lm
	mkdir -p test/fuzz/corpus/fuzz_summary test/fuzz/corpus/fuzz_map test/fuzz/corpus/fuzz_vote
	./test/fuzz/seeds.bin test/fuzz/corpus/fuzz_summary test/fuzz/corpus/fuzz_map test/fuzz/corpus/fuzz_vote

fuzz-regress: fuzz-build
	@mkdir -p $(FUZZ_OUT); set -e; for h in $(FUZZ_NAMES); do \
	  ./test/fuzz/$$h.bin -runs=0 -artifact_prefix=$(FUZZ_OUT)/ test/fuzz/corpus/$$h >$(FUZZ_OUT)/$$h.replay 2>&1 \
	    || { tail -40 $(FUZZ_OUT)/$$h.replay; echo "fuzz-regress: $$h fails on a committed input"; exit 1; }; \
	  echo "fuzz-regress: $$h replays $$(ls test/fuzz/corpus/$$h | wc -l) committed inputs"; \
	  rm -f $(FUZZ_OUT)/$$h.replay; \
	done

# The release tarball, calib-<version>.tar.gz (for PGXN and packagers), from
# git: `git archive` of DIST_REF (default HEAD, so only committed files), the
# files under a calib-<version>/ directory.  The tests build the Debian
# package from it (test/suites/package.sh).
DIST_REF ?= HEAD
dist:
	@mkdir -p dist
	git archive --format=tar.gz --prefix=$(EXTENSION)-$(EXTVERSION)/ \
	  -o dist/$(EXTENSION)-$(EXTVERSION).tar.gz $(DIST_REF)
	@echo "dist/$(EXTENSION)-$(EXTVERSION).tar.gz"

# pg_regress and pgTAP against calib built with ASan + UBSan, the sanitizer
# runtime preloaded into a throwaway server (slow; not part of test-all).
sanitize-regress:
	bash test/sanitize.sh

.PHONY: FORCE dist sanitize-regress unit test-all demo bench fuzz fuzz-build fuzz-regress fuzz-seeds
