-- Gold monthly spending: per customer and calendar month with activity, approved spend, transaction count and
-- the change from the customer's previous active month. The portfolio's first month (history starts inside it) and
-- the as-of month (unless as-of is its last day) are partial: flagged, and no change is computed against or for
-- them, since a part-month beside a whole one reads as a collapse or a boom that did not happen.
with

approved as (
    select customer_id, transaction_date, transaction_amount
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

partial_months as (
    {{ partial_months('approved', 'transaction_date') }}
),

monthly as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as spend_month,
        sum(transaction_amount) as spend,
        count(*) as transaction_count
    from approved
    group by 1, 2
),

flagged as (
    select
        monthly.*,
        partial_months.spend_month is not null as is_partial_month,
        lag(spend) over (partition by customer_id order by monthly.spend_month) as previous_spend,
        lag(partial_months.spend_month is not null)
            over (partition by customer_id order by monthly.spend_month) as previous_is_partial
    from monthly
    left join partial_months on monthly.spend_month = partial_months.spend_month
),

final as (
    select
        {{ dbt.concat(["customer_id", "'-'", dbt.cast("spend_month", dbt.type_string())]) }} as customer_month_key,
        customer_id,
        spend_month,
        spend,
        transaction_count,
        is_partial_month,
        previous_spend,
        case when not is_partial_month and not previous_is_partial then spend - previous_spend end as spend_change,
        case
            when not is_partial_month and not previous_is_partial and previous_spend > 0
                then round((spend - previous_spend) / previous_spend * 100, 1)
        end as spend_change_pct
    from flagged
)

select * from final
