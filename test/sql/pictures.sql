-- SVG and text reliability diagrams from calib.reliability(...) output.
-- The SVG is parsed by PostgreSQL's own XML parser (libxml2) and inspected
-- with XPath, so these checks do not trust the renderer's own string-building.
\set svgns 'ARRAY[ARRAY[''s'', ''http://www.w3.org/2000/svg'']]'

-- The title as the XML parser reads it back (entities decoded).
CREATE FUNCTION pg_temp.svg_title(doc text) RETURNS text LANGUAGE sql AS $$
    SELECT t FROM xmltable(XMLNAMESPACES('http://www.w3.org/2000/svg' AS s),
                           '//s:text[@class="title"]' PASSING CAST(doc AS xml) COLUMNS t text PATH '.')
$$;

SELECT setseed(0.7);
CREATE TEMP TABLE pic AS
SELECT i, c, random() < c * c AS y          -- over-confident: accuracy c^2
FROM (SELECT i, 0.45 + 0.55 * random() AS c FROM generate_series(1, 3000) i) s;
INSERT INTO pic VALUES (0, 0.05, true), (-1, 0.05, true);   -- one under-confident bin

CREATE TEMP TABLE svg AS
SELECT calib.reliability_svg(calib.reliability(c, y), 'atlas-1 · law') AS doc,
       calib.reliability(c, y) AS r,
       calib.ece(c, y) AS ece,
       count(*) AS n
FROM pic;

-- well-formed; the bins drawn as empty are exactly those with n = 0
-- (here bins 2..4: no confidence in (0.1, 0.4]; bin 5 holds (0.4, 0.5])
SELECT xml_is_well_formed_document(doc) AS well_formed,
       (SELECT count(*) FROM unnest(r) b WHERE b.n = 0) AS empty_bins,
       cardinality(xpath('//s:g[@class="bin empty"]', doc::xml, :svgns)) AS drawn_empty,
       cardinality(xpath('//s:g[@class="bin"]', doc::xml, :svgns)) AS drawn_bins,
       cardinality(xpath('//s:rect[@class="gap over"]', doc::xml, :svgns)) AS over,
       cardinality(xpath('//s:rect[@class="gap under"]', doc::xml, :svgns)) AS under,
       cardinality(xpath('//s:path[@class="ci"]', doc::xml, :svgns)) AS whiskers,
       cardinality(xpath('//s:line[@class="diagonal"]', doc::xml, :svgns)) AS diagonal
FROM svg;

-- the caption's ECE and n are those of the direct aggregates; each bin's
-- tooltip carries its own n
SELECT (xpath('//s:text[@class="caption"]/text()', doc::xml, :svgns))[1]::text
         = format('ECE = %s · n = %s · 10 bins · whiskers: 95%% Wilson interval',
                  to_char(ece, 'FM0.0000'), n) AS caption_matches,
       (SELECT bool_and((xpath(format('//s:g[@data-bin="%s"]/@data-n', b.bin), doc::xml, :svgns))[1]::text
                        = b.n::text)
        FROM unnest(r) b WHERE b.n > 0) AS bin_counts_match,
       pg_temp.svg_title(doc) = 'atlas-1 · law' AS title_round_trips
FROM svg;

-- accuracy bar heights: 440 units for accuracy 1, so height = 440 * accuracy
SELECT bool_and(abs((xpath(format('//s:g[@data-bin="%s"]/s:rect[@class="accuracy"]/@height', b.bin),
                            doc::xml, :svgns))[1]::text::float8 - 440 * b.accuracy) < 0.006) AS bars_match
FROM svg, unnest(r) b WHERE b.n > 0;

-- Titles from the database cannot inject markup: the parsed title text is
-- the original string, and no element other than the diagram's appears.
SELECT t.title,
       pg_temp.svg_title(d) = t.title AS round_trips,
       cardinality(xpath('//*[local-name()="script"]', d::xml)) AS scripts,
       position('<script' in d) AS raw_script
FROM (VALUES ('</text><script>alert(1)</script>'),
             ('" onload="alert(1)'),
             ('&amp; <![CDATA[x]]> &#0;'),
             ('Médecine — 医学 🩺')) AS t(title),
     LATERAL (SELECT calib.reliability_svg(calib.reliability(c, y, 4), t.title) AS d FROM pic) s;

-- characters XML 1.0 cannot carry become U+FFFD; long titles are cut
SELECT pg_temp.svg_title(calib.reliability_svg(calib.reliability(0.5, true), E'bell\x07 tab\tend'))
         = E'bell\uFFFD tab end' AS control_chars,
       pg_temp.svg_title(calib.reliability_svg(calib.reliability(0.5, true), repeat('é', 500)))
         = repeat('é', 120) || '...' AS cut_to_120;

-- Edge cases: one bin; all correct; nothing at all.
SELECT label,
       xml_is_well_formed_document(d) AS ok,
       cardinality(xpath('//s:g[@class="bin"]', d::xml, :svgns)) AS bins,
       cardinality(xpath('//s:g[@class="bin empty"]', d::xml, :svgns)) AS empty,
       cardinality(xpath('//s:rect[@class="gap under"]', d::xml, :svgns)) AS under,
       (xpath('//s:text[@class="caption"]/text()', d::xml, :svgns))[1]::text AS caption
FROM (SELECT 'one bin' AS label, calib.reliability_svg(calib.reliability(c, y, 1)) AS d FROM pic
      UNION ALL
      -- 0.3, 0.6, 1, 0 all correct in 10 bins: under-confident in bins 1, 3, 6
      -- (1.0 is perfectly calibrated: no gap); ECE = (1 + .7 + .4 + 0)/4 = .525
      SELECT 'all correct', calib.reliability_svg(calib.reliability(c, true))
      FROM (VALUES (0.3), (0.6), (1.0), (0.0)) v(c)
      UNION ALL
      SELECT 'no rows', calib._reliability_svg(NULL, 5, NULL)) t
ORDER BY label;

-- with one bin, ECE is |mean confidence - accuracy|, in plain SQL
SELECT (xpath('//s:text[@class="caption"]/text()',
              calib.reliability_svg(calib.reliability(c, y, 1))::xml, :svgns))[1]::text
         = format('ECE = %s · n = %s · 1 bin · whiskers: 95%% Wilson interval',
                  to_char(abs(avg(c) - avg(y::int)), 'FM0.0000'), count(*)) AS one_bin_ece
FROM pic;

-- The text diagram of the hand-worked case in binned_hand.sql:
--   [0, .5]: conf .35, acc .5 (under by .15); (.5, 1]: conf .9, acc .5 (over by .4)
SELECT calib.reliability_text(calib.reliability(c, y, 2), 'hand-worked')
FROM (VALUES (0.2, false), (0.5, true), (0.8, true), (1.0, false)) AS t(c, y) \g (format=unaligned tuples_only)

-- From a calib.summary: the same picture as from the rows themselves, for
-- several bin counts (the summary folds its 600 fine bins into these).
SELECT b AS bins,
       calib.reliability_svg(calib.summary(c, y), b, 'same') = calib.reliability_svg(calib.reliability(c, y, b), 'same') AS svg_same,
       calib.reliability_text(calib.summary(c, y), b) = calib.reliability_text(calib.reliability(c, y, b)) AS text_same
FROM pic, (VALUES (1), (10), (15), (100)) v(b) GROUP BY b ORDER BY b;
SELECT calib.reliability_svg(calib.summary(c, y), 7) FROM pic;
SELECT calib.reliability_svg(NULL::calib.summary) IS NULL AS null_summary;

-- An array that calib.reliability could not have produced is refused.
SELECT calib._reliability_svg(calib.reliability(c, y, 4), 5, NULL) FROM pic;
SELECT calib.reliability_svg(ARRAY[(1, 0, 1, 3, 0.5, 0.5, 0, 0, 1)]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[(1, 0, 1, 2, 1.5, 0.5, 0, 0, 1)]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[(1, 0, 0.5, 2, 0.5, 0.5, 0, 0, 1)]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[(1, 0, 1, -2, 0.5, 0.5, 0, 0, 1)]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[(1, 0, 1, 2, NULL, 0.5, 0, 0, 1)]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[NULL]::calib.bin[]);
SELECT calib.reliability_svg(ARRAY[(2, 0, 1, 0, NULL, NULL, NULL, NULL, NULL)]::calib.bin[]);
SELECT calib.reliability_svg('{}'::calib.bin[]);
SELECT calib._reliability_svg(NULL, 0, NULL);
SELECT calib.reliability_svg(NULL::calib.bin[]) IS NULL AS null_in_null_out;
