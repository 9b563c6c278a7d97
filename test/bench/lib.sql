-- test/bench/lib.sql -- timing helpers for the benchmark sections.
--
-- bench.measure(section, operation, op_sql, floor_sql, plain_sql, runs)
--   runs each query once to warm the cache, then `runs` times in turns, and
--   records the median wall time of each in bench.results.  floor_sql is the scan
--   floor on the same table (sum(confidence), count(*), ...); plain_sql the
--   plain-SQL way a user would write without calib (NULL when none).
--   Results of the queries are discarded; all three must return the same
--   shape of work (same table, same grouping).
CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.results (
    seq        serial,
    section    text,
    operation  text,
    op_ms      double precision,
    floor_ms   double precision,
    plain_ms   double precision,
    note       text
);
-- A reference outside the database (scikit-learn, test/bench/extra/sklearn.sh):
-- its compute time, and separately what getting the data there cost (COPY
-- out of the server plus parsing into numpy).
ALTER TABLE bench.results ADD COLUMN IF NOT EXISTS sklearn_ms double precision;
ALTER TABLE bench.results ADD COLUMN IF NOT EXISTS export_ms  double precision;

CREATE OR REPLACE FUNCTION bench.time_ms(sql text, runs integer)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    times double precision[] := '{}';
BEGIN
    EXECUTE sql;                                   -- warm-up, not counted
    FOR i IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE sql;
        times := times || (extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x);
END $$;

-- One timed run of a SELECT whose rows are discarded as they are produced:
-- a cursor run to its end (MOVE FORWARD ALL), so every row and every
-- column is computed but none is stored or sent.  (A plain EXECUTE would
-- keep all result rows in memory, a cost of the harness, not of the query,
-- and larger for wide rows such as calib.vote_result.)  run.sh sets
-- cursor_tuple_fraction = 1 so a cursor is planned like the query itself.
CREATE OR REPLACE FUNCTION bench.run_once(sql text)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    c  refcursor;
BEGIN
    t0 := clock_timestamp();
    OPEN c FOR EXECUTE sql;
    MOVE FORWARD ALL IN c;
    CLOSE c;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;

CREATE OR REPLACE FUNCTION bench.median(x double precision[])
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(x) v
$$;

-- The floor and the operation are timed in turns (floor, op, floor, op,
-- ...), after one warm-up run each, so a change in the machine's speed
-- during the measurement (another job, caches, memory the backend has not
-- yet reused) falls on both alike.  The plain SQL, often slow, runs after
-- them (a warm-up, then runs/2 + 1 timed runs): on this machine a scan
-- right after a large hashed GROUP BY took twice its time (450 -> 1 190 ms
-- for sum(confidence) over 10 M rows), which made floors measured in turn
-- with the plain SQL slower than the operations they were the floor of.
CREATE OR REPLACE FUNCTION bench.measure(section text, operation text,
                                         op_sql text, floor_sql text,
                                         plain_sql text DEFAULT NULL,
                                         runs integer DEFAULT 5,
                                         note text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    op_t    double precision[] := '{}';
    fl_t    double precision[] := '{}';
    pl_t    double precision[] := '{}';
    op double precision;
    fl double precision;
    pl double precision;
BEGIN
    IF floor_sql IS NOT NULL THEN PERFORM bench.run_once(floor_sql); END IF;
    PERFORM bench.run_once(op_sql);
    FOR i IN 1 .. runs LOOP
        IF floor_sql IS NOT NULL THEN fl_t := fl_t || bench.run_once(floor_sql); END IF;
        op_t := op_t || bench.run_once(op_sql);
    END LOOP;
    IF plain_sql IS NOT NULL THEN
        PERFORM bench.run_once(plain_sql);
        FOR i IN 1 .. greatest(1, runs / 2 + 1) LOOP
            pl_t := pl_t || bench.run_once(plain_sql);
        END LOOP;
    END IF;
    op := bench.median(op_t);
    fl := bench.median(fl_t);
    pl := bench.median(pl_t);
    INSERT INTO bench.results (section, operation, op_ms, floor_ms, plain_ms, note)
    VALUES (section, operation, op, fl, pl, note);
    RAISE NOTICE '% | % | % ms (floor % ms, plain %)', section, operation,
        round(op::numeric, 1), round(fl::numeric, 1), coalesce(round(pl::numeric, 1)::text, '-');
END $$;

-- The one table the benchmark prints.
DROP VIEW IF EXISTS bench.report;
CREATE VIEW bench.report AS
SELECT section, operation,
       round(op_ms::numeric, 1)                      AS ms,
       round(floor_ms::numeric, 1)                   AS floor_ms,
       round((op_ms / nullif(floor_ms, 0))::numeric, 2) AS "÷ floor",
       round(plain_ms::numeric, 1)                   AS plain_sql_ms,
       round((plain_ms / nullif(op_ms, 0))::numeric, 1) AS "× faster than SQL",
       round(sklearn_ms::numeric, 1)                 AS sklearn_ms,
       round((sklearn_ms / nullif(op_ms, 0))::numeric, 1) AS "× faster than sklearn",
       round(export_ms::numeric, 1)                  AS export_ms,
       note
FROM bench.results ORDER BY seq;
