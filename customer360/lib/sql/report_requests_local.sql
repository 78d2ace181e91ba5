-- observability.report_requests on the local target (DuckDB), applied with the observability schema
-- (lib/observability/quality.py). Snowflake's is snowflake_setup/12_report_requests.sql, with the same columns and view
-- (tests/unit/test_report_request_rules.py compares them): DuckDB has no AUTOINCREMENT, Snowflake no nextval('...').
CREATE SEQUENCE IF NOT EXISTS observability.report_request_ids START 1;

CREATE TABLE IF NOT EXISTS observability.report_requests (
    -- One row per id: the id is the run key and the run's claim, so a second row with it would be claimed by the
    -- other request's run (Snowflake does not enforce keys: the requests sensor refuses rows that share an id).
    request_id   BIGINT    NOT NULL DEFAULT nextval('observability.report_request_ids') PRIMARY KEY,
    report       VARCHAR   NOT NULL,
    date_from    VARCHAR,
    date_to      VARCHAR,
    segment      VARCHAR,
    export_table VARCHAR,
    requested_by VARCHAR   NOT NULL DEFAULT current_user,
    requested_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    status       VARCHAR   NOT NULL DEFAULT 'requested',
    run_id       VARCHAR,
    object_keys  VARCHAR,
    error        VARCHAR,
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    request_key  VARCHAR,
    -- An API caller's Idempotency-Key: its retries within a day are answered with this request, never filed again.
    idempotency_key VARCHAR
);

CREATE OR REPLACE VIEW observability.v_report_requests AS
SELECT request_id, report, date_from, date_to, segment, export_table, requested_by, requested_at, status, run_id,
       object_keys, error IS NOT NULL AS has_error, updated_at
FROM observability.report_requests;

-- A table created before idempotency_key existed gets it (CREATE TABLE IF NOT EXISTS leaves an existing one as it is).
ALTER TABLE observability.report_requests ADD COLUMN IF NOT EXISTS idempotency_key VARCHAR;
