-- Per customer, the merchant category and channel used most often (approved transactions; ties go to the
-- alphabetically first, so the answer is stable).
with

approved as (
    select customer_id, merchant_category, channel from {{ ref('fct_transactions') }} where is_approved
),

category_counts as (
    select customer_id, merchant_category, count(*) as uses from approved group by customer_id, merchant_category
),

channel_counts as (
    select customer_id, channel, count(*) as uses from approved group by customer_id, channel
),

top_category as (
    select customer_id, merchant_category as favourite_category
    from (
        select *, row_number() over (partition by customer_id order by uses desc, merchant_category) as rank_
        from category_counts
    ) ranked
    where rank_ = 1
),

top_channel as (
    select customer_id, channel as favourite_channel
    from (
        select *, row_number() over (partition by customer_id order by uses desc, channel) as rank_
        from channel_counts
    ) ranked
    where rank_ = 1
),

final as (
    select top_category.customer_id, top_category.favourite_category, top_channel.favourite_channel
    from top_category
    inner join top_channel on top_category.customer_id = top_channel.customer_id
)

select * from final
