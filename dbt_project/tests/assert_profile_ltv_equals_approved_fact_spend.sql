-- Lifetime value in the profile equals the customer's approved spend up to as-of in fct_transactions, customer by
-- customer.
{{ config(meta={'dagster': {'ref': {'name': 'customer_360_profile'}}}) }}
with facts as (
    select customer_id, sum(transaction_amount) as approved_spend
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
    group by customer_id
)
select profiles.customer_id, profiles.lifetime_value, facts.approved_spend
from {{ ref('customer_360_profile') }} profiles
left join facts on profiles.customer_id = facts.customer_id
where profiles.lifetime_value <> coalesce(facts.approved_spend, 0)
