#!/usr/bin/env bash
# test/suites/fuzz.sh -- the short fuzzing run of the test command: replays
# every committed corpus file (the regression inputs), then fuzzes each
# libFuzzer harness of test/fuzz/ for a few seconds (ASan + UBSan + the
# harness's own invariants).  CALIB_FUZZ_SECONDS overrides the per-harness
# time (default: 150 s shared by all harnesses, at most 30 s each).
# The seed is fixed (CALIB_FUZZ_SEED) so a failure replays; longer, randomly
# seeded runs: make fuzz FUZZ_SECONDS=600.
source "$(dirname "$0")/../lib.sh"
calib_deps
calib_tmp
cd "$CALIB_ROOT"
n=$(ls test/fuzz/fuzz_*.c | wc -l)
secs=${CALIB_FUZZ_SECONDS:-$(( 150 / n < 30 ? 150 / n : 30 ))}
out=$CALIB_TMP/fuzz
echo "fuzz: $n harnesses, $secs s each"
make -s fuzz-regress FUZZ_OUT="$out"
make -s fuzz FUZZ_SECONDS="$secs" FUZZ_OUT="$out" FUZZ_SEED="${CALIB_FUZZ_SEED:-20261125}"
