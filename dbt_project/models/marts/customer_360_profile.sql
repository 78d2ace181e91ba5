-- Gold Customer 360 profile: one row per customer, spend measured on approved transactions up to the as-of date.
with

customers as (
    select * from {{ ref('dim_customer') }}
),

approved as (
    select * from {{ ref('fct_transactions') }}
    where is_approved
),

spend as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(transaction_amount) as lifetime_spend,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        sum(case when transaction_date > {{ dbt.dateadd('day', -90, as_of_date()) }}
                 then transaction_amount else 0 end) as spend_last_90_days
    from approved
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.age,
        customers.state,
        customers.city,
        customers.card_type,
        customers.credit_limit,
        customers.customer_segment,
        coalesce(spend.transaction_count, 0) as transaction_count,
        coalesce(spend.lifetime_spend, 0) as lifetime_spend,
        case when spend.transaction_count > 0
             then round(spend.lifetime_spend / spend.transaction_count, 2) end as avg_transaction_value,
        spend.first_transaction_date,
        spend.last_transaction_date,
        {{ dbt.datediff('spend.last_transaction_date', as_of_date(), 'day') }} as days_since_last_transaction,
        coalesce(spend.spend_last_90_days, 0) as spend_last_90_days
    from customers
    left join spend on customers.customer_id = spend.customer_id
)

select * from final
