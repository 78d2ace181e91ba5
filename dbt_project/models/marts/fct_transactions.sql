-- Gold transaction facts: one row per transaction, keyed to the customer version current when it happened,
-- to dim_date and to dim_merchant_category. Incremental on transaction_id: a run adds what bronze gained since the
-- newest load already here; delete+insert lets a reloaded transaction replace its earlier row.
{{ config(
    materialized='incremental',
    unique_key='transaction_id',
    incremental_strategy='delete+insert',
    pre_hook="{{ record_incremental_batch() }}",
) }}

with

transactions as (
    select * from {{ ref('stg_transactions') }}
    {% if is_incremental() %}
    where loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
),

customer_versions as (
    select customer_id, customer_version_key, valid_from, valid_to from {{ ref('dim_customer') }}
),

categories as (
    select merchant_category, merchant_category_key from {{ ref('dim_merchant_category') }}
),

final as (
    select
        transactions.transaction_id,
        transactions.customer_id,
        customer_versions.customer_version_key,
        transactions.transaction_date as date_day,
        categories.merchant_category_key,
        transactions.transaction_at,
        transactions.transaction_date,
        transactions.transaction_amount,
        transactions.merchant_name,
        transactions.merchant_category,
        transactions.channel,
        transactions.status,
        transactions.status = 'approved' as is_approved,
        transactions.loaded_at
    from transactions
    left join customer_versions
        on
            transactions.customer_id = customer_versions.customer_id
            and transactions.transaction_at >= customer_versions.valid_from
            and transactions.transaction_at < customer_versions.valid_to
    left join categories on transactions.merchant_category = categories.merchant_category
)

select * from final
