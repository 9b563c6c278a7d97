#!/usr/bin/env bash
# test/run.sh -- the whole test suite, from a fresh Debian 12 or 13 machine.
# Installs what is missing, builds calib (-Werror) into a private PostgreSQL
# tree, starts a throwaway cluster, runs every suite and tears everything
# down; beside them, the version matrix: the same build, pg_regress, pgTAP, docs
# on the other PostgreSQL majors, each in a Debian chroot (test/matrix.sh).
#
#   bash test/run.sh            everything
#   bash test/run.sh regress    only the named parts (tree unit regress tap
#                               suites matrix)
#   CALIB_SUITES="cron fdw"     only these files of test/suites/ (by name)
#   CALIB_MATRIX=0              skip the matrix (not under CI=true); it runs in
#                               the background beside the host's parts
#   CALIB_MATRIX_ROWS="forky:18"  only these rows of the matrix
source "$(dirname "$0")/lib.sh"

parts=${*:-tree unit regress tap suites matrix}
passed=0; failed=0; failures=(); summary=()
t_start=$SECONDS
record() {   # record NAME STATUS [START]: a pass/fail line, with its wall time
	local t=""
	[ -z "${3:-}" ] || t=" ($((SECONDS - $3)) s)"
	if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok: $1$t"; summary+=("ok      $1$t")
	else failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1$t"; summary+=("FAILED  $1$t"); fi
}

calib_deps
cd "$CALIB_ROOT"

if [[ " $parts " == *" tree "* ]] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# libFuzzer writes crash-, leak-, timeout-, oom- and slow-unit- files
	# named by the SHA-1 of the input; they belong in no commit (an input
	# that reproduces a bug goes into its harness's corpus,
	# test/fuzz/corpus/<harness>/, under a plain name).
	echo "== tree: no fuzzer artifacts tracked by git"
	artifacts=$(git ls-files | grep -E '(^|/)(crash|leak|timeout|oom|slow-unit)-[0-9a-f]{8,}$' || true)
	[ -z "$artifacts" ] || printf 'tracked fuzzer artifact: %s\n' $artifacts
	record "tree: no fuzzer artifacts tracked" "$([ -z "$artifacts" ] && echo 0 || echo 1)"
	# PostgreSQL 18 has no pg_attribute_noreturn(): src/pg_compat.h defines
	# pg_noreturn (before the declaration) for the older majors instead.
	echo "== tree: pg_noreturn, not pg_attribute_noreturn() (gone in PostgreSQL 18)"
	old=$(grep -n 'pg_attribute_noreturn' src/*.c src/*.h | grep -v '^src/pg_compat\.h:' || true)
	[ -z "$old" ] || printf '%s\n' "$old"
	record "tree: pg_noreturn, not pg_attribute_noreturn()" "$([ -z "$old" ] && echo 0 || echo 1)"
fi

# The -Werror build (the Makefile rebuilds every object when the flags change).
export CALIB_WERROR=1
t0=$SECONDS
set +e; calib_build; st=$?; set -e
record "build -Werror, PostgreSQL $("$PG_CONFIG" --version | sed 's/^PostgreSQL //')" $st $t0
[ $st = 0 ] || { echo "calib: $passed passed, $failed failed"; exit 1; }

# The version matrix: SUITE:MAJOR[:demo] rows, each a Debian chroot with that
# release's own PostgreSQL (test/matrix.sh); the row of the host's major is
# this run.  The rows run one after the other in the background from here
# on, beside the host's parts (they share no server, directory or port), and
# are collected and recorded at the end with their own wall times.
matrix_rows=
if [[ " $parts " == *" matrix "* ]]; then
	if [ "${CALIB_MATRIX:-1}" = 0 ] && [ "${CI:-}" != true ]; then
		echo "== matrix: skipped (CALIB_MATRIX=0)"
	else
		for row in ${CALIB_MATRIX_ROWS:-bookworm:15 trixie:17:demo forky:18}; do
			[ "$(cut -d: -f2 <<<"$row")" != "$PG_MAJOR" ] && matrix_rows+="$row "
		done
		calib_tmp
		matrix_dir=$CALIB_TMP/matrix; mkdir -p "$matrix_dir"
		echo "== matrix: starting ${matrix_rows}in the background"
		(
			set +e
			for row in $matrix_rows; do
				IFS=: read -r suite major demo <<<"$row"
				echo $SECONDS > "$matrix_dir/$suite.t0"
				bash test/matrix.sh "$suite" $demo > "$matrix_dir/$suite.log" 2>&1 </dev/null
				echo $? > "$matrix_dir/$suite.rc"
				echo $SECONDS > "$matrix_dir/$suite.t1"
			done
		) &
		matrix_pid=$!
	fi
fi

if [[ " $parts " == *" unit "* ]]; then
	echo "== unit tests of the plain-C core (ASan + UBSan)"
	t0=$SECONDS
	set +e; make -s unit; record "unit (make unit)" $? $t0; set -e
fi

calib_start main
export PGHOST=127.0.0.1 PGPORT=$PORT_main PGUSER=postgres

if [[ " $parts " == *" regress "* ]]; then
	echo "== pg_regress (test/sql -> expected/)"
	t0=$SECONDS
	set +e
	make -s installcheck PG_CONFIG="$PG_CONFIG"
	st=$?
	[ $st = 0 ] || { [ -f regression.diffs ] && head -200 regression.diffs; }
	record "pg_regress" $st $t0
	set -e
fi

if [[ " $parts " == *" tap "* ]]; then
	echo "== pgTAP (test/pgtap)"
	t0=$SECONDS
	calib_psql main -c "CREATE DATABASE calib_tap"
	calib_psql main -d calib_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION calib"
	set +e
	pg_prove -h 127.0.0.1 -p "$PORT_main" -U postgres -d calib_tap test/pgtap/*.sql
	record "pgTAP (pg_prove)" $? $t0
	set -e
fi

if [[ " $parts " == *" suites "* ]]; then
	for s in test/suites/*.sh; do
		[ -e "$s" ] || continue
		name=$(basename "$s" .sh)
		if [ -n "${CALIB_SUITES:-}" ] && [[ " $CALIB_SUITES " != *" $name "* ]]; then continue; fi
		echo "== suite $name"
		t0=$SECONDS
		set +e; bash "$s"; record "suite $name" $? $t0; set -e
	done
fi

collect_matrix() {   # wait for the matrix rows, print their output, record them
	[ -n "${matrix_pid:-}" ] || return 0
	echo "== matrix: waiting for the chroot runs (started after the build)"
	wait "$matrix_pid" || true
	local row suite major demo t0 t1
	for row in $matrix_rows; do
		IFS=: read -r suite major demo <<<"$row"
		echo "== matrix: PostgreSQL $major on Debian $suite (chroot)"
		cat "$matrix_dir/$suite.log" 2>/dev/null || true
		t0=$(cat "$matrix_dir/$suite.t0" 2>/dev/null || echo $SECONDS)
		t1=$(cat "$matrix_dir/$suite.t1" 2>/dev/null || echo $SECONDS)
		# record's time is the row's own wall time
		record "matrix PostgreSQL $major (Debian $suite): -Werror build, pg_regress, pgTAP, docs${demo:+, README demo}" \
			"$(cat "$matrix_dir/$suite.rc" 2>/dev/null || echo 1)" $((SECONDS - (t1 - t0)))
	done
}
collect_matrix

echo
echo "== summary ($((SECONDS - t_start)) s)"
printf '  %s\n' "${summary[@]}"
[ $failed = 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "calib: $passed passed, $failed failed"
[ $failed = 0 ]
