-- Gold marketing audience: what campaigns need and no direct PII (no name, no email): customers are addressed by
-- customer_id through the CRM, which holds consent and contact details.
with

profiles as (
    select * from {{ ref('customer_360_profile') }}
),

segments as (
    select customer_id, behavioural_segment, rfm_cell from {{ ref('customer_segments') }}
),

final as (
    select
        profiles.customer_id,
        case
            when profiles.age < 30 then '22-29' when profiles.age < 45 then '30-44'
            when profiles.age < 60 then '45-59' else '60+'
        end as age_band,
        profiles.state,
        profiles.card_type,
        profiles.customer_segment,
        segments.behavioural_segment,
        segments.rfm_cell,
        case
            when profiles.lifetime_value >= 20000 then 'Top' when profiles.lifetime_value >= 5000 then 'Mid'
            else 'Entry'
        end as value_tier,
        profiles.lifetime_value,
        profiles.avg_transaction_value,
        profiles.transaction_count,
        profiles.spend_last_90_days,
        profiles.spend_trend_pct,
        profiles.favourite_category,
        profiles.favourite_channel,
        profiles.spend_trend,
        profiles.spend_trend_note,
        profiles.churn_risk_band,
        profiles.model_churn_risk_score,
        profiles.model_churn_risk_band,
        profiles.days_since_last_transaction
    from profiles
    inner join segments on profiles.customer_id = segments.customer_id
)

select * from final
