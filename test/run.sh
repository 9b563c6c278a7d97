#!/usr/bin/env bash
# test/run.sh -- the whole test suite, from a fresh Debian 12 machine.
# Installs what is missing, builds calib into a private PostgreSQL tree,
# starts a throwaway cluster, runs every suite and tears everything down.
#
#   bash test/run.sh            everything
#   bash test/run.sh regress    only the named parts (unit regress tap suites)
#   CALIB_SUITES="cron fdw"     only these files of test/suites/ (by name)
source "$(dirname "$0")/lib.sh"

parts=${*:-unit regress tap suites}
passed=0; failed=0; failures=()
record() {   # record NAME STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok: $1"
	else failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; fi
}

calib_deps
calib_build
cd "$CALIB_ROOT"

if [[ " $parts " == *" unit "* ]]; then
	echo "== unit tests of the plain-C core (ASan + UBSan)"
	set +e; make -s unit; record "unit (make unit)" $?; set -e
fi

calib_start main
export PGHOST=127.0.0.1 PGPORT=$PORT_main PGUSER=postgres

if [[ " $parts " == *" regress "* ]]; then
	echo "== pg_regress (test/sql -> expected/)"
	set +e
	make -s installcheck PG_CONFIG=/usr/bin/pg_config
	st=$?
	[ $st = 0 ] || { [ -f regression.diffs ] && head -200 regression.diffs; }
	record "pg_regress" $st
	set -e
fi

if [[ " $parts " == *" tap "* ]]; then
	echo "== pgTAP (test/pgtap)"
	calib_psql main -c "CREATE DATABASE calib_tap"
	calib_psql main -d calib_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION calib"
	set +e
	pg_prove -h 127.0.0.1 -p "$PORT_main" -U postgres -d calib_tap test/pgtap/*.sql
	record "pgTAP (pg_prove)" $?
	set -e
fi

if [[ " $parts " == *" suites "* ]]; then
	for s in test/suites/*.sh; do
		[ -e "$s" ] || continue
		name=$(basename "$s" .sh)
		if [ -n "${CALIB_SUITES:-}" ] && [[ " $CALIB_SUITES " != *" $name "* ]]; then continue; fi
		echo "== suite $name"
		set +e; bash "$s"; record "suite $name" $?; set -e
	done
fi

echo
[ $failed = 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "calib: $passed passed, $failed failed"
[ $failed = 0 ]
