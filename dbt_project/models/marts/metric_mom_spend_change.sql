-- Gold metric: portfolio approved spend per calendar month and its change from the month before.
with

monthly as (
    select spend_month, sum(spend) as spend, sum(transaction_count) as transaction_count,
           count(distinct customer_id) as active_customers
    from {{ ref('monthly_customer_spending') }}
    group by spend_month
),

final as (
    select
        cast(spend_month as {{ dbt.type_string() }}) as month_key,
        spend_month,
        spend,
        transaction_count,
        active_customers,
        lag(spend) over (order by spend_month) as previous_spend,
        case when lag(spend) over (order by spend_month) > 0
             then round((spend - lag(spend) over (order by spend_month))
                        / lag(spend) over (order by spend_month) * 100, 1)
        end as spend_change_pct
    from monthly
)

select * from final
