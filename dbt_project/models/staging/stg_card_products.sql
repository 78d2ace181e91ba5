-- Silver card products: the reference table as the latest full refresh replicated it, one row per card type.
with

source as (
    select * from {{ source('bronze', 'cards_card_products') }}
),

ranked as (
    select
        *,
        row_number() over (partition by trim(card_type) order by _loaded_at desc, _source_file desc) as load_rank
    from source
),

final as (
    select
        trim(card_type) as card_type,
        annual_fee,
        reward_rate,
        purchase_apr,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at
    from ranked
    where load_rank = 1
)

select * from final
