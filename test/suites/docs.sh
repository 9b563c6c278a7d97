#!/usr/bin/env bash
# test/suites/docs.sh -- every SQL example in README.md and docs/*.md runs.
#
# Each Markdown file gets a fresh database with calib and the bundled sample
# data (test/data/sample_*.sql, the tables the examples query), and its
# ```sql blocks run in order in one session (test/tools/docs_sql.py), so a
# block may use what an earlier block of the same file created.  Any ERROR
# fails the suite and names the block.  Blocks that need what a test cannot
# provide are marked in the Markdown with `<!-- docs-check: skip: why -->`.
source "$(dirname "$0")/../lib.sh"
calib_deps
[ -n "${PGBIN:-}" ] || calib_build >/dev/null
calib_start docs
cd "$CALIB_ROOT"
work=$CALIB_TMP/docs
mkdir -p "$work"
status=0 blocks=0 skipped=0
for f in README.md docs/*.md; do
	grep -q '^ *```sql' "$f" || continue
	db=doc_$(basename "$f" .md | tr 'A-Z-' 'a-z_')
	calib_psql docs -c "CREATE DATABASE $db" >/dev/null
	calib_psql docs -d "$db" -c "CREATE EXTENSION calib" >/dev/null
	for d in test/data/sample_*.sql; do calib_psql docs -d "$db" -f "$d" >/dev/null 2>&1; done
	/usr/bin/python3 test/tools/docs_sql.py "$f" > "$work/$db.sql"
	calib_psql docs -d "$db" -v ON_ERROR_STOP=0 -f "$work/$db.sql" > "$work/$db.out" 2>&1 || true
	blocks=$((blocks + $(grep -c '^block: ' "$work/$db.out" || true)))
	skipped=$((skipped + $(grep -c '^skipped: ' "$work/$db.out" || true)))
	if grep -q 'ERROR' "$work/$db.out"; then
		status=1
		awk '/^block: /{b=$0} /ERROR/{print "docs: " b ": " $0}' "$work/$db.out"
	fi
done
echo "docs: $blocks SQL examples ran, $skipped skipped (marked in the Markdown)"
exit $status
