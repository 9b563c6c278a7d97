#!/usr/bin/env bash
# test/suites/load.sh -- concurrent load: pgbench with several clients for a
# bounded time mixing inserts into a responses table, the direct aggregates,
# summary rollups and merges (scripts in test/load/).  Checks that no client
# got an error, the postmaster never restarted (pg_postmaster_start_time()
# unchanged, no crash in the server log) and that the final merge of all
# rollups equals the direct aggregates over all rows.
# CALIB_LOAD_SECONDS (default 25), CALIB_LOAD_CLIENTS (default 8).
source "$(dirname "$0")/../lib.sh"
calib_deps
calib_build
calib_start load "max_connections = 40
log_min_messages = warning"
cd "$CALIB_ROOT/test/load"
secs=${CALIB_LOAD_SECONDS:-25}
clients=${CALIB_LOAD_CLIENTS:-8}
calib_psql load -f setup.sql >/dev/null
started=$(calib_psql load -Atc "SELECT pg_postmaster_start_time()")

out=$CALIB_TMP/load/pgbench.out
status=0
PGOPTIONS="-c max_parallel_workers_per_gather=1 -c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0" \
pgbench -n -h 127.0.0.1 -p "$PORT_load" -U postgres -c "$clients" -j 2 -T "$secs" \
	-f insert.sql@6 -f aggregates.sql@1 -f rollup.sql@3 -f merge.sql@2 postgres >"$out" 2>&1 || status=1
grep -E "^(number of|latency average|tps)|SQL script [0-9]|- [0-9]+ transactions" "$out" || true
if [ $status != 0 ] || grep -qiE "error|aborted" "$out"; then
	echo "load: pgbench reported errors:"; grep -iE "error|aborted" "$out" | head -20; status=1
fi
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
[ "${failed:-0}" = 0 ] || { echo "load: $failed failed transactions"; status=1; }

now=$(calib_psql load -Atc "SELECT pg_postmaster_start_time()" 2>/dev/null || echo down)
[ "$now" = "$started" ] || { echo "load: the postmaster restarted or is down ($started -> $now)"; status=1; }
if grep -E "terminated by signal|server process .* was terminated|PANIC" "$CALIB_TMP/load/server.log"; then
	echo "load: crash in the server log"; status=1
fi

result=$(calib_psql load -At -F ' ' -f check.sql | tail -1)
echo "load: final check: $result"
[[ "$result" == *" t t t t t t" ]] || { echo "load: merged summary differs from the direct aggregates"; status=1; }
[ $status = 0 ] && echo "load: $clients clients for $secs s, no error, no restart, merge = direct"
exit $status
