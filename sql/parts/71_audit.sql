-- Audits: named definitions over a user's table or view, a history of
-- summaries per run and group, baselines, and the drift view.
-- docs/audits.md explains the tests; src/drift.c implements them.
--
-- Everything here runs with the caller's rights (no SECURITY DEFINER): an
-- audit reads only what its caller may read, row-level security included.
-- Functions pin search_path; identifiers reaching dynamic SQL are looked up
-- in the catalogs by OID and quoted with format('%I').

-- What to audit.  source is stored as text (schema-qualified, quoted), not
-- regclass: pg_upgrade refuses reg* columns in user tables.  It is
-- re-resolved and re-checked on every run.
CREATE TABLE calib.audit (
    name        text PRIMARY KEY,
    source      text NOT NULL,
    confidence  text NOT NULL,                  -- column of confidences in [0, 1]
    correct     text NOT NULL,                  -- boolean column
    group_by    text[] NOT NULL DEFAULT '{}',   -- columns; one summary per group
    time_column text,                           -- NULL: every row on every run
    lookback    interval,                       -- rows in [run_at - lookback, run_at)
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (lookback IS NULL OR (time_column IS NOT NULL AND lookback > interval '0'))
);

CREATE SEQUENCE calib.audit_run_seq;

-- One row per run and group.
CREATE TABLE calib.audit_history (
    run_id       bigint NOT NULL,
    audit        text NOT NULL,
    run_at       timestamptz NOT NULL,
    window_start timestamptz,                   -- NULL: unbounded
    window_end   timestamptz,
    labels       jsonb NOT NULL,                -- {"column": value, ...} of the group
    summary      calib.summary NOT NULL
);
CREATE INDEX audit_history_run ON calib.audit_history (run_id);
CREATE INDEX audit_history_latest ON calib.audit_history (audit, labels, run_at DESC, run_id DESC);

-- A stored reference per group: when present, drift compares with it
-- instead of with the previous run.
CREATE TABLE calib.audit_baseline (
    audit   text NOT NULL,
    labels  jsonb NOT NULL,
    summary calib.summary NOT NULL,
    note    text,
    set_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (audit, labels)
);

-- User data, not extension objects: pg_dump keeps their rows.
SELECT pg_catalog.pg_extension_config_dump('calib.audit', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_history', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_baseline', '');
SELECT pg_catalog.pg_extension_config_dump('calib.audit_run_seq', '');

-- The type of a column of rel, or an error naming it (22023 / 42703).
CREATE FUNCTION calib._audit_column(rel regclass, col text, what text)
RETURNS regtype
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t regtype;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION '% column must not be NULL', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.atttypid INTO t
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION '% column % does not exist in %', what, quote_ident(col), rel
            USING ERRCODE = 'undefined_column';
    END IF;
    RETURN t;
END
$$;

-- The checked definition: relation OID and FROM text from the catalogs.
CREATE FUNCTION calib._audit_check(a calib.audit, OUT rel regclass, OUT from_sql text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t regtype;
    g text;
BEGIN
    BEGIN
        rel := to_regclass(a.source);
    EXCEPTION WHEN invalid_name THEN
        -- before PostgreSQL 16, to_regclass raises on a malformed name
        -- instead of returning NULL: the same error on every version
        rel := NULL;
    END;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'audit %: relation % does not exist', quote_literal(a.name), a.source
            USING ERRCODE = 'undefined_table';
    END IF;
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = rel) NOT IN ('r', 'v', 'm', 'p', 'f') THEN
        RAISE EXCEPTION 'audit %: % is not a table or view', quote_literal(a.name), rel
            USING ERRCODE = 'wrong_object_type';
    END IF;
    SELECT format('%I.%I', n.nspname, c.relname) INTO from_sql
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
    t := calib._audit_column(rel, a.confidence, 'confidence');
    IF t NOT IN ('double precision'::regtype, 'real'::regtype, 'numeric'::regtype) THEN
        RAISE EXCEPTION 'confidence column % must be double precision, real or numeric, not %',
            quote_ident(a.confidence), t USING ERRCODE = 'datatype_mismatch';
    END IF;
    t := calib._audit_column(rel, a.correct, 'correct');
    IF t <> 'boolean'::regtype THEN
        RAISE EXCEPTION 'correct column % must be boolean, not %', quote_ident(a.correct), t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF a.time_column IS NOT NULL THEN
        t := calib._audit_column(rel, a.time_column, 'time');
        IF t NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype,
                     'date'::regtype) THEN
            RAISE EXCEPTION 'time column % must be timestamptz, timestamp or date, not %',
                quote_ident(a.time_column), t USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;
    FOREACH g IN ARRAY a.group_by LOOP
        PERFORM calib._audit_column(rel, g, 'group');
    END LOOP;
    IF cardinality(a.group_by) <> (SELECT count(DISTINCT x) FROM unnest(a.group_by) x) THEN
        RAISE EXCEPTION 'group_by lists a column twice: %', a.group_by
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- Create or replace a named audit.  source is resolved now, in the caller's
-- search_path, and stored schema-qualified.
CREATE FUNCTION calib.define_audit(name text, source regclass, confidence text, correct text,
                                   group_by text[] DEFAULT '{}',
                                   time_column text DEFAULT NULL,
                                   lookback interval DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    a calib.audit;
BEGIN
    IF name IS NULL OR source IS NULL THEN
        RAISE EXCEPTION 'name and source must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT format('%I.%I', n.nspname, c.relname) INTO a.source
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
    a.name := name;
    a.confidence := confidence;
    a.correct := correct;
    a.group_by := coalesce(group_by, '{}');
    a.time_column := time_column;
    a.lookback := lookback;
    IF lookback IS NOT NULL AND time_column IS NULL THEN
        RAISE EXCEPTION 'lookback needs a time column' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM calib._audit_check(a);
    INSERT INTO calib.audit AS t (name, source, confidence, correct, group_by, time_column, lookback)
    VALUES (a.name, a.source, a.confidence, a.correct, a.group_by, a.time_column, a.lookback)
    ON CONFLICT ON CONSTRAINT audit_pkey DO UPDATE
       SET source = excluded.source, confidence = excluded.confidence,
           correct = excluded.correct, group_by = excluded.group_by,
           time_column = excluded.time_column, lookback = excluded.lookback;
END
$$;

-- Run a named audit: one calib.summary per group of the rows in its window
-- appended to calib.audit_history under one run_id, which is returned.
-- run_at defaults to now(); pass another time to backfill.
CREATE FUNCTION calib.run_audit(name text, run_at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    a       calib.audit;
    chk     record;
    run     bigint;
    wstart  timestamptz;
    wend    timestamptz;
    labels  text;
    grp     text;
    cond    text;
BEGIN
    SELECT * INTO a FROM calib.audit WHERE audit.name = run_audit.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit % is not defined', quote_literal(name)
            USING ERRCODE = 'undefined_object', HINT = 'Define it with calib.define_audit().';
    END IF;
    IF run_at IS NULL THEN
        RAISE EXCEPTION 'run_at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Re-check every identifier against the catalogs: the definition is data
    -- anyone with UPDATE on calib.audit could have changed.
    chk := calib._audit_check(a);

    SELECT coalesce('jsonb_build_object(' || string_agg(format('%L, %I', g, g), ', ' ORDER BY o) || ')',
                    '''{}''::jsonb'),
           coalesce(string_agg(format('%I', g), ', ' ORDER BY o), '()')
      INTO labels, grp
      FROM unnest(a.group_by) WITH ORDINALITY AS u(g, o);

    cond := format('%I IS NOT NULL AND %I IS NOT NULL', a.confidence, a.correct);
    IF a.time_column IS NOT NULL THEN
        wend := run_at;
        wstart := run_at - a.lookback;     -- NULL without a lookback: unbounded
        cond := cond || format(' AND %I < $4', a.time_column);
        IF wstart IS NOT NULL THEN
            cond := cond || format(' AND %I >= $3', a.time_column);
        END IF;
    END IF;

    run := nextval('calib.audit_run_seq');
    EXECUTE format(
        'INSERT INTO calib.audit_history (run_id, audit, run_at, window_start, window_end, labels, summary) '
        'SELECT $1, $2, $5, $3, $4, %s, calib.summary(%I::double precision, %I) '
        'FROM %s WHERE %s GROUP BY %s',
        labels, a.confidence, a.correct, chk.from_sql, cond, grp)
    USING run, a.name, wstart, wend, run_at;
    RETURN run;
END
$$;

-- Store the summaries of a run (default: each group's latest) as the
-- reference drift compares with.  Returns the number of groups set.
CREATE FUNCTION calib.set_audit_baseline(audit text, run_id bigint DEFAULT NULL, note text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    k integer;
BEGIN
    INSERT INTO calib.audit_baseline AS b (audit, labels, summary, note, set_at)
    SELECT DISTINCT ON (h.labels) h.audit, h.labels, h.summary, set_audit_baseline.note, now()
      FROM calib.audit_history h
     WHERE h.audit = set_audit_baseline.audit
       AND (set_audit_baseline.run_id IS NULL OR h.run_id = set_audit_baseline.run_id)
     ORDER BY h.labels, h.run_at DESC, h.run_id DESC
    ON CONFLICT ON CONSTRAINT audit_baseline_pkey DO UPDATE
       SET summary = excluded.summary, note = excluded.note, set_at = excluded.set_at;
    GET DIAGNOSTICS k = ROW_COUNT;
    IF k = 0 THEN
        RAISE EXCEPTION 'audit % has no run%', quote_literal(audit),
            coalesce(' ' || run_id, '') USING ERRCODE = 'no_data_found';
    END IF;
    RETURN k;
END
$$;

-- The three tests of src/drift.c on two summaries; see docs/audits.md.
-- The arrays are the summaries' 600 fine bins.
CREATE FUNCTION calib._drift_p(latest calib.bin[], latest_brier double precision,
                               baseline calib.bin[], baseline_brier double precision,
                               bins integer, reps integer,
                               OUT accuracy_p double precision, OUT brier_p double precision,
                               OUT ece_p double precision)
AS 'MODULE_PATHNAME', 'calib_drift_p'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The latest run of every audit and group against its baseline (the stored
-- reference if there is one, else the previous run), each change tested at
-- level alpha; drift = any of the three flagged (false-alarm rate per group
-- at most 3 alpha, by Bonferroni).  Flags are NULL without a baseline.
CREATE FUNCTION calib.drift(alpha double precision DEFAULT 0.01, bins integer DEFAULT 10,
                            reps integer DEFAULT 2000)
RETURNS TABLE (audit text, labels jsonb, run_id bigint, run_at timestamptz,
               baseline text, baseline_run_id bigint, baseline_at timestamptz,
               n bigint, baseline_n bigint,
               accuracy double precision, baseline_accuracy double precision,
               accuracy_p double precision,
               brier double precision, baseline_brier double precision,
               brier_p double precision,
               ece double precision, baseline_ece double precision,
               ece_p double precision,
               accuracy_drift boolean, brier_drift boolean, ece_drift boolean,
               drift boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
BEGIN
    IF alpha IS NULL OR NOT (alpha > 0 AND alpha < 1) THEN
        RAISE EXCEPTION 'alpha must be between 0 and 1, got %', alpha
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH ranked AS (
        SELECT h.*, row_number() OVER (PARTITION BY h.audit, h.labels
                                       ORDER BY h.run_at DESC, h.run_id DESC) AS rn
          FROM calib.audit_history h
    ), pairs AS (
        SELECT l.audit, l.labels, l.run_id, l.run_at, l.summary AS s,
               CASE WHEN b.summary IS NOT NULL THEN 'reference'
                    WHEN p.summary IS NOT NULL THEN 'previous run' END AS baseline,
               CASE WHEN b.summary IS NULL THEN p.run_id END AS baseline_run_id,
               coalesce(b.set_at, p.run_at) AS baseline_at,
               coalesce(b.summary, p.summary) AS bs
          FROM ranked l
          LEFT JOIN calib.audit_baseline b ON b.audit = l.audit AND b.labels = l.labels
          LEFT JOIN ranked p ON p.audit = l.audit AND p.labels = l.labels AND p.rn = 2
         WHERE l.rn = 1
    )
    SELECT q.audit, q.labels, q.run_id, q.run_at, q.baseline, q.baseline_run_id, q.baseline_at,
           calib.n(q.s), calib.n(q.bs),
           calib.accuracy(q.s), calib.accuracy(q.bs), t.accuracy_p,
           calib.brier(q.s), calib.brier(q.bs), t.brier_p,
           calib.ece(q.s, drift.bins), calib.ece(q.bs, drift.bins), t.ece_p,
           t.accuracy_p < alpha, t.brier_p < alpha, t.ece_p < alpha,
           t.accuracy_p < alpha OR t.brier_p < alpha OR t.ece_p < alpha
      FROM pairs q
      LEFT JOIN LATERAL calib._drift_p(calib.reliability(q.s, 600), calib.brier(q.s),
                                       calib.reliability(q.bs, 600), calib.brier(q.bs),
                                       drift.bins, drift.reps) t ON true
     ORDER BY q.audit, q.labels;
END
$$;

-- What dashboards and alerting queries select from: drift at alpha = 0.01
-- over 10 bins (SELECT * FROM calib.audit_drift WHERE drift).
CREATE VIEW calib.audit_drift AS SELECT * FROM calib.drift();

-- {"domain": "law", "model": "atlas-1"} -> 'domain=law, model=atlas-1'
CREATE FUNCTION calib._labels_text(labels jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
    SELECT coalesce(string_agg(e.key || '=' || coalesce(e.value #>> '{}', 'NULL'), ', '
                               ORDER BY e.key), 'all rows')
      FROM jsonb_each(labels) e
$$;

-- The HTML report of an audit's latest run: one diagram per group.
CREATE FUNCTION calib.audit_report_html(audit text, bins integer DEFAULT 10)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
    SELECT calib.report_html(
               array_agg(calib._labels_text(h.labels) ORDER BY h.labels),
               array_agg(h.summary ORDER BY h.labels),
               format('Calibration audit %s, run %s at %s', audit_report_html.audit,
                      max(h.run_id), to_char(max(h.run_at) AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD HH24:MI "UTC"')),
               bins)
      FROM calib.audit_history h
     WHERE h.audit = audit_report_html.audit
       AND h.run_id = (SELECT max(x.run_id) FROM calib.audit_history x
                        WHERE x.audit = audit_report_html.audit)
$$;
