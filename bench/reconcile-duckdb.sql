-- The reconcile benchmark's baseline (issue 17): the fold an analyst would write in DuckDB over
-- the same files, writing retry.csv and sms-fallback.csv. bench/reconcile-duckdb.js fills in
-- {{ledger}}, {{events}}, {{out}} and {{now_s}} (string literals already quoted) and runs it with
-- 2 threads. On the benchmark's files it gives the same rows as reconcile's two lists.
--
-- What it leaves out against reconcile's rules (src/reconcile/, DESIGN "Platform rules"), so its
-- work is a lower bound on reconcile's:
--   * events are matched by message id only: no correlation ids (biz_opaque_callback_data, Twilio
--     `cid`), so no in-doubt attempt is settled by a callback, and no claim of a message id by one;
--   * only the first status of the first change of the first entry of each callback is read;
--     Twilio forms, `user_preferences`, inbound opt-out keywords are not read at all, so there is
--     no suppress.csv, no opt-out, no resume;
--   * one attempt per recipient (the bench's ledgers have one): no lattice per attempt, no growing
--     waits over earlier attempts, no outcome matched to its intent by correlation id;
--   * message ids given to two recipients are not set aside; nothing checks the lines (a corrupt
--     ledger line, an unknown provider, a newer ledger format): DuckDB stops or skips;
--   * the code table is three codes (131049 retry later, 131026 not on WhatsApp, 130472 Meta's
--     experiment); the TTL and the category are the first run record's; no US-marketing rule,
--     no transient, paused-template or stop-campaign classes; no failed.csv, in-doubt.csv,
--     summary.json or funnel;
--   * the CSV variables are the bench's (first_name, discount, code), not found from the rows;
--     rows come in the intents' CSV line order, which in the bench is the ledger's order;
--   * no formula escaping of cells, no atomic temp-file-and-rename of the outputs.

CREATE TEMP TABLE ledger AS
SELECT * FROM read_json({{ledger}}, format = 'newline_delimited', columns = {
  'type': 'VARCHAR', 'at': 'VARCHAR', 'cid': 'VARCHAR', 'phone': 'VARCHAR', 'line': 'BIGINT', 'row': 'JSON',
  'outcome': 'VARCHAR', 'message_id': 'VARCHAR', 'ttl_seconds': 'BIGINT'
});

CREATE TEMP TABLE statuses AS
WITH events AS (
  SELECT json_extract(raw, '$.entry[0].changes[0].value.statuses[0]') AS s
  FROM read_json({{events}}, format = 'newline_delimited', columns = { 'type': 'VARCHAR', 'received_at': 'VARCHAR', 'raw': 'VARCHAR' })
  WHERE type = 'event'
)
SELECT s ->> 'id' AS message_id,
       s ->> 'status' AS status,
       CAST(s ->> 'timestamp' AS BIGINT) AS ts,
       TRY_CAST(s -> 'errors' -> 0 ->> 'code' AS INTEGER) AS code
FROM events
WHERE s IS NOT NULL;

CREATE TEMP TABLE folded AS
SELECT message_id,
       max(CASE status WHEN 'read' THEN 3 WHEN 'played' THEN 3 WHEN 'delivered' THEN 2 WHEN 'sent' THEN 1 ELSE 0 END) AS rank,
       -- the earliest failure, then the lowest code
       min(ts) FILTER (WHERE status = 'failed') AS fail_ts,
       arg_min(code, ts * 1000000 + coalesce(code, 0)) FILTER (WHERE status = 'failed') AS fail_code
FROM statuses
GROUP BY message_id;

CREATE TEMP TABLE decided AS
WITH run AS (SELECT ttl_seconds FROM ledger WHERE type = 'run' LIMIT 1),
intents AS (SELECT cid, phone, line, "row", epoch(CAST("at" AS TIMESTAMP)) AS intent_s FROM ledger WHERE type = 'intent'),
outcomes AS (SELECT cid, outcome, message_id, epoch(CAST("at" AS TIMESTAMP)) AS outcome_s FROM ledger WHERE type = 'outcome'),
attempts AS (
  SELECT i.phone, i.line, i."row", i.intent_s, o.outcome, o.outcome_s, f.rank, f.fail_ts, f.fail_code, run.ttl_seconds
  FROM intents i
  LEFT JOIN outcomes o USING (cid)
  LEFT JOIN folded f ON f.message_id = o.message_id
  CROSS JOIN run
)
SELECT *,
  CASE
    WHEN fail_code = 131049 AND fail_ts + 86400 > intent_s + ttl_seconds THEN 'sms_fallback'
    WHEN fail_code = 131049 THEN 'retry'
    WHEN fail_code IN (131026, 130472) THEN 'sms_fallback'
    WHEN fail_code IS NULL AND coalesce(rank, 0) < 2 AND outcome = 'accepted'
         AND {{now_s}} > outcome_s + ttl_seconds + least(3600, greatest(300, ttl_seconds / 10)) THEN 'sms_fallback'
  END AS list,
  CASE
    WHEN fail_code = 131049 AND fail_ts + 86400 > intent_s + ttl_seconds THEN 'retries_exhausted'
    WHEN fail_code = 131049 THEN 'per_user_limit'
    WHEN fail_code = 131026 THEN 'not_on_whatsapp'
    WHEN fail_code = 130472 THEN 'experiment'
    ELSE 'ttl_expired'
  END AS reason
FROM attempts;

COPY (
  SELECT phone, "row" ->> 'opt_in' AS opt_in, "row" ->> 'first_name' AS first_name, "row" ->> 'discount' AS discount, "row" ->> 'code' AS code,
         reason, CAST(fail_code AS VARCHAR) AS error_code, 1 AS attempts,
         strftime(make_timestamp((fail_ts + 86400) * 1000000), '%Y-%m-%dT%H:%M:%S.%gZ') AS due_at
  FROM decided WHERE list = 'retry' ORDER BY line
) TO {{retry}} (HEADER, DELIMITER ',');

COPY (
  SELECT phone, "row" ->> 'first_name' AS first_name, "row" ->> 'discount' AS discount, "row" ->> 'code' AS code,
         reason, coalesce(CAST(fail_code AS VARCHAR), '') AS error_code, 1 AS attempts
  FROM decided WHERE list = 'sms_fallback' ORDER BY line
) TO {{sms}} (HEADER, DELIMITER ',');
