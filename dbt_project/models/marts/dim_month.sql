-- Gold month dimension: one row per calendar month the data covers, from the month of the first approved
-- transaction to the as-of month, with the days it covers. History that starts after a month's 1st, or an as-of
-- date before its last day, makes the month partial (macros/partial_month.sql); every monthly figure, report and
-- the semantic model take the flag from here, so one month is partial or whole everywhere.
with

history as (
    select min(transaction_date) as first_day, {{ as_of_date() }} as last_day
    from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

months as (
    select distinct month_start from {{ ref('dim_date') }}
),

covered as (
    select
        months.month_start,
        cast({{ dbt.last_day('months.month_start', 'month') }} as date) as month_end,
        greatest(months.month_start, history.first_day) as first_covered_day,
        least(cast({{ dbt.last_day('months.month_start', 'month') }} as date), history.last_day) as last_covered_day
    from months
    cross join history
    where
        months.month_start <= history.last_day
        and cast({{ dbt.last_day('months.month_start', 'month') }} as date) >= history.first_day
),

final as (
    select
        month_start,
        month_end,
        first_covered_day,
        last_covered_day,
        {{ dbt.datediff('first_covered_day', 'last_covered_day', 'day') }} + 1 as covered_days,
        {{ dbt.datediff('month_start', 'month_end', 'day') }} + 1 as days_in_month,
        {{ is_partial_month('first_covered_day', 'last_covered_day', 'month_start', 'month_end') }} as is_partial_month
    from covered
)

select * from final
