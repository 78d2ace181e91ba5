-- Gold metric: customer lifetime value by generated segment and card type.
with

profiles as (
    select * from {{ ref('customer_360_profile') }}
),

final as (
    select
        {{ dbt.concat(['customer_segment', "'|'", 'card_type']) }} as segment_card_key,
        customer_segment,
        card_type,
        count(*) as customers,
        sum(lifetime_value) as total_lifetime_value,
        round(avg(lifetime_value), 2) as avg_lifetime_value,
        max(lifetime_value) as max_lifetime_value
    from profiles
    group by customer_segment, card_type
)

select * from final
