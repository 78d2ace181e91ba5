-- Each version ends exactly where the customer's next version starts, and starts before it ends.
{{ config(meta={'dagster': {'ref': {'name': 'dim_customer'}}}) }}
with versions as (
    select
        customer_id, version_number, valid_from, valid_to,
        lead(valid_from) over (partition by customer_id order by valid_from) as next_valid_from
    from {{ ref('dim_customer') }}
)

select * from versions
where
    valid_from >= valid_to
    or (next_valid_from is not null and next_valid_from <> valid_to)
