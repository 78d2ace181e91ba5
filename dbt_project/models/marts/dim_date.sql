-- Gold date dimension: one row per day from the first transaction's month through the later of the as-of date
-- and the newest transaction (streaming days arrive after the generated history).
-- depends_on: {{ ref('fct_transactions') }}
{%- set first_day, last_day = none, none -%}
{#- Before the first build (dbt compile, docs) there are no facts yet: the spine is then the as-of day. -#}
{%- if execute and load_relation(ref('fct_transactions')) is not none -%}
    {%- set found = run_query("select min(transaction_date), max(transaction_date) from " ~ ref('fct_transactions')) -%}
    {%- set first_day, last_day = found.columns[0].values()[0], found.columns[1].values()[0] -%}
{%- endif %}
{%- set start = "cast('" ~ first_day ~ "' as date)" if first_day else as_of_date() %}
{%- set finish = "cast('" ~ last_day ~ "' as date)" if last_day else as_of_date() %}

with

days as (
    {{ dbt.date_spine('day', dbt.date_trunc('month', start),
                      dbt.dateadd('day', 1, 'greatest(' ~ finish ~ ', ' ~ as_of_date() ~ ')')) }}
),

final as (
    select
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as year,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast(extract(dow from date_day) as {{ dbt.type_int() }}) as day_of_week,
        extract(dow from date_day) in (0, 6) as is_weekend
    from days
)

select * from final
