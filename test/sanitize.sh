#!/usr/bin/env bash
# test/sanitize.sh -- the SQL test suites against calib built with
# AddressSanitizer and UndefinedBehaviorSanitizer (`make sanitize-regress`).
#
# The extension is compiled from a copy of the tree with
# -fsanitize=address,undefined and installed into the private PostgreSQL
# tree; the server (not instrumented itself) is restarted with gcc's ASan
# runtime preloaded, so every allocation, read and write the extension makes
# through malloc or on the stack is checked, and UBSan checks its arithmetic,
# shifts, alignment and bounds.  Then pg_regress and the pgTAP suites run.
# Any sanitizer report (written to $CALIB_TMP/san/report.*), a server crash
# or a failing test fails the run.  Slow (the build and every query are
# slower), so it is not part of test/run.sh.
source "$(dirname "$0")/lib.sh"

calib_deps
calib_build
cd "$CALIB_ROOT"

san=$CALIB_TMP/san
mkdir -p "$san/src"
[ "$(id -u)" = 0 ] && chown postgres: "$san"
echo "== building calib with -fsanitize=address,undefined"
tar --exclude=.git --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude='*.bin' -cf - . | tar -C "$san/src" -xf -
# CALIB_SANITIZE_CANARY=1: prove the setup catches bugs.  A one-byte stack
# overflow through a pointer (which UBSan's bounds check cannot see) is
# planted in the binned final functions of the copy; calib.ece must then
# produce an AddressSanitizer report.  The suites are not run.
if [ -n "${CALIB_SANITIZE_CANARY:-}" ]; then
	sed -i 's|^\tif (!binned_final_error(fcinfo, &err))$|\t{ char canary[4]; char *volatile p = canary; p[4] = 1; }\n&|' "$san/src/src/pg_binned.c"
	grep -q canary "$san/src/src/pg_binned.c" || { echo "sanitize: could not plant the canary"; exit 1; }
fi
SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g"
make -C "$san/src" -s PG_CONFIG="$PG_CONFIG" COPT="$SANFLAGS" >/dev/null
make -C "$san/src" -s PG_CONFIG="$PG_CONFIG" COPT="$SANFLAGS" install DESTDIR="$CALIB_TMP/pgroot" >/dev/null
syms=$(nm -D "$CALIB_TMP/pgroot/usr/lib/postgresql/$PG_MAJOR/lib/calib.so")
grep -q __asan_report <<<"$syms" || { echo "sanitize: calib.so is not instrumented"; exit 1; }

# A normal start (initdb without the runtime), then a restart with it.
calib_start san "jit = off"   # JIT would inline the uninstrumented bitcode
dir=$CALIB_TMP/san
calib_stop san
asan_rt=$(gcc -print-file-name=libasan.so)
gcc -shared -fPIC -O1 -o "$san/asan_first.so" test/asan_first.c -ldl   # see the file
as_pg env LD_PRELOAD="$asan_rt:$san/asan_first.so" \
	ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$san/report:detect_stack_use_after_return=0" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$san/report" \
	"$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT_san PGUSER=postgres
started=$(calib_psql san -Atc "SELECT pg_postmaster_start_time()")
calib_psql san -Atc "SELECT 'server ' || version()"

if [ -n "${CALIB_SANITIZE_CANARY:-}" ]; then
	calib_psql san -c "CREATE EXTENSION IF NOT EXISTS calib" >/dev/null
	calib_psql san -c "SELECT calib.ece(0.5::float8, true)" >/dev/null 2>&1 || true
	sleep 1
	if cat "$san"/report* "$dir/server.log" 2>/dev/null | grep -q "AddressSanitizer: stack-buffer-overflow"; then
		cat "$san"/report* "$dir/server.log" 2>/dev/null | grep -m1 -A4 "AddressSanitizer: stack-buffer-overflow"
		echo "sanitize: canary caught (out-of-bounds write planted in calib_ece_final)"
		exit 0
	fi
	echo "sanitize: the planted canary was NOT caught"; exit 1
fi

status=0
echo "== pg_regress under ASan + UBSan"
make -s installcheck PG_CONFIG="$PG_CONFIG" || { status=1; [ -f regression.diffs ] && head -100 regression.diffs; }
echo "== pgTAP under ASan + UBSan"
calib_psql san -c "CREATE DATABASE calib_tap"
calib_psql san -d calib_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION calib"
# A backend that has run calib has both the runtime and the instrumented calib.so.
maps_ok=$(calib_psql san -d calib_tap -Atc "SELECT calib.ece(0.5::float8, true)" -c "SELECT m ~ 'libasan' AND m ~ 'lib/calib\.so' FROM pg_read_file('/proc/self/maps') m" | tail -1)
[ "$maps_ok" = t ] || { echo "sanitize: the backend does not run under ASan with calib.so loaded"; exit 1; }
pg_prove -h 127.0.0.1 -p "$PORT_san" -U postgres -d calib_tap test/pgtap/*.sql || status=1

now=$(calib_psql san -Atc "SELECT pg_postmaster_start_time()" 2>/dev/null || echo down)
if [ "$now" != "$started" ]; then echo "sanitize: the server restarted or is down"; status=1; fi
if grep -E "terminated by signal|was terminated|runtime error|AddressSanitizer" "$dir/server.log"; then
	echo "sanitize: sanitizer report or crash in the server log"; status=1
fi
if compgen -G "$san/report*" >/dev/null; then
	echo "sanitize: sanitizer reports:"; cat "$san"/report*; status=1
fi
[ $status = 0 ] && echo "sanitize: pg_regress and pgTAP passed under ASan + UBSan, no sanitizer report"
exit $status
