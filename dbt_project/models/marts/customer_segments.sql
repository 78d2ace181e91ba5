-- Gold RFM segmentation: recency, frequency and monetary quintiles (5 = best) and a behavioural segment
-- computed from the data, beside the generated segment so their agreement can be measured.
with

profiles as (
    select * from {{ ref('customer_360_profile') }}
),

portfolio as (
    select min(first_transaction_date) as first_portfolio_date from profiles
),

scored as (
    select
        profiles.*,
        ntile(5) over (order by coalesce(days_since_last_transaction, 99999) desc, customer_id) as recency_score,
        ntile(5) over (order by transaction_count, customer_id) as frequency_score,
        ntile(5) over (order by lifetime_value, customer_id) as monetary_score,
        {{ dbt.datediff('portfolio.first_portfolio_date', 'profiles.first_transaction_date', 'day') }}
            as days_after_portfolio_start
    from profiles
    cross join portfolio
),

final as (
    select
        customer_id,
        customer_segment as generated_segment,
        recency_score,
        frequency_score,
        monetary_score,
        cast(recency_score as {{ dbt.type_string() }}) || cast(frequency_score as {{ dbt.type_string() }})
        || cast(monetary_score as {{ dbt.type_string() }}) as rfm_cell,
        case
            when monthly_baseline > 0 and spend_last_30_days < 0.5 * monthly_baseline then 'Declining'
            when days_after_portfolio_start > 30 then 'New & Growing'
            when monetary_score = 5 and travel_spend >= 0.2 * lifetime_value then 'High-Value Travelers'
            when monetary_score <= 2 and frequency_score <= 2 then 'Budget-Conscious'
            else 'Stable Mid-Spenders'
        end as behavioural_segment
    from scored
)

select
    *,
    behavioural_segment = generated_segment as segments_agree
from final
