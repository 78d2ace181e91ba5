-- Step 4: how landing files are read, and where from. Stage names are what bronze/snowflake_copy.py loads from.
-- CSV relies on Snowflake's defaults for what is not set: UTF-8, ERROR_ON_COLUMN_COUNT_MISMATCH = TRUE,
-- NULL_IF = ('\N'). The header line is skipped; the loader checks column order against the bronze contract.
CREATE FILE FORMAT IF NOT EXISTS BRONZE.C360_CSV
    TYPE = CSV
    SKIP_HEADER = 1
    FIELD_OPTIONALLY_ENCLOSED_BY = '"'
    EMPTY_FIELD_AS_NULL = TRUE
    COMMENT = 'Customer feeds: comma-separated, one header line, optional double quotes';

CREATE FILE FORMAT IF NOT EXISTS BRONZE.C360_PARQUET
    TYPE = PARQUET
    COMMENT = 'Transaction parts, historical and streaming';

CREATE STAGE IF NOT EXISTS BRONZE.CUSTOMER_STAGE
    URL = '${STAGE_URL}customers/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = BRONZE.C360_CSV
    COMMENT = 'customers/: the initial extract and later full refreshes';

CREATE STAGE IF NOT EXISTS BRONZE.TRANSACTION_STAGE_HISTORICAL
    URL = '${STAGE_URL}transactions/historical/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = BRONZE.C360_PARQUET
    COMMENT = 'transactions/historical/: the backfill, one Parquet part per customer chunk';

CREATE STAGE IF NOT EXISTS BRONZE.TRANSACTION_STAGE_STREAMING
    URL = '${STAGE_URL}transactions/streaming/'
    ${STAGE_CREDENTIALS}
    FILE_FORMAT = BRONZE.C360_PARQUET
    COMMENT = 'transactions/streaming/<date>/: one folder per day of new transactions';
