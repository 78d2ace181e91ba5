{#
  Snowflake only: attach the PII masking policy (snowflake_setup/03_masking_policy.sql) to every personal-data column
  (pii_columns(), macros/grant_readers.sql) the relation dbt just built has: names and e-mail. Tables are rebuilt by
  dbt (and lose their policies), so this runs as a post-hook of every model and snapshot, before grant_readers.
  FORCE replaces a policy already attached. On DuckDB (the local target), or with masking off (C360_MASK_PII=false,
  Standard edition), it renders nothing and dbt skips an empty hook; grant_readers then grants such a relation to
  no reader.
#}
{% macro mask_pii_columns() %}
  {%- if execute and target.type == 'snowflake' and var('c360_mask_pii', true) -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
    {%- for column in pii_columns() if column in names %}
      alter {{ kind }} {{ this }} modify column {{ column }}
        set masking policy {{ target.database }}.gold.pii_string_mask force;
    {%- endfor -%}
  {%- endif -%}
{% endmacro %}
