-- Generated segment shares of current customers stay in the ranges the business set for the portfolio.
{{ config(meta={'dagster': {'ref': {'name': 'dim_customer'}}}) }}
with shares as (
    select customer_segment, count(*) * 1.0 / sum(count(*)) over () as share
    from {{ ref('dim_customer') }}
    where is_current
    group by customer_segment
),
ranges as (
    select 'High-Value Travelers' as customer_segment, 0.10 as low, 0.15 as high union all
    select 'Stable Mid-Spenders', 0.40, 0.50 union all
    select 'Budget-Conscious', 0.20, 0.25 union all
    select 'New & Growing', 0.10, 0.15 union all
    select 'Declining', 0.05, 0.10
)
select ranges.customer_segment, shares.share
from ranges
left join shares on ranges.customer_segment = shares.customer_segment
where shares.share is null or shares.share < ranges.low or shares.share > ranges.high
