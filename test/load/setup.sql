-- test/load/setup.sql -- schema of the concurrent load test (test/suites/load.sh).
CREATE EXTENSION calib;
CREATE TABLE responses (
    id         bigserial PRIMARY KEY,
    domain     text NOT NULL,
    confidence double precision NOT NULL,
    correct    boolean NOT NULL,
    rolled     boolean NOT NULL DEFAULT false   -- already in a rollup
);
CREATE INDEX ON responses (id) WHERE NOT rolled;
-- Each response is rolled up exactly once; rollups are merged (compacted)
-- concurrently, so the merge of all rollups must always equal the summary
-- of every rolled-up row.
CREATE TABLE rollups (
    id bigserial PRIMARY KEY,
    s  calib.summary
);
SELECT setseed(0.42);
INSERT INTO responses (domain, confidence, correct)
SELECT (ARRAY['law', 'medicine', 'finance'])[1 + i % 3], c, random() < c
FROM (SELECT i, random() AS c FROM generate_series(1, 5000) i) g;
