-- calib.parse_confidence and calib.parse_confidence_details at the SQL level.
-- Every expected value is written by hand next to its text from the rules
-- of docs/stated.md; the query prints only the rows that disagree, so the
-- expected output is the count and no mismatches.
\pset null '(null)'

CREATE TEMP TABLE cases (response text, want double precision, want_kind text);
INSERT INTO cases VALUES
    ('85%', 0.85, 'percent'),                               -- lm-polygraph misses it (no decimal point)
    ('Confidence: 1', 1, 'probability'),                    -- lm-polygraph misses it
    ('Probably Not', 0.25, 'phrase'),                       -- not "probably" (0.70)
    ('Highly Unlikely', 0.05, 'phrase'),                    -- not "unlikely" (0.20)
    ('Confidence: 0.85', 0.85, 'probability'),
    ('confidence=0.42', 0.42, 'probability'),
    ('my confidence is 7/10', 0.7, 'fraction'),
    ('confidence at 0.6', 0.6, 'probability'),
    ('7 out of 10', 0.7, 'fraction'),
    ('85/100', 0.85, 'fraction'),
    ('Confidence (0-100): 85', 0.85, 'scale'),
    ('Confidence (1-10): 6', 0.6, 'scale'),
    ('Confidence: 85', 0.85, 'percent'),                    -- in (1, 100]: a percentage
    ('Confidence: 150%', NULL, 'percent'),                  -- ends outside [0, 1]
    ('The tax rate is 25%. Confidence: 70%', 0.7, 'percent'), -- attached beats bare
    ('It rose 10%, then 20%.', 0.2, 'percent'),             -- among equals the last
    ('I am 90% sure', 0.9, 'percent'),
    ('CONFIDENCE: 77%', 0.77, 'percent'),                   -- case-insensitive
    ('It is not likely.', 0.2, 'phrase'),                   -- negated: "unlikely"
    ('The most likely answer is Paris.', NULL, NULL),       -- not a stated confidence
    ('almost certain', 0.95, 'phrase'),
    ('about even', 0.5, 'phrase'),
    ('almost no chance', 0.02, 'phrase'),
    ('G1: Paris P1: 0.85 G2: Lyon P2: 0.10', 0.85, 'probability'), -- P1 wins among labels
    ('The answer is 42.', NULL, NULL),
    ('', NULL, NULL),
    (U&'Confidence: 80\201390%', 0.85, 'percent');          -- en dash range: midpoint

SELECT count(*) AS cases,
       count(*) FILTER (WHERE calib.parse_confidence(response) IS NOT DISTINCT FROM want
                          AND (calib.parse_confidence_details(response)).kind
                              IS NOT DISTINCT FROM want_kind) AS agree
FROM cases;

SELECT response, calib.parse_confidence(response) AS got, want,
       (calib.parse_confidence_details(response)).kind AS got_kind, want_kind
FROM cases
WHERE calib.parse_confidence(response) IS DISTINCT FROM want
   OR (calib.parse_confidence_details(response)).kind IS DISTINCT FROM want_kind;

-- The details show what was read.
SELECT (calib.parse_confidence_details(r)).*
FROM (VALUES ('Answer: Paris. Confidence (1-10): 6'),
             ('I''m 90% sure.'),
             ('Growth was 150%.'),
             ('It isn''t very likely.'),
             ('nothing here')) v(r);

-- NULL in, NULL out (STRICT); a whole composite NULL when nothing is stated.
SELECT calib.parse_confidence(NULL) AS null_in,
       calib.parse_confidence_details(NULL) IS NULL AS details_null_in,
       calib.parse_confidence_details('no confidence') IS NULL AS details_none;

-- Declared properties.
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p
WHERE p.pronamespace = 'calib'::regnamespace
  AND p.proname IN ('parse_confidence', 'parse_confidence_details')
ORDER BY 1;

-- Long and adversarial text: a megabyte of digits, parens and dashes
-- parses (linear time; the fuzz harness checks the step count).
SELECT calib.parse_confidence(repeat('(1-', 300000) || 'Confidence: 0.5') AS long_text,
       calib.parse_confidence(repeat('9', 1000000) || '%') AS huge_percent,
       calib.parse_confidence('Confidence: 0.' || repeat('0', 100000) || '1') AS tiny;

-- Errors: the functions take any text; a wrong type is the caller's error.
SELECT calib.parse_confidence(0.85);
