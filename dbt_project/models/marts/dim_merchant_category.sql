-- Gold merchant category dimension: one row per category with its spending type.
with

categories as (
    select distinct merchant_category from {{ ref('stg_transactions') }}
),

final as (
    select
        {{ dbt.hash('merchant_category') }} as merchant_category_key,
        merchant_category,
        case when merchant_category in ('Groceries', 'Gas', 'Utilities', 'Healthcare') then 'Essential'
             else 'Discretionary' end as spending_type
    from categories
)

select * from final
