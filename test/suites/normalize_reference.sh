#!/usr/bin/env bash
# test/suites/normalize_reference.sh -- calib.normalize_answer against a
# second implementation of its documented rules in Python
# (test/suites/normalize_reference.py), on every code point Python knows and
# 200 000 random strings; and its refusal to run in a non-UTF8 database.
source "$(dirname "$0")/../lib.sh"
calib_deps
[ -n "${PGBIN:-}" ] || calib_build >/dev/null
calib_start normref
cd "$CALIB_ROOT"
work=$CALIB_TMP/normref
mkdir -p "$work"
chmod 777 "$work"

/usr/bin/python3 test/suites/normalize_reference.py inputs "$work/inputs.csv"
calib_psql normref -c "CREATE EXTENSION calib" >/dev/null
calib_psql normref <<SQL >/dev/null
CREATE TABLE cases (id int, input text);
\copy cases FROM '$work/inputs.csv' WITH (FORMAT csv)
\copy (SELECT id, calib.normalize_answer(input) FROM cases ORDER BY id) TO '$work/outputs.csv' WITH (FORMAT csv, FORCE_QUOTE *)
SQL
/usr/bin/python3 test/suites/normalize_reference.py check "$work/inputs.csv" "$work/outputs.csv"

# The rules are defined on Unicode: other database encodings are refused.
calib_psql normref -c "CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
msg=$(calib_psql normref -d latin1 -c "CREATE EXTENSION calib" -c "SELECT calib.normalize_answer('x')" 2>&1 || true)
echo "$msg" | grep -q "requires a UTF8 database, this one is LATIN1" ||
	{ echo "normalize_reference: expected the non-UTF8 error, got: $msg"; exit 1; }
echo "normalize_reference: non-UTF8 database refused"
