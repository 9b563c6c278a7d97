-- test/hostile/sweep.sql -- calls every SQL-callable function of calib with
-- hostile values, one argument at a time (the others sane), and records the
-- outcome of each call in hostile.results.  Used by test/pgtap/hostile_sweep.sql.
-- Run inside a transaction; creates schema hostile.
CREATE SCHEMA hostile;

-- Values by argument type, as SQL expressions.  'sane' ones are used for the
-- arguments not under attack.
CREATE TABLE hostile.vals (typ regtype, sane boolean, expr text);
INSERT INTO hostile.vals VALUES
  ('double precision', true,  '0.5::float8'),
  ('double precision', false, 'NULL::float8'),
  ('double precision', false, '''NaN''::float8'),
  ('double precision', false, '''Infinity''::float8'),
  ('double precision', false, '''-Infinity''::float8'),
  ('double precision', false, '''-0''::float8'),
  ('double precision', false, '0::float8'),
  ('double precision', false, '1::float8'),
  ('double precision', false, '-1e-300::float8'),
  ('double precision', false, '1.0000000000000002::float8'),
  ('double precision', false, '4.9e-324::float8'),
  ('double precision', false, '1e308::float8'),
  ('double precision', false, '-1e308::float8'),
  ('boolean', true,  'true'),
  ('boolean', false, 'NULL::boolean'),
  ('boolean', false, 'false'),
  ('integer', true,  '10'),
  ('integer', false, 'NULL::integer'),
  ('integer', false, '0'),
  ('integer', false, '-1'),
  ('integer', false, '1'),
  ('integer', false, '7'),
  ('integer', false, '10001'),
  ('integer', false, '2147483647'),
  ('integer', false, '(-2147483648)::integer'),
  ('bigint', true,  '42::bigint'),
  ('bigint', false, 'NULL::bigint'),
  ('bigint', false, '0::bigint'),
  ('bigint', false, '(-1)::bigint'),
  ('bigint', false, '9223372036854775807::bigint'),
  ('bigint', false, '(-9223372036854775808)::bigint');

-- arrays: the same hostile shapes for float8[], real[] and numeric[]
INSERT INTO hostile.vals
SELECT t::regtype, s, replace(e, '%T', t)
FROM unnest(ARRAY['double precision[]', 'real[]', 'numeric[]']) t,
     (VALUES (true,  '''{-0.1,-0.7,-2.3,-0.05}''::%T'),
             (false, 'NULL::%T'),
             (false, '''{}''::%T'),
             (false, '''{NULL}''::%T'),
             (false, '''{-0.1,NULL,-0.2}''::%T'),
             (false, '''{{-0.1,-0.2},{-0.3,-0.4}}''::%T'),
             (false, '''{{{-0.1}}}''::%T'),
             (false, '''[-5:-2]={-0.1,-0.2,-0.3,-0.4}''::%T'),
             (false, '''{NaN}''::%T'),
             (false, '''{-Infinity,-0.1}''::%T'),
             (false, '''{Infinity}''::%T'),
             (false, '''{-0}''::%T'),
             (false, '''{0.5,2}''::%T'),
             (false, '''{1e-7}''::%T'),
             (false, '''{-1e300,-1e300,-1e300}''::%T'),
             (false, 'array_fill(-0.01, ARRAY[1000000])::%T'),
             (false, 'array_fill(-0.01, ARRAY[3, 2])::%T')) v(s, e)
WHERE NOT (t = 'numeric[]' AND e ~ 'Infinity|NaN|1e300' AND false);

INSERT INTO hostile.vals VALUES
  ('jsonb', true,  '''{"choices":[{"logprobs":{"content":[{"token":"a","logprob":-0.1,"top_logprobs":[{"token":"a","logprob":-0.1},{"token":"b","logprob":-2.4}]}]}}]}''::jsonb'),
  ('jsonb', false, 'NULL::jsonb'),
  ('jsonb', false, '''{}''::jsonb'),
  ('jsonb', false, '''[]''::jsonb'),
  ('jsonb', false, '''null''::jsonb'),
  ('jsonb', false, '''"text"''::jsonb'),
  ('jsonb', false, '''1e400''::jsonb'),
  ('jsonb', false, '''{"choices":[]}''::jsonb'),
  ('jsonb', false, '''{"choices":{"a":1}}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":null}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"content":[{"logprob":"x"}]}}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"content":[{"logprob":1e400}]}}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"content":[{"logprob":5}]}}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"content":[{"logprob":-0.1,"top_logprobs":[]}]}}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"content":[{"logprob":-0.1,"top_logprobs":[{"logprob":-0.1}]},{"logprob":-0.1,"top_logprobs":[{"logprob":-0.1},{"logprob":-0.2}]}]}}]}''::jsonb'),
  ('jsonb', false, '''{"choices":[{"logprobs":{"token_logprobs":[-0.1,null,-0.2]}}]}''::jsonb'),
  ('jsonb', false, '(SELECT string_agg(''['', '''') || string_agg('']'', '''') FROM generate_series(1, 5000))::jsonb'),
  ('cstring', true, '''v1''::cstring'),
  ('cstring', false, 'NULL::cstring'),
  ('cstring', false, '''''::cstring'),
  ('cstring', false, ''' ''::cstring'),
  ('cstring', false, '''garbage''::cstring'),
  ('cstring', false, '''v1:''::cstring'),
  ('cstring', false, '''v1:temperature(''::cstring'),
  ('cstring', false, '''v1:temperature(nan)''::cstring'),
  ('cstring', false, '''v1:histogram()''::cstring'),
  ('cstring', false, '''v1:isotonic(1:0,0:1)''::cstring'),
  ('cstring', false, '''v2 fine=600 n=0''::cstring'),
  ('cstring', false, '''v1 fine=600 n=1 correct=0 sq=0 ll=0 | 0:1:0:0''::cstring'),
  ('cstring', false, '''v1 fine=600 n=-1 correct=0 sq=0 ll=0 |''::cstring'),
  ('cstring', false, '''v1 fine=7 n=0 correct=0 sq=0 ll=0 |''::cstring'),
  ('cstring', false, '''v1 fine=600 n=1 correct=0 sq=0 ll=0 | 600:1:0:0.5''::cstring'),
  ('cstring', false, '''v1 fine=600 n=1 correct=0 sq=0 ll=0 | 99999999999999999999:1:0:0.5''::cstring'),
  ('cstring', false, 'repeat(''9'', 100000)::cstring'),
  ('cstring', false, '''vote1 2 2 1:61 1:61''::cstring'),
  ('cstring', false, '''wvote1 1 1 1:-1.0000000000000000:61''::cstring'),
  ('cstring', false, '''bestof1 1 NaN 1 1''::cstring'),
  ('bytea', true,  '''\x''::bytea'),
  ('bytea', false, 'NULL::bytea'),
  ('bytea', false, '''\x00''::bytea'),
  ('bytea', false, '''\x01025800000000000000010000000000000001''::bytea'),
  ('bytea', false, '''\xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff''::bytea'),
  ('bytea', false, 'substr(calib._summary_send(calib.summary(0.3::float8, true)), 1, 40)'),
  ('bytea', false, 'calib._summary_send(calib.summary(0.3::float8, true)) || ''\x00''::bytea'),
  ('bytea', false, 'decode(repeat(''ff'', 100000), ''hex'')'),
  ('text[]', true,  '''{A,B}''::text[]'),
  ('text[]', false, 'NULL::text[]'),
  ('text[]', false, '''{}''::text[]'),
  ('text[]', false, '''{NULL}''::text[]'),
  ('text[]', false, '''{" "}''::text[]'),
  ('text[]', false, '''{{A},{B}}''::text[]'),
  ('text', true,  '''x''::text'),
  ('text', false, 'NULL::text'),
  ('text', false, '''''::text'),
  ('calib.summary', true,  '(SELECT calib.summary(c, c > 0.4) FROM unnest(ARRAY[0.1, 0.5, 0.9, 1.0]::float8[]) c)'),
  ('calib.summary', false, 'NULL::calib.summary'),
  ('calib.summary', false, '(SELECT calib.summary(0.5::float8, true) WHERE false)'),
  ('calib.summary', false, '(SELECT calib.summary(1::float8, true))'),
  ('calib.summary', false, '(SELECT calib.summary(0::float8, false))');

DO $$
BEGIN
  IF to_regtype('calib.map') IS NOT NULL THEN
    INSERT INTO hostile.vals VALUES
      ('calib.map', true,  '''v1:temperature(1.5)''::calib.map'),
      ('calib.map', false, 'NULL::calib.map'),
      ('calib.map', false, '''v1:histogram(0,1)''::calib.map'),
      ('calib.map', false, '''v1:isotonic(0.5:0.5)''::calib.map'),
      ('calib.map', false, '''v1:platt(1e300,-1e300)''::calib.map'),
      ('calib.map', false, '''v1:vector_temperature(0.5)''::calib.map');
  END IF;
  IF to_regtype('calib.vector_state') IS NOT NULL THEN
    INSERT INTO hostile.vals VALUES
      ('calib.vector_state', true,  '''brier:v1:n=1:0.2000000000000000''::calib.vector_state'),
      ('calib.vector_state', false, 'NULL::calib.vector_state'),
      ('calib.vector_state', false, '''nll:v1:n=9223372036854775807:24.0000000000000000''::calib.vector_state'),
      ('calib.vector_state', false, '''classwise:v1:k=1:bins=1:n=2:2,2,1.0000000000000000''::calib.vector_state'),
      ('calib.vector_state', false, '''classwise:v1:k=2:bins=1:n=1:1,1,0.8000000000000000;1,0,0.8000000000000000''::calib.vector_state'),
      ('calib.vector_state', false, '''full_ece:v1:bins=2:n=1:1,0.8000000000000000;0,0.8000000000000000''::calib.vector_state');
  END IF;
END $$;

-- The partial states of the votes and best-of-N (a plain, a weighted and a
-- table-form vote; the plain one first as the sane value).
DO $$
BEGIN
  IF to_regtype('calib.vote_state') IS NOT NULL THEN
    INSERT INTO hostile.vals VALUES
      ('calib.vote_state', true,  '''vote1 3 2 2:61 1:62''::calib.vote_state'),
      ('calib.vote_state', false, 'NULL::calib.vote_state'),
      ('calib.vote_state', false, '''vote1 0 0''::calib.vote_state'),
      ('calib.vote_state', false, '''wvote1 1 1 1:ffffffffff.ffffffffffffffff:61''::calib.vote_state'),
      ('calib.vote_state', false, '''vote1 9 9 1:61 1:62 1:63 1:64 1:65 1:66 1:67 1:68 1:69''::calib.vote_state'),
      ('calib.best_of_state', true,  '''bestof1 2 0.5 1 1''::calib.best_of_state'),
      ('calib.best_of_state', false, 'NULL::calib.best_of_state'),
      ('calib.best_of_state', false, '''bestof1 9223372036854775807 -Infinity 9223372036854775807 0''::calib.best_of_state');
  END IF;
  -- the aggregate state types (0.2.0)
  IF to_regtype('calib.binned_state') IS NOT NULL THEN
    INSERT INTO hostile.vals VALUES
      ('calib.binned_state', true,  '''b1 bins=10 sq=0.4000000000000000 | 4:1:0:0.8000000000000000''::calib.binned_state'),
      ('calib.binned_state', false, 'NULL::calib.binned_state'),
      ('calib.binned_state', false, '''b1 bins=10 sq=0.0000000000000000 |''::calib.binned_state'),
      ('calib.binned_state', false, '''b1 bins=1 sq=0.0000000000000000 | 0:1:1:1.0000000000000000''::calib.binned_state'),
      ('calib.binned_state', false, '''b1 bins=10000 sq=0.0000000000000000 | 9999:1:1:1.0000000000000000''::calib.binned_state'),
      ('calib.pointwise_state', true,  '''p1 brier n=1 sum=0.4000000000000000''::calib.pointwise_state'),
      ('calib.pointwise_state', false, 'NULL::calib.pointwise_state'),
      ('calib.pointwise_state', false, '''p1 nll n=0 sum=0.0000000000000000''::calib.pointwise_state'),
      ('calib.pointwise_state', false, '''p1 nll n=2 sum=30.0000000000000000''::calib.pointwise_state');
  END IF;
END $$;

CREATE TABLE hostile.results (fn regprocedure, call text, sqlstate text, message text);

-- The extension's functions that SQL can call (no internal arguments or
-- results; not the type I/O that takes internal).
CREATE VIEW hostile.funcs AS
SELECT p.oid::regprocedure AS fn, p.prokind,
       p.pronamespace::regnamespace::text || '.' || quote_ident(p.proname) AS qname,
       ARRAY(SELECT unnest(p.proargtypes::regtype[])) AS args
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'calib'
WHERE p.prorettype <> 'internal'::regtype
  AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
  AND p.prokind IN ('f', 'a');

CREATE FUNCTION hostile.run_one(f regprocedure, kind "char", qname text, argexprs text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  q text;
  st text;
  msg text;
BEGIN
  q := format('SELECT (%s(%s))::text', qname, array_to_string(argexprs, ', '));
  IF kind = 'a' THEN
    q := q || ' FROM generate_series(1, 3)';
  END IF;
  BEGIN
    EXECUTE q;
    st := NULL;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  END;
  INSERT INTO hostile.results VALUES (f, q, st, msg);
END $$;

-- Every argument in turn over its hostile values, the others sane; and the
-- all-NULL call.
CREATE FUNCTION hostile.sweep() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  r record;
  sane text[];
  i int;
  v record;
  a text[];
BEGIN
  FOR r IN SELECT * FROM hostile.funcs ORDER BY fn::text LOOP
    sane := ARRAY(SELECT coalesce((SELECT expr FROM hostile.vals
                                   WHERE typ = t AND hostile.vals.sane LIMIT 1),
                                  'NULL::' || t::text)
                  FROM unnest(r.args) WITH ORDINALITY u(t, k) ORDER BY k);
    PERFORM hostile.run_one(r.fn, r.prokind, r.qname, sane);
    PERFORM hostile.run_one(r.fn, r.prokind, r.qname,
                            ARRAY(SELECT 'NULL::' || t::text FROM unnest(r.args) t));
    FOR i IN 1 .. coalesce(array_length(r.args, 1), 0) LOOP
      FOR v IN SELECT expr FROM hostile.vals WHERE typ = r.args[i] AND NOT hostile.vals.sane LOOP
        a := sane;
        a[i] := v.expr;
        PERFORM hostile.run_one(r.fn, r.prokind, r.qname, a);
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN (SELECT count(*) FROM hostile.results);
END $$;
