-- Silver customers: one row per customer, the latest version the source replicated (highest updated_at), trimmed
-- and typed.
with

source as (
    select * from {{ source('bronze', 'cards_accounts') }}
),

ranked as (
    select
        *,
        row_number() over (partition by trim(customer_id) order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from source
    where customer_id is not null
),

final as (
    select
        trim(customer_id) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        cast(age as {{ dbt.type_int() }}) as age,
        upper(trim(state)) as state,
        trim(city) as city,
        trim(employment_status) as employment_status,
        trim(card_type) as card_type,
        cast(credit_limit as {{ dbt.type_int() }}) as credit_limit,
        cast(account_open_date as date) as account_open_date,
        trim(customer_segment) as customer_segment,
        nullif(trim(decline_type), '') as decline_type,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _source_file as source_file,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1
)

select * from final
