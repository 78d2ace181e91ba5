-- Silver credit-limit events: one row per event replicated from cards.credit_limit_events (append-only at the
-- source; a re-staged event keeps its latest load).
with

source as (
    select * from {{ source('bronze', 'cards_credit_limit_events') }}
),

ranked as (
    select
        *,
        row_number() over (partition by event_id order by _loaded_at desc, _source_file desc) as load_rank
    from source
    where event_id is not null
),

final as (
    select
        event_id,
        trim(customer_id) as customer_id,
        cast(old_limit as {{ dbt.type_int() }}) as old_limit,
        cast(new_limit as {{ dbt.type_int() }}) as new_limit,
        old_limit is null as is_opening_limit,
        cast(changed_at as {{ dbt.type_timestamp() }}) as changed_at
    from ranked
    where load_rank = 1
)

select * from final
