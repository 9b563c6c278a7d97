-- ten new graded responses, confidences on a 1e-6 grid including 0 and 1
\set c random(0, 1000000)
INSERT INTO responses (domain, confidence, correct)
SELECT (ARRAY['law', 'medicine', 'finance'])[1 + (:c + i) % 3],
       ((:c + i * 99991) % 1000001) / 1e6,
       ((:c + i) % 7) < 4
FROM generate_series(1, 10) i;
