#!/usr/bin/env bash
# test/demo.sh -- the demo: builds calib, starts a throwaway cluster, loads
# the bundled generated sample responses and prints a calibration report.
source "$(dirname "$0")/lib.sh"

calib_deps
calib_build
calib_start demo
cd "$CALIB_ROOT"
calib_psql demo -c "CREATE EXTENSION calib" >/dev/null
for f in test/data/sample_*.sql; do calib_psql demo -f "$f" >/dev/null; done
calib_psql demo -f test/data/demo_report.sql
