-- Gold customer dimension, SCD Type 2: one row per customer version from the customers snapshot.
-- A customer's first version is valid from the account's opening (it describes the customer before any feed
-- change), so every transaction finds the version that was current when it happened.
with

versions as (
    select * from {{ ref('customers_snapshot') }}
),

numbered as (
    select
        *,
        row_number() over (partition by customer_id order by dbt_valid_from) as version_number
    from versions
),

final as (
    select
        dbt_scd_id as customer_version_key,
        customer_id,
        version_number,
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
        decline_type,
        case
            when version_number = 1 then cast(account_open_date as {{ dbt.type_timestamp() }})
            else dbt_valid_from
        end as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to = cast('9999-12-31' as {{ dbt.type_timestamp() }}) as is_current
    from numbered
)

select * from final
