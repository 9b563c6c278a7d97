#!/usr/bin/env bash
# test/bench/run.sh -- every benchmark section on one throwaway cluster, one
# table of medians.  `make bench`; CALIB_BENCH_SCALE=0.01 for a quick run,
# CALIB_BENCH_RUNS=N timed runs per query (default 5), CALIB_BENCH_ONLY=name
# to run only sections whose file name contains `name`.
#
# Each file in test/bench/sections/ builds its own data (sized by the psql
# variable :scale, 1.0 = the sizes the issues name) and calls bench.measure.
# Timings are serial (max_parallel_workers_per_gather = 0) so ratios compare
# one core with one core.
source "$(dirname "$0")/../lib.sh"

scale=${CALIB_BENCH_SCALE:-1}
runs=${CALIB_BENCH_RUNS:-5}
calib_deps
calib_build
calib_start bench "shared_buffers = 4GB
work_mem = '256MB'
maintenance_work_mem = '1GB'
jit = off
max_wal_size = '8GB'
synchronous_commit = off"
cd "$CALIB_ROOT"
calib_psql bench -c "CREATE EXTENSION calib" -f test/bench/lib.sql >/dev/null
for f in test/bench/sections/*.sql; do
	[ -e "$f" ] || continue
	if [ -n "${CALIB_BENCH_ONLY:-}" ] && [[ "$f" != *"$CALIB_BENCH_ONLY"* ]]; then continue; fi
	echo "== $f"
	PGOPTIONS="-c max_parallel_workers_per_gather=0" \
		calib_psql bench -v scale="$scale" -v runs="$runs" -f "$f"
done
for f in test/bench/extra/*.sh; do
	[ -e "$f" ] || continue
	if [ -n "${CALIB_BENCH_ONLY:-}" ] && [[ "$f" != *"$CALIB_BENCH_ONLY"* ]]; then continue; fi
	echo "== $f"
	bash "$f"
done
echo
echo "calib benchmark: scale $scale, median of $runs runs, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%F)"
calib_psql bench -P footer=off -c "SELECT * FROM bench.report"
