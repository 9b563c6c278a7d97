-- compact: replace up to 8 rollups by their merge, through the text and the
-- binary forms; and read metrics off the merge of everything
WITH gone AS (
    DELETE FROM rollups
    WHERE id IN (SELECT id FROM rollups ORDER BY random() LIMIT 8 FOR UPDATE SKIP LOCKED)
    RETURNING s)
INSERT INTO rollups (s)
SELECT calib._summary_from_wire(calib._summary_send(calib.merge(s::text::calib.summary)))
FROM gone HAVING count(*) > 0;
SELECT calib.n(m), calib.ece(m), calib.ece(m, 20), calib.brier(m), calib.nll(m), calib.auroc(m)
FROM (SELECT calib.merge(s) AS m FROM rollups) t;
