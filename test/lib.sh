# test/lib.sh -- shared by test/run.sh, test/demo.sh, test/bench/run.sh and
# every suite under test/suites/.  Source it; do not run it.
#
# What it gives you:
#   PG_MAJOR, PG_CONFIG     the PostgreSQL used (CALIB_PG_MAJOR overrides
#                           the one apt offers / is installed)
#   calib_deps [PKG...]     install the Debian packages the project needs
#                           (groups in CALIB_DEPS_GROUPS, default all)
#   calib_deps_demo         only those the demo needs
#   calib_packages GROUP... the package names of groups (see below)
#   calib_build             build calib and install it into a private copy
#                           of PostgreSQL $PG_MAJOR under $CALIB_TMP (no system
#                           files are touched; runs in parallel with others);
#                           with CALIB_WERROR=1 the build adds -Werror
#   calib_start NAME [conf] start a throwaway cluster NAME on 127.0.0.1,
#                           extra postgresql.conf lines as the 2nd argument;
#                           sets PORT_<NAME>; stopped and removed on exit
#   calib_psql NAME ...     psql as the superuser into database postgres
#   as_pg CMD ...           run CMD as the unprivileged cluster owner
#
# PostgreSQL refuses to run as root: as root, clusters run as user postgres.

set -euo pipefail

CALIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sudo_if_needed() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The PostgreSQL major: CALIB_PG_MAJOR if set; else the one the system's
# `postgresql` package depends on (15 on Debian 12, 17 on Debian 13, 18 on
# testing) when it is installed or nothing is; else the newest installed.
calib_pg_offered() {
	apt-cache show --no-all-versions postgresql 2>/dev/null \
		| sed -n 's/^Depends:.*postgresql-\([0-9][0-9]*\).*/\1/p' | head -1
}
calib_pg_major() {
	local offered installed
	if [ -n "${CALIB_PG_MAJOR:-}" ]; then echo "$CALIB_PG_MAJOR"; return; fi
	installed=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null \
		| sed 's|^/usr/lib/postgresql/\([0-9]*\)/.*|\1|' | sort -n | tr '\n' ' ')
	offered=$(calib_pg_offered)
	if [ -z "$offered" ] && [ -z "$installed" ]; then
		# a fresh system without package lists yet
		sudo_if_needed apt-get update -qq >&2 || true
		offered=$(calib_pg_offered)
	fi
	if [ -n "$offered" ] && { [ -z "$installed" ] || [[ " $installed" == *" $offered "* ]]; }; then
		echo "$offered"
	elif [ -n "$installed" ]; then
		echo "${installed% }" | tr ' ' '\n' | tail -1
	else
		echo "calib: cannot tell which PostgreSQL to use: apt offers no postgresql package;" \
			"set CALIB_PG_MAJOR" >&2
		return 1
	fi
}
PG_MAJOR=$(calib_pg_major)
SYS_PGLIB=/usr/lib/postgresql/$PG_MAJOR
SYS_PGSHARE=/usr/share/postgresql/$PG_MAJOR
PG_CONFIG=$SYS_PGLIB/bin/pg_config

# The Debian packages, by what needs them:
#   demo     build calib and run a server: all `bash test/demo.sh` installs
#   tests    pg_regress, pgTAP and the docs suite (what every version runs)
#   suites   the other suites: clang for fuzzing, pg_cron, Chromium, numpy/
#            scipy/scikit-learn for the reference checks, contrib for fdw
#   package  the .deb build (test/suites/package.sh)
#   matrix   the chroots of the version matrix (test/matrix.sh)
calib_clang_rt() {   # libclang-rt-N-dev for the clang that `clang` is here
	local v
	v=$(apt-cache show --no-all-versions clang 2>/dev/null | sed -n 's/^Depends:.*clang-\([0-9][0-9]*\).*/\1/p' | head -1)
	echo "libclang-rt-${v:-14}-dev"
}
calib_packages() {   # calib_packages GROUP... : the package names, one line
	local g out=()
	for g in "$@"; do
		case $g in
		demo) out+=(make gcc libc6-dev postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR) ;;
		tests) out+=(postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl python3) ;;
		suites) out+=(clang "$(calib_clang_rt)" postgresql-$PG_MAJOR-cron postgresql-contrib
			chromium libxml2-utils python3-numpy python3-scipy python3-sklearn) ;;
		package) out+=(git debhelper dpkg-dev fakeroot postgresql-server-dev-all) ;;
		matrix) out+=(debootstrap) ;;
		all) out+=($(calib_packages demo tests suites package matrix)) ;;
		*) echo "calib_packages: unknown group $g" >&2; return 1 ;;
		esac
	done
	echo "${out[@]}"
}
# What calib_deps installs: every group, unless CALIB_DEPS_GROUPS names some
# (the demo installs only "demo"; the chroots of the matrix "demo tests").
CALIB_PACKAGES=($(calib_packages ${CALIB_DEPS_GROUPS:-all}))

calib_install() {   # calib_install PACKAGE... : apt-get install the missing ones
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing: ${missing[*]}"
		sudo_if_needed apt-get update -qq
		sudo_if_needed env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

calib_deps() {   # calib_deps [PACKAGE...] : CALIB_PACKAGES and these
	calib_install "${CALIB_PACKAGES[@]}" "$@"
}

calib_deps_demo() {   # only what the demo needs
	calib_install $(calib_packages demo)
}

# A private PostgreSQL tree: PostgreSQL finds its share and lib directories
# relative to its own binary, so a copy under $CALIB_TMP with the extension
# installed by DESTDIR behaves exactly like the system one.
CALIB_TMP=${CALIB_TMP:-}
# A suite run by test/run.sh inherits CALIB_TMP: it still stops the clusters
# it started itself on exit, but leaves the directory to its parent.
CALIB_OWN_TMP=
CALIB_TRAP=
calib_tmp() {
	if [ -z "$CALIB_TMP" ]; then
		CALIB_TMP=$(mktemp -d /tmp/calib.XXXXXX)
		chmod 755 "$CALIB_TMP"
		CALIB_OWN_TMP=1
	fi
	if [ -z "$CALIB_TRAP" ]; then
		trap calib_cleanup EXIT
		CALIB_TRAP=1
	fi
	export CALIB_TMP
}

calib_build() {
	calib_tmp
	local root=$CALIB_TMP/pgroot
	echo "== building calib"
	make -C "$CALIB_ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" ${CALIB_WERROR:+COPT=-Werror} >/dev/null || return 1
	rm -rf "$root"
	mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
	cp -a "$SYS_PGLIB" "$root/usr/lib/postgresql/" || return 1
	cp -a "$SYS_PGSHARE" "$root/usr/share/postgresql/" || return 1
	make -C "$CALIB_ROOT" -s install PG_CONFIG="$PG_CONFIG" DESTDIR="$root" >/dev/null || return 1
	export PGBIN=$root/usr/lib/postgresql/$PG_MAJOR/bin
}

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

calib_free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
	done
	echo "no free port" >&2; return 1
}

CALIB_CLUSTERS=()
calib_start() {
	local name=$1 conf=${2:-} dir port
	calib_tmp
	dir=$CALIB_TMP/$name
	port=$(calib_free_port)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >> "$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_parallel_workers_per_gather = 2
fsync = off
logging_collector = off
$conf
CONF
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
	CALIB_CLUSTERS+=("$dir")
	printf -v "PORT_$name" '%s' "$port"
	export "PORT_$name"
}

calib_stop() {
	local dir=$CALIB_TMP/$1
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

calib_psql() {
	local name=$1; shift
	local port_var="PORT_$name"
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${!port_var}" -U postgres -d postgres "$@"
}

calib_cleanup() {
	local d
	for d in "${CALIB_CLUSTERS[@]}"; do
		as_pg "$PGBIN/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1 || true
	done
	[ -n "${CALIB_KEEP:-}" ] || [ -z "$CALIB_OWN_TMP" ] || rm -rf "$CALIB_TMP"
}
