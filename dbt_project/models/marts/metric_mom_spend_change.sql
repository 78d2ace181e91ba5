-- Gold metric: portfolio approved spend per calendar month and its change from the month before. Partial months
-- (monthly_customer_spending) are flagged and have no change, nor does the month after a partial one.
with

monthly as (
    select
        spend_month, sum(spend) as spend, sum(transaction_count) as transaction_count,
        count(distinct customer_id) as active_customers,
        max(case when is_partial_month then 1 else 0 end) = 1 as is_partial_month
    from {{ ref('monthly_customer_spending') }}
    group by spend_month
),

compared as (
    select
        monthly.*,
        lag(spend) over (order by spend_month) as previous_spend,
        lag(is_partial_month) over (order by spend_month) as previous_is_partial
    from monthly
),

final as (
    select
        cast(spend_month as {{ dbt.type_string() }}) as month_key,
        spend_month,
        spend,
        transaction_count,
        active_customers,
        is_partial_month,
        previous_spend,
        case
            when not is_partial_month and not previous_is_partial and previous_spend > 0
                then round((spend - previous_spend) / previous_spend * 100, 1)
        end as spend_change_pct
    from compared
)

select * from final
