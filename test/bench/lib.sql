-- test/bench/lib.sql -- timing helpers for the benchmark sections.
--
-- bench.measure(section, operation, op_sql, floor_sql, plain_sql, runs)
--   runs each query once to warm the cache, then `runs` times, and records
--   the median wall time of each in bench.results.  floor_sql is the scan
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

CREATE OR REPLACE FUNCTION bench.measure(section text, operation text,
                                         op_sql text, floor_sql text,
                                         plain_sql text DEFAULT NULL,
                                         runs integer DEFAULT 5,
                                         note text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    op double precision;
    fl double precision;
    pl double precision;
BEGIN
    fl := CASE WHEN floor_sql IS NOT NULL THEN bench.time_ms(floor_sql, runs) END;
    op := bench.time_ms(op_sql, runs);
    pl := CASE WHEN plain_sql IS NOT NULL THEN bench.time_ms(plain_sql, greatest(1, runs / 2 + 1)) END;
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
