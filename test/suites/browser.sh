#!/usr/bin/env bash
# test/suites/browser.sh -- the HTML report in a real browser: headless
# Chromium opens calib.audit_report_html() of the sample data, takes a
# screenshot, and the screenshot must show the diagrams (not be blank, and
# carry the colours of the accuracy bars and of the over-confidence gaps).
# Every SVG, in the report and alone, must parse as XML (xmllint).
source "$(dirname "$0")/../lib.sh"

calib_deps
[ -n "${PGBIN:-}" ] || calib_build
calib_start browser
cd "$CALIB_ROOT"

out=$CALIB_TMP/browser-out
mkdir -p "$out"
fail() { echo "browser suite: $*" >&2; exit 1; }
q() { calib_psql browser -At "$@"; }

q -c "CREATE EXTENSION calib" >/dev/null
q -f test/data/sample_responses.sql >/dev/null
q >/dev/null <<'SQL'
SELECT calib.define_audit('nightly', 'calib_demo.responses', 'confidence', 'correct',
                          '{model,domain}', 'created_at', '30 days');
SELECT calib.run_audit('nightly', '2026-09-15 00:00+00');
SQL
q -c "SELECT calib.audit_report_html('nightly')" > "$out/report.html"

# Stand-alone SVGs for the cases the issue names: a title full of markup,
# empty bins (only high confidences), a single bin, all correct.
q -c "SELECT calib.reliability_svg(calib.summary(confidence, correct), 10, '<b>atlas-1</b> & \"law\"')
      FROM calib_demo.responses WHERE model = 'atlas-1' AND domain = 'law'" > "$out/title.svg"
q -c "SELECT calib.reliability_svg(calib.summary(confidence, correct), 20)
      FROM calib_demo.responses WHERE confidence > 0.7" > "$out/empty_bins.svg"
q -c "SELECT calib.reliability_svg(calib.summary(confidence, correct), 1)
      FROM calib_demo.responses" > "$out/one_bin.svg"
q -c "SELECT calib.reliability_svg(calib.summary(confidence, true), 10)
      FROM calib_demo.responses" > "$out/all_correct.svg"

# every <svg> of the report, one file each
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
html = open(out + '/report.html').read()
svgs = re.findall(r'<svg .*?</svg>', html, re.S)
assert len(svgs) == 8, 'expected 8 diagrams in the report, found %d' % len(svgs)
for i, s in enumerate(svgs):
    open('%s/report-%d.svg' % (out, i), 'w').write(s)
PY
for f in "$out"/*.svg; do
	xmllint --noout "$f" || fail "$(basename "$f") is not well-formed XML"
done
grep -q 'class="bin empty"' "$out/empty_bins.svg" || fail "empty bins not drawn as empty"
grep -q '&lt;b&gt;atlas-1&lt;/b&gt; &amp; &quot;law&quot;' "$out/title.svg" || fail "title not escaped"
! grep -q 'class="gap over"' "$out/all_correct.svg" || fail "all-correct summary shows over-confidence"
echo "browser suite: $(ls "$out"/*.svg | wc -l) SVGs parse as XML"

shoot() {   # shoot HTML PNG
	rm -rf "$out/profile"
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-quic --user-data-dir="$out/profile" --hide-scrollbars \
		--window-size=1800,1700 --screenshot="$2" "file://$1" >/dev/null 2>&1 \
		|| fail "chromium failed on $1"
	[ -s "$2" ] || fail "no screenshot of $1"
}

# The checker must be able to fail: a blank page has no coloured pixels.
echo '<!DOCTYPE html><html><body></body></html>' > "$out/blank.html"
shoot "$out/blank.html" "$out/blank.png"
read -r w h nonwhite bars gaps < <(python3 test/tools/pngcheck.py "$out/blank.png" 698db4 e88183)
[ "$nonwhite" -eq 0 ] || fail "blank page has $nonwhite non-white pixels: the checker is broken"

shoot "$out/report.html" "$out/report.png"
# bar blue #4e79a7 at 85% on white is #698db4; over-confident red #e15759 at
# 75% on white is #e88183
read -r w h nonwhite bars gaps < <(python3 test/tools/pngcheck.py "$out/report.png" 698db4 e88183)
echo "browser suite: screenshot ${w}x${h}: $nonwhite non-white pixels, $bars bar pixels, $gaps over-confidence pixels"
[ "$nonwhite" -gt $((w * h / 20)) ] || fail "screenshot nearly blank"
[ "$bars" -gt 20000 ] || fail "no accuracy bars visible"
[ "$gaps" -gt 5000 ] || fail "no over-confidence gaps visible (atlas-1 is over-confident)"
[ -z "${CALIB_BROWSER_KEEP:-}" ] || cp "$out/report.png" "$out/report.html" "$CALIB_BROWSER_KEEP"/
echo "browser suite: ok"
