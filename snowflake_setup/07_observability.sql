-- Observability schema: what ran, how long, how much, and how trustworthy the data is. Shared by both targets
-- (snowflake_setup applies the same statements). Views answer the questions people ask first.
CREATE SCHEMA IF NOT EXISTS observability;

CREATE TABLE IF NOT EXISTS observability.data_quality_metrics (
    check_name      VARCHAR   NOT NULL,
    asset_key       VARCHAR   NOT NULL,
    passed          BOOLEAN   NOT NULL,
    severity        VARCHAR   NOT NULL,   -- ERROR | WARN
    observed_value  DOUBLE,
    threshold       DOUBLE,
    description     VARCHAR,
    run_id          VARCHAR,
    checked_at      TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS observability.pipeline_run_metadata (
    run_id          VARCHAR   NOT NULL,
    job_name        VARCHAR   NOT NULL,
    status          VARCHAR   NOT NULL,   -- SUCCESS | FAILURE | CANCELED
    started_at      TIMESTAMP,
    ended_at        TIMESTAMP,
    duration_s      DOUBLE,
    rows_processed  BIGINT,               -- rows loaded into bronze plus rows reported by materializations
    assets_materialized BIGINT,
    error_message   VARCHAR,
    recorded_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS observability.layer_record_counts (
    run_id          VARCHAR   NOT NULL,
    layer           VARCHAR   NOT NULL,   -- bronze | silver | gold
    table_name      VARCHAR   NOT NULL,
    key_column      VARCHAR   NOT NULL,
    row_count       BIGINT    NOT NULL,
    distinct_keys   BIGINT    NOT NULL,
    null_keys       BIGINT    NOT NULL,
    duplicate_keys  BIGINT    NOT NULL,   -- rows beyond the first per key
    min_event_time  TIMESTAMP,
    max_event_time  TIMESTAMP,
    measured_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS observability.model_execution_log (
    run_id          VARCHAR   NOT NULL,
    invocation_id   VARCHAR,
    unique_id       VARCHAR   NOT NULL,   -- dbt node, e.g. model.customer360.fct_transactions
    resource_type   VARCHAR   NOT NULL,   -- model | test | snapshot | seed
    status          VARCHAR   NOT NULL,   -- success | error | pass | fail | warn | skipped
    execution_s     DOUBLE,
    rows_affected   BIGINT,
    message         VARCHAR,
    completed_at    TIMESTAMP NOT NULL
);

-- One row per run of an incremental dbt model (a pre-hook, dbt_project/macros/incremental_batches.sql): rows with
-- loaded_at above loaded_after are the ones that run added, which its unique_in_latest_batch test checks.
CREATE TABLE IF NOT EXISTS observability.incremental_batches (
    model_name      VARCHAR   NOT NULL,   -- fct_transactions (stg_transactions before it became a view)
    loaded_after    TIMESTAMP NOT NULL,   -- the watermark (1900-01-01 on a first build or full refresh)
    invocation_id   VARCHAR,
    recorded_at     TIMESTAMP NOT NULL
);

-- One row per attempt at a report (customer360/lib/reports/), updated as it moves: pending (the query is about to run)
-- -> uploading (its files are being written) -> completed (every object verified, the export loaded) | failed
-- (error_message says why; the attempt's objects are deleted). Each transition commits on its own, so a run killed
-- mid-upload leaves `uploading`, never a false `completed`, until the next report run's sweep finds its Dagster run
-- ended and marks it `abandoned`, deleting what it stored.
CREATE TABLE IF NOT EXISTS observability.report_runs (
    execution_id    VARCHAR   NOT NULL,   -- the request: Dagster's root run id, shared by re-executions of a run
    run_id          VARCHAR   NOT NULL,   -- this attempt's Dagster run
    report          VARCHAR   NOT NULL,   -- executive_summary | segment_performance | churn_watchlist | monthly_spend
    parameters      VARCHAR   NOT NULL,   -- JSON: date_from, date_to, segment, export
    requested_by    VARCHAR   NOT NULL,   -- as claimed: the request's requested_by, else who ran it (run_by)
    run_by          VARCHAR,              -- who actually ran it, from the run's tags: user, schedule, sensor, OS user
    status          VARCHAR   NOT NULL,   -- pending | uploading | completed | failed | abandoned
    row_count       BIGINT,
    object_keys     VARCHAR,              -- JSON list of the objects written under reports/<report>/<date>/<run_id>/
    export_table    VARCHAR,              -- schema.table the result was loaded into, if asked
    upload_attempts BIGINT,
    started_at      TIMESTAMP NOT NULL,
    uploaded_at     TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL,
    error_message   VARCHAR
);

-- Converge a report_runs made by an earlier version (CREATE ... IF NOT EXISTS keeps an existing table as it is).
ALTER TABLE observability.report_runs ADD COLUMN IF NOT EXISTS run_by VARCHAR;

CREATE OR REPLACE VIEW observability.v_latest_pipeline_runs AS
SELECT * FROM (
    SELECT r.*, row_number() OVER (PARTITION BY job_name ORDER BY started_at DESC) AS recency_rank
    FROM observability.pipeline_run_metadata r
) ranked
WHERE recency_rank = 1;

CREATE OR REPLACE VIEW observability.v_recent_dq_failures AS
SELECT *
FROM observability.data_quality_metrics
WHERE NOT passed AND checked_at >= CURRENT_TIMESTAMP - INTERVAL '7 days';

CREATE OR REPLACE VIEW observability.v_record_count_trends AS
SELECT
    CAST(measured_at AS DATE) AS measured_date,
    layer,
    table_name,
    max(row_count) AS row_count,
    max(distinct_keys) AS distinct_keys,
    max(duplicate_keys) AS duplicate_keys,
    max(null_keys) AS null_keys
FROM observability.layer_record_counts
GROUP BY CAST(measured_at AS DATE), layer, table_name;
