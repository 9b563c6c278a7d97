-- Hand-worked ECE: four rows, two bins.
--   bin 1 (0, .5]: 0.2 wrong, 0.5 correct -> conf .35, acc .5, gap .15
--   bin 2 (.5, 1]: 0.8 correct, 1.0 wrong -> conf .9,  acc .5, gap .40
--   ECE = .5*.15 + .5*.40 = .275 ; MCE = .40
SELECT round(calib.ece(c, y, 2)::numeric, 12) AS ece,
       round(calib.mce(c, y, 2)::numeric, 12) AS mce
FROM (VALUES (0.2, false), (0.5, true), (0.8, true), (1.0, false)) AS t(c, y);
