-- Silver transactions: one row per transaction_id (the latest load wins), trimmed and typed.
-- Incremental: a run reads only bronze rows loaded after the newest load already here, so a day of streaming
-- files costs a day of rows; delete+insert on transaction_id lets a reloaded transaction replace its old row.
{{ config(materialized='incremental', unique_key='transaction_id', incremental_strategy='delete+insert') }}

with

source as (
    select * from {{ source('bronze', 'bronze_transactions') }}
    {% if is_incremental() %}
    where _loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by trim(transaction_id) order by _loaded_at desc, _source_file desc
        ) as version_rank
    from source
    where transaction_id is not null
),

final as (
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
    from ranked
    where version_rank = 1
)

select * from final
