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

-- The diagram of calib.reliability(confidence, correct [, bins]) output;
-- title '' draws none.
CREATE FUNCTION calib.reliability_svg(reliability calib.bin[], title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_svg(reliability, cardinality(reliability), title);

CREATE FUNCTION calib.reliability_text(reliability calib.bin[], title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_text(reliability, cardinality(reliability), title);

-- The diagram of a summary, over any bin count that divides the summary's
-- resolution (see calib.reliability(calib.summary, integer)).  STRICT like
-- every summary accessor: the title defaults to '' (none), a NULL argument
-- gives NULL.  A summary of no rows draws every bin empty.
CREATE FUNCTION calib.reliability_svg(s calib.summary, bins integer DEFAULT 10,
                                      title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_svg(calib.reliability(s, bins), bins, title);

CREATE FUNCTION calib.reliability_text(s calib.summary, bins integer DEFAULT 10,
                                       title text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN calib._reliability_text(calib.reliability(s, bins), bins, title);

-- A number for the report: three decimals, or a dash when undefined.
CREATE FUNCTION calib._fmt(x double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
RETURN coalesce(to_char(x, 'FM0.000'), '&#8212;');

-- A self-contained HTML page: a table of key numbers, then one reliability
-- diagram per group, side by side, in the order given.  Labels and title
-- are escaped; the page loads nothing from outside.
CREATE FUNCTION calib.report_html(labels text[], summaries calib.summary[],
                                  title text DEFAULT 'Calibration report',
                                  bins integer DEFAULT 10)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, calib, pg_temp
AS $$
DECLARE
    t      text := calib._xml_escape(coalesce(title, 'Calibration report'));
    rows   text;
    charts text;
BEGIN
    IF labels IS NULL OR summaries IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(labels) <> cardinality(summaries) THEN
        RAISE EXCEPTION 'labels and summaries must have the same length, got % and %',
            cardinality(labels), cardinality(summaries)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(format(
               '<tr><th scope="row">%s</th><td>%s</td><td>%s</td><td>%s</td>'
               '<td class="ece">%s</td><td>%s</td><td>%s</td></tr>',
               calib._xml_escape(coalesce(g.label, '(null)')),
               coalesce(calib.n(g.s), 0),
               calib._fmt(calib.accuracy(g.s)), calib._fmt(calib.mean_confidence(g.s)),
               calib._fmt(calib.ece(g.s, bins)), calib._fmt(calib.brier(g.s)),
               calib._fmt(calib.auroc(g.s))), E'\n' ORDER BY g.i),
           string_agg(format('<figure>%s</figure>',
               calib._reliability_svg(calib.reliability(g.s, bins), bins, g.label)),
               E'\n' ORDER BY g.i)
      INTO rows, charts
      FROM unnest(labels, summaries) WITH ORDINALITY AS g(label, s, i)
     WHERE g.s IS NOT NULL;
    RETURN concat_ws(E'\n',
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="utf-8">',
        '<title>' || t || '</title>',
        '<style>body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px;color:#222}'
        'table{border-collapse:collapse;margin-bottom:24px}'
        'th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}'
        'th[scope=row]{text-align:left}thead th{background:#f2f2f2}'
        '.charts{display:flex;flex-wrap:wrap;gap:16px}'
        'figure{margin:0;border:1px solid #ddd;padding:8px}</style></head><body>',
        '<h1>' || t || '</h1>',
        format('<p>%s groups; ECE over %s equal-width bins; whiskers are 95%% Wilson intervals '
               'of the accuracy; red: over-confident, yellow: under-confident.</p>',
               coalesce(cardinality(labels), 0), bins),
        '<table class="key-numbers"><thead><tr><th>group</th><th>n</th><th>accuracy</th>'
        '<th>mean confidence</th><th>ECE</th><th>Brier</th><th>AUROC</th></tr></thead><tbody>',
        rows,
        '</tbody></table>',
        '<div class="charts">',
        charts,
        '</div></body></html>');
END
$$;
