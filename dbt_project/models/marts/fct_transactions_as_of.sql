-- Gold transactions that figures count: every row of fct_transactions dated on or before as-of. Streamed days after
-- as-of load into the facts (nothing is lost), but no figure a person reads counts them until as-of moves past them:
-- the semantic model (Ask), the reports and the app read this view, the marts filter the same way
-- (macros/as_of_date.sql: approved_up_to_as_of).
{{ config(materialized='view') }}

with

facts as (
    select * from {{ ref('fct_transactions') }}
),

final as (
    select
        transaction_id,
        customer_id,
        transaction_at,
        transaction_date,
        transaction_amount,
        merchant_name,
        merchant_category,
        channel,
        status,
        is_approved
    from facts
    where transaction_date <= {{ as_of_date() }}
)

select * from final
