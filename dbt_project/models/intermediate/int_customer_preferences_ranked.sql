-- Per customer, the merchant category and channel used most often (approved transactions; ties go to the
-- alphabetically first, so the answer is stable).
with

approved as (
    select customer_id, merchant_category, channel from {{ ref('fct_transactions') }}
    where {{ approved_up_to_as_of() }}
),

top_category as (
    {{ most_frequent('approved', 'customer_id', 'merchant_category', 'favourite_category') }}
),

top_channel as (
    {{ most_frequent('approved', 'customer_id', 'channel', 'favourite_channel') }}
),

final as (
    select top_category.customer_id, top_category.favourite_category, top_channel.favourite_channel
    from top_category
    inner join top_channel on top_category.customer_id = top_channel.customer_id
)

select * from final
