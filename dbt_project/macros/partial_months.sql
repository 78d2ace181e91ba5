{#- The calendar months the data covers only in part: the month the history starts in (unless it starts on the 1st)
    and the month of as-of (unless as-of is its last day). One row per such month, column spend_month. -#}
{% macro partial_months(relation, date_column) -%}
    select cast({{ dbt.date_trunc('month', 'min(' ~ date_column ~ ')') }} as date) as spend_month
    from {{ relation }}
    having min({{ date_column }}) > cast({{ dbt.date_trunc('month', 'min(' ~ date_column ~ ')') }} as date)
    union
    select cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as spend_month
    from (select 1 as one) as_of
    where cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, as_of_date())) }} as date)
        = cast({{ dbt.date_trunc('month', as_of_date()) }} as date)
{%- endmacro %}
