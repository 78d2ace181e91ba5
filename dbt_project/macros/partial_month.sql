{#- The one partial-month rule (in words: macros/_macros.yml): a month's figure is partial unless the days it covers
    are the whole calendar month. gold.dim_month applies it to the days the data covers (history start to as-of);
    the reports apply the same test to the days a row covers within the range asked for
    (customer360/lib/reports/catalogue.py). -#}
{% macro is_partial_month(first_day, last_day, month_start, month_end) -%}
    not ({{ first_day }} = {{ month_start }} and {{ last_day }} = {{ month_end }})
{%- endmacro %}
