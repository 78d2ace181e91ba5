-- Gold customer dimension: one row per customer with its attributes and tenure at the as-of date.
with

customers as (
    select * from {{ ref('stg_customers') }}
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
        {{ dbt.datediff('account_open_date', as_of_date(), 'day') }} as tenure_days,
        customer_segment,
        decline_type
    from customers
)

select * from final
