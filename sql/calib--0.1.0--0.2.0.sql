-- calib 0.1.0 -> 0.2.0: ALTER EXTENSION calib UPDATE TO '0.2.0'.
-- Every change made to sql/parts/ after 0.1.0 stands here too, in the same
-- order; test/suites/upgrade.sh checks that an updated 0.1.0 equals a fresh
-- install of 0.2.0, object by object.

\echo Use "ALTER EXTENSION calib UPDATE TO '0.2.0'" to load this file. \quit

-- ---- issue 15: stated confidence (sql/parts/45_stated.sql) ----


-- What calib.parse_confidence_details returns.
CREATE TYPE calib.stated_confidence AS (
    confidence  double precision,  -- in [0, 1]; NULL when the value read is outside
    matched     text,              -- the text read, e.g. 'Confidence (1-10): 6'
    kind        text               -- percent, probability, fraction, scale or phrase
);

CREATE FUNCTION calib.parse_confidence(response text)
RETURNS double precision AS 'MODULE_PATHNAME', 'calib_parse_confidence'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION calib.parse_confidence_details(response text)
RETURNS calib.stated_confidence AS 'MODULE_PATHNAME', 'calib_parse_confidence_details'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
