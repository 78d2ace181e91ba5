-- Generated segment shares of current customers stay in the ranges the business set for the portfolio.
{{ config(meta={'dagster': {'ref': {'name': 'dim_customer'}}}) }}
with shares as (
    select customer_segment, count(*) * 1.0 / sum(count(*)) over () as share
    from {{ ref('dim_customer') }}
    where is_current
    group by customer_segment
),

ranges as (
    select 'High-Value Travelers' as customer_segment, 0.10 as low, 0.15 as high
    union all
    select 'Stable Mid-Spenders' as customer_segment, 0.40 as low, 0.50 as high
    union all
    select 'Budget-Conscious' as customer_segment, 0.20 as low, 0.25 as high
    union all
    select 'New & Growing' as customer_segment, 0.10 as low, 0.15 as high
    union all
    select 'Declining' as customer_segment, 0.05 as low, 0.10 as high
)

select ranges.customer_segment, shares.share
from ranges
left join shares on ranges.customer_segment = shares.customer_segment
where shares.share is null or shares.share < ranges.low or shares.share > ranges.high
