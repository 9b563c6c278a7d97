-- After the run: roll up what is left, then the merge of all rollups must
-- equal the direct aggregates over all rows (counts exactly; metrics to
-- 1e-9, since floating sums were added in a different order).
WITH moved AS (UPDATE responses SET rolled = true WHERE NOT rolled RETURNING confidence, correct)
INSERT INTO rollups (s) SELECT calib.summary(confidence, correct) FROM moved HAVING count(*) > 0;
INSERT INTO rollups (s) SELECT calib.summary(confidence, correct) FROM responses;
WITH m AS (SELECT calib.merge(s) AS s FROM rollups WHERE id < (SELECT max(id) FROM rollups)),
     all_rows AS (SELECT s FROM rollups WHERE id = (SELECT max(id) FROM rollups)),
     d AS (SELECT count(*) AS n, avg(correct::int) AS acc,
                  calib.ece(confidence, correct) AS ece, calib.ece(confidence, correct, 20) AS ece20,
                  calib.brier(confidence, correct) AS brier, calib.nll(confidence, correct) AS nll
           FROM responses)
SELECT format('rows %s, rollups %s', d.n, (SELECT count(*) FROM rollups)) AS info,
       calib.n(m.s) = d.n AND calib.n(a.s) = d.n                         AS n_equal,
       abs(calib.accuracy(m.s) - d.acc) < 1e-12                          AS accuracy_equal,
       abs(calib.ece(m.s) - d.ece) < 1e-9 AND abs(calib.ece(a.s) - d.ece) < 1e-9 AS ece_equal,
       abs(calib.ece(m.s, 20) - d.ece20) < 1e-9                          AS ece20_equal,
       abs(calib.brier(m.s) - d.brier) < 1e-9                            AS brier_equal,
       abs(calib.nll(m.s) - d.nll) < 1e-9                                AS nll_equal
FROM m, all_rows a, d;
