-- Gold monthly spending: per customer and calendar month with activity, approved spend, transaction count and
-- the change from the customer's previous active month. A month the data covers only in part (gold.dim_month: the
-- history starts inside it, or as-of falls before its last day) is flagged, and no change is computed against or
-- for it, since a part-month beside a whole one reads as a collapse or a boom that did not happen (the rule:
-- macros/month_over_month.sql).
with

approved as (
    select customer_id, transaction_date, transaction_amount
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

months as (
    select month_start, is_partial_month from {{ ref('dim_month') }}
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
        months.is_partial_month
    from monthly
    inner join months on monthly.spend_month = months.month_start
),

final as (
    select
        {{ dbt.concat(["customer_id", "'-'", dbt.cast("spend_month", dbt.type_string())]) }} as customer_month_key,
        customer_id,
        spend_month,
        spend,
        transaction_count,
        is_partial_month,
        {{ month_over_month_change('spend', 'spend_month', 'customer_id', measure='previous') }} as previous_spend,
        {{ month_over_month_change('spend', 'spend_month', 'customer_id', measure='change') }} as spend_change,
        {{ month_over_month_change('spend', 'spend_month', 'customer_id', measure='change_pct') }} as spend_change_pct
    from flagged
)

select * from final
