-- Churn features and labels: one row per customer and cut-off date (`feature_date`).
-- Cut-offs: four `train` ones (120, 150, 180 and 210 days before as-of), `validation` (60 days before as-of) and
-- `score` (as-of). Every feature reads only what happened on or before its cut-off; the label reads only the 60 days
-- after it, so every training label window ends on or before the validation cut-off: a model trained on `train`
-- rows and judged on `validation` rows is judged on a later period than it learned from (time-aware split), and
-- `score` rows (no label yet) are what the model predicts.
-- Population: customers with an approved transaction in the 90 days before the cut-off and a month of tenure. A
-- customer silent for 90 days has already churned; there is nothing left to predict.
-- Label (the reference definition): churned when the customer makes no approved transaction in the 60 days after the
-- cut-off, or spends on average per month in that window less than 30 % of their baseline (average monthly approved
-- spend in the 90 days before the cut-off).
-- Customer attributes come from each customer's first version (dim_customer), so a later change (a new credit
-- limit) cannot leak back into an earlier cut-off.
{% set label_days = 60 %}
{% set train_days_before = [120, 150, 180, 210] %}

with

cutoffs as (
    {% for days in train_days_before %}
        select 'train' as split, cast({{ dbt.dateadd('day', -days, as_of_date()) }} as date) as feature_date
        union all
    {% endfor %}
    select 'validation' as split, cast({{ dbt.dateadd('day', -label_days, as_of_date()) }} as date) as feature_date
    union all
    select 'score' as split, {{ as_of_date() }} as feature_date
),

first_versions as (
    select
        customer_id, age, state, employment_status, card_type, credit_limit, account_open_date, customer_segment
    from {{ ref('dim_customer') }}
    where version_number = 1
),

customers as (
    select
        cutoffs.split,
        cutoffs.feature_date,
        first_versions.*
    from cutoffs
    cross join first_versions
    -- a month of history at least before the cut-off
    where first_versions.account_open_date <= {{ dbt.dateadd('day', -30, 'cutoffs.feature_date') }}
),

categories as (
    select merchant_category, spending_type from {{ ref('merchant_categories') }}
),

transactions as (
    select
        customers.feature_date,
        customers.customer_id,
        facts.transaction_amount,
        facts.is_approved,
        facts.merchant_category,
        facts.channel,
        categories.spending_type,
        facts.transaction_date,
        {{ dbt.datediff('facts.transaction_date', 'customers.feature_date', 'day') }} as days_before
    from customers
    inner join {{ ref('fct_transactions') }} as facts
        on
            facts.customer_id = customers.customer_id
            and facts.transaction_date <= {{ dbt.dateadd('day', label_days, 'customers.feature_date') }}
    left join categories on categories.merchant_category = facts.merchant_category
),

history as (
    -- on or before the cut-off (days_before >= 0): the only rows any feature reads
    select
        feature_date,
        customer_id,
        sum(case when is_approved then transaction_amount else 0 end) as lifetime_value,
        sum(case when is_approved then 1 else 0 end) as lifetime_transactions,
        max(case when is_approved then transaction_date end) as last_transaction_date,
        sum(case when is_approved and days_before < 30 then transaction_amount else 0 end) as spend_30d,
        sum(case when is_approved and days_before < 90 then transaction_amount else 0 end) as spend_90d,
        sum(case when is_approved and days_before >= 90 and days_before < 180 then transaction_amount else 0 end)
            as spend_prior_90d,
        sum(case when is_approved and days_before < 30 then 1 else 0 end) as transactions_30d,
        sum(case when is_approved and days_before < 90 then 1 else 0 end) as transactions_90d,
        sum(case when is_approved and days_before >= 90 and days_before < 180 then 1 else 0 end)
            as transactions_prior_90d,
        max(case when is_approved and days_before < 90 then transaction_amount end) as max_transaction_90d,
        sum(case when days_before < 90 then 1 else 0 end) as attempts_90d,
        sum(case when not is_approved and days_before < 90 then 1 else 0 end) as declined_90d,
        sum(case when is_approved and days_before < 90 and merchant_category = 'Travel' then transaction_amount else 0 end)
            as travel_spend_90d,
        sum(case when is_approved and days_before < 90 and merchant_category = 'Dining' then transaction_amount else 0 end)
            as dining_spend_90d,
        sum(case when is_approved and days_before < 90 and merchant_category = 'Groceries' then transaction_amount else 0 end)
            as groceries_spend_90d,
        sum(case when is_approved and days_before < 90 and merchant_category = 'Shopping' then transaction_amount else 0 end)
            as shopping_spend_90d,
        sum(case when is_approved and days_before < 90 and spending_type = 'Essential' then transaction_amount else 0 end)
            as essential_spend_90d,
        sum(case when is_approved and days_before < 90 and channel = 'Online' then 1 else 0 end) as online_90d,
        sum(case when is_approved and days_before < 90 and channel = 'Mobile' then 1 else 0 end) as mobile_90d,
        count(distinct case when is_approved and days_before < 90 then merchant_category end) as categories_90d,
        count(distinct case when is_approved and days_before < 90 then transaction_date end) as active_days_90d
    from transactions
    where days_before >= 0
    group by feature_date, customer_id
),

label_window as (
    -- the 60 days after the cut-off: read by the label only
    select
        feature_date,
        customer_id,
        count(*) as label_transactions,
        sum(transaction_amount) as label_spend
    from transactions
    where days_before < 0 and is_approved
    group by feature_date, customer_id
),

features as (
    select
        customers.customer_id,
        customers.split,
        customers.feature_date,
        customers.customer_segment as generated_segment,
        customers.age,
        customers.state,
        customers.employment_status,
        customers.card_type,
        customers.credit_limit,
        {{ dbt.datediff('customers.account_open_date', 'customers.feature_date', 'day') }} as tenure_days,
        coalesce(history.lifetime_value, 0) as lifetime_value,
        coalesce(history.lifetime_transactions, 0) as lifetime_transactions,
        coalesce(history.lifetime_value / nullif(history.lifetime_transactions, 0), 0) as avg_transaction_value,
        coalesce(
            {{ dbt.datediff('history.last_transaction_date', 'customers.feature_date', 'day') }},
            {{ dbt.datediff('customers.account_open_date', 'customers.feature_date', 'day') }}
        ) as days_since_last_transaction,
        coalesce(history.spend_30d, 0) as spend_30d,
        coalesce(history.spend_90d, 0) as spend_90d,
        coalesce(history.spend_prior_90d, 0) as spend_prior_90d,
        coalesce(history.spend_90d, 0) / 3 as monthly_baseline,
        coalesce((history.spend_90d - history.spend_prior_90d) / nullif(history.spend_prior_90d, 0), 0)
            as spend_change_pct,
        coalesce(history.spend_30d / nullif(history.spend_90d / 3, 0), 0) as spend_30d_vs_baseline,
        coalesce(history.transactions_30d, 0) as transactions_30d,
        coalesce(history.transactions_90d, 0) as transactions_90d,
        coalesce(history.transactions_prior_90d, 0) as transactions_prior_90d,
        coalesce(
            (history.transactions_90d - history.transactions_prior_90d) / nullif(history.transactions_prior_90d, 0), 0
        ) as transaction_change_pct,
        coalesce(history.spend_30d, 0) / customers.credit_limit as utilisation_30d,
        coalesce(history.max_transaction_90d, 0) as max_transaction_90d,
        coalesce(history.declined_90d / nullif(history.attempts_90d, 0), 0) as decline_rate_90d,
        coalesce(history.travel_spend_90d / nullif(history.spend_90d, 0), 0) as travel_share_90d,
        coalesce(history.dining_spend_90d / nullif(history.spend_90d, 0), 0) as dining_share_90d,
        coalesce(history.groceries_spend_90d / nullif(history.spend_90d, 0), 0) as groceries_share_90d,
        coalesce(history.shopping_spend_90d / nullif(history.spend_90d, 0), 0) as shopping_share_90d,
        coalesce(history.essential_spend_90d / nullif(history.spend_90d, 0), 0) as essential_share_90d,
        coalesce(history.online_90d / nullif(history.transactions_90d, 0), 0) as online_share_90d,
        coalesce(history.mobile_90d / nullif(history.transactions_90d, 0), 0) as mobile_share_90d,
        coalesce(history.categories_90d, 0) as categories_90d,
        coalesce(history.active_days_90d, 0) as active_days_90d,
        case when customers.split = 'score' then null else coalesce(label_window.label_transactions, 0) end
            as label_transactions,
        case when customers.split = 'score' then null else coalesce(label_window.label_spend, 0) end as label_spend
    from customers
    inner join history
        on history.feature_date = customers.feature_date and history.customer_id = customers.customer_id
    left join label_window
        on label_window.feature_date = customers.feature_date and label_window.customer_id = customers.customer_id
    where history.transactions_90d > 0
),

final as (
    select
        customer_id || '|' || cast(feature_date as varchar) as churn_feature_key,
        *,
        case
            when split = 'score' then null
            when label_transactions = 0 then true
            else label_spend / 2 < 0.3 * monthly_baseline
        end as churned
    from features
)

select * from final
