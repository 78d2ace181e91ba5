-- Step 4: how landing files are read, and where from. Stage names are what customer360/lib/bronze/snowflake_copy.py loads from.
-- A re-run with another bucket or option changes the objects instead of silently keeping the old ones: file formats
-- are replaced (nothing but COPY refers to them, by name), stages are created if missing and then ALTERed (ALTER
-- keeps their grants). The grants at the end cover replaced formats again.
-- CSV: one header line (skipped here; the loader checks it against the bronze contract before COPY), UTF-8,
-- optional double quotes; a row with another number of columns is an error (ERROR_ON_COLUMN_COUNT_MISMATCH, TRUE by
-- default).
CREATE OR REPLACE FILE FORMAT BRONZE.C360_CSV
    TYPE = CSV
    SKIP_HEADER = 1
    FIELD_OPTIONALLY_ENCLOSED_BY = '"'
    EMPTY_FIELD_AS_NULL = TRUE
    COMMENT = 'Replicated batches: comma-separated, one header line, optional double quotes';

CREATE OR REPLACE FILE FORMAT BRONZE.C360_PARQUET
    TYPE = PARQUET
    COMMENT = 'Transaction parts, historical and streaming';

CREATE STAGE IF NOT EXISTS BRONZE.REPLICATION_STAGE URL = '${STAGE_URL}staging/' ${STAGE_CREDENTIALS};
ALTER STAGE BRONZE.REPLICATION_STAGE SET
    URL = '${STAGE_URL}staging/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = (FORMAT_NAME = 'BRONZE.C360_CSV')
    COMMENT = 'staging/<schema>/<table>/: batches replicated from the operational PostgreSQL (CSV or Parquet)';

CREATE STAGE IF NOT EXISTS BRONZE.TRANSACTION_STAGE_HISTORICAL URL = '${STAGE_URL}transactions/historical/' ${STAGE_CREDENTIALS};
ALTER STAGE BRONZE.TRANSACTION_STAGE_HISTORICAL SET
    URL = '${STAGE_URL}transactions/historical/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = (FORMAT_NAME = 'BRONZE.C360_PARQUET')
    COMMENT = 'transactions/historical/: the backfill, one Parquet part per customer chunk';

CREATE STAGE IF NOT EXISTS BRONZE.TRANSACTION_STAGE_STREAMING URL = '${STAGE_URL}transactions/streaming/' ${STAGE_CREDENTIALS};
ALTER STAGE BRONZE.TRANSACTION_STAGE_STREAMING SET
    URL = '${STAGE_URL}transactions/streaming/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = (FORMAT_NAME = 'BRONZE.C360_PARQUET')
    COMMENT = 'transactions/streaming/<date>/: one folder per day of new transactions';

CREATE STAGE IF NOT EXISTS BRONZE.REPORT_STAGE URL = '${STAGE_URL}reports/' ${STAGE_CREDENTIALS};
ALTER STAGE BRONZE.REPORT_STAGE SET
    URL = '${STAGE_URL}reports/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = (FORMAT_NAME = 'BRONZE.C360_PARQUET')
    COMMENT = 'reports/<report>/<date>/<run>/: report results (an export loads its Parquet file into a table)';

-- The pipeline role reads through these (02 grants the future ones; these are the present ones).
GRANT USAGE ON ALL STAGES IN SCHEMA BRONZE TO ROLE DATA_ENGINEER;
GRANT USAGE ON ALL FILE FORMATS IN SCHEMA BRONZE TO ROLE DATA_ENGINEER;
