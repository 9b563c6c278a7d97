-- calib.token_logprobs / calib.top_logprobs on realistic API response
-- documents.  Error SQLSTATEs are checked in test/pgtap/logprob.sql.
CREATE TEMP TABLE docs (name text PRIMARY KEY, doc jsonb);
INSERT INTO docs VALUES
-- an OpenAI chat completion, n = 2, with every field the API sends
('chat2', $${
  "id": "chatcmpl-AbC123", "object": "chat.completion", "created": 1764000000,
  "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_0ba0d124f1",
  "choices": [
    {"index": 0,
     "message": {"role": "assistant", "content": "Paris.", "refusal": null},
     "logprobs": {"content": [
        {"token": "Paris", "logprob": -0.0031, "bytes": [80, 97, 114, 105, 115],
         "top_logprobs": [{"token": "Paris", "logprob": -0.0031, "bytes": [80, 97, 114, 105, 115]},
                          {"token": "Lyon", "logprob": -5.9, "bytes": [76, 121, 111, 110]}]},
        {"token": ".", "logprob": -0.25, "bytes": [46],
         "top_logprobs": [{"token": ".", "logprob": -0.25, "bytes": [46]},
                          {"token": "!", "logprob": -1.6, "bytes": [33]}]}],
       "refusal": null},
     "finish_reason": "stop"},
    {"index": 1,
     "message": {"role": "assistant", "content": "Lyon", "refusal": null},
     "logprobs": {"content": [
        {"token": "Lyon", "logprob": -5.9, "bytes": [76, 121, 111, 110],
         "top_logprobs": [{"token": "Paris", "logprob": -0.0031, "bytes": null},
                          {"token": "Lyon", "logprob": -5.9, "bytes": null}]}],
       "refusal": null},
     "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16}}$$),
-- logprobs were not requested
('null_logprobs', $${"id": "chatcmpl-x", "object": "chat.completion",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
               "logprobs": null, "finish_reason": "stop"}]}$$),
-- logprobs without top_logprobs (llama.cpp / vLLM when top_logprobs is not set)
('no_top', $${"choices": [{"index": 0, "logprobs": {"content": [
   {"token": "Hi", "logprob": -0.5, "bytes": [72, 105]},
   {"token": "!", "logprob": -9999.0, "bytes": [33]}]}}]}$$),
-- top_logprobs: 0 was requested: every list is empty
('zero_top', $${"choices": [{"index": 0, "logprobs": {"content": [
   {"token": "Hi", "logprob": -0.5, "top_logprobs": []}]}}]}$$),
-- a stream cut before the first token
('empty', $${"choices": [{"index": 0, "logprobs": {"content": []}, "finish_reason": "length"}]}$$),
-- legacy completions (vLLM /v1/completions with logprobs = 2)
('legacy', $${"id": "cmpl-1", "object": "text_completion", "model": "m",
  "choices": [{"text": " yes", "index": 0, "finish_reason": "length",
    "logprobs": {"tokens": [" y", "es"], "token_logprobs": [-0.1, -2.0],
                 "top_logprobs": [{" y": -0.1, " n": -2.5}, {"es": -2.0, "o": -0.3}],
                 "text_offset": [0, 2]}}]}$$);

-- whole response: choice 0 by default, choice 1 on request
SELECT calib.token_logprobs(doc) AS choice0, calib.token_logprobs(doc, 1) AS choice1,
       calib.top_logprobs(doc) AS top0, calib.top_logprobs(doc, 1) AS top1
FROM docs WHERE name = 'chat2';

-- the same tokens from a choice object, the logprobs object and the bare content list
SELECT calib.token_logprobs(doc #> '{choices,0}') AS from_choice,
       calib.token_logprobs(doc #> '{choices,0,logprobs}') AS from_logprobs,
       calib.token_logprobs(doc #> '{choices,0,logprobs,content}') AS from_content,
       calib.top_logprobs(doc #> '{choices,0,logprobs,content}') AS top_from_content
FROM docs WHERE name = 'chat2';

-- straight into the summaries: sum -0.0031 - 0.25 = -0.2531;
-- token confidences -(-0.0031 - 5.9)/2 = 2.95155 and -(-0.25 - 1.6)/2 = 0.925
SELECT calib.lp_sum(calib.token_logprobs(doc)) AS lp_sum,
       calib.token_confidence(calib.top_logprobs(doc)) AS token_conf,
       calib.lowest_group_confidence(calib.token_confidence(calib.top_logprobs(doc)), 1) AS lowest
FROM docs WHERE name = 'chat2';

-- token_logprobs needs no top_logprobs; -9999 (a server's "minus infinity") is a log-probability
SELECT calib.token_logprobs(doc) FROM docs WHERE name = 'no_top';

-- legacy completions: rows of top_logprobs come out sorted by log-probability,
-- highest first (jsonb does not keep the order of object keys)
SELECT calib.token_logprobs(doc) AS tokens, calib.top_logprobs(doc) AS top,
       calib.token_logprobs(doc -> 'choices' -> 0 -> 'logprobs') AS from_logprobs
FROM docs WHERE name = 'legacy';

-- no tokens: NULL, like an empty array
SELECT calib.token_logprobs(doc) IS NULL AS tokens_null, calib.top_logprobs(doc) IS NULL AS top_null,
       calib.token_logprobs('[]') IS NULL AS bare_empty
FROM docs WHERE name = 'empty';

-- ----------------------------------------------------------- bad input
\set VERBOSITY default
SELECT calib.token_logprobs(doc) FROM docs WHERE name = 'null_logprobs';
SELECT calib.top_logprobs(doc) FROM docs WHERE name = 'no_top';
SELECT calib.top_logprobs(doc) FROM docs WHERE name = 'zero_top';
SELECT calib.token_logprobs(doc, 2) FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(doc, -1) FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(doc -> 'choices' -> 0, 1) FROM docs WHERE name = 'chat2';
-- ragged top-k: the second token has 1 alternative, the first 2
SELECT calib.top_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,1,top_logprobs}',
                                    '[{"token": ".", "logprob": -0.25}]'))
FROM docs WHERE name = 'chat2';
-- wrong types, each named by its path
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,1,logprob}', '"-0.25"'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,1,logprob}', '0.5'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(doc #- '{choices,0,logprobs,content,0,logprob}')
FROM docs WHERE name = 'chat2';
SELECT calib.top_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,0,top_logprobs,1}', '-5.9'))
FROM docs WHERE name = 'chat2';
SELECT calib.top_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,0,top_logprobs,1,logprob}', 'null'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs,content}', '{"token": "Paris"}'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs,content,0}', '"Paris"'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs}', '[]'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices}', '{"0": {}}'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0}', '"Paris"'))
FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs(doc #- '{choices,0,logprobs}') FROM docs WHERE name = 'chat2';
SELECT calib.token_logprobs('{"content": null, "refusal": [{"token": "I", "logprob": -0.1}]}');
SELECT calib.token_logprobs('{"refusal": []}');
SELECT calib.token_logprobs('"Paris"');
SELECT calib.token_logprobs('42');
SELECT calib.token_logprobs('[{"token": "a", "logprob": -0.1}, 3]');
-- legacy: echo=true gives null for the first prompt token
SELECT calib.token_logprobs(jsonb_set(doc, '{choices,0,logprobs,token_logprobs,0}', 'null'))
FROM docs WHERE name = 'legacy';
SELECT calib.top_logprobs(jsonb_set(doc, '{choices,0,logprobs,top_logprobs,0}', 'null'))
FROM docs WHERE name = 'legacy';
SELECT calib.top_logprobs(jsonb_set(doc, '{choices,0,logprobs,top_logprobs,1,o}', '0.2'))
FROM docs WHERE name = 'legacy';
SELECT calib.top_logprobs(doc #- '{choices,0,logprobs,top_logprobs}') FROM docs WHERE name = 'legacy';
