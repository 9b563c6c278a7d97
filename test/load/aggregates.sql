-- the direct aggregates over the growing table, serial and per group
SELECT domain, calib.ece(confidence, correct), calib.mce(confidence, correct, 20),
       calib.brier(confidence, correct), calib.nll(confidence, correct),
       calib.auroc(confidence, correct), calib.ace(confidence, correct, 15),
       calib.reliability(confidence, correct, 5), calib.brier_decomposition(confidence, correct)
FROM responses GROUP BY domain;
