{#
  Snowflake only: let the reader roles SELECT the relation dbt just built. A post-hook that runs after mask_pii, so
  no role but the owner ever reads a new relation before its PII columns are masked (future grants would let them
  read it the moment `create or replace` made it, before the masking post-hook ran). 02_roles_grants.sql gives the
  readers no future grants in SILVER and GOLD for that reason.
    DATA_ANALYST       every silver and gold relation (PII masked)
    MARKETING_MANAGER  gold relations without direct PII columns only
  On DuckDB (the local target) it renders nothing, and dbt skips an empty hook.
#}
{% macro pii_columns() %}{{ return(['email', 'first_name', 'last_name']) }}{% endmacro %}

{% macro grant_readers() %}
  {%- if execute and target.type == 'snowflake' and var('c360_grants', true) -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set roles = ['data_analyst'] -%}
    {%- if this.schema | lower == 'gold' and not (names | select('in', pii_columns()) | list) -%}
      {%- do roles.append('marketing_manager') -%}
    {%- endif -%}
    {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
    {%- for role in roles %}
      grant select on {{ kind }} {{ this }} to role {{ role }};
    {%- endfor -%}
  {%- endif -%}
{% endmacro %}
