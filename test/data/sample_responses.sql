-- test/data/sample_responses.sql -- the bundled sample data, generated, not
-- shipped: 20 000 graded model responses, seeded and reproducible.
--
--   calib_demo.responses(id, model, domain, prompt, answer, confidence,
--                        correct, created_at)
--
-- Two models over four domains.  'atlas-1' is overconfident, badly so in
-- medicine, law and finance (accuracy = confidence^k with k up to 3);
-- 'borealis-2' is close to calibrated.  Confidences are verbalised-style,
-- rounded to two decimals, so many sit exactly on bin edges.
SELECT setseed(0.42);

CREATE SCHEMA IF NOT EXISTS calib_demo;
CREATE TABLE calib_demo.responses (
    id          bigint PRIMARY KEY,
    model       text NOT NULL,
    domain      text NOT NULL,
    prompt      text NOT NULL,
    answer      text NOT NULL,
    confidence  double precision NOT NULL,
    correct     boolean NOT NULL,
    created_at  timestamptz NOT NULL
);

INSERT INTO calib_demo.responses
SELECT i, model, domain,
       format('%s question #%s', domain, i),
       format('answer %s', i % 97),
       confidence,
       random() < power(confidence,
                        CASE WHEN model = 'borealis-2' THEN 1.0
                             ELSE CASE domain WHEN 'general' THEN 1.15
                                              WHEN 'medicine' THEN 2.6
                                              WHEN 'law' THEN 3.0
                                              ELSE 2.0 END END),
       timestamptz '2026-08-01 00:00+00' + (i % 90) * interval '1 day'
                                         + (i % 1440) * interval '1 minute'
FROM (
    SELECT i,
           CASE WHEN i % 2 = 0 THEN 'atlas-1' ELSE 'borealis-2' END AS model,
           (ARRAY['general', 'medicine', 'law', 'finance'])[1 + (i / 2) % 4] AS domain,
           round(power(random(), 0.4)::numeric, 2)::double precision AS confidence
    FROM generate_series(1, 20000) AS i
    OFFSET 0
) AS s;

ANALYZE calib_demo.responses;
