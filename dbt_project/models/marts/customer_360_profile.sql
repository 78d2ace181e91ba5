-- Gold Customer 360 profile: one row per current customer. Spend counts approved transactions up to as-of.
-- Two churn views side by side: the rule-based score below, and the churn model's (gold.churn_predictions, written
-- by the scoring asset; null for a customer the model did not score: silent for 90 days, or no model yet).
-- Churn risk (0-100) adds up: recency (up to 50, +25 past 60 days without a transaction) and the last 30 days'
-- spend against the customer's own monthly baseline, the average month of the 90 days before the last 90
-- (up to 25 for the shortfall, +25 when under 30 % of the baseline).
with

customers as (
    select * from {{ ref('dim_customer') }} where is_current
),

activity as (
    select * from {{ ref('int_customer_activity_summarized') }}
),

preferences as (
    select * from {{ ref('int_customer_preferences_ranked') }}
),

predictions as (
    select customer_id, churn_probability, churn_risk_score, churn_risk_band, model_version
    from {{ source('ml', 'churn_predictions') }}
),

joined as (
    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.age,
        customers.state,
        customers.city,
        customers.employment_status,
        customers.card_type,
        customers.credit_limit,
        customers.account_open_date,
        customers.tenure_days,
        customers.customer_segment,
        coalesce(activity.transaction_count, 0) as transaction_count,
        coalesce(activity.lifetime_spend, 0) as lifetime_value,
        activity.first_transaction_date,
        activity.last_transaction_date,
        {{ dbt.datediff('activity.last_transaction_date', as_of_date(), 'day') }} as days_since_last_transaction,
        coalesce(activity.spend_last_30_days, 0) as spend_last_30_days,
        coalesce(activity.spend_last_90_days, 0) as spend_last_90_days,
        coalesce(activity.spend_prior_90_days, 0) as spend_prior_90_days,
        coalesce(activity.spend_prior_90_days, 0) / 3 as monthly_baseline,
        coalesce(activity.travel_spend, 0) as travel_spend,
        preferences.favourite_category,
        preferences.favourite_channel,
        predictions.churn_probability as model_churn_probability,
        predictions.churn_risk_score as model_churn_risk_score,
        predictions.churn_risk_band as model_churn_risk_band,
        predictions.model_version as churn_model_version
    from customers
    left join activity on customers.customer_id = activity.customer_id
    left join preferences on customers.customer_id = preferences.customer_id
    left join predictions on customers.customer_id = predictions.customer_id
),

scored as (
    select
        *,
        case
            when transaction_count > 0 then round(lifetime_value / transaction_count, 2)
        end as avg_transaction_value,
        case
            when spend_prior_90_days > 0
                then round((spend_last_90_days - spend_prior_90_days) / spend_prior_90_days * 100, 1)
        end as spend_trend_pct,
        case
            when days_since_last_transaction is null then 100
            else least(
                100,
                least(days_since_last_transaction, 120) * 50.0 / 120
                + case when days_since_last_transaction >= 60 then 25 else 0 end
                + case
                    when monthly_baseline > 0
                        then greatest(0, 1 - spend_last_30_days / monthly_baseline) * 25
                    else 0
                end
                + case
                    when monthly_baseline > 0 and spend_last_30_days < 0.3 * monthly_baseline then 25
                    else 0
                end
            )
        end as churn_score_raw
    from joined
),

final as (
    select
        customer_id,
        first_name,
        last_name,
        email,
        age,
        state,
        city,
        employment_status,
        card_type,
        credit_limit,
        account_open_date,
        tenure_days,
        customer_segment,
        transaction_count,
        lifetime_value,
        avg_transaction_value,
        first_transaction_date,
        last_transaction_date,
        days_since_last_transaction,
        spend_last_30_days,
        spend_last_90_days,
        spend_prior_90_days,
        round(monthly_baseline, 2) as monthly_baseline,
        spend_trend_pct,
        case
            when spend_trend_pct is null then 'No baseline'
            when spend_trend_pct <= -20 then 'Declining'
            when spend_trend_pct >= 20 then 'Growing'
            else 'Stable'
        end as spend_trend,
        travel_spend,
        favourite_category,
        favourite_channel,
        cast(round(churn_score_raw) as {{ dbt.type_int() }}) as churn_risk_score,
        case
            when churn_score_raw >= 50 then 'High'
            when churn_score_raw >= 25 then 'Medium'
            else 'Low'
        end as churn_risk_band,
        model_churn_probability,
        model_churn_risk_score,
        model_churn_risk_band,
        churn_model_version
    from scored
)

select * from final
