-- Control tables of the bronze COPY: one row per file load, one row per rejected record.
-- Column names follow Snowflake's COPY_HISTORY view so Snowflake users read them without a glossary.
CREATE SCHEMA IF NOT EXISTS bronze;

CREATE TABLE IF NOT EXISTS bronze.load_history (
    table_name               VARCHAR   NOT NULL,
    file_name                VARCHAR   NOT NULL,
    stage_location           VARCHAR   NOT NULL,
    last_load_time           TIMESTAMP NOT NULL,
    status                   VARCHAR   NOT NULL,  -- LOADED | PARTIALLY_LOADED | LOAD_FAILED | LOAD_SKIPPED
    row_parsed               BIGINT,              -- NULL: not countable (no Parquet footer, not a csv/parquet file)
    row_count                BIGINT    NOT NULL,  -- rows loaded
    error_count              BIGINT,              -- rows not loaded: row_parsed = row_count + error_count
    file_size                BIGINT,
    file_etag                VARCHAR,             -- content identity: same name + same etag = already loaded
    first_error_message      VARCHAR,
    first_error_line_number  BIGINT,
    first_error_column_name  VARCHAR,
    run_id                   VARCHAR,
    duplicate_count          BIGINT,              -- loaded rows whose key another row of the same file has
    repeated_count           BIGINT               -- loaded rows whose key an earlier loaded file already had
);

-- Converge tables made by earlier versions (CREATE ... IF NOT EXISTS keeps an existing table as it is).
ALTER TABLE bronze.load_history ALTER COLUMN row_parsed DROP NOT NULL;
ALTER TABLE bronze.load_history ALTER COLUMN error_count DROP NOT NULL;
ALTER TABLE bronze.load_history ADD COLUMN IF NOT EXISTS duplicate_count BIGINT;
ALTER TABLE bronze.load_history ADD COLUMN IF NOT EXISTS repeated_count BIGINT;

CREATE TABLE IF NOT EXISTS bronze.bronze_rejects (
    table_name   VARCHAR   NOT NULL,
    file_name    VARCHAR   NOT NULL,
    line_number  BIGINT,
    column_name  VARCHAR,
    error_type   VARCHAR,
    reason       VARCHAR   NOT NULL,
    raw_record   VARCHAR,
    rejected_at  TIMESTAMP NOT NULL,
    run_id       VARCHAR
);
