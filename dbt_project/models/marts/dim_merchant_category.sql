-- Gold merchant category dimension: one row per category in the reference list, with its spending type.
with

categories as (
    select * from {{ ref('merchant_categories') }}
),

final as (
    select
        {{ dbt.hash('merchant_category') }} as merchant_category_key,
        merchant_category,
        spending_type
    from categories
)

select * from final
