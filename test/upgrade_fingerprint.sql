-- test/upgrade_fingerprint.sql -- one row per member object of extension
-- calib with everything that defines it, so that two installations can be
-- compared (test/suites/upgrade.sh): a fresh CREATE EXTENSION at the
-- default version and one reached by ALTER EXTENSION UPDATE must match.
-- Functions, aggregates, types, relations, operators, operator classes and
-- the members of operator families are compared by definition; other
-- objects by name.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
       || coalesce(' | ' || (SELECT concat_ws(' ', p.prokind, p.provolatile, p.proisstrict, p.proparallel,
                                              p.prosecdef, p.proconfig, p.prorettype::regtype, p.prosrc,
                                              p.probin, pg_get_function_arguments(p.oid),
                                              pg_get_function_sqlbody(p.oid))
                             FROM pg_proc p WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid), '')
       || coalesce(' | ' || (SELECT concat_ws(' ', a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                              a.aggdeserialfn, a.aggtranstype::regtype, a.agginitval,
                                              a.aggkind, a.aggnumdirectargs, a.aggfinalextra, a.aggfinalmodify,
                                              a.aggsortop, a.aggtransspace, a.aggmtransfn, a.aggminvtransfn,
                                              a.aggmfinalfn, a.aggmfinalextra, a.aggmfinalmodify,
                                              a.aggmtranstype::regtype, a.aggmtransspace, a.aggminitval)
                             FROM pg_aggregate a WHERE d.classid = 'pg_proc'::regclass AND a.aggfnoid = d.objid), '')
       || coalesce(' | ' || (SELECT string_agg(format('%s %s', att.attname, format_type(att.atttypid, att.atttypmod)), ', ' ORDER BY att.attnum)
                             FROM pg_type t JOIN pg_attribute att ON att.attrelid = t.typrelid
                             WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid AND att.attnum > 0), '')
       || coalesce(' | ' || (SELECT concat_ws(' ', t.typinput, t.typoutput, t.typreceive, t.typsend, t.typlen,
                                              t.typalign, t.typstorage)
                             FROM pg_type t WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                               AND t.typtype = 'b'), '')
       || coalesce(' | ' || (SELECT string_agg(format('%s %s', att.attname, format_type(att.atttypid, att.atttypmod)), ', ' ORDER BY att.attnum)
                             FROM pg_attribute att
                             WHERE d.classid = 'pg_class'::regclass AND att.attrelid = d.objid AND att.attnum > 0
                               AND NOT att.attisdropped), '')
       || coalesce(' | ' || (SELECT concat_ws(' ', o.oprkind, o.oprresult::regtype, o.oprcode::regprocedure,
                                              o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest,
                                              o.oprjoin, o.oprcanhash, o.oprcanmerge)
                             FROM pg_operator o WHERE d.classid = 'pg_operator'::regclass AND o.oid = d.objid), '')
       || coalesce(' | ' || (SELECT concat_ws(' ', am.amname, c.opcdefault, c.opcintype::regtype,
                                              c.opckeytype::regtype,
                                              pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0))
                             FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod
                             WHERE d.classid = 'pg_opclass'::regclass AND c.oid = d.objid), '')
       -- an operator family's members depend on the family, not on the extension
       || coalesce(' | ' || (SELECT string_agg(m, ', ' ORDER BY m) FROM (
                                 SELECT format('operator %s %s %s', ao.amopstrategy, ao.amoppurpose,
                                               ao.amopopr::regoperator) AS m
                                 FROM pg_amop ao WHERE ao.amopfamily = d.objid
                                 UNION ALL
                                 SELECT format('function %s %s', ap.amprocnum, ap.amproc::regprocedure)
                                 FROM pg_amproc ap WHERE ap.amprocfamily = d.objid) members
                             WHERE d.classid = 'pg_opfamily'::regclass), '')
       AS object
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'calib')
  AND d.deptype = 'e'
UNION ALL
SELECT 'acl ' || nspname || ' ' || coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'calib'
ORDER BY 1;
