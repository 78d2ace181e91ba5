{#- The one month-over-month rule (in words: macros/_macros.yml): a month's `value` against the value of the row
    before it in `month` order (per `partition_by` when given: a customer's previous active month), and no change
    when either month is partial (the `is_partial_month` column, gold.dim_month's flag: macros/partial_month.sql) or
    there is no month before. `measure` picks the column: 'previous' (the previous month's value), 'change' (the
    difference) or 'change_pct' (the change in percent of the previous month, one decimal; none unless the previous
    month's value is above 0). -#}
{% macro month_over_month_change(value, month, partition_by=none, measure='change_pct') -%}
    {%- set window -%}
        over ({% if partition_by %}partition by {{ partition_by }} {% endif %}order by {{ month }})
    {%- endset -%}
    {%- set previous = 'lag(' ~ value ~ ') ' ~ window -%}
    {%- set comparable = 'not is_partial_month and not lag(is_partial_month) ' ~ window -%}
    {%- if measure == 'previous' -%}
        {{ previous }}
    {%- elif measure == 'change' -%}
        case when {{ comparable }} then {{ value }} - {{ previous }} end
    {%- elif measure == 'change_pct' -%}
        case
            when {{ comparable }} and {{ previous }} > 0
                then round(({{ value }} - {{ previous }}) / {{ previous }} * 100, 1)
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "month_over_month_change: measure is 'previous', 'change' or 'change_pct', not '" ~ measure ~ "'") }}
    {%- endif -%}
{%- endmacro %}
