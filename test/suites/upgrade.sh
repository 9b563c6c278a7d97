#!/usr/bin/env bash
# test/suites/upgrade.sh -- extension versions and upgrade paths.
#
# For every version that has a full install script (sql/calib--V.sql,
# frozen when V was released; the current one is built from sql/parts/), it
# installs calib at V, runs ALTER EXTENSION calib UPDATE and checks that
# the result is exactly a fresh install of the default version (every member
# object and its definition: test/upgrade_fingerprint.sql).  It checks that
# every available version has an update path to the default one, that
# ALTER EXTENSION calib UPDATE at the default version is a no-op, and that
# DROP EXTENSION leaves no object behind.  With a single version (0.1.0 until
# the first release) only the last three checks have something to do.
# The release procedure is in docs/security.md ("Versions and upgrades").
source "$(dirname "$0")/../lib.sh"
calib_deps
calib_build
calib_start upgrade
cd "$CALIB_ROOT"
status=0
fail() { echo "upgrade: $*"; status=1; }
q() { calib_psql upgrade -d "$1" -Atc "$2"; }

default=$(sed -n "s/^default_version = '\(.*\)'/\1/p" calib.control)
calib_psql upgrade -c "CREATE DATABASE fresh" -c "CREATE DATABASE path"
q fresh "CREATE EXTENSION calib"
[ "$(q fresh "SELECT extversion FROM pg_extension WHERE extname = 'calib'")" = "$default" ] \
	|| fail "fresh install is not at the default version $default"
want=$(calib_psql upgrade -d fresh -At -f test/upgrade_fingerprint.sql)
echo "upgrade: default version $default, $(wc -l <<<"$want") member objects"

# Every available version can reach the default one.
unreachable=$(q fresh "SELECT string_agg(version, ', ') FROM pg_available_extension_versions
	WHERE name = 'calib' AND version <> '$default'
	  AND NOT EXISTS (SELECT 1 FROM pg_extension_update_paths('calib')
	                  WHERE source = version AND target = '$default' AND path IS NOT NULL)")
[ -z "$unreachable" ] || fail "no update path to $default from: $unreachable"

# Install each version with a full script, update, compare with fresh.
versions=$(q fresh "SELECT string_agg(version, ' ' ORDER BY version) FROM pg_available_extension_versions WHERE name = 'calib'")
for v in $versions; do
	q path "DROP EXTENSION IF EXISTS calib CASCADE" >/dev/null 2>&1
	if ! q path "CREATE EXTENSION calib VERSION '$v'" >/dev/null 2>&1; then
		echo "upgrade: $v has no full install script (reached only through updates)"; continue
	fi
	# maps stored by the old version read back identically (text and binary):
	# 0.2.0 added the map kind vector_temperature without changing the others
	q path "CREATE TABLE stored_maps AS
		SELECT m::calib.map AS m, m AS literal FROM unnest(ARRAY['v1:temperature(1.5)', 'v1:platt(1.2,-0.3)',
			'v1:histogram(0.1,0.3333333333333333,1)', 'v1:isotonic(0:0,0.5:0.25,1:1)']) m;
		CREATE TABLE stored_maps_bin AS SELECT literal, calib._map_send(m) AS b, m::text AS t FROM stored_maps" >/dev/null 2>&1
	q path "ALTER EXTENSION calib UPDATE" >/dev/null 2>&1
	maps_ok=$(q path "SELECT count(*) = 4 AND bool_and(s.m::text = b.t AND calib._map_send(s.m) = b.b
		AND calib.apply(s.m, 0.3::float8) IS NOT NULL) FROM stored_maps s JOIN stored_maps_bin b USING (literal)")
	[ "$maps_ok" = t ] && echo "upgrade: maps stored by $v read back identically after the update" \
		|| fail "maps stored by $v read back differently after the update"
	q path "DROP TABLE stored_maps, stored_maps_bin" >/dev/null
	got=$(calib_psql upgrade -d path -At -f test/upgrade_fingerprint.sql)
	if [ "$got" = "$want" ]; then echo "upgrade: $v -> $default equals a fresh install"
	else fail "$v -> $default differs from a fresh install:"; diff <(echo "$want") <(echo "$got") | head -20; fi
done

# Summaries and maps stored under each older version (table column, text,
# binary send/recv through COPY) read back after the update and give the
# same metrics (test/upgrade/stored_*.sql).
work=$CALIB_TMP/upgrade_stored
mkdir -p "$work"
for v in $versions; do
	[ "$v" != "$default" ] || continue
	db=stored_$(tr -c 'a-z0-9\n' _ <<<"$v")
	calib_psql upgrade -c "CREATE DATABASE $db" >/dev/null
	q "$db" "CREATE EXTENSION calib VERSION '$v'" >/dev/null 2>&1 || continue
	calib_psql upgrade -d "$db" -f test/upgrade/stored_before.sql >/dev/null || { fail "stored_before.sql failed under $v"; continue; }
	calib_psql upgrade -d "$db" \
		-c "\copy (SELECT g, s FROM upg_summary) TO '$work/$db.summary.bin' WITH (FORMAT binary)" \
		-c "\copy (SELECT g, k, m FROM upg_map) TO '$work/$db.map.bin' WITH (FORMAT binary)"
	q "$db" "ALTER EXTENSION calib UPDATE" >/dev/null
	calib_psql upgrade -d "$db" \
		-c "CREATE TABLE upg_summary_bin (g integer, s calib.summary)" \
		-c "CREATE TABLE upg_map_bin (g integer, k text, m calib.map)" \
		-c "\copy upg_summary_bin FROM '$work/$db.summary.bin' WITH (FORMAT binary)" \
		-c "\copy upg_map_bin FROM '$work/$db.map.bin' WITH (FORMAT binary)"
	out=$(calib_psql upgrade -d "$db" -At -f test/upgrade/stored_after.sql 2>&1) || true
	echo "upgrade: values stored under $v, read after the update: $(head -1 <<<"$out")"
	n=$(sed -n 's/^compared \([0-9]*\) values in 5 forms.*missing 0$/\1/p' <<<"$out")
	[ -n "$n" ] && [ "$n" -ge 2000 ] || fail "stored values under $v: expected >= 2000 values compared in 5 forms, none missing"
	if grep -q -v '^compared ' <<<"$out"; then
		fail "values stored under $v read back differently after the update:"; grep -v '^compared ' <<<"$out" | head -20
	fi
done

# Updating to the version already installed changes nothing.
before=$(calib_psql upgrade -d fresh -At -f test/upgrade_fingerprint.sql)
notice=$(calib_psql upgrade -d fresh -c "ALTER EXTENSION calib UPDATE" 2>&1)
after=$(calib_psql upgrade -d fresh -At -f test/upgrade_fingerprint.sql)
[ "$before" = "$after" ] || fail "ALTER EXTENSION calib UPDATE at $default changed objects"
grep -q "already installed" <<<"$notice" || fail "expected the 'already installed' notice, got: $notice"
[ "$(q fresh "SELECT extversion FROM pg_extension WHERE extname = 'calib'")" = "$default" ] || fail "version changed"

# DROP EXTENSION removes every object (the schema itself stays, as for every
# extension whose control file names a schema); and it installs again.
q fresh "DROP EXTENSION calib" >/dev/null
left=$(q fresh "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'calib'::regnamespace)
	+ (SELECT count(*) FROM pg_type WHERE typnamespace = 'calib'::regnamespace)
	+ (SELECT count(*) FROM pg_class WHERE relnamespace = 'calib'::regnamespace)
	+ (SELECT count(*) FROM pg_operator WHERE oprnamespace = 'calib'::regnamespace)
	+ (SELECT count(*) FROM pg_opclass WHERE opcnamespace = 'calib'::regnamespace)
	+ (SELECT count(*) FROM pg_opfamily WHERE opfnamespace = 'calib'::regnamespace)")
[ "$left" = 0 ] || fail "$left objects survive DROP EXTENSION in schema calib"
q fresh "CREATE EXTENSION calib" >/dev/null || fail "reinstall after DROP failed"

[ $status = 0 ] && echo "upgrade: versions [$versions], every path ends equal to a fresh install; stored summaries and maps read back with the same metrics; same-version update is a no-op"
exit $status
