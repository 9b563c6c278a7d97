-- roll up up to 300 rows nobody has rolled up yet (SKIP LOCKED: concurrent
-- rollups take disjoint rows)
WITH moved AS (
    UPDATE responses SET rolled = true
    WHERE id IN (SELECT id FROM responses WHERE NOT rolled
                 ORDER BY id LIMIT 300 FOR UPDATE SKIP LOCKED)
    RETURNING confidence, correct)
INSERT INTO rollups (s)
SELECT calib.summary(confidence, correct) FROM moved HAVING count(*) > 0;
