-- test/upgrade/stored_after.sql -- after ALTER EXTENSION calib UPDATE:
-- every summary and map stored under the old version reads back from its
-- table column, its text form and its binary form (upg_*_bin, loaded by the
-- suite with \copy FROM ... (FORMAT binary) through the new recv
-- functions), and gives the metrics it gave before, to 1e-12 relative.
-- Summaries stored before also merge with ones the new version computes.
-- Prints the number of values compared, then one line per difference.
CREATE TEMP TABLE upg_got AS
SELECT 'column' AS form, 'summary ' || g AS obj, r.* FROM upg_summary, upg_summary_metrics(s) r
UNION ALL
SELECT 'text', 'summary ' || g, r.* FROM upg_summary_text, upg_summary_metrics(t::calib.summary) r
UNION ALL
SELECT 'binary', 'summary ' || g, r.* FROM upg_summary_bin, upg_summary_metrics(s) r
UNION ALL
SELECT 'text of column', 'summary ' || g, r.* FROM upg_summary, upg_summary_metrics(s::text::calib.summary) r
UNION ALL
SELECT 'column', 'merged', r.* FROM (SELECT calib.merge(s) AS s FROM upg_summary) q, upg_summary_metrics(q.s) r
UNION ALL
SELECT 'binary', 'merged', r.* FROM (SELECT calib.merge(s) AS s FROM upg_summary_bin) q, upg_summary_metrics(q.s) r
UNION ALL
-- old summaries of the groups 1-4 merged with new ones of the groups 5-7
SELECT 'old+new', 'merged', r.*
FROM (SELECT calib.merge(s) AS s FROM (
          SELECT s FROM upg_summary WHERE g <= 4
          UNION ALL SELECT calib.summary(c, y) FROM upg_rows WHERE g > 4 GROUP BY g) u) q,
     upg_summary_metrics(q.s) r
UNION ALL
SELECT 'column', 'map ' || g || ' ' || k, r.* FROM upg_map, upg_map_metrics(m) r
UNION ALL
SELECT 'text', 'map ' || g || ' ' || k, r.* FROM upg_map_text, upg_map_metrics(t::calib.map) r
UNION ALL
SELECT 'binary', 'map ' || g || ' ' || k, r.* FROM upg_map_bin, upg_map_metrics(m) r;

SELECT 'compared ' || count(*) || ' values in '
       || count(DISTINCT form) || ' forms, '
       || count(DISTINCT obj) || ' objects; missing '
       || (SELECT count(*) FROM upg_expected e CROSS JOIN (SELECT DISTINCT form FROM upg_got) f
           WHERE NOT EXISTS (SELECT 1 FROM upg_got g WHERE g.form = f.form AND g.obj = e.obj AND g.metric = e.metric)
             AND (f.form IN ('column', 'text', 'binary', 'text of column') AND e.obj LIKE 'summary%'
                  OR f.form IN ('column', 'text', 'binary') AND e.obj LIKE 'map%'))
FROM upg_got g JOIN upg_expected e USING (obj, metric);

SELECT format('differs: %s %s %s: before %s, after %s', g.form, g.obj, g.metric, e.v, g.v)
FROM upg_got g JOIN upg_expected e USING (obj, metric)
WHERE e.v IS DISTINCT FROM g.v
  AND (e.v IS NULL OR g.v IS NULL
       OR NOT abs(e.v - g.v) <= 1e-12 * greatest(abs(e.v), abs(g.v)))
ORDER BY 1;
