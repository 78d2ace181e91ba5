-- Gold transaction facts: one row per transaction, keyed to dim_customer.
with

transactions as (
    select * from {{ ref('stg_transactions') }}
),

final as (
    select
        transaction_id,
        customer_id,
        transaction_at,
        transaction_date,
        transaction_amount,
        merchant_name,
        merchant_category,
        channel,
        status,
        status = 'approved' as is_approved
    from transactions
)

select * from final
