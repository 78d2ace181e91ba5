{#- The date the data describes: C360_AS_OF passed by Dagster, or the run's date when dbt runs by hand. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('c360_as_of') or run_started_at.strftime('%Y-%m-%d') -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}

{#- The transactions a figure may count: approved, dated on or before as-of. Streamed days after as-of load into
    the facts, but no spend, recency or preference figure sees them until as-of moves past them. -#}
{% macro approved_up_to_as_of(date_column='transaction_date') -%}
    is_approved and {{ date_column }} <= {{ as_of_date() }}
{%- endmacro %}
