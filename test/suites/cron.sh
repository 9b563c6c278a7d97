#!/usr/bin/env bash
# test/suites/cron.sh -- pg_cron drives calib: a cluster with pg_cron
# preloaded, a job scheduled every minute, and proof that it ran.
#
# How pg_cron 1.4 reaches the server: its launcher opens an ordinary libpq
# connection per job to host=cron.host (default 'localhost'), port = the
# server's own `port`, database = cron.database_name, as the job's user.
# Our clusters listen only on 127.0.0.1 and put their socket in a private
# directory, so 'localhost' would depend on /etc/hosts resolving to IPv4
# first; we name the address explicitly.  pg_hba is 'trust' (initdb -A
# trust), so no password is needed.  (cron.use_background_workers = on would
# avoid libpq altogether; the default is what most installations run.)
source "$(dirname "$0")/../lib.sh"

calib_deps
[ -n "${PGBIN:-}" ] || calib_build
calib_start cron "shared_preload_libraries = 'pg_cron'
cron.database_name = 'calib_cron'
cron.host = '127.0.0.1'"
cd "$CALIB_ROOT"

fail() { echo "cron suite: $*" >&2; exit 1; }
q() { calib_psql cron -d calib_cron -At "$@"; }

calib_psql cron -c "CREATE DATABASE calib_cron"
q -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION calib"
q -f test/data/sample_responses.sql >/dev/null
# The nightly audit of the docs, scheduled every minute instead of at 03:00.
q >/dev/null <<'SQL'
SELECT calib.define_audit('nightly', 'calib_demo.responses', 'confidence', 'correct', '{model}');
SELECT cron.schedule('calib-nightly', '* * * * *', $$SELECT calib.run_audit('nightly')$$);
SQL

# pg_cron starts jobs at the top of each minute: wait at most ~75 s.
deadline=$((SECONDS + 75))
while :; do
	done_runs=$(q -c "SELECT count(*) FROM cron.job_run_details WHERE status = 'succeeded'")
	[ "$done_runs" -ge 1 ] && break
	failed=$(q -c "SELECT string_agg(return_message, '; ') FROM cron.job_run_details WHERE status = 'failed'")
	[ -z "$failed" ] || fail "job failed: $failed"
	[ $SECONDS -lt $deadline ] || { tail -20 "$CALIB_TMP/cron/server.log" >&2; fail "no run within 75 s"; }
	sleep 2
done
q -c "SELECT jobid, status, return_message, end_time - start_time AS took FROM cron.job_run_details"
q -c "SELECT cron.unschedule('calib-nightly')" >/dev/null    # one run is all the checks below expect

# The run appended one summary per model, holding every row of that model.
ok=$(q -c "SELECT count(*) = 2
                  AND count(DISTINCT run_id) = 1
                  AND bool_and(calib.n(h.summary) = (SELECT count(*) FROM calib_demo.responses r
                                                     WHERE r.model = h.labels->>'model'))
                  AND sum(calib.n(h.summary)) = 20000
           FROM calib.audit_history h WHERE audit = 'nightly'")
[ "$ok" = t ] || fail "history after the cron run is wrong: $(q -c 'SELECT run_id, labels, calib.n(summary) FROM calib.audit_history')"

# The history is configuration data of the extension: pg_dump keeps it, and
# a restore (CREATE EXTENSION, then the rows) gives the same history and a
# sequence that continues after the last run.
dump=$CALIB_TMP/cron/dump.sql
"$PGBIN/pg_dump" -h 127.0.0.1 -p "$PORT_cron" -U postgres -d calib_cron --extension=calib > "$dump"
grep -q '^COPY calib.audit_history ' "$dump" || fail "pg_dump does not dump calib.audit_history"
calib_psql cron -c "CREATE DATABASE calib_restored"
calib_psql cron -d calib_restored -f "$dump" >/dev/null
same=$(calib_psql cron -d calib_restored -At -c "
    SELECT (SELECT array_agg((run_id, labels, calib.n(summary), calib.ece(summary)) ORDER BY labels::text)
            FROM calib.audit_history)::text
           || ' next run ' || (calib.run_audit('nightly') > (SELECT min(run_id) FROM calib.audit_history))")
orig=$(q -c "SELECT (SELECT array_agg((run_id, labels, calib.n(summary), calib.ece(summary)) ORDER BY labels::text)
             FROM calib.audit_history WHERE run_id = (SELECT min(run_id) FROM calib.audit_history))::text || ' next run true'")
[ "$same" = "$orig" ] || fail "restored history differs: $same vs $orig"
echo "cron suite: ok"
