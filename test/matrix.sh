#!/usr/bin/env bash
# test/matrix.sh -- calib on another Debian release and PostgreSQL major, in
# a chroot.  Called by test/run.sh once per row of its version matrix:
#
#   bash test/matrix.sh SUITE [demo]     e.g. trixie (PostgreSQL 17), forky (18)
#
# The chroot is Debian's own: `debootstrap --variant=minbase SUITE` from
# Debian's archive, with the release's postgresql-NN, postgresql-server-dev-NN
# and postgresql-NN-pgtap.  The base tree is cached under
# $CALIB_CHROOT_CACHE/SUITE (default /var/cache/calib-chroots), with the .debs
# the tests install already downloaded; it is made again when it is missing,
# incomplete or broken (no stamp, or `chroot ... true` fails), and it is never
# written to by a test run: each run mounts an overlay over it, so every run
# starts from the same minbase system, and nothing it installs or builds
# survives the run.  Inside:
#
#   demo (with the 2nd argument)  README's demo command, `bash test/demo.sh`,
#                                 exactly as a user runs it on a fresh system:
#                                 it installs what it needs with apt itself
#   tests                         `bash test/run.sh regress tap suites` with
#                                 CALIB_SUITES=docs: the -Werror build, a
#                                 throwaway server, pg_regress, pgTAP, docs
#
# Mounts (overlay, /proc, /dev, /dev/pts, /dev/shm) are undone on exit, as are
# the processes left inside; the last lines printed are the counts.
set -euo pipefail

CALIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=${1:?usage: test/matrix.sh SUITE [demo]}
want_demo=${2:-}
cache=${CALIB_CHROOT_CACHE:-/var/cache/calib-chroots}
mirror=${CALIB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=$cache/$suite

[ "$(id -u)" = 0 ] || { echo "matrix: needs root (debootstrap, chroot, mount)"; exit 1; }
command -v debootstrap >/dev/null || {
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}

apt_opts=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0)
in_root() {   # in_root DIR CMD... : run CMD inside the chroot DIR, clean environment
	local dir=$1; shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

# ---- mounts: every one is recorded and undone on exit ---------------------
mounts=()
work=
mount_rec() { mount "$@"; mounts+=("${!#}"); }
inside() {   # the processes whose root is the chroot
	local pid
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$1" ] && echo "$pid"
	done
	return 0
}
cleanup() {
	cleanup_mounts
	[ -z "$work" ] || [ -n "${CALIB_KEEP:-}" ] || grep -q " $work/" /proc/mounts || rm -rf "$work"
}
cleanup_mounts() {   # kill what runs inside the chroots, undo every mount
	local i root pids tries m
	for m in "${mounts[@]}"; do
		[ "$(findmnt -n -o FSTYPE "$m" 2>/dev/null)" = overlay ] || continue
		root=$(readlink -f "$m")
		for tries in 1 2 3 4 5 6 7 8 9 10; do
			pids=$(inside "$root")
			[ -n "$pids" ] || break
			kill -9 $pids 2>/dev/null || true
			sleep 0.5
		done
	done
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		for tries in 1 2 3 4 5; do
			umount "${mounts[i]}" 2>/dev/null && break
			sleep 1
		done
		if grep -q " ${mounts[i]} " /proc/mounts; then
			echo "matrix: ${mounts[i]} is busy; detaching it lazily" >&2
			umount -l "${mounts[i]}" 2>/dev/null || true
		fi
	done
	mounts=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_system() {   # /proc, /dev, /dev/pts and a private /dev/shm under DIR
	local dir=$1
	mount_rec -t proc proc "$dir/proc"
	mount_rec --bind /dev "$dir/dev"
	mount_rec -t devpts -o newinstance,ptmxmode=0666 devpts "$dir/dev/pts"
	mount_rec -t tmpfs -o mode=1777,size=1g shm "$dir/dev/shm"
}

# ---- the cached base ----------------------------------------------------
# Two layers under $base: root/, the minbase system with the packages the
# runs need downloaded (not installed) and package lists as of its making;
# ready/, an overlay upper layer over root/ with those packages installed
# (the tests run on it; the demo runs on root/ alone, to install them itself).
# The packages (test/lib.sh's groups "demo" and "tests") for the release's
# PostgreSQL major:
base_packages() {
	cp "$CALIB_ROOT/test/lib.sh" "$1/tmp/calib-lib.sh"
	in_root "$1" bash -c "CALIB_PG_MAJOR=$2 source /tmp/calib-lib.sh && calib_packages demo tests"
	rm -f "$1/tmp/calib-lib.sh"
}

base_ok() {
	[ -f "$base/stamp" ] && [ -x "$base/root/bin/true" ] && in_root "$base/root" /bin/true 2>/dev/null
}

dpkg_setup() {   # faster, smaller installs: no fsync, no documentation
	mkdir -p "$1/etc/dpkg/dpkg.cfg.d"
	cat > "$1/etc/dpkg/dpkg.cfg.d/90calib" <<-'EOF'
	force-unsafe-io
	path-exclude=/usr/share/doc/*
	path-exclude=/usr/share/man/*
	path-exclude=/usr/share/locale/*
	EOF
}

make_base() {
	local t0=$SECONDS tmp=$base/root.new script=() major pkgs
	echo "matrix: making the $suite chroot in $base (debootstrap --variant=minbase from $mirror)"
	mkdir -p "$base"
	if grep -q " $base/" /proc/mounts; then echo "matrix: $base has mounts left; not touching it"; return 1; fi
	rm -rf "$tmp" "$base/root" "$base/stamp" "$base/ready" "$base/ready.key"
	# Debian 12's debootstrap has no script for forky (testing): sid's fits.
	[ -e "/usr/share/debootstrap/scripts/$suite" ] || script=(/usr/share/debootstrap/scripts/sid)
	debootstrap --variant=minbase "$suite" "$tmp" "$mirror" "${script[@]}" > "$base/debootstrap.log" 2>&1 \
		|| { tail -20 "$base/debootstrap.log"; return 1; }
	cat > "$tmp/etc/apt/apt.conf.d/90calib" <<-'EOF'
	// testing's Release may be past its Valid-Until date
	Acquire::Check-Valid-Until "false";
	APT::Install-Recommends "false";
	EOF
	dpkg_setup "$tmp"
	# No services start in the chroot, and installing postgresql-NN creates no
	# cluster: the tests make their own throwaway ones.
	printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"; chmod 755 "$tmp/usr/sbin/policy-rc.d"
	mkdir -p "$tmp/etc/postgresql-common/createcluster.d"
	echo "create_main_cluster = false" > "$tmp/etc/postgresql-common/createcluster.d/90calib.conf"
	in_root "$tmp" apt-get "${apt_opts[@]}" update -qq
	major=$(in_root "$tmp" apt-cache show --no-all-versions postgresql | sed -n 's/^Depends:.*postgresql-\([0-9][0-9]*\).*/\1/p' | head -1)
	[ -n "$major" ] || { echo "matrix: $suite offers no postgresql package"; return 1; }
	pkgs=$(base_packages "$tmp" "$major")
	# Download, do not install: the demo installs them itself from this cache.
	in_root "$tmp" apt-get "${apt_opts[@]}" install -y -qq --download-only $pkgs >/dev/null
	mv "$tmp" "$base/root"
	echo "$major" > "$base/stamp"
	echo "matrix: $suite chroot ready (PostgreSQL $major, $(du -sh "$base/root" | cut -f1)) in $((SECONDS - t0)) s"
}

make_ready() {   # the layer with the packages installed, when its list changed
	local t0=$SECONDS pkgs key new=$base/ready.new
	pkgs=$(base_packages "$base/root" "$major")
	key="$pkgs${want_demo:+ (demo proven)}"
	[ "$(cat "$base/ready.key" 2>/dev/null)" != "$key" ] || [ ! -d "$base/ready" ] || return 0
	echo "matrix: making the $suite chroot's ready layer: $key"
	rm -rf "$new" "$base/ready" "$base/ready.key" "$base/ready.work"
	mkdir -p "$new" "$base/ready.work" "$base/ready.mnt"
	mount_rec -t overlay overlay -o "lowerdir=$base/root,upperdir=$new,workdir=$base/ready.work" "$base/ready.mnt"
	mount_system "$base/ready.mnt"
	dpkg_setup "$base/ready.mnt"
	cp /etc/resolv.conf "$base/ready.mnt/etc/resolv.conf" 2>/dev/null || true
	local st=0
	# README's demo command first, on the bare minbase system: it must install
	# everything it needs itself (the proof is redone whenever the package
	# lists change); then what the tests need besides.
	copy_source "$base/ready.mnt"
	if [ -n "$want_demo" ]; then
		echo "matrix: README's demo command on the bare $suite system, installing what it needs"
		in_root "$base/ready.mnt" bash -c 'cd /build/calib && bash test/demo.sh' > "$base/ready.demo.log" 2>&1 || st=$?
		if [ $st = 0 ] && grep -q '^== wrote docs/img/reliability.svg' "$base/ready.demo.log"; then
			echo "matrix: $suite demo on the bare system ok: $(grep -m1 '^== installing' "$base/ready.demo.log" | cut -c1-120)"
		else
			tail -30 "$base/ready.demo.log"; echo "matrix: README's demo command FAILED on the bare $suite system"; st=1
		fi
	fi
	rm -rf "$base/ready.mnt/build"
	[ $st != 0 ] || in_root "$base/ready.mnt" apt-get "${apt_opts[@]}" install -y -qq $pkgs > "$base/ready.log" 2>&1 || st=$?
	cleanup_mounts
	rm -rf "$base/ready.work" "$base/ready.mnt"
	[ $st = 0 ] || { tail -20 "$base/ready.log" 2>/dev/null; rm -rf "$new"; return 1; }
	mv "$new" "$base/ready"
	echo "$key" > "$base/ready.key"
	echo "matrix: $suite ready layer made in $((SECONDS - t0)) s"
}

# ---- a run: an overlay over the base ------------------------------------
work=$(mktemp -d /tmp/calib-chroot.XXXXXX)
run_root() {   # run_root NAME LOWERDIRS: a fresh overlay at $work/NAME
	mkdir -p "$work/$1.upper" "$work/$1.ovl" "$work/$1"
	mount_rec -t overlay overlay -o "lowerdir=$2,upperdir=$work/$1.upper,workdir=$work/$1.ovl" "$work/$1"
	mount_system "$work/$1"
	cp /etc/resolv.conf "$work/$1/etc/resolv.conf" 2>/dev/null || true
	dpkg_setup "$work/$1"
	copy_source "$work/$1"
}
copy_source() {   # the source tree as it is in the work tree (tracked and new
	# files, not the build products of the host's PostgreSQL) into DIR/build/calib
	mkdir -p "$1/build/calib"
	if git -C "$CALIB_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$CALIB_ROOT" && git ls-files -co --exclude-standard -z \
			| tar --null -T - --ignore-failed-read -cf - 2>/dev/null)
	else
		tar -C "$CALIB_ROOT" --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude='*.bin' \
			--exclude=results --exclude=src/.build-flags -cf - .
	fi | tar -C "$1/build/calib" -xf -
}

exec 9>"$cache.$suite.lock" 2>/dev/null || { mkdir -p "$cache"; exec 9>"$cache.$suite.lock"; }
flock 9   # one run at a time makes or checks a base
if ! base_ok; then make_base; fi
major=$(cat "$base/stamp")
make_ready
flock -u 9
flock -s 9   # shared while a run uses it: a run elsewhere may not remake it meanwhile

status=0
echo "== matrix $suite: PostgreSQL $major, -Werror build, pg_regress, pgTAP, docs"
t0=$SECONDS
run_root tests "$base/ready:$base/root"
set +e
in_root "$work/tests" bash -c 'cd /build/calib && CALIB_WERROR=1 CALIB_DEPS_GROUPS="demo tests" \
	CALIB_MATRIX=0 CALIB_SUITES=docs bash test/run.sh regress tap suites' > "$work/tests.log" 2>&1
st=$?
set -e
# The counts: the server's version, pg_regress's, pg_prove's and docs' lines.
grep -E '^(ok: |FAILED: |calib: )|tests passed|tests? failed|^All tests successful|^Files=|^Result:|^docs: ' "$work/tests.log" \
	| sed "s/^/  [$suite] /"
if [ $st != 0 ]; then
	echo "--- the $suite run's first errors and last lines:"
	grep -m 20 -E 'error:|ERROR' "$work/tests.log" || true
	tail -40 "$work/tests.log"; status=1
fi
echo "matrix $suite: tests $([ $st = 0 ] && echo ok || echo FAILED) in $((SECONDS - t0)) s"

if [ -n "$want_demo" ]; then
	# README's demo command again, on this run's source (the packages it
	# installed itself when the ready layer was made are there; the build is
	# the tests' -Werror one).
	echo "== matrix $suite: README's demo command, bash test/demo.sh"
	t0=$SECONDS
	if in_root "$work/tests" bash -c 'cd /build/calib && CALIB_WERROR=1 bash test/demo.sh' > "$work/demo.log" 2>&1 \
		&& grep -q 'atlas-1' "$work/demo.log" && grep -q '^== wrote docs/img/reliability.svg' "$work/demo.log"; then
		echo "matrix $suite: demo ok: a report of $(grep -c '' "$work/demo.log") lines, in $((SECONDS - t0)) s"
	else
		grep -m 20 -E 'error|ERROR' "$work/demo.log" || true
		tail -30 "$work/demo.log"; echo "matrix $suite: demo FAILED"; status=1
	fi
fi
exit $status
