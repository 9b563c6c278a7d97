-- Pictures of calibration: SVG and text reliability diagrams, the HTML
-- report.  Drawing in src/svg.c; every number is recomputed from the
-- calib.bin[] by src/binning.c.

-- The drawing functions take the bins of calib.reliability (of rows or of a
-- summary), the bin count (so an empty summary, whose reliability is NULL,
-- still draws its empty bins) and an optional title.  A NULL bin count gives
-- NULL.  Not STRICT: NULL rows and NULL title are meaningful.
CREATE FUNCTION calib._reliability_svg(reliability calib.bin[], bins integer, title text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_reliability_svg_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION calib._reliability_text(reliability calib.bin[], bins integer, title text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_reliability_text_bins'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Text escaped for XML and HTML, as ASCII (non-ASCII as &#x..;).
CREATE FUNCTION calib._xml_escape(text)
RETURNS text AS 'MODULE_PATHNAME', 'calib_xml_escape_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The diagram of calib.reliability(confidence, correct [, bins]) output.
CREATE FUNCTION calib.reliability_svg(reliability calib.bin[], title text DEFAULT NULL)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib
RETURN calib._reliability_svg(reliability, cardinality(reliability), title);

CREATE FUNCTION calib.reliability_text(reliability calib.bin[], title text DEFAULT NULL)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib
RETURN calib._reliability_text(reliability, cardinality(reliability), title);
