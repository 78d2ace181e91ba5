{#- Per `key`, the `value` that occurs most often in `relation` (ties go to the smallest value, so the answer is
    stable). Portable: a window over an aggregate, which DuckDB and Snowflake both accept. -#}
{% macro most_frequent(relation, key, value, alias) -%}
    select {{ key }}, {{ value }} as {{ alias }}
    from (
        select
            {{ key }},
            {{ value }},
            row_number() over (partition by {{ key }} order by count(*) desc, {{ value }}) as frequency_rank
        from {{ relation }}
        group by {{ key }}, {{ value }}
    ) ranked
    where frequency_rank = 1
{%- endmacro %}
