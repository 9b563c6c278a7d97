-- Privileges (docs/security.md): as an unprivileged role, calib is usable,
-- nothing of it runs with elevated rights, every SQL and PL/pgSQL function
-- pins its search_path to schemas PUBLIC cannot write, and the role cannot
-- change the extension's objects.
BEGIN;
SELECT plan(14);
CREATE ROLE calib_tap_nobody NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;

-- The extension's functions, as the catalog knows them.
CREATE TEMP VIEW ext_funcs AS
SELECT p.oid, p.oid::regprocedure::text AS sig, l.lanname, p.prosecdef, p.proconfig,
       p.prosqlbody IS NOT NULL AS sql_standard_body
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'calib';
GRANT SELECT ON ext_funcs TO calib_tap_nobody;

SET LOCAL ROLE calib_tap_nobody;

SELECT ok(NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
          'running as an unprivileged role');
SELECT cmp_ok((SELECT count(*) FROM ext_funcs)::int, '>', 20, 'the role sees the extension''s functions');

SELECT is(ARRAY(SELECT sig FROM ext_funcs WHERE prosecdef ORDER BY 1), '{}'::text[],
          'no function of calib is SECURITY DEFINER');

-- An SQL function with a SQL-standard body (RETURN ... / BEGIN ATOMIC) is
-- bound to its objects when created; any other SQL or PL/pgSQL function must
-- SET search_path, or a caller's search_path could redirect what it calls.
SELECT is(ARRAY(SELECT sig FROM ext_funcs
                WHERE lanname IN ('sql', 'plpgsql') AND NOT sql_standard_body
                  AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(proconfig, '{}')) c
                                  WHERE c LIKE 'search_path=%')
                ORDER BY 1), '{}'::text[],
          'every SQL and PL/pgSQL function pins search_path (or has a SQL-standard body)');

-- ... and the schemas it pins are ones PUBLIC cannot create objects in.
SELECT is(ARRAY(SELECT DISTINCT s FROM ext_funcs,
                     unnest(coalesce(proconfig, '{}')) c,
                     unnest(string_to_array(substr(c, length('search_path=') + 1), ',')) raw,
                     trim(both ' "' FROM raw) s
                WHERE c LIKE 'search_path=%' AND s NOT IN ('pg_temp', '')
                  AND (to_regnamespace(s) IS NULL OR has_schema_privilege('public', s, 'CREATE'))
                ORDER BY 1), '{}'::text[],
          'pinned search_paths name only existing schemas that PUBLIC cannot write');

-- ... and end with pg_temp, explicitly: left out, it is searched first for
-- tables and types, so a caller's temporary object could stand in for one of
-- pg_catalog or calib.
SELECT is(ARRAY(SELECT sig FROM ext_funcs, unnest(coalesce(proconfig, '{}')) c
                WHERE c LIKE 'search_path=%' AND c !~ ',\s*"?pg_temp"?$'
                ORDER BY 1), '{}'::text[],
          'every pinned search_path lists pg_temp last');

SELECT is((SELECT trusted FROM pg_available_extension_versions
           WHERE name = 'calib' AND version = (SELECT extversion FROM pg_extension WHERE extname = 'calib')),
          false, 'calib is not a trusted extension (the decision is in docs/security.md)');

-- Whoever owns schema calib can drop anything in it: it must be the
-- extension's owner, not a role that created the schema beforehand.
SELECT is((SELECT nspowner FROM pg_namespace WHERE nspname = 'calib'),
          (SELECT extowner FROM pg_extension WHERE extname = 'calib'),
          'schema calib is owned by the extension''s owner');

-- The role can use calib: the schema is open, the functions execute.
SELECT ok(has_schema_privilege('calib', 'USAGE'), 'USAGE on schema calib is granted to PUBLIC');
SELECT is((SELECT round(calib.ece(c, y, 2)::numeric, 6)
           FROM (VALUES (0.2::float8, false), (0.5, true), (0.8, true), (1.0, false)) v(c, y)),
          0.275, 'an unprivileged role computes calib.ece (0.275, the hand case)');

-- ... but cannot change the extension's objects or add to its schema.
SELECT throws_ok('CREATE FUNCTION calib.evil() RETURNS int LANGUAGE sql RETURN 1', '42501', NULL,
                 'cannot create objects in schema calib');
SELECT throws_ok('CREATE OR REPLACE FUNCTION calib.ece_evil(double precision, boolean) RETURNS int LANGUAGE sql RETURN 1',
                 '42501', NULL, 'cannot add functions to schema calib with CREATE OR REPLACE either');
SELECT throws_ok('ALTER EXTENSION calib UPDATE', '42501', NULL, 'cannot update the extension');
SELECT throws_ok('DROP EXTENSION calib', '42501', NULL, 'cannot drop the extension');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
