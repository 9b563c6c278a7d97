#!/usr/bin/env bash
# test/bench/run.sh -- every benchmark section on one throwaway cluster, one
# table of medians.  `make bench`; CALIB_BENCH_SCALE=0.01 for a quick run,
# CALIB_BENCH_RUNS=N timed runs per query (default 5), CALIB_BENCH_ONLY=name
# to run only sections whose file name contains `name`, CALIB_BENCH_MD=file
# to also write the table as Markdown.
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
	PGOPTIONS="-c max_parallel_workers_per_gather=0 -c cursor_tuple_fraction=1" \
		calib_psql bench -v scale="$scale" -v runs="$runs" -f "$f"
done
for f in test/bench/extra/*.sh; do
	[ -e "$f" ] || continue
	if [ -n "${CALIB_BENCH_ONLY:-}" ] && [[ "$f" != *"$CALIB_BENCH_ONLY"* ]]; then continue; fi
	echo "== $f"
	bash "$f"
done
echo
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
echo "calib benchmark: scale $scale, median of $runs runs, serial; ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}'), $(date -u +%F)"
calib_psql bench -P footer=off -c "SELECT * FROM bench.report"
# CALIB_BENCH_MD=file also writes the table as Markdown (for docs/performance.md).
if [ -n "${CALIB_BENCH_MD:-}" ]; then
	calib_psql bench -A -F ' | ' -P footer=off -c "SELECT * FROM bench.report" |
		awk 'NR == 1 { print "| " $0 " |"; n = gsub(/ \| /, "&"); s = "|"; for (i = 0; i <= n; i++) s = s "---|"; print s; next }
		     { print "| " $0 " |" }' > "$CALIB_BENCH_MD"
	echo "Markdown table written to $CALIB_BENCH_MD"
fi
