#!/usr/bin/env bash
# test/demo.sh -- the demo: builds calib, starts a throwaway cluster, loads
# the bundled generated sample responses and prints a calibration report.
source "$(dirname "$0")/lib.sh"

calib_deps_demo     # only what the demo needs: build tools and the server
calib_build
calib_start demo
cd "$CALIB_ROOT"
calib_psql demo -c "CREATE EXTENSION calib" >/dev/null
for f in test/data/sample_*.sql; do calib_psql demo -f "$f" >/dev/null; done
calib_psql demo -f test/data/demo_report.sql

# The picture in README.md: atlas-1's reliability diagram in law, drawn by
# calib.reliability_svg from the sample data (deterministic: seeded data).
mkdir -p docs/img
calib_psql demo -At -c "SELECT calib.reliability_svg(calib.summary(confidence, correct), 10,
                               'atlas-1, law (sample data)')
                        FROM calib_demo.responses WHERE model = 'atlas-1' AND domain = 'law'" \
	> docs/img/reliability.svg
echo "== wrote docs/img/reliability.svg"
