{#
  Snowflake only: attach the PII masking policy (snowflake_setup/08_masking_policies.sql) to a column of the
  relation dbt just built, if the relation has that column. Tables are rebuilt by dbt (and lose their policies),
  so this runs as a post-hook of every model and snapshot. FORCE replaces a policy already attached.
  On DuckDB (the local target) it renders nothing, and dbt skips an empty hook.
#}
{% macro mask_pii(column) %}
  {%- if execute and target.type == 'snowflake' and var('c360_mask_pii', true) -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if column | lower in names -%}
      {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
      alter {{ kind }} {{ this }} modify column {{ column }}
        set masking policy {{ target.database }}.gold.pii_string_mask force
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
