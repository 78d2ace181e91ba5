-- Gold metric: average approved transaction value per month and merchant category.
with

approved as (
    select
        cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as spend_month,
        merchant_category,
        transaction_amount
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

final as (
    select
        {{ dbt.concat([dbt.cast('spend_month', dbt.type_string()), "'|'", 'merchant_category']) }}
            as month_category_key,
        spend_month,
        merchant_category,
        count(*) as transaction_count,
        sum(transaction_amount) as spend,
        round(avg(transaction_amount), 2) as avg_transaction_value
    from approved
    group by spend_month, merchant_category
)

select * from final
