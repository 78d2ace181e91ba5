{#- The date the data describes: C360_AS_OF passed by Dagster, or the run's date when dbt runs by hand. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('c360_as_of') or run_started_at.strftime('%Y-%m-%d') -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}
