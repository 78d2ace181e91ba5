-- Per customer, one pass over approved facts: lifetime figures and the 30/90/180-day windows ending on as-of.
with

approved as (
    select customer_id, transaction_date, transaction_amount, merchant_category
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

windowed as (
    select
        *,
        {{ dbt.datediff('transaction_date', as_of_date(), 'day') }}             as days_ago
    from approved
),

final as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(transaction_amount) as lifetime_spend,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        sum(case when days_ago < 30 then transaction_amount else 0 end) as spend_last_30_days,
        sum(case when days_ago < 90 then transaction_amount else 0 end) as spend_last_90_days,
        sum(case when days_ago >= 90 and days_ago < 180 then transaction_amount else 0 end) as spend_prior_90_days,
        sum(case when merchant_category = 'Travel' then transaction_amount else 0 end) as travel_spend
    from windowed
    group by customer_id
)

select * from final
