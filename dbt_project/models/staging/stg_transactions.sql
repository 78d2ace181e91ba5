-- Silver transactions: every loaded version of a transaction, trimmed and typed. A view, not a third full copy of
-- bronze: fct_transactions is the one model that materializes the transactions, and keeps the latest load of each.
-- Deduplicating here instead would put a group by over all of bronze into every increment's read of this view
-- (a filter on loaded_at cannot pass a window or group by over transaction_id), where fct deduplicates only its batch.
with

transactions as (
    select
        trim(transaction_id) as transaction_id,
        trim(customer_id) as customer_id,
        cast(transaction_date as {{ dbt.type_timestamp() }}) as transaction_at,
        cast(transaction_date as date) as transaction_date,
        cast(transaction_amount as {{ dbt.type_numeric() }}) as transaction_amount,
        trim(merchant_name) as merchant_name,
        trim(merchant_category) as merchant_category,
        trim(channel) as channel,
        lower(trim(status)) as status,
        _source_file as source_file,
        _loaded_at as loaded_at
    from {{ source('bronze', 'bronze_transactions') }}
    where transaction_id is not null
)

select * from transactions
