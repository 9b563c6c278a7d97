-- calib 0.1.0 -> 0.2.0: ALTER EXTENSION calib UPDATE TO '0.2.0'.
-- Every change made to sql/parts/ after 0.1.0 stands here too, in the same
-- order; test/suites/upgrade.sh checks that an updated 0.1.0 equals a fresh
-- install of 0.2.0, object by object.

\echo Use "ALTER EXTENSION calib UPDATE TO '0.2.0'" to load this file. \quit

-- calib._audit_check: the same error for a malformed relation name on every
-- PostgreSQL version (to_regclass raised on one before 16).
CREATE OR REPLACE FUNCTION calib._audit_check(a calib.audit, OUT rel regclass, OUT from_sql text)
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
