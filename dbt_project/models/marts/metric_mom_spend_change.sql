-- Gold metric: portfolio approved spend per calendar month and its change from the month before. Partial months
-- (monthly_customer_spending, from gold.dim_month) are flagged and have no change, nor does the month after a partial
-- one (the rule: macros/month_over_month.sql).
with

monthly as (
    select
        spend_month,
        is_partial_month,
        sum(spend) as spend,
        sum(transaction_count) as transaction_count,
        count(distinct customer_id) as active_customers
    from {{ ref('monthly_customer_spending') }}
    group by spend_month, is_partial_month
),

final as (
    select
        cast(spend_month as {{ dbt.type_string() }}) as month_key,
        spend_month,
        spend,
        transaction_count,
        active_customers,
        is_partial_month,
        {{ month_over_month_change('spend', 'spend_month', measure='previous') }} as previous_spend,
        {{ month_over_month_change('spend', 'spend_month', measure='change_pct') }} as spend_change_pct
    from monthly
)

select * from final
