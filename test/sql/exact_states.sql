-- Issue 13: exact, order-independent ex_states.  Every bounded aggregate's
-- state (calib.binned_state, calib.pointwise_state, calib.summary) is the
-- same bytes however its rows were split and merged, so parallel plans,
-- any merge order and moving windows give results identical to the bit to
-- the serial, direct computation; and summaries written by calib 0.1.0
-- (format version 1) still read, merge and answer the same.
SELECT setseed(0.13);
CREATE TABLE ex (id int, day int, domain int, c float8, y bool);
INSERT INTO ex
SELECT i, i % 60, i % 5,
       CASE WHEN i % 997 = 0 THEN NULL                  -- skipped rows
            WHEN i % 7 = 0 THEN (i % 11) / 10.0         -- exact bin edges, 0 and 1
            WHEN i % 5 = 0 THEN round(random()::numeric, 3)::float8
            ELSE random() END,
       random() < 0.65
FROM generate_series(1, 40000) i;
ANALYZE ex;

-- ------------------------------------------------- parallel = serial, bytes
-- Every aggregate over calib.binned_state and calib.pointwise_state, and
-- calib.summary / calib.merge, as the bytes of their results (float8send)
-- or the text of their ex_states, per domain and overall.
CREATE TEMP VIEW every AS
SELECT domain,
       float8send(calib.ece(c, y)) || float8send(calib.mce(c, y)) || float8send(calib.rmsce(c, y))
         || float8send(calib.ece(c, y, 7)) || float8send(calib.mce(c, y, 100))
         || float8send(calib.rmsce(c, y, 3)) || float8send(calib.debiased_ece(c, y))
         || float8send(calib.debiased_ece(c, y, 4)) || float8send(calib.brier(c, y))
         || float8send(calib.nll(c, y)) AS scalars,
       calib.reliability(c, y)::text || calib.reliability(c, y, 6)::text
         || calib.brier_decomposition(c, y)::text || calib.brier_decomposition(c, y, 12)::text
         || calib.fit_histogram(c, y)::text || calib.fit_histogram(c, y, 5)::text AS composites,
       calib.summary(c, y)::text AS summary
FROM ex GROUP BY domain
UNION ALL
SELECT -1,
       float8send(calib.ece(c, y)) || float8send(calib.mce(c, y)) || float8send(calib.rmsce(c, y))
         || float8send(calib.ece(c, y, 7)) || float8send(calib.mce(c, y, 100))
         || float8send(calib.rmsce(c, y, 3)) || float8send(calib.debiased_ece(c, y))
         || float8send(calib.debiased_ece(c, y, 4)) || float8send(calib.brier(c, y))
         || float8send(calib.nll(c, y)),
       calib.reliability(c, y)::text || calib.reliability(c, y, 6)::text
         || calib.brier_decomposition(c, y)::text || calib.brier_decomposition(c, y, 12)::text
         || calib.fit_histogram(c, y)::text || calib.fit_histogram(c, y, 5)::text,
       calib.summary(c, y)::text
FROM ex;
CREATE TABLE ex_daily AS SELECT day, domain, calib.summary(c, y) AS s FROM ex GROUP BY day, domain;
CREATE TEMP VIEW merged AS
SELECT domain, calib.merge(s)::text AS m, float8send(calib.ece(calib.merge(s))) AS e
FROM ex_daily GROUP BY domain;

SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT calib.ece(c, y), calib.brier(c, y), calib.summary(c, y) FROM ex;
EXPLAIN (COSTS OFF) SELECT calib.merge(s) FROM ex_daily;
CREATE TEMP TABLE ex_par AS SELECT * FROM every;
CREATE TEMP TABLE parm AS SELECT * FROM merged;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ex_ser AS SELECT * FROM every;
CREATE TEMP TABLE serm AS SELECT * FROM merged;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE p.scalars = s.scalars) AS scalars_identical,
       count(*) FILTER (WHERE p.composites = s.composites) AS composites_identical,
       count(*) FILTER (WHERE p.summary = s.summary) AS summaries_identical
FROM ex_par p JOIN ex_ser s USING (domain);
SELECT count(*) AS groups, count(*) FILTER (WHERE p.m = s.m AND p.e = s.e) AS merges_identical
FROM parm p JOIN serm s USING (domain);

-- The summary's accessors are the direct aggregates to the bit: both fold
-- the same exact sums.
SELECT bool_and(float8send(calib.ece(s)) = float8send(e)) AS ece,
       bool_and(float8send(calib.brier(s)) = float8send(b)) AS brier,
       bool_and(float8send(calib.nll(s)) = float8send(l)) AS nll,
       bool_and(calib.reliability(s, 6)::text = r) AS reliability
FROM (SELECT domain, calib.summary(c, y) AS s, calib.ece(c, y) AS e, calib.brier(c, y) AS b,
             calib.nll(c, y) AS l, calib.reliability(c, y, 6)::text AS r
      FROM ex GROUP BY domain) x;

-- ------------------------------------------------------ any merge order
-- Daily summaries merged in 20 random orders, by other splits (weeks,
-- domains, id mod 13) and in two levels all give the summary of the rows.
CREATE TEMP TABLE direct AS SELECT calib.summary(c, y)::text AS t FROM ex;
SELECT count(DISTINCT t) AS distinct_texts, bool_and(t = (SELECT t FROM direct)) AS all_equal_direct
FROM (SELECT calib.merge(s ORDER BY random())::text AS t FROM ex_daily, generate_series(1, 20) g GROUP BY g
      UNION ALL
      SELECT calib.merge(s ORDER BY day DESC, domain)::text FROM ex_daily
      UNION ALL
      SELECT calib.merge(w)::text FROM (SELECT calib.merge(s) AS w FROM ex_daily GROUP BY day / 7) x
      UNION ALL
      SELECT calib.merge(w)::text FROM (SELECT calib.merge(s) AS w FROM ex_daily GROUP BY domain) x
      UNION ALL
      SELECT calib.merge(w ORDER BY random())::text
      FROM (SELECT calib.summary(c, y) AS w FROM ex GROUP BY id % 13) x) all_orders;

-- Text and binary round trips keep every byte.
SELECT bool_and(s::text::calib.summary::text = s::text) AS text_round_trip,
       bool_and(calib._summary_from_wire(calib._summary_send(s))::text = s::text) AS wire_round_trip
FROM ex_daily;

-- ----------------------------------------- moving windows = recomputing
-- A 7-day rolling window with the inverse transition (O(1) per row) against
-- the same frames recomputed through a join; every result to the byte.
SET enable_hashagg = off;
CREATE TEMP TABLE by_day AS
SELECT day, calib.merge(s) AS s FROM ex_daily GROUP BY day;
SELECT count(*) AS windows,
       count(*) FILTER (WHERE w.m = r.m) AS merge_identical,
       count(*) FILTER (WHERE w.e = r.e) AS ece_identical
FROM (SELECT day, calib.merge(s) OVER (ORDER BY day ROWS 6 PRECEDING)::text AS m,
             float8send(calib.ece(calib.merge(s) OVER (ORDER BY day ROWS 6 PRECEDING))) AS e
      FROM by_day) w
JOIN (SELECT a.day, calib.merge(b.s)::text AS m, float8send(calib.ece(calib.merge(b.s))) AS e
      FROM by_day a JOIN by_day b ON b.day BETWEEN a.day - 6 AND a.day GROUP BY a.day) r USING (day);

-- Direct aggregates over rows in a moving frame (ROWS 500 PRECEDING, and a
-- frame that is empty at the start) against the frames recomputed.
CREATE TEMP TABLE wrows AS SELECT * FROM ex WHERE id <= 3000;
CREATE TEMP VIEW wframes AS
SELECT id,
       float8send(calib.ece(c, y) OVER w) || float8send(calib.mce(c, y, 15) OVER w)
         || float8send(calib.brier(c, y) OVER w) || float8send(calib.nll(c, y) OVER w)
         || float8send(calib.debiased_ece(c, y) OVER w) AS v,
       coalesce((calib.summary(c, y) OVER w2)::text, '') || coalesce((calib.brier(c, y) OVER w2)::text, 'null')
         || coalesce((calib.reliability(c, y, 4) OVER w2)::text, '{}') AS v2
FROM wrows
WINDOW w AS (ORDER BY id ROWS 500 PRECEDING),
       w2 AS (ORDER BY id ROWS BETWEEN 20 PRECEDING AND 10 PRECEDING);
CREATE TEMP VIEW rframes AS
SELECT a.id,
       (SELECT float8send(calib.ece(c, y)) || float8send(calib.mce(c, y, 15)) || float8send(calib.brier(c, y))
               || float8send(calib.nll(c, y)) || float8send(calib.debiased_ece(c, y))
        FROM wrows b WHERE b.id BETWEEN a.id - 500 AND a.id) AS v,
       (SELECT coalesce(calib.summary(c, y)::text, '') || coalesce(calib.brier(c, y)::text, 'null')
               || coalesce(calib.reliability(c, y, 4)::text, '{}')
        FROM wrows b WHERE b.id BETWEEN a.id - 20 AND a.id - 10) AS v2
FROM wrows a;
SELECT count(*) AS frames, count(*) FILTER (WHERE w.v = r.v) AS identical,
       count(*) FILTER (WHERE w.v2 = r.v2) AS identical_lagged
FROM wframes w JOIN rframes r USING (id);
RESET enable_hashagg;

-- The moving-window form really is the inverse one (no re-aggregation).
SELECT aggmtransfn::regproc, aggminvtransfn::regproc, aggmtranstype::regtype
FROM pg_aggregate WHERE aggfnoid IN ('calib.merge(calib.summary)'::regprocedure,
                                     'calib.ece(double precision, boolean)'::regprocedure,
                                     'calib.nll(double precision, boolean)'::regprocedure)
ORDER BY 1;

-- ------------------------------------------- format version 1 (0.1.0)
-- A summary written by calib 0.1.0 as text and as binary (the rows below:
-- confidence ((37 i) mod 101) / 100, correct unless 3 divides i): it reads,
-- answers like the version-2 summary of the same rows to 1e-12, writes
-- itself as version 2, and merges with version-2 summaries.
CREATE TABLE ex_v1rows AS
SELECT (((i * 37) % 101) / 100.0)::float8 AS c, i % 3 <> 0 AS y FROM generate_series(1, 40) i;
CREATE TABLE ex_v1 AS
SELECT 'text' AS form, 'v1 fine=600 n=40 correct=27 sq=11.7936 ll=67.71909697402846 | 17:1:1:0.03 35:1:1:0.06 53:1:0:0.09 59:1:0:0.1 77:1:1:0.13 95:1:1:0.16 113:1:0:0.19 119:1:0:0.2 137:1:1:0.23 155:1:1:0.26 173:1:0:0.29 179:1:0:0.3 197:1:1:0.33 215:1:1:0.36 221:1:1:0.37 239:1:0:0.4 257:1:1:0.43 275:1:1:0.46 281:1:1:0.47 299:1:0:0.5 317:1:1:0.53 335:1:1:0.56 341:1:1:0.57 359:1:0:0.6 377:1:1:0.63 395:1:1:0.66 401:1:1:0.67 419:1:0:0.7 437:1:1:0.73 443:1:1:0.74 461:1:1:0.77 479:1:0:0.8 497:1:1:0.83 503:1:1:0.84 521:1:1:0.87 539:1:0:0.9 557:1:1:0.93 563:1:1:0.94 581:1:1:0.97 599:1:0:1'::calib.summary AS s
UNION ALL
SELECT 'wire', calib._summary_from_wire('\x0102580000000000000028000000000000001b40279652bd3c36114050ee05af5086b500280011000000000000000100000000000000013f9eb851eb851eb80023000000000000000100000000000000013faeb851eb851eb80035000000000000000100000000000000003fb70a3d70a3d70a003b000000000000000100000000000000003fb999999999999a004d000000000000000100000000000000013fc0a3d70a3d70a4005f000000000000000100000000000000013fc47ae147ae147b0071000000000000000100000000000000003fc851eb851eb8520077000000000000000100000000000000003fc999999999999a0089000000000000000100000000000000013fcd70a3d70a3d71009b000000000000000100000000000000013fd0a3d70a3d70a400ad000000000000000100000000000000003fd28f5c28f5c28f00b3000000000000000100000000000000003fd333333333333300c5000000000000000100000000000000013fd51eb851eb851f00d7000000000000000100000000000000013fd70a3d70a3d70a00dd000000000000000100000000000000013fd7ae147ae147ae00ef000000000000000100000000000000003fd999999999999a0101000000000000000100000000000000013fdb851eb851eb850113000000000000000100000000000000013fdd70a3d70a3d710119000000000000000100000000000000013fde147ae147ae14012b000000000000000100000000000000003fe0000000000000013d000000000000000100000000000000013fe0f5c28f5c28f6014f000000000000000100000000000000013fe1eb851eb851ec0155000000000000000100000000000000013fe23d70a3d70a3d0167000000000000000100000000000000003fe33333333333330179000000000000000100000000000000013fe428f5c28f5c29018b000000000000000100000000000000013fe51eb851eb851f0191000000000000000100000000000000013fe570a3d70a3d7101a3000000000000000100000000000000003fe666666666666601b5000000000000000100000000000000013fe75c28f5c28f5c01bb000000000000000100000000000000013fe7ae147ae147ae01cd000000000000000100000000000000013fe8a3d70a3d70a401df000000000000000100000000000000003fe999999999999a01f1000000000000000100000000000000013fea8f5c28f5c28f01f7000000000000000100000000000000013feae147ae147ae10209000000000000000100000000000000013febd70a3d70a3d7021b000000000000000100000000000000003feccccccccccccd022d000000000000000100000000000000013fedc28f5c28f5c30233000000000000000100000000000000013fee147ae147ae140245000000000000000100000000000000013fef0a3d70a3d70a0257000000000000000100000000000000003ff0000000000000'::bytea);
SELECT form, calib.n(s), left(s::text, 16) AS written_as,
       abs(calib.ece(s) - r.ece) < 1e-12 AS ece, abs(calib.mce(s, 20) - r.mce) < 1e-12 AS mce,
       abs(calib.brier(s) - r.brier) < 1e-12 AS brier, abs(calib.nll(s) - r.nll) < 1e-12 AS nll,
       abs(calib.mean_confidence(s) - r.conf) < 1e-12 AS mean_confidence,
       calib.auroc(s) = r.auroc AS auroc,
       calib.n(calib.merge(s) OVER ()) AS merged_n
FROM ex_v1, (SELECT calib.ece(c, y), calib.mce(c, y, 20), calib.brier(c, y), calib.nll(c, y),
                 avg(c) AS conf, calib.auroc(calib.summary(c, y)) FROM ex_v1rows) r(ece, mce, brier, nll, conf, auroc)
ORDER BY form;
-- merged with the version-2 summary of the same rows: twice the rows, the
-- same metrics (to 1e-12)
SELECT calib.n(m), abs(calib.ece(m) - (SELECT calib.ece(c, y) FROM ex_v1rows)) < 1e-12 AS ece,
       abs(calib.nll(m) - (SELECT calib.nll(c, y) FROM ex_v1rows)) < 1e-12 AS nll
FROM (SELECT calib.merge(s) AS m
      FROM (SELECT s FROM ex_v1 WHERE form = 'text' UNION ALL SELECT calib.summary(c, y) FROM ex_v1rows) x) y;

-- --------------------------------------------------- the state types
-- Text and binary I/O round-trip; hand-worked ex_states: rows (0.3, correct)
-- and (1.0, wrong) in 4 bins: bin 1 holds 0.3 = 0x0.4ccccccccccccc..., bin
-- 3 holds 1; the Brier sum 0.49 + 1 = 1.49 (0x1.7d70a3d70a3d7...).
SELECT calib._binned_trans(calib._binned_trans(NULL, 0.3, true, 4), 1.0, false, 4) AS binned;
SELECT calib._nll_trans(calib._nll_trans(NULL, 0.5, true), 0.5, false) AS nll_state;   -- 2 ln 2 = 1.62e42fefa39ef
SELECT calib._brier_trans(NULL, 0.5, true) AS brier_state;                             -- 0.25
CREATE TABLE ex_states AS
SELECT calib._binned_trans(calib._binned_trans(NULL, 0.3, true, 4), 1.0, false, 4) AS b,
       calib._nll_trans(calib._nll_trans(NULL, 0.5, true), 0.1, false) AS p;
INSERT INTO ex_states SELECT calib._binned_trans(b, 0.7, true, 4), calib._nll_trans(p, 1, true) FROM ex_states;
SELECT bool_and(b::text = b::text::calib.binned_state::text) AS binned_text_round_trip,
       bool_and(p::text = p::text::calib.pointwise_state::text) AS pointwise_text_round_trip
FROM ex_states;
-- binary: out with send, back in with receive
COPY ex_states TO '/tmp/calib_exact_states.bin' WITH (FORMAT binary);
CREATE TABLE ex_states_back (LIKE ex_states);
COPY ex_states_back FROM '/tmp/calib_exact_states.bin' WITH (FORMAT binary);
SELECT (SELECT string_agg(b::text || p::text, ',' ORDER BY b::text) FROM ex_states)
     = (SELECT string_agg(b::text || p::text, ',' ORDER BY b::text) FROM ex_states_back) AS binary_round_trip;
-- a state ships as a value: combining two text-shipped halves gives the whole
SELECT calib._binned_combine(a::text::calib.binned_state, b::text::calib.binned_state)::text
       = (SELECT calib._binned_trans(calib._binned_trans(NULL, 0.3, true, 4), 1.0, false, 4))::text AS combined
FROM (SELECT calib._binned_trans(NULL, 0.3, true, 4) AS a, calib._binned_trans(NULL, 1.0, false, 4) AS b) x;
-- malformed (22P02) and impossible (22023) ex_states
\set VERBOSITY sqlstate
SELECT 'b1 bins=4 sq=1.7d70a3d70a3d6c00 | 3:1:0:1.0000000000000000 1:1:1:0.4ccccccccccccc00'::calib.binned_state;
SELECT 'b1 bins=0 sq=0.0000000000000000 |'::calib.binned_state;
SELECT 'b2 bins=4 sq=0.0000000000000000 |'::calib.binned_state;
SELECT 'b1 bins=4 sq=0.0000000000000000 | 1:1:1:0.4CCCCCCCCCCCCC00'::calib.binned_state;
SELECT 'b1 bins=4 sq=0.0000000000000000 | 1:0:0:0.0000000000000000'::calib.binned_state;
SELECT 'b1 bins=4 sq=0.7d70a3d70a3d6c00 | 1:1:1:0.1000000000000000'::calib.binned_state;
SELECT 'b1 bins=4 sq=0.a000000000000000 | 1:1:1:0.4ccccccccccccc00'::calib.binned_state;
SELECT 'b1 bins=4 sq=0.7d70a3d70a3d6c00 | 1:1:2:0.4ccccccccccccc00'::calib.binned_state;
SELECT 'p1 brier n=1 sum=1.0000000000000001'::calib.pointwise_state;
SELECT 'p1 nll n=-1 sum=0.0000000000000000'::calib.pointwise_state;
SELECT 'p1 mse n=1 sum=0.0000000000000000'::calib.pointwise_state;
SELECT 'p1 nll n=1 sum=25.0000000000000000'::calib.pointwise_state;
SELECT calib._mean_combine('p1 nll n=1 sum=1.0000000000000000', 'p1 brier n=1 sum=0.1000000000000000');
SELECT calib._binned_combine('b1 bins=4 sq=0.0000000000000000 |', 'b1 bins=5 sq=0.0000000000000000 |');
\set VERBOSITY default
SELECT 'alive' AS server;
DROP TABLE ex, ex_daily, ex_v1rows, ex_v1, ex_states, ex_states_back CASCADE;
