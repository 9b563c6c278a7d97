-- Stated (verbalized) confidence read from a response's text.  Core in
-- src/stated.c; rules, phrase table and its source in docs/stated.md.
-- Depends on the bytes only (ASCII case folding, no locale), hence
-- IMMUTABLE.

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
