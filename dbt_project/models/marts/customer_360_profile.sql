-- Gold Customer 360 profile: one row per current customer. Spend counts approved transactions up to as-of.
-- Two churn views side by side: the rule-based score below, and the churn model's (gold.churn_predictions, written
-- by the scoring asset; null for a customer the model did not score: silent for 90 days, or no model yet).
-- Churn risk (0-100) adds up: recency (up to 50, +25 past 60 days without a transaction) and the last 30 days'
-- spend against the customer's own monthly baseline, the average month of the 90 days before the last 90
-- (up to 25 for the shortfall, +25 when under 30 % of the baseline). A baseline window the history or the account
-- does not cover gives no baseline (no shortfall points), as it gives no trend: part of a window reads as a collapse.
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

-- The first day of the prior 90-day window (days 90-179 before as-of) and of the portfolio's history: a trend
-- compares two whole windows, so it needs the prior one inside the history and after the account opened.
baseline_window as (
    select
        min(first_covered_day) as history_first_day,
        cast({{ dbt.dateadd('day', -179, as_of_date()) }} as date) as prior_window_start
    from {{ ref('dim_month') }}
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
        case
            when
                baseline_window.history_first_day <= baseline_window.prior_window_start
                and customers.account_open_date <= baseline_window.prior_window_start
                then coalesce(activity.spend_prior_90_days, 0) / 3
        end as monthly_baseline,
        coalesce(activity.travel_spend, 0) as travel_spend,
        preferences.favourite_category,
        preferences.favourite_channel,
        predictions.churn_probability as model_churn_probability,
        predictions.churn_risk_score as model_churn_risk_score,
        predictions.churn_risk_band as model_churn_risk_band,
        predictions.model_version as churn_model_version,
        case
            when
                baseline_window.history_first_day is null
                or baseline_window.history_first_day > baseline_window.prior_window_start
                then 'No baseline: the prior 90 days begin before the portfolio history does'
            when customers.account_open_date > baseline_window.prior_window_start
                then 'No baseline: the prior 90 days begin before the account was opened'
            when coalesce(activity.spend_prior_90_days, 0) <= 0
                then 'No baseline: no approved spend in the prior 90 days'
        end as spend_trend_note
    from customers
    cross join baseline_window
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
            when spend_trend_note is null
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
        spend_trend_note,
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
