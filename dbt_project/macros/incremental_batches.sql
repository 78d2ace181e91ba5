{#- Which rows the latest run of an incremental model added, so its most expensive test checks only those rows.

    The `unique` test of transaction_id groups every row of the table (13.4M at the default scale) even when a
    streaming increment added a day. Testing only the new rows is sound for fct_transactions: delete+insert on the unique key removes every older row of an id in the batch, so a table that was unique
    stays unique when its new rows are unique among themselves. A first build or --full-refresh records the epoch, so
    there the tests cover the whole table.

    observability.incremental_batches keeps one row per model run (an audit trail of increments): the model, the
    watermark it read from (rows with loaded_at above it are this run's), dbt's invocation id and when. -#}

{% macro incremental_batches_relation() -%}
    observability.incremental_batches
{%- endmacro %}

{#- The pre_hook of an incremental model whose watermark column is loaded_at. The table is created with the other
    observability tables (snowflake_setup/07_observability.sql, applied by both targets). -#}
{% macro record_incremental_batch() -%}
    {%- set watermark -%}
        {%- if is_incremental() -%}
            (select max(loaded_at) from {{ this }})
        {%- else -%}
            cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
        {%- endif -%}
    {%- endset -%}
    insert into {{ incremental_batches_relation() }} (model_name, loaded_after, invocation_id, recorded_at)
    select '{{ this.name }}', {{ watermark }}, '{{ invocation_id }}', {{ dbt.current_timestamp() }}
{%- endmacro %}

{#- dbt's `unique`, over the rows the model's latest run added (every row after a first build or full refresh). -#}
{% test unique_in_latest_batch(model, column_name) %}
    select {{ column_name }} as unique_field, count(*) as n_records
    from {{ model }}
    where loaded_at > (
        select loaded_after from {{ incremental_batches_relation() }}
        where model_name = '{{ model.identifier }}' order by recorded_at desc limit 1
    )
    group by {{ column_name }}
    having count(*) > 1
{% endtest %}
