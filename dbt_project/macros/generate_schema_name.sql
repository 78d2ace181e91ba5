{#- Use the configured schema name as is (silver, gold), not dbt's default "<target schema>_<custom>":
    the schemas are a contract shared by both targets and by Dagster's asset keys. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
