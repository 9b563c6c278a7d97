-- Equality of calib.map (docs/recalibration.md): two maps are equal when
-- their stored forms are the same bytes, which is exactly when their text
-- forms are the same.  The expectations come from that second definition
-- (compare m::text) and from hand-worked cases in the comments.
SET extra_float_digits = 0;

--------------------------------------------------------- hand cases
-- Operators live in schema calib: qualified with OPERATOR(), or bare with
-- calib in search_path.
SELECT 'v1:platt(1,0)'::calib.map OPERATOR(calib.=) 'v1:platt(1,0)' AS qualified_eq,
       'v1:platt(1,0)'::calib.map OPERATOR(calib.<>) 'v1:platt(1,0)' AS qualified_ne;
SET search_path = public, calib;
SELECT a, b, a::calib.map = b::calib.map AS eq, a::calib.map <> b::calib.map AS ne
FROM (VALUES
    -- the same text: equal
    ('v1:temperature(1.5)', 'v1:temperature(1.5)'),
    -- other spellings of the same doubles (1.0 = 1, 0.50 = 0.5, white space): equal
    ('v1:platt(1.0,0.50)', ' v1:platt(1,5e-1) '),
    ('v1:isotonic(0:0,1:1)', 'v1:isotonic(0.0:0.0,1.0:1.0)'),
    -- one value differs by one ulp (0.1 + 0.2 = 0.30000000000000004): not equal
    ('v1:histogram(0.3,0.9)', 'v1:histogram(0.30000000000000004,0.9)'),
    -- -0 and 0 are different doubles and print differently: not equal
    ('v1:platt(1,-0)', 'v1:platt(1,0)'),
    -- the same function of p, different kinds (both the identity): not equal
    ('v1:temperature(1)', 'v1:platt(1,0)'),
    -- a prefix of the other's values: not equal
    ('v1:histogram(0.2,0.4)', 'v1:histogram(0.2,0.4,0.6)'),
    ('v1:isotonic(0.2:0.3)', 'v1:isotonic(0.2:0.3,0.6:0.9)')) t(a, b);
-- NULL on either side gives NULL (STRICT), as for every type
SELECT NULL::calib.map = 'v1:temperature(2)' AS null_left, 'v1:temperature(2)'::calib.map = NULL AS null_right,
       NULL::calib.map <> NULL AS null_both, NULL::calib.map IS NOT DISTINCT FROM NULL AS not_distinct;
RESET search_path;

-- m1 = m2 exactly when m1::text = m2::text, and <> is its negation, over
-- every pair of a set with near misses
CREATE TEMP TABLE some_maps (m calib.map);
INSERT INTO some_maps VALUES
    ('v1:temperature(1)'), ('v1:temperature(1.0000000000000002)'), ('v1:temperature(2)'),
    ('v1:platt(1,0)'), ('v1:platt(1,-0)'), ('v1:platt(0,1)'), ('v1:histogram(0.5)'),
    ('v1:histogram(0.5,0.5)'), ('v1:histogram(0,1)'), ('v1:isotonic(0.5:0.5)'),
    ('v1:isotonic(0:0,1:1)'), ('v1:isotonic(0:0,0.5:0.5,1:1)');
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE a.m OPERATOR(calib.=) b.m) AS equal_pairs,   -- the 12 diagonal ones
       bool_and((a.m OPERATOR(calib.=) b.m) = (a.m::text = b.m::text)) AS eq_is_text_eq,
       bool_and((a.m OPERATOR(calib.<>) b.m) = NOT (a.m OPERATOR(calib.=) b.m)) AS ne_is_not_eq,
       bool_and(NOT (a.m OPERATOR(calib.=) b.m)
                OR calib._map_hash(a.m) = calib._map_hash(b.m)
                   AND calib._map_hash_extended(a.m, 42) = calib._map_hash_extended(b.m, 42)) AS equal_hash_equal
FROM some_maps a, some_maps b;

---------------------------------------------- maps from the same fit
-- 1000 rows: confidence k/10 + 0.05 for k = i % 10, correct when
-- (7919 i) mod 13 < k, so accuracy rises with confidence and every kind fits
CREATE TEMP TABLE rows_eq AS
SELECT i, (i % 10) / 10.0 + 0.05 AS c, (i * 7919 % 13) < (i % 10) AS y
FROM generate_series(1, 1000) i;
CREATE TEMP TABLE fits AS
SELECT 'asc' AS run, calib.fit_temperature(c, y) AS t, calib.fit_platt(c, y) AS p,
       calib.fit_isotonic(c, y) AS i, calib.fit_histogram(c, y) AS h
FROM (SELECT * FROM rows_eq ORDER BY i) q
UNION ALL
SELECT 'desc', calib.fit_temperature(c, y), calib.fit_platt(c, y),
       calib.fit_isotonic(c, y), calib.fit_histogram(c, y)
FROM (SELECT * FROM rows_eq ORDER BY i DESC) q
UNION ALL  -- other data: every row of one confidence level flipped
SELECT 'other', calib.fit_temperature(c, y <> (i % 10 = 3)), calib.fit_platt(c, y <> (i % 10 = 3)),
       calib.fit_isotonic(c, y <> (i % 10 = 3)), calib.fit_histogram(c, y <> (i % 10 = 3))
FROM rows_eq;
-- the same rows in another order fit the same maps; other rows do not
SELECT b.run,
       a.t OPERATOR(calib.=) b.t AS temperature, a.p OPERATOR(calib.=) b.p AS platt,
       a.i OPERATOR(calib.=) b.i AS isotonic, a.h OPERATOR(calib.=) b.h AS histogram,
       a.t::text = b.t::text AND a.p::text = b.p::text
         AND a.i::text = b.i::text AND a.h::text = b.h::text AS texts_equal
FROM fits a, fits b WHERE a.run = 'asc' AND b.run <> 'asc' ORDER BY b.run;

------------------------------------- DISTINCT, GROUP BY, UNION, joins
-- the hash operator class finds the equality without calib in search_path
SELECT count(*) AS distinct_maps FROM (SELECT DISTINCT m FROM some_maps) d;   -- 12
SELECT count(*) AS distinct_fits FROM (SELECT DISTINCT p FROM fits) d;        -- asc = desc, other
SELECT count(*) AS rows_in_group FROM fits GROUP BY t ORDER BY 1;          -- other; asc and desc
SELECT count(*) AS union_rows FROM (SELECT p FROM fits UNION SELECT 'v1:platt(1,0)') u;   -- 3
-- a hash join on calib.=
SET enable_nestloop = off; SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM fits a JOIN fits b ON a.i OPERATOR(calib.=) b.i;
SELECT count(*) AS joined FROM fits a JOIN fits b ON a.i OPERATOR(calib.=) b.i;   -- 2 x 2 + 1
RESET enable_nestloop; RESET enable_mergejoin;
-- no ordering: ORDER BY and aggregates over DISTINCT maps need one
\set VERBOSITY terse
SELECT m FROM some_maps ORDER BY m;
SELECT count(DISTINCT m) FROM some_maps;
\set VERBOSITY default

------------------------------------------------ stored and TOASTed
-- maps stored compressed (10 000 equal histogram values) or out of line
-- (3000 isotonic knots, 48 kB) equal their own text round trip (in memory,
-- plain) and not the same map with the last value changed
CREATE TEMP TABLE big_eq AS
SELECT 'compressed' AS how, ('v1:histogram(' || repeat('0.5,', 9999) || '0.5)')::calib.map AS m
UNION ALL
SELECT 'out of line', ('v1:isotonic(' || string_agg(format('%s:%s', j / 3001.0, sqrt(j / 3001.0)), ',' ORDER BY j) || ')')::calib.map
FROM generate_series(1, 3000) j;
SELECT how, pg_column_compression(m) IS NOT NULL AS compressed, pg_column_size(m) > 8192 AS larger_than_a_page,
       m OPERATOR(calib.=) m::text::calib.map AS equals_round_trip,
       m OPERATOR(calib.=) regexp_replace(m::text, '[0-9.]+\)$', '1)')::calib.map AS equals_changed
FROM big_eq ORDER BY how;

-------------------------------------------------------------- catalog
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p
WHERE p.pronamespace = 'calib'::regnamespace AND p.proname IN ('_map_eq', '_map_ne', '_map_hash', '_map_hash_extended')
ORDER BY 1::text;
SELECT o.oprname, o.oprcom::regoperator AS commutator, o.oprnegate::regoperator AS negator,
       o.oprcanhash AS hashes, o.oprcanmerge AS merges
FROM pg_operator o WHERE o.oprleft = 'calib.map'::regtype ORDER BY 1;
SELECT c.opcname, a.amname, c.opcdefault, amvalidate(c.oid) AS valid
FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod WHERE c.opcintype = 'calib.map'::regtype;
