-- Gold monthly spending: per customer and calendar month with activity, approved spend, transaction count and
-- the change from the customer's previous active month.
with

approved as (
    select customer_id, transaction_date, transaction_amount
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
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

final as (
    select
        {{ dbt.concat(["customer_id", "'-'", dbt.cast("spend_month", dbt.type_string())]) }} as customer_month_key,
        customer_id,
        spend_month,
        spend,
        transaction_count,
        lag(spend) over (partition by customer_id order by spend_month) as previous_spend,
        spend - lag(spend) over (partition by customer_id order by spend_month) as spend_change,
        case when lag(spend) over (partition by customer_id order by spend_month) > 0
             then round((spend - lag(spend) over (partition by customer_id order by spend_month))
                        / lag(spend) over (partition by customer_id order by spend_month) * 100, 1)
        end as spend_change_pct
    from monthly
)

select * from final
