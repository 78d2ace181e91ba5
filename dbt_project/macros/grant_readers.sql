{#
  Snowflake only: let the reader roles SELECT the relation dbt just built. A post-hook that runs after
  mask_pii_columns, so no role but the owner ever reads a new relation before its PII columns are masked (future
  grants would let them read it the moment `create or replace` made it, before the masking post-hook ran).
  02_roles_grants.sql gives the readers no future grants in SILVER and GOLD for that reason.
    DATA_ANALYST       every silver and gold relation (PII masked)
    MARKETING_MANAGER  gold relations without personal-data columns only
  With masking off (C360_MASK_PII=false) a relation with a personal-data column is granted to no reader, and a grant
  an earlier build gave (a snapshot is not rebuilt) is revoked: nobody but the owner reads names or e-mail in clear.
  On DuckDB (the local target) it renders nothing, and dbt skips an empty hook.
#}
{# The personal-data columns: the `pii` marks of the contracts (replication.yaml); a unit test keeps them equal. #}
{% macro pii_columns() %}{{ return(['email', 'first_name', 'last_name']) }}{% endmacro %}

{% macro grant_readers() %}
  {%- if execute and target.type == 'snowflake' and var('c360_grants', true) -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set personal = names | select('in', pii_columns()) | list -%}
    {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
    {%- if personal and not var('c360_mask_pii', true) -%}
      {%- for role in ['data_analyst', 'marketing_manager'] %}
      revoke select on {{ kind }} {{ this }} from role {{ role }};
      {%- endfor -%}
    {%- else -%}
      {%- set roles = ['data_analyst'] -%}
      {%- if this.schema | lower == 'gold' and not personal -%}
        {%- do roles.append('marketing_manager') -%}
      {%- endif -%}
      {%- for role in roles %}
      grant select on {{ kind }} {{ this }} to role {{ role }};
      {%- endfor -%}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
