# test/citus.sh -- a Citus cluster on loopback for test/suites/citus.sh and
# the Citus section of test/bench.  Source it after test/lib.sh and
# calib_build; do not run it.
#
#   citus_tarball           print the path of the Citus source, or nothing
#   citus_build             build Citus (cached by version) and install it
#                           into the private tree $CALIB_TMP/pgroot
#   citus_cluster PREFIX [conf]
#                           start PREFIX_coord, PREFIX_w1, PREFIX_w2 with
#                           citus preloaded, CREATE EXTENSION citus and calib
#                           on each, and register the workers
#
# The source is ../shared/citus/citus-$CITUS_VERSION.tar.xz relative to the
# project's root (CALIB_CITUS_TARBALL overrides).  The build is cached under
# $CALIB_CITUS_CACHE/$CITUS_VERSION (default /var/cache/calib-citus), keyed
# by the version and the tarball's checksum, so a rerun takes seconds.

CITUS_VERSION=${CITUS_VERSION:-13.2.2}
CALIB_CITUS_CACHE=${CALIB_CITUS_CACHE:-/var/cache/calib-citus}
# not root: a cache of one's own
if ! mkdir -p "$CALIB_CITUS_CACHE" 2>/dev/null || [ ! -w "$CALIB_CITUS_CACHE" ]; then
	CALIB_CITUS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/calib-citus
fi
CITUS_PACKAGES=(libzstd-dev liblz4-dev libkrb5-dev libssl-dev libselinux1-dev
	libxslt1-dev libpam0g-dev libreadline-dev)

citus_tarball() {
	local f
	for f in "${CALIB_CITUS_TARBALL:-}" \
		"$CALIB_ROOT/../shared/citus/citus-$CITUS_VERSION.tar.xz" \
		"$CALIB_ROOT/../../shared/citus/citus-$CITUS_VERSION.tar.xz"; do
		[ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return; }
	done
	return 0
}

citus_build() {
	local tarball sum cache src log
	tarball=$(citus_tarball)
	[ -n "$tarball" ] || { echo "citus: no source tarball" >&2; return 1; }
	sum=$(sha256sum "$tarball" | cut -c1-16)
	cache=$CALIB_CITUS_CACHE/$CITUS_VERSION-$sum
	if [ ! -f "$cache/done" ]; then
		calib_deps "${CITUS_PACKAGES[@]}"
		echo "== building Citus $CITUS_VERSION (once; cached in $cache)"
		rm -rf "$cache"
		mkdir -p "$cache"
		src=$cache/src
		mkdir -p "$src"
		tar -xJf "$tarball" -C "$src" --strip-components=1
		# Debian's PostgreSQL 15.20 headers declare have_createdb_privilege()
		# (commands/dbcommands.h); Citus's compat header defines a static copy
		# for PostgreSQL < 16: "static declaration follows non-static
		# declaration".  Drop the copy; the server provides the function.
		python3 - "$src/src/include/pg_version_compat.h" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
new, n = re.subn(r'static inline bool\s*\nhave_createdb_privilege\(void\)\s*\{.*?\n\}\n',
                 '#include "commands/dbcommands.h"\n', s, count=1, flags=re.S)
if n != 1:
    sys.exit('citus: the have_createdb_privilege fix no longer applies to ' + p)
open(p, 'w').write(new)
PY
		log=$cache/build.log
		(cd "$src" && ./configure --without-libcurl PG_CONFIG=/usr/bin/pg_config &&
			make -j"$(nproc)" && make install DESTDIR="$cache/root") >"$log" 2>&1 ||
			{ tail -40 "$log"; echo "citus: build failed (log: $log)" >&2; return 1; }
		rm -rf "$src"
		touch "$cache/done"
	fi
	# Into the private tree: the module and the extension's scripts.
	cp -a "$cache/root/usr/lib/postgresql/$PG_MAJOR/lib/." "$CALIB_TMP/pgroot/usr/lib/postgresql/$PG_MAJOR/lib/"
	cp -a "$cache/root/usr/share/postgresql/$PG_MAJOR/extension/." "$CALIB_TMP/pgroot/usr/share/postgresql/$PG_MAJOR/extension/"
}

# citus_cluster PREFIX [extra postgresql.conf lines]
citus_cluster() {
	local p=$1 conf=${2:-} n port_var
	for n in coord w1 w2; do
		rm -rf "${CALIB_TMP:?}/${p}_$n"
		calib_start "${p}_$n" "shared_preload_libraries = 'citus'
max_connections = 100
$conf"
		calib_psql "${p}_$n" -c "CREATE EXTENSION citus" -c "CREATE EXTENSION calib"
	done
	port_var=PORT_${p}_coord
	calib_psql "${p}_coord" -c "SELECT citus_set_coordinator_host('127.0.0.1', ${!port_var})" >/dev/null
	for n in w1 w2; do
		port_var=PORT_${p}_$n
		calib_psql "${p}_coord" -c "SELECT citus_add_node('127.0.0.1', ${!port_var})" >/dev/null
	done
}

# citus_shipped PREFIX QUERY: the bytes of data the coordinator reads from
# the workers for QUERY: every task query of the plan (citus.explain_all_tasks)
# run on its node as COPY ... TO STDOUT (FORMAT binary), counting the bytes
# of the values (what Citus's EXPLAIN ANALYZE reports as "Tuple data
# received from nodes"; Citus 13 cannot EXPLAIN ANALYZE a worker_partial_agg
# task: 'column "field_1" has pseudo-type cstring').  Prints bytes and rows.
CITUS_COPY_BYTES='
import struct, sys
d = sys.stdin.buffer.read()
p = total = rows = 0
while p < len(d):                       # one COPY stream per task
    p += 11 + 4
    p += 4 + struct.unpack(">i", d[p:p + 4])[0]
    while True:
        (nf,) = struct.unpack(">h", d[p:p + 2]); p += 2
        if nf == -1:
            break
        rows += 1
        for _ in range(nf):
            (n,) = struct.unpack(">i", d[p:p + 4]); p += 4
            if n > 0:
                total += n; p += n
print(total, rows)
'
citus_shipped() {
	local p=$1 sql=$2 plan
	plan=$(calib_psql "${p}_coord" -At -c "SET citus.explain_all_tasks = on" \
		-c "EXPLAIN (VERBOSE, COSTS OFF) $sql") || return 1
	awk '/ Query: /{ sub(/^.* Query: /, ""); q = $0 }
	     / Node: host=/{ match($0, /port=[0-9]+/); print q; print substr($0, RSTART + 5, RLENGTH - 5) }' <<<"$plan" |
	while IFS= read -r query && IFS= read -r port; do
		psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
			-c "COPY ($query) TO STDOUT (FORMAT binary)" || exit 1
	done | python3 -c "$CITUS_COPY_BYTES"
}
