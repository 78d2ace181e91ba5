{{ config(meta={'dagster': {'ref': {'name': 'dim_customer'}}}) }}
select customer_id, sum(case when is_current then 1 else 0 end) as current_versions
from {{ ref('dim_customer') }}
group by customer_id
having sum(case when is_current then 1 else 0 end) <> 1
