-- test/data/sample_samples.sql -- generated sample data for the
-- self-consistency recipes of docs/votes.md: three models answer the same
-- 1 000 short-answer prompts five times each (15 000 samples), seeded and
-- reproducible.
--
--   calib_demo.prompts(prompt_id, domain, question, gold, difficulty)
--   calib_demo.samples(prompt_id, sample_no, model, answer, seq_logprob, correct)
--
-- Each sample is right with probability sigmoid(skill - 6 * difficulty);
-- wrong samples mostly fall on the prompt's one or two tempting wrong
-- answers, so wrong answers agree with each other too.  Answers come in
-- surface variants ("Paris", "paris.", "The Paris", "1,000" / "1000.0"),
-- which is what calib.normalize_answer is for; 1% of samples are refusals
-- (answer NULL, seq_logprob NULL, correct false).  seq_logprob, the summed
-- token log-probability, mostly reflects answer length and noise; the right
-- answer and the most tempting wrong one get the same small bonus, so
-- picking the most likely sample is barely better than picking one at
-- random, while majority voting still helps.
SELECT setseed(0.2024);

CREATE SCHEMA IF NOT EXISTS calib_demo;

CREATE TABLE calib_demo.prompts (
    prompt_id   integer PRIMARY KEY,
    domain      text NOT NULL,
    question    text NOT NULL,
    gold        text NOT NULL,              -- the reference answer
    difficulty  double precision NOT NULL   -- 0 (easy) .. 1 (hard)
);

CREATE TABLE calib_demo.samples (
    prompt_id    integer NOT NULL REFERENCES calib_demo.prompts,
    sample_no    integer NOT NULL,          -- 1 .. 5 per model
    model        text NOT NULL,
    answer       text,                      -- NULL: the model refused
    seq_logprob  double precision,          -- sum of token log-probabilities
    correct      boolean NOT NULL,          -- graded against prompts.gold
    PRIMARY KEY (prompt_id, model, sample_no)
);

-- Word answers: geography 1-16, science 17-32, history 33-40; numbers for
-- arithmetic.  A prompt's wrong answers are other words of its domain.
-- Upper- and lower-case forms are spelled out (not upper()/lower()), so
-- the data does not depend on the database's locale.
CREATE TEMP TABLE words (k int, w text, w_upper text, w_lower text);
INSERT INTO words VALUES
    (1, 'Paris', 'PARIS', 'paris'), (2, 'Lyon', 'LYON', 'lyon'),
    (3, 'Zürich', 'ZÜRICH', 'zürich'), (4, 'Genève', 'GENÈVE', 'genève'),
    (5, 'São Paulo', 'SÃO PAULO', 'são paulo'), (6, 'Reykjavík', 'REYKJAVÍK', 'reykjavík'),
    (7, 'Kraków', 'KRAKÓW', 'kraków'), (8, 'Tōkyō', 'TŌKYŌ', 'tōkyō'),
    (9, 'Canberra', 'CANBERRA', 'canberra'), (10, 'Ottawa', 'OTTAWA', 'ottawa'),
    (11, 'Nairobi', 'NAIROBI', 'nairobi'), (12, 'Lima', 'LIMA', 'lima'),
    (13, 'Oslo', 'OSLO', 'oslo'), (14, 'Wellington', 'WELLINGTON', 'wellington'),
    (15, 'Hanoi', 'HANOI', 'hanoi'), (16, 'Quito', 'QUITO', 'quito'),
    (17, 'helium', 'HELIUM', 'helium'), (18, 'neon', 'NEON', 'neon'),
    (19, 'argon', 'ARGON', 'argon'), (20, 'oxygen', 'OXYGEN', 'oxygen'),
    (21, 'nitrogen', 'NITROGEN', 'nitrogen'), (22, 'carbon', 'CARBON', 'carbon'),
    (23, 'sodium', 'SODIUM', 'sodium'), (24, 'calcium', 'CALCIUM', 'calcium'),
    (25, 'mitochondria', 'MITOCHONDRIA', 'mitochondria'), (26, 'ribosome', 'RIBOSOME', 'ribosome'),
    (27, 'chloroplast', 'CHLOROPLAST', 'chloroplast'), (28, 'nucleus', 'NUCLEUS', 'nucleus'),
    (29, 'Ångström', 'ÅNGSTRÖM', 'ångström'), (30, 'Newton', 'NEWTON', 'newton'),
    (31, 'Pascal', 'PASCAL', 'pascal'), (32, 'Kelvin', 'KELVIN', 'kelvin'),
    (33, 'Napoleon', 'NAPOLEON', 'napoleon'), (34, 'Cleopatra', 'CLEOPATRA', 'cleopatra'),
    (35, 'Charlemagne', 'CHARLEMAGNE', 'charlemagne'), (36, 'Magellan', 'MAGELLAN', 'magellan'),
    (37, 'Curie', 'CURIE', 'curie'), (38, 'Darwin', 'DARWIN', 'darwin'),
    (39, 'Ἀριστοτέλης', 'ἈΡΙΣΤΟΤΈΛΗΣ', 'ἀριστοτέλης'), (40, 'Confucius', 'CONFUCIUS', 'confucius');

-- The i-th word (cyclically) of a domain's range.
CREATE FUNCTION pg_temp.word_k(domain text, i integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE domain WHEN 'geography' THEN 1 + i % 16
                       WHEN 'science' THEN 17 + i % 16
                       ELSE 33 + i % 8 END
$$;

INSERT INTO calib_demo.prompts
SELECT p, domain,
       format('%s question #%s', domain, p),
       CASE WHEN domain = 'arithmetic' THEN num::text
            ELSE (SELECT w FROM words WHERE k = pg_temp.word_k(domain, p * 7)) END,
       difficulty
FROM (SELECT p,
             (ARRAY['geography', 'science', 'history', 'arithmetic'])[1 + p % 4] AS domain,
             100 + floor(random() * 49900)::int AS num,
             random() AS difficulty
      FROM generate_series(1, 1000) AS p
      OFFSET 0) AS s;

-- One row per sample: did it hit the gold answer, which wrong answer if
-- not, and which surface form it is written in.
CREATE TEMP TABLE draws AS
SELECT p.prompt_id, m.model, s AS sample_no, p.domain, p.gold,
       random() < 1 / (1 + exp(-(m.skill - 6 * p.difficulty))) AS hit,
       random() AS which_wrong,
       floor(random() * 6)::int AS form,
       random() < 0.01 AS refused,
       random() AS u1
FROM calib_demo.prompts AS p
CROSS JOIN (VALUES ('atlas-1', 3.2), ('borealis-2', 2.6), ('cirrus-3', 2.0)) AS m(model, skill)
CROSS JOIN generate_series(1, 5) AS s
ORDER BY p.prompt_id, m.model, s;

CREATE TEMP TABLE chosen AS
SELECT d.*,
       CASE WHEN d.hit THEN d.gold
            WHEN d.domain = 'arithmetic' THEN
                (d.gold::int + CASE WHEN d.which_wrong < 0.6 THEN 10
                                    WHEN d.which_wrong < 0.9 THEN -100
                                    ELSE 1 + floor(d.which_wrong * 1000)::int END)::text
            ELSE (SELECT w FROM words
                  WHERE k = pg_temp.word_k(d.domain, d.prompt_id * 7 + CASE WHEN d.which_wrong < 0.6 THEN 1
                                                                     WHEN d.which_wrong < 0.9 THEN 2
                                                                     ELSE 3 + floor(d.which_wrong * 5)::int END))
       END AS base
FROM draws AS d;
ALTER TABLE chosen ADD COLUMN base_upper text, ADD COLUMN base_lower text;
UPDATE chosen SET base_upper = w_upper, base_lower = w_lower FROM words WHERE w = base;

INSERT INTO calib_demo.samples
SELECT prompt_id, sample_no, model,
       CASE WHEN refused THEN NULL
            WHEN domain = 'arithmetic' THEN
                CASE form WHEN 0 THEN base
                          WHEN 1 THEN to_char(base::int, 'FM999,999')
                          WHEN 2 THEN base || '.0'
                          WHEN 3 THEN base || '.'
                          WHEN 4 THEN '+' || base
                          ELSE ' ' || to_char(base::int, 'FM999,999') || '.00' END
            ELSE CASE form WHEN 0 THEN base
                           WHEN 1 THEN base_lower
                           WHEN 2 THEN base_upper
                           WHEN 3 THEN base || '.'
                           WHEN 4 THEN 'The ' || base
                           ELSE '"' || base || '"' END
       END,
       CASE WHEN refused THEN NULL
            -- always < 0: at least -(0.4 + 0.12 * 3) + 0.15.  The right
            -- answer and the most tempting wrong one are equally fluent.
            ELSE round((-(0.4 + 0.12 * length(base) + 0.8 * -ln(1 - u1))
                        + CASE WHEN hit OR which_wrong < 0.6 THEN 0.15 ELSE 0 END)::numeric, 3)::double precision END,
       hit AND NOT refused
FROM chosen;

DROP TABLE words, draws, chosen;
ANALYZE calib_demo.prompts;
ANALYZE calib_demo.samples;
