#!/usr/bin/env bash
# test/suites/package.sh -- the release packaging, as users install it.
#
#   META.json    validates (PGXN meta-spec 1.0.0, same version everywhere:
#                test/tools/check_meta.py), and a broken copy is refused
#   make dist    builds calib-<version>.tar.gz from git (the work tree's
#                tracked files, committed or not)
#   .deb         the tarball unpacked, debian/control made for this system's
#                PostgreSQL, `dpkg-buildpackage -b` builds postgresql-NN-calib
#                (per major in build-NN/ by dh --with pgxs), dpkg installs it
#                into the system PostgreSQL, a cluster made by pg_createcluster
#                and started by pg_ctlcluster runs CREATE EXTENSION calib and
#                `make installcheck` (pg_regress) against the packaged files;
#                with CALIB_AUTOPKGTEST=1 also the autopkgtest command
#                (debian/tests/installcheck, `pg_buildext installcheck`) on
#                its own pg_virtualenv cluster.  The package and the cluster
#                are removed on exit.
#
# It installs a package into the system, so it holds a lock for the time the
# package is installed, and refuses to run if postgresql-NN-calib is already
# installed (it would replace someone's calib).
source "$(dirname "$0")/../lib.sh"
calib_deps
cd "$CALIB_ROOT"
status=0
fail() { echo "package: $*"; status=1; }
work=$(mktemp -d /tmp/calib-package.XXXXXX)
chmod 755 "$work"
pkg=postgresql-$PG_MAJOR-calib
cluster=calibpkg$$
installed=
cleanup() {
	if [ -n "$installed" ]; then
		pg_dropcluster --stop "$PG_MAJOR" "$cluster" >/dev/null 2>&1 || true
		dpkg --purge "$pkg" >/dev/null 2>&1 || echo "package: could not remove $pkg"
	fi
	[ -n "${CALIB_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ---- META.json ------------------------------------------------------------
/usr/bin/python3 test/tools/check_meta.py . || status=1
mkdir -p "$work/badmeta"
cp META.json calib.control "$work/badmeta/"; mkdir -p "$work/badmeta/debian"; cp debian/changelog "$work/badmeta/debian/"
sed -i 's/"PostgreSQL": "15.0.0"/"PostgreSQL": "fifteen"/; s/"abstract": "Calibration metrics for model confidence as PostgreSQL aggregates",//' "$work/badmeta/META.json"
if /usr/bin/python3 test/tools/check_meta.py "$work/badmeta" >/dev/null; then
	fail "the META.json check accepts a META.json without abstract and with a bad PostgreSQL version"
fi

# ---- make dist ------------------------------------------------------------
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" calib.control)
ref=$(git stash create 2>/dev/null || true)     # the work tree's tracked files
make -s dist DIST_REF="${ref:-HEAD}" >/dev/null
tarball=dist/calib-$version.tar.gz
[ -f "$tarball" ] || { fail "make dist made no $tarball"; exit 1; }
tar -C "$work" -xzf "$tarball"
src=$work/calib-$version
for f in Makefile calib.control META.json sql/calib--0.1.0.sql sql/parts/00_header.sql debian/rules test/sql expected; do
	[ -e "$src/$f" ] || fail "$tarball has no $f"
done
echo "package: make dist: $tarball, $(tar -tzf "$tarball" | grep -vc '/$') files"

# ---- the Debian package -----------------------------------------------------
t0=$SECONDS
(cd "$src" && PG_UPDATECONTROL=yes pg_buildext updatecontrol >/dev/null \
	&& DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) > "$work/build.log" 2>&1 \
	|| { tail -30 "$work/build.log"; fail "dpkg-buildpackage failed"; exit 1; }
deb=$(ls "$work"/"${pkg}"_"$version"-*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { ls "$work"; fail "no ${pkg}_$version-*.deb built"; exit 1; }
contents=$(dpkg-deb -c "$deb")   # (not piped into grep -q: pipefail and SIGPIPE)
echo "package: built $(basename "$deb") in $((SECONDS - t0)) s: $(grep -c 'calib' <<<"$contents") calib files"
grep -q "/usr/lib/postgresql/$PG_MAJOR/lib/calib.so\$" <<<"$contents" || fail "the .deb has no calib.so"
grep -q "/usr/share/postgresql/$PG_MAJOR/extension/calib--$version.sql\$" <<<"$contents" || fail "the .deb has no calib--$version.sql"

exec 8>/var/lock/calib-package.lock; flock 8   # one package test at a time on this system
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
	fail "$pkg is already installed on this system; not replacing it"; exit 1
fi
installed=1
dpkg -i "$deb" >/dev/null || { fail "dpkg -i failed"; exit 1; }
port=$(calib_free_port)
pg_createcluster "$PG_MAJOR" "$cluster" -p "$port" --start -- --auth=trust >/dev/null \
	|| { fail "pg_createcluster failed"; exit 1; }
chown -R postgres: "$src"
sys_psql() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$port" "$@"; }
sys_psql -d postgres -c "CREATE DATABASE pkgtest" -d postgres >/dev/null
v=$(sys_psql -d pkgtest -Atc "CREATE EXTENSION calib; SELECT extversion FROM pg_extension WHERE extname = 'calib'")
[ "$v" = "$version" ] && echo "package: CREATE EXTENSION calib from $pkg: version $v" || fail "CREATE EXTENSION calib gave version '$v'"
n=$(sys_psql -d pkgtest -Atc "SELECT calib.n(calib.summary(c, c > 0.5)) FROM generate_series(0, 10) g, LATERAL (SELECT g / 10.0 AS c) q")
[ "$n" = 11 ] || fail "calib.summary on the packaged install counted '$n' rows, not 11"
echo "package: make installcheck against the packaged install ($PG_MAJOR/$cluster, port $port)"
runuser -u postgres -- make -C "$src" -s installcheck PG_CONFIG="$PG_CONFIG" PGHOST=/var/run/postgresql PGPORT="$port" \
	|| { [ -f "$src/regression.diffs" ] && head -60 "$src/regression.diffs"; fail "make installcheck against the packaged install failed"; }

# The autopkgtest repeats the same pg_regress run on a pg_virtualenv cluster
# (two more minutes): with CALIB_AUTOPKGTEST=1.
if [ -n "${CALIB_AUTOPKGTEST:-}" ]; then
	echo "package: the autopkgtest, debian/tests/installcheck (pg_buildext installcheck)"
	(cd "$src" && rm -rf results regression.* && debian/tests/installcheck) > "$work/autopkgtest.log" 2>&1 \
		|| { tail -30 "$work/autopkgtest.log"; fail "pg_buildext installcheck failed"; }
	grep -E "tests passed|tests failed" "$work/autopkgtest.log" | sed 's/^/package: autopkgtest: /'
fi

[ $status = 0 ] && echo "package: $pkg $version builds, installs, passes pg_regress; META.json valid"
exit $status
