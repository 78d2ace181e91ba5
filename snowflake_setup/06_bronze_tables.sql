-- Step 6: the bronze tables, typed as the loader's contract (customer360/lib/bronze/contracts.py and replication.yaml;
-- a unit test keeps them equal), NOT NULL where a contract rule needs a value: COPY rejects a row whose key is
-- missing, whose amount is not above zero or whose channel/status/segment/card type is not an accepted value (the COPY turns such a value into
-- NULL), per ON_ERROR. Lineage columns: source file, load time, Dagster run id. Transactions are clustered by day, the
-- predicate of every incremental model and freshness query.
-- The tables replicated from the operational database, one per replication.yaml entry (rendered from it).
${REPLICATED_BRONZE_TABLES}

CREATE TABLE IF NOT EXISTS BRONZE.BRONZE_TRANSACTIONS (
    transaction_id      VARCHAR NOT NULL,
    customer_id         VARCHAR NOT NULL,
    transaction_date    TIMESTAMP_NTZ,
    transaction_amount  DECIMAL(12,2) NOT NULL,
    merchant_name       VARCHAR,
    merchant_category   VARCHAR,
    channel             VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,
    _source_file        VARCHAR,
    _loaded_at          TIMESTAMP_NTZ,
    _run_id             VARCHAR
)
CLUSTER BY (TO_DATE(transaction_date));
