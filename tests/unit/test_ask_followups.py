"""Ask's follow-ups (customer360/lib/semantic/followup.py) on the tiny hand-checked sample (tests/support/ask_sample.py):
values named together in a follow-up are one filter, a follow-up on a top-N list keeps the N values rather than
ranking pairs, and "their share" after a ranking gives each one's share of the whole.

The sample's approved spend, worked out by hand: CA (C1 and C3) 2,100 = Online 1,860 (T01 500, T02 300, T08 60,
T10 100, T11 900), Mobile 140 (T09), In-Store 100 (T03); TX (C2) 120 = In-Store T05 80 + T06 40. All 2,220."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ask_sample import tiny_asker

MAY, JUNE = dt.date(2026, 5, 1), dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def asker():
    return tiny_asker("DATA_ANALYST")


def figures(answer) -> list[tuple]:
    return sorted(tuple(round(float(v), 6) if isinstance(v, (Decimal, float)) else v for v in row) for row in answer.rows)


def follow(asker, first: str, follow_up: str):
    return asker.ask(follow_up, previous=asker.ask(first).context)


# --- D: values named together are one filter --------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up", ["for Texas and California", "in TX and CA", "for Texas, California",
                                       "for Texas or California"])
def test_two_states_named_in_a_follow_up_are_both_kept_side_by_side(asker, follow_up):
    answer = follow(asker, "spend by channel", follow_up)
    assert answer.interpretation.startswith("Approved spend by channel and state, state in TX, CA"), answer.interpretation
    # as "spend by channel for Texas and California" typed: Texas's In-Store 120 beside California's three channels
    assert figures(answer) == [("In-Store", "CA", 100.0), ("In-Store", "TX", 120.0), ("Mobile", "CA", 140.0),
                               ("Online", "CA", 1860.0)]


@pytest.mark.parametrize("follow_up", ["compare Texas and California", "Texas vs California"])
def test_comparing_two_states_in_a_follow_up_shows_both(asker, follow_up):
    answer = follow(asker, "spend by category", follow_up)
    assert "state in TX, CA" in answer.interpretation, answer.interpretation
    # CA: Travel 1,800, Dining 240 (T03 100 + T09 140), Groceries 60 (T08); TX: Groceries 120, Gas 0 (T07 declined)
    assert figures(answer) == [("Dining", "CA", 240.0), ("Gas", "TX", 0.0), ("Groceries", "CA", 60.0),
                               ("Groceries", "TX", 120.0), ("Travel", "CA", 1800.0)]


def test_two_categories_two_channels_and_two_card_types_named_in_a_follow_up_are_each_one_filter(asker):
    categories = follow(asker, "spend by state", "for travel and dining")
    assert "merchant category in Travel, Dining" in categories.interpretation
    assert figures(categories) == [("CA", "Dining", 240.0), ("CA", "Travel", 1800.0)]  # Texas has neither
    channels = follow(asker, "transactions by month", "only online and mobile")
    assert "channel in Online, Mobile" in channels.interpretation
    # every status: Online T08 Jan, T01 Mar, T02 May, T10 + T11 Jun; Mobile T09 May, T04 Jun (declined)
    assert figures(channels) == [("Mobile", MAY, 1), ("Mobile", JUNE, 1), ("Online", dt.date(2026, 1, 1), 1),
                                 ("Online", dt.date(2026, 3, 1), 1), ("Online", MAY, 1), ("Online", JUNE, 2)]
    cards = follow(asker, "decline rate by channel", "for Premium and Standard")
    assert "card type in Premium, Standard" in cards.interpretation
    # Premium (C1): T04 is its one Mobile transaction, declined; Standard In-Store: T07 declined of T05, T06, T07
    assert figures(cards) == [("In-Store", "Premium", 0.0), ("In-Store", "Standard", round(1 / 3, 6)),
                              ("Mobile", "Premium", 1.0), ("Mobile", "Standard", 0.0), ("Online", "Premium", 0.0),
                              ("Online", "Standard", 0.0)]


@pytest.mark.parametrize("follow_up", ["in Texas and California", "for Texas and for California"])
def test_two_states_after_a_figure_for_a_period_keep_the_period(asker, follow_up):
    answer = follow(asker, "spend last month", follow_up)
    assert answer.interpretation.startswith("Approved spend by state, state in TX, CA, May 2026"), answer.interpretation
    assert figures(answer) == [("CA", 540.0), ("TX", 40.0)]  # May: T02 300 + T03 100 + T09 140; T06 40


@pytest.mark.parametrize("follow_up", ["and California", "plus California", "both Texas and California"])
def test_and_plus_or_both_after_one_state_adds_the_other_beside_it(asker, follow_up):
    answer = follow(asker, "spend in Texas", follow_up)
    assert "state in TX, CA" in answer.interpretation, answer.interpretation
    assert figures(answer) == [("CA", 2100.0), ("TX", 120.0)]
    if follow_up != "both Texas and California":  # said, since California alone is the other reading
        assert f"“{follow_up}” read as CA as well as TX" in answer.interpretation
    alone = follow(asker, "spend in Texas", "what about California")
    assert "state CA," in alone.interpretation and figures(alone) == [(2100.0,)]


def test_two_more_states_after_one_are_all_three(asker):
    answer = follow(asker, "how many customers in Texas", "and California and Florida")
    assert "state in TX, CA, FL" in answer.interpretation and "No row matches state FL" in answer.interpretation
    assert figures(answer) == [("CA", 2), ("TX", 1)]  # C1 and C3 in California, C2 in Texas, no one in Florida


@pytest.mark.parametrize("follow_up", ["for Texas and California", "Texas vs California"])
def test_two_states_after_a_top_n_list_ask_which_state_to_rank_in_rather_than_ranking_pairs(asker, follow_up):
    answer = follow(asker, "top 2 categories by spend", follow_up)
    assert answer.status == "clarify" and answer.sql is None, answer.interpretation
    # Texas's top 2: Groceries 120, Gas 0 (T07 declined); California's: Travel 1,800, Dining 240
    assert [figures(asker.ask(r)) for r in answer.suggestions] == [[("Gas", 0.0), ("Groceries", 120.0)],
                                                                   [("Dining", 240.0), ("Travel", 1800.0)]]


# --- J: a follow-up on a top-N list keeps the N values --------------------------------------------------------------

def test_for_the_top_categories_after_a_figure_by_month_ranks_the_categories_then_shows_them_by_month(asker):
    answer = follow(asker, "spend by month", "for the top 2 categories")
    assert answer.interpretation.startswith("Approved spend by merchant category and month, merchant category in "
                                            "Travel, Dining"), answer.interpretation
    assert "“for the top 2 categories” read as the 2 merchant categories with the highest approved spend" in \
        answer.interpretation
    # Travel 1,800 and Dining 240 lead Groceries 180 and Gas 0; Dining's June is T04, declined
    assert figures(answer) == [("Dining", MAY, 240.0), ("Dining", JUNE, 0.0), ("Travel", dt.date(2026, 3, 1), 500.0),
                               ("Travel", MAY, 300.0), ("Travel", JUNE, 1000.0)]


def test_for_the_worst_state_after_a_rate_by_month_is_that_one_state_by_month(asker):
    answer = follow(asker, "decline rate by month", "for the worst state")
    assert answer.interpretation.startswith("Decline rate by month, state TX"), answer.interpretation
    assert "the state with the highest decline rate" in answer.interpretation
    # TX declined 1 of 3 (T07), CA 1 of 8 (T04): Texas is the worst; its months are T05 Apr, T06 May, T07 Jun
    assert figures(answer) == [(dt.date(2026, 4, 1), 0.0), (MAY, 0.0), (JUNE, 1.0)]


def test_a_period_in_the_follow_up_is_the_period_of_the_ranking_and_of_the_answer(asker):
    answer = follow(asker, "spend by state", "for the top 1 category in April")
    assert answer.interpretation.startswith("Approved spend by state, merchant category Groceries, Apr 2026 (in April"), \
        answer.interpretation
    assert figures(answer) == [("TX", 80.0)]  # April's one transaction is T05, Groceries; Travel leads all history


def test_a_grouping_added_to_a_top_n_list_splits_the_values_it_listed(asker):
    states = follow(asker, "top 1 state by spend", "by channel")
    assert states.interpretation.startswith("Approved spend by state and channel, state CA"), states.interpretation
    assert figures(states) == [("CA", "In-Store", 100.0), ("CA", "Mobile", 140.0), ("CA", "Online", 1860.0)]  # no TX
    months = follow(asker, "top 2 categories by spend", "by month")
    assert "merchant category in Travel, Dining" in months.interpretation
    assert figures(months) == [("Dining", MAY, 240.0), ("Dining", JUNE, 0.0), ("Travel", dt.date(2026, 3, 1), 500.0),
                               ("Travel", MAY, 300.0), ("Travel", JUNE, 1000.0)]  # not Groceries' January


def test_for_the_top_state_after_a_top_n_list_keeps_the_list_and_ranks_states_over_it(asker):
    answer = follow(asker, "top 3 categories by spend", "for the top 1 state")
    assert answer.interpretation.startswith("Approved spend by merchant category, merchant category in Travel, Dining, "
                                            "Groceries, state CA"), answer.interpretation
    # over Travel, Dining and Groceries, CA spent 1,800 + 240 + 60 and TX 120: California, with its three categories
    assert figures(answer) == [("Dining", 240.0), ("Groceries", 60.0), ("Travel", 1800.0)]
    other = follow(asker, "top 3 categories by spend", "top 1 state")  # another ranking, not (category, state) pairs
    assert other.interpretation.startswith("Top 1 state by approved spend") and figures(other) == [("CA", 2100.0)]


def test_a_grouping_added_to_a_ranking_of_pairs_is_not_a_ranking_of_triples(asker):
    answer = follow(asker, "top 3 states by spend by month", "by channel")
    assert answer.status == "refused" and "carries the values of one grouping" in answer.interpretation


# --- K: their share after a ranking -----------------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up", ["their share", "their share of the total", "what are their shares"])
def test_their_share_after_a_top_n_list_is_each_ones_share_of_the_whole(asker, follow_up):
    answer = follow(asker, "top 3 states by spend", follow_up)
    assert answer.interpretation.startswith("Top 3 states by approved spend, with each one's share of all approved "
                                            "spend"), answer.interpretation
    assert figures(answer) == [("CA", 2100.0, round(2100 / 2220, 6)), ("TX", 120.0, round(120 / 2220, 6))]



# --- M4: a ranked set left out ------------------------------------------------------------------------------------------
# The sample's approved spend by category: Travel 1,800 (T01 500, T02 300, T10 100, T11 900), Dining 240 (T03 100, T09
# 140), Groceries 180 (T05 80, T06 40, T08 60), Gas 0 (T07 declined). Decline rate by channel: Mobile 1 of 2 (T04 of
# T04, T09) 0.5, In-Store 1 of 4 (T07 of T03, T05, T06, T07) 0.25, Online 0 of 5.

@pytest.mark.parametrize(("follow_up", "left_out"), [
    ("exclude the top 3", ("Travel", "Dining", "Groceries")), ("without the top 2", ("Travel", "Dining")),
    ("other than the top 2", ("Travel", "Dining")), ("remove the top one", ("Travel",)),
    ("excluding the bottom 2", ("Gas", "Groceries"))])
def test_leaving_out_the_top_n_answers_the_other_groups_not_the_ones_left_out(asker, follow_up, left_out):
    answer = follow(asker, "spend by category", follow_up)
    assert answer.status == "answered" and not answer.interpretation.startswith(("Top", "Bottom")), answer.interpretation
    assert f"read as leaving out the {len(left_out) if len(left_out) > 1 else ''}" in answer.interpretation
    everything = {"Travel": 1800.0, "Dining": 240.0, "Groceries": 180.0, "Gas": 0.0}
    assert figures(answer) == sorted((c, v) for c, v in everything.items() if c not in left_out)


@pytest.mark.parametrize("follow_up", ["exclude the worst", "excluding the highest"])
def test_leaving_out_the_worst_rate_answers_the_other_channels(asker, follow_up):
    answer = follow(asker, "decline rate by channel", follow_up)
    assert "channel not Mobile" in answer.interpretation, answer.interpretation
    assert figures(answer) == [("In-Store", 0.25), ("Online", 0.0)]  # Mobile, 0.5, is the one left out


def test_leaving_out_the_top_of_a_top_n_list_keeps_the_rest_of_the_list(asker):
    answer = follow(asker, "top 3 categories by spend", "exclude the top 1")
    assert answer.interpretation.startswith("Top 2 merchant categories by approved spend, merchant category not Travel")
    assert figures(answer) == [("Dining", 240.0), ("Groceries", 180.0)]  # places 2 and 3, not Gas in 4th


def test_leaving_out_the_top_states_after_spend_by_month_ranks_states_and_keeps_the_months(asker):
    answer = follow(asker, "spend by month", "exclude the top 1 state")
    assert answer.interpretation.startswith("Approved spend by month, state not CA"), answer.interpretation
    assert figures(answer) == [(dt.date(2026, 4, 1), 80.0), (MAY, 40.0)]  # Texas alone: T05 in April, T06 in May


# --- M6: a value after a share replaces the part, keeping the whole --------------------------------------------------
# Of all approved spend, 2,220: Online 1,860 (0.837838), Mobile 140 (T09, 0.063063). Within CA, 2,100: Online 1,860
# (0.885714), Mobile 140 (0.066667); TX's 120 is all In-Store: 0 for both.

@pytest.mark.parametrize("follow_up", ["what about mobile", "mobile instead"])
def test_another_channel_after_the_share_that_is_online_is_that_channels_share_of_all_spend(asker, follow_up):
    answer = follow(asker, "what share of spend is online", follow_up)
    assert answer.interpretation.startswith("Share of approved spend that is channel Mobile,"), answer.interpretation
    assert figures(answer) == [("Mobile", 140.0, round(140 / 2220, 6))]  # not Mobile's share of itself, 1.0


def test_and_mobile_after_the_share_that_is_online_shows_both_shares_of_all_spend(asker):
    answer = follow(asker, "what share of spend is online", "and mobile")
    assert "read as the share of Mobile as well as Online, side by side" in answer.interpretation, answer.interpretation
    assert figures(answer) == [("Mobile", 140.0, round(140 / 2220, 6)), ("Online", 1860.0, round(1860 / 2220, 6))]


def test_another_channel_after_a_share_within_each_state_keeps_each_state_as_the_whole(asker):
    answer = follow(asker, "what share of spend is online", "by state")
    answer = asker.ask("what about mobile", previous=answer.context)
    assert answer.interpretation.startswith("Share of approved spend that is channel Mobile within each state")
    assert figures(answer) == [("CA", "Mobile", 140.0, round(140 / 2100, 6)), ("TX", "Mobile", 0.0, 0.0)]


def test_one_channel_after_the_shares_by_channel_is_its_share_of_all_spend(asker):
    answer = follow(asker, "share of spend by channel", "what about mobile")
    assert figures(answer) == [("Mobile", 140.0, round(140 / 2220, 6))]
    card = follow(asker, "what share of customers are premium", "what about standard")
    assert figures(card) == [("Standard", 2, round(2 / 3, 6))]  # C2 and C3 of the three customers


# --- S6: a new measure after a top-N list does not silently drop the list -----------------------------------------------
# Decline rates: TX 1 of 3 (T07), CA 1 of 8 (T04): the "top 3" lists two states. Top 2 customers by spend: C3 1,200
# (T08 60 + T09 140 + T10 100 + T11 900), C1 900 (T01 500 + T02 300 + T03 100); each made 4 of the 11 transactions.

def test_a_new_measure_after_a_top_n_list_asks_whether_it_is_for_the_listed_states_or_all(asker):
    answer = follow(asker, "top 3 states by decline rate", "how many customers")
    assert answer.status == "clarify" and "for the 2 listed (TX, CA), or for all?" in answer.interpretation
    theirs, everyone = (figures(asker.ask(r)) for r in answer.suggestions)
    assert theirs == [("CA", 2), ("TX", 1)] and everyone == [(3,)]  # not 3 customers, silently, for "the states"


def test_how_many_transactions_after_the_top_customers_asks_whether_theirs_or_all(asker):
    answer = follow(asker, "top 2 customers by spend", "how many transactions")
    assert answer.status == "clarify", answer.interpretation
    theirs, everyone = (figures(asker.ask(r)) for r in answer.suggestions)
    assert theirs == [("CUST00000001", 4), ("CUST00000003", 4)] and everyone == [(11,)]


def test_a_count_of_customers_after_the_top_customers_is_everyone_said_so(asker):
    answer = follow(asker, "top 2 customers by spend", "how many customers")
    assert "read for all, not only the top 2 customers listed before" in answer.interpretation  # two of them: 2
    assert figures(answer) == [(3,)]


def test_compare_with_a_value_after_a_filtered_question_puts_both_side_by_side(asker):
    answer = asker.ask("compare with California", previous=asker.ask("spend in Texas").context)
    assert figures(answer) == [("CA", 2100.0), ("TX", 120.0)], answer.interpretation  # not California alone


def test_versus_another_period_after_a_question_of_one_period_never_answers_the_other_alone(asker):
    answer = asker.ask("vs last year", previous=asker.ask("spend this year").context)
    assert answer.status == "clarify" and answer.rows == (), answer.interpretation  # not last year's spend alone


# --- an anaphora keeps the conversation: "how many were declined", "... there", "how much was online" -----------------

@pytest.mark.parametrize(("first", "follow_up", "says", "expected"), [
    # California in 2026: T04 declined of T01-T04, T08-T11; the portfolio's all-history count would be 2 (T04, T07)
    ("transactions in California this year", "how many were declined", "state CA, status declined", [(1,)]),
    # June: T10 and T11 approved (all history: 9)
    ("transactions in June", "how many were approved", "status approved", [(2,)]),
    # May had no declined transaction (all history: 2)
    ("transactions last month", "how many declined", "status declined", [(0,)]),
    # California in June: T04 declined, T10 and T11 approved (the portfolio's all history: 2 of 11)
    ("spend in California this month", "what was the decline rate there", "Decline rate, state CA", [(1 / 3,)]),
    # Texas in May: T06 alone (all history: 11)
    ("spend in Texas last month", "how many transactions were there", "state TX", [(1,)]),
    # California in May, Online: T02 300 (all history Online: 1,860)
    ("spend in California last month", "how much was online", "state CA, channel Online", [(300.0,)]),
    # C1 and C3 bought in California this year (the portfolio: 3)
    ("spend in California this year", "how many customers were there", "state CA", [(2,)]),
])
def test_a_follow_up_that_points_back_keeps_the_previous_place_and_period(asker, first, follow_up, says, expected):
    before = asker.ask(first)
    answer = asker.ask(follow_up, previous=before.context)
    assert answer.status == "answered" and says in answer.interpretation, answer.interpretation
    period = before.interpretation.split(", ")[-1].split(" (")[0].split(".")[0]
    assert period in answer.interpretation, (period, answer.interpretation)
    assert figures(answer) == [tuple(round(v, 6) for v in row) for row in expected]


def test_and_in_another_state_shows_both_states_side_by_side(asker):
    answer = follow(asker, "spend in Texas", "and in California")
    assert "state in TX, CA" in answer.interpretation and "as well as TX" in answer.interpretation, answer.interpretation
    assert figures(answer) == [("CA", 2100.0), ("TX", 120.0)]  # TX: T05 80 + T06 40; CA: 2,220 - 120


def test_how_many_were_declined_after_spend_asks_which_count(asker):
    answer = follow(asker, "spend in Texas last month", "how many were declined")
    assert answer.status == "clarify" and all("state TX" in s and "last month" in s for s in answer.suggestions)


# --- a follow-up on a ranked set: its values carried (review 11 MUST 6) -------------------------------------------------

def test_their_customers_by_card_type_after_a_ranking_counts_the_listed_states_customers(asker):
    answer = follow(asker, "top 2 states by spend", "their customers by card type")
    assert answer.interpretation.startswith("Customer count by state and card type, state in CA, TX")
    # CA: C1 Premium, C3 Standard; TX: C2 Standard (never the spend of each)
    assert figures(answer) == [("CA", "Premium", 1), ("CA", "Standard", 1), ("TX", "Standard", 1)]


@pytest.mark.parametrize("follow_up", ["and TX", "TX too", "and Texas as well"])
def test_a_state_added_after_a_top_list_stands_beside_the_listed_ones(asker, follow_up):
    answer = follow(asker, "top 1 states by spend", follow_up)  # California (2,100) is the top state
    assert "state in CA, TX" in answer.interpretation and "Top" not in answer.interpretation, answer.interpretation
    assert figures(answer) == [("CA", 2100.0), ("TX", 120.0)]  # never TX alone, "the top 1 among Texas"


# --- "per customer" and a follow-up that changes nothing (review 11 S4) ---------------------------------------------------

@pytest.mark.parametrize("follow_up", ["per customer", "average per customer"])
def test_per_customer_after_a_figure_is_that_figure_per_customer(asker, follow_up):
    answer = follow(asker, "spend by state last month", follow_up)
    assert answer.interpretation.startswith("Spend per customer by state, May 2026"), answer.interpretation
    # May: CA T02 300 + T03 100 (C1) + T09 140 (C3) = 540 over 2 customers; TX T06 40 (C2)
    assert figures(answer) == [("CA", 270.0), ("TX", 40.0)]


@pytest.mark.parametrize("first", ["spend by state", "is spend by state OK"])
def test_naming_the_grouping_the_question_has_asks_the_same_question_again(asker, first):
    answer = follow(asker, first, "by state")
    assert answer.status == "answered" and answer.interpretation.startswith("Approved spend by state")
    assert figures(answer) == [("CA", 2100.0), ("TX", 120.0)]


def test_a_follow_up_of_no_known_words_is_not_the_last_answer_again(asker):
    assert follow(asker, "spend by state", "hello").status != "answered"


# --- a question of its own after a filtered one: for those, or for all? (review 12 M1) ---------------------------------

@pytest.mark.parametrize(("first", "question", "kept", "everyone"), [
    # Travel in 2026: T01, T02, T10, T11; every transaction: 11
    ("travel spend this year", "how many transactions", [(4,)], [(11,)]),
    # Texas in May: T06 approved (rate 0); everyone: T04 and T07 declined of 11
    ("spend in Texas last month", "what's the decline rate", [(0.0,)], [(round(2 / 11, 6),)]),
    # California in 2026, approved: T01-T03, T08-T11 (7); every approved one: 9
    ("transactions in California this year", "how many approved transactions", [(7,)], [(9,)]),
    # "are there" asks how many exist (no anaphora, unlike "were there"): still for those, or for all?
    ("spend in Texas this year", "how many customers are there", [(1,)], [(3,)]),
])
def test_a_question_without_the_last_ones_filters_asks_for_those_or_for_all(asker, first, question, kept, everyone):
    answer = follow(asker, first, question)
    assert answer.status == "clarify" and answer.rows == () and "for those, or for all" in answer.interpretation
    assert [figures(asker.ask(reading)) for reading in answer.suggestions] == [kept, everyone]


@pytest.mark.parametrize("question", ["how many transactions of all time", "how many transactions overall"])
def test_a_question_that_says_all_time_is_for_all(asker, question):
    answer = follow(asker, "travel spend this year", question)
    assert answer.status == "answered" and figures(answer) == [(11,)], answer.interpretation


def test_a_question_with_its_own_period_is_a_new_question(asker):
    answer = follow(asker, "spend in Texas last month", "how many transactions this year")
    assert answer.status == "answered" and "state" not in answer.interpretation
    assert figures(answer) == [(11,)]  # every transaction is in 2026


# --- "what share were declined": the share of the last figure (review 12 M5) ------------------------------------------

@pytest.mark.parametrize(("first", "follow_up", "shares"), [
    # June: T04, T07 declined of T04, T07, T10, T11
    ("transactions this month", "what share were declined", [0.5]),
    ("transactions this month", "what percentage were approved", [0.5]),
    ("transactions this month", "share declined", [0.5]),
    # May spend 580 (T02 300, T03 100, T06 40, T09 140): Online T02 300
    ("spend last month", "what share was online", [300 / 580]),
    # California's customers: C1 Premium, C3 Standard
    ("customers in California", "what share are Premium", [0.5]),
    # June by channel: In-Store T07 declined, Mobile T04 declined, Online T10 T11 approved
    ("transactions by channel this month", "what share were declined", [1.0, 1.0, 0.0]),
])
def test_what_share_were_x_after_a_figure_is_the_share_of_that_figure(asker, first, follow_up, shares):
    answer = follow(asker, first, follow_up)
    assert answer.status == "answered" and answer.interpretation.startswith("Share of"), answer.interpretation
    assert [round(float(row[-1]), 6) for row in sorted(answer.rows, key=str)] == [round(s, 6) for s in shares]


def test_share_by_a_grouping_after_a_figure_is_a_share(asker):
    answer = follow(asker, "spend last month", "share by channel")
    assert answer.interpretation.startswith("Share of approved spend by channel, May 2026"), answer.interpretation
    assert sorted((row[0], round(float(row[-1]), 6)) for row in answer.rows) == [
        ("In-Store", round(140 / 580, 6)), ("Mobile", round(140 / 580, 6)), ("Online", round(300 / 580, 6))]


@pytest.mark.parametrize(("follow_up", "state"), [("what about OK", "OK"), ("what about IN", "IN")])
def test_what_about_a_word_like_code_is_that_state(asker, follow_up, state):
    answer = follow(asker, "spend in Texas", follow_up)  # review 12 S2: refused as "no measure"
    assert answer.status == "answered" and answer.params == (state,), answer.interpretation



# --- review 13: amounts after a count, shares within a status --------------------------------------------------------------

@pytest.mark.parametrize(("first", "follow_up", "restated", "rows"), [
    # June's declined: T04 Mobile 70, T07 In-Store 25 (never the portfolio's approved spend, 2,220)
    ("declined transactions this month", "how much was that", "Declined amount, 1–17 Jun 2026", [(95.0,)]),
    ("declined transactions by channel this month", "how much was that", "Declined amount by channel",
     [("In-Store", 25.0), ("Mobile", 70.0)]),
    # May's approved: T02 300, T03 100, T06 40, T09 140
    ("approved transactions last month", "how much was that", "Approved spend, May 2026", [(580.0,)]),
])
def test_how_much_after_a_count_is_the_amount_of_those_transactions(asker, first, follow_up, restated, rows):
    answer = follow(asker, first, follow_up)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert [r for r in figures(answer) if r[-1]] == rows


def test_how_much_after_a_count_of_every_status_asks_which_amount(asker):
    answer = follow(asker, "transactions in California last month", "how much was that in total")
    # May in California: T02 300, T03 100, T09 140, all approved
    assert answer.status == "clarify" and [figures(asker.ask(r)) for r in answer.suggestions] == [[(540.0,)], [(540.0,)]]


def test_spend_after_declined_transactions_offers_their_declined_amount(asker):
    answer = follow(asker, "declined transactions this month", "spend")
    assert answer.status == "clarify" and answer.suggestions[0] == "declined amount this month"
    assert figures(asker.ask(answer.suggestions[0])) == [(95.0,)]


@pytest.mark.parametrize(("first", "row"), [
    # June: declined T04 Mobile, T07 In-Store, none online; approved T10, T11, both online
    ("declined transactions this month", ("Online", 0, 0.0)), ("approved transactions this month", ("Online", 2, 1.0)),
])
def test_what_share_were_online_after_a_status_is_the_share_within_that_status(asker, first, row):
    answer = follow(asker, first, "what share were online")
    assert "that is channel Online, within status" in answer.interpretation, answer.interpretation
    assert figures(answer) == [row]


@pytest.mark.parametrize(("follow_up", "spend"), [
    ("for Premium cardholders", 400.0),  # May: C1's T02 300 and T03 100
    ("among customers in Texas", 40.0),  # May: C2's T06
])
def test_for_some_customers_after_a_figure_keeps_the_figure_for_them(asker, follow_up, spend):
    answer = follow(asker, "spend last month", follow_up)  # review 13 S1: asked "for those, or for all?" customers
    assert answer.interpretation.startswith("Approved spend") and figures(answer) == [(spend,)], answer.interpretation


# --- review 14: shares that "came from", amounts that "were declined" -------------------------------------------------------

@pytest.mark.parametrize(("first", "follow_up", "row"), [
    ("spend last month", "what share came from Texas", ("TX", 40.0, 40 / 580)),  # May: T06 40 of 580
    ("transactions this month", "what share came from mobile", ("Mobile", 1, 0.25)),  # June: T04 of four
    # review 15 R′: these gave the part's own amount as if it were the answer
    ("spend last month", "share coming from in-store", ("In-Store", 140.0, 140 / 580)),  # T03 100 + T06 40
    ("spend last month", "the share that came from travel", ("Travel", 300.0, 300 / 580)),  # T02
    ("spend last month", "what portion was online", ("Online", 300.0, 300 / 580)),
    ("spend last month", "portion from travel", ("Travel", 300.0, 300 / 580)),
    ("spend last month", "what portion came from dining", ("Dining", 240.0, 240 / 580)),  # T03 100 + T09 140
    ("spend last month", "what part came from Texas", ("TX", 40.0, 40 / 580)),
    ("spend last month", "share of it from Texas", ("TX", 40.0, 40 / 580)),
    ("transactions this month", "share originating from mobile", ("Mobile", 1, 0.25)),
    ("transactions this month", "what share is coming from mobile", ("Mobile", 1, 0.25)),
])
def test_what_share_came_from_x_is_a_share(asker, first, follow_up, row):
    answer = follow(asker, first, follow_up)
    assert answer.interpretation.startswith("Share of"), answer.interpretation
    assert [tuple(round(float(v), 6) if not isinstance(v, str) else v for v in r) for r in answer.rows] == \
        [tuple(round(v, 6) if not isinstance(v, str) else v for v in row)]


@pytest.mark.parametrize(("first", "amount"), [
    ("transactions this month", 95.0),  # June's declined: T04 70, T07 25
    ("transactions in California this month", 70.0),  # T04
])
def test_how_much_was_declined_after_a_count_is_the_declined_amount(asker, first, amount):
    answer = follow(asker, first, "how much was declined")
    assert answer.interpretation.startswith("Declined amount") and figures(answer) == [(amount,)], answer.interpretation


def test_a_share_word_a_follow_up_cannot_read_is_asked_never_dropped(asker):
    answer = follow(asker, "spend last month", "share coming in from Texas")  # "coming in from": not read as the part
    assert answer.status == "clarify" and "asks for a share" in answer.interpretation, answer.interpretation
    assert answer.suggestions == ("approved spend for state TX last month",)  # the amount, offered as such


@pytest.mark.parametrize(("first", "follow_up", "label", "figure"), [
    ("spend last month", "and the month before", "Apr 2026", 80.0),  # review 15: refused; April: T05
    ("spend this month", "what about the month before", "1–17 May 2026", 400.0),  # like for like: T02, T03
    ("transactions in May", "the month before", "Apr 2026", 1),  # T05
    ("spend last week", "and the week before", "1–7 Jun 2026", 0.0),  # nothing then
])
def test_the_month_before_is_the_last_period_one_unit_earlier(asker, first, follow_up, label, figure):
    answer = follow(asker, first, follow_up)
    assert label in answer.interpretation, answer.interpretation
    assert figures(answer) == [(figure,)]


def test_a_quarter_named_by_its_code_alone_is_a_period_even_the_last_one_again(asker):
    assert figures(asker.ask("Q2 spend")) == [(1660.0,)]  # review 15: "did not understand Q2"; T02-T11 approved to 17 Jun
    answer = follow(asker, "spend last quarter", "what about Q1")  # Q1 is last quarter: answered again, not refused
    assert answer.status == "answered" and figures(answer) == [(560.0,)]  # T01 500, T08 60


@pytest.mark.parametrize(("first", "follow_up", "rows"), [
    # the reviewers' oracles wanted both side by side; each gave the second alone
    ("spend in California last month", "how does that compare to Texas", [("CA", 540.0), ("TX", 40.0)]),  # May
    ("spend online this year", "and in-store", [("In-Store", 220.0), ("Online", 1860.0)]),  # T03, T05, T06; "in-store" is no "in"
])
def test_a_comparison_asked_after_a_figure_shows_both(asker, first, follow_up, rows):
    assert figures(follow(asker, first, follow_up)) == rows


# --- review 16: a follow-up is read as a question is: its exclusions, and the words it does not know -------------------

@pytest.mark.parametrize("follow_up", ["not including Premium", "not counting Premium", "apart from Premium", "ignoring Premium",
                                       "minus Premium", "leaving out Premium", "Premium aside", "w/o Premium", "remove Premium"])
def test_a_follow_up_that_leaves_a_value_out_never_reads_it_as_the_value(asker, follow_up):
    answer = follow(asker, "how many customers", follow_up)  # it answered the Premium customers: 1
    assert "card type not Premium" in answer.interpretation, answer.interpretation
    assert figures(answer) == [(2,)]  # C2, C3


@pytest.mark.parametrize(("first", "follow_up", "word"), [
    ("spend last month", "over $100 online", "over"),  # it answered all of May's online spend
    ("transactions this year", "on weekends in California", "weekends"),
    ("spend by month this year", "which month dropped the most", "dropped"),  # it gave the highest month first
    ("spend last month", "for Premium cardholders in Dallas", "Dallas"),
])
def test_a_follow_up_with_a_word_ask_does_not_know_asks_never_answers_without_it(asker, first, follow_up, word):
    answer = follow(asker, first, follow_up)
    assert answer.status == "clarify" and f"did not understand “{word}”" in answer.interpretation, answer.interpretation


def test_which_month_was_busiest_after_a_figure_is_the_top_one(asker):
    answer = follow(asker, "transactions this year", "which month was busiest")  # the ranking word was dropped
    assert answer.interpretation.startswith("Top 1 month by transaction volume")
    assert [(str(row[0])[:7], row[1]) for row in answer.rows] == [("2026-05", 4)]  # T02, T03, T06, T09; June's 4 tie later


@pytest.mark.parametrize(("first", "follow_up", "interpretation", "rows"), [
    # review 16 SHOULDs: each was refused or asked "for those, or for all?"
    ("spend last month", "what about 30-44", "Approved spend, age band 30-44, May 2026", [(580.0,)]),
    ("spend by state", "as a share of total", "Share of approved spend by state", [("CA", 2100.0, 2100 / 2220),
                                                                                  ("TX", 120.0, 120 / 2220)]),
    ("spend last month", "how much of it was online", "Approved spend, channel Online, May 2026", [(300.0,)]),  # T02
])
def test_clear_follow_ups_are_answered(asker, first, follow_up, interpretation, rows):
    answer = follow(asker, first, follow_up)
    assert answer.interpretation.startswith(interpretation), answer.interpretation
    assert figures(answer) == [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.mark.parametrize("follow_up", ["drill into travel", "zoom in on travel", "focus on travel", "narrow to travel"])
def test_words_that_only_steer_a_follow_up_are_not_words_ask_does_not_know(asker, follow_up):
    answer = follow(asker, "spend last month", follow_up)  # the unknown-word check must not catch them
    assert answer.interpretation.startswith("Approved spend, merchant category Travel, May 2026")
    assert figures(answer) == [(300.0,)]  # T02


# --- review 16: "rank them", "overall" ----------------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up, rows", [
    ("rank them", [("CA", 2100.0), ("TX", 120.0)]),
    ("sort ascending", [("TX", 120.0), ("CA", 2100.0)]),
    ("rank by transactions", [("CA", 8), ("TX", 3)]),  # every status: C1's and C3's four each, C2's three
])
def test_rank_them_after_a_figure_by_group_ranks_every_group(asker, follow_up, rows):
    answer = follow(asker, "spend by state", follow_up)
    assert answer.status == "answered" and answer.interpretation.startswith(("Top", "Bottom")), answer.interpretation
    assert [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in answer.rows] == rows


@pytest.mark.parametrize("first, follow_up, rows", [
    ("spend in Texas", "overall", [(2220.0,)]),  # every state
    ("spend in Texas last month", "for everyone", [(580.0,)]),  # May, every state
    ("spend in Texas last month", "of all time", [(120.0,)]),  # Texas, all history
    ("spend by state", "overall", [(2220.0,)]),  # the total, not by state
])
def test_overall_and_for_everyone_drop_what_the_last_figure_was_limited_to(asker, first, follow_up, rows):
    answer = follow(asker, first, follow_up)
    assert answer.status == "answered" and figures(answer) == rows, answer.interpretation


def test_overall_after_a_figure_limited_two_ways_asks_which(asker):
    answer = follow(asker, "spend in Texas last month", "overall")
    assert answer.status == "clarify" and [figures(asker.ask(r)) for r in answer.suggestions] == [[(580.0,)], [(2220.0,)]]


@pytest.mark.parametrize("follow_up", ["what about customers in Texas", "and customers aged 30-44 in Texas"])
def test_customers_named_by_a_value_after_another_figure_ask_whether_their_figure_or_their_count(asker, follow_up):
    answer = follow(asker, "spend by channel", follow_up)
    assert answer.status == "clarify" and "how many they are" in answer.interpretation, answer.interpretation
    # Texas's spend by channel (T05 80 + T06 40 in store), or its one customer's count
    assert [figures(asker.ask(r)) for r in answer.suggestions] == [[("In-Store", 120.0)], [("In-Store", 1)]]
    assert follow(asker, "spend by channel", "how many customers in Texas instead").status == "answered"


# --- review 17 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up", ["online too", "also online", "and online as well"])
def test_a_value_of_another_dimension_added_after_an_exclusion_asks_whether_it_is_excluded_too(asker, follow_up):
    answer = follow(asker, "spend excluding travel", follow_up)
    assert answer.status == "clarify" and "Online excluded too, or only Online?" in answer.interpretation
    # neither Travel nor Online: T03 100, T05 80, T06 40, T09 140; Online but not Travel: T08 60
    assert [figures(asker.ask(r)) for r in answer.suggestions] == [[(360.0,)], [(60.0,)]]


def test_an_exclusion_instead_replaces_the_last_one(asker):
    answer = follow(asker, "spend excluding travel", "what about excluding dining instead")
    assert "not Dining" in answer.interpretation and figures(answer) == [(1980.0,)]  # 2,220 less T03 100 and T09 140


@pytest.mark.parametrize("follow_up, rows", [
    ("leaving out 60+", [("In-Store", 220.0), ("Mobile", 140.0), ("Online", 1860.0)]),  # the sample's three are 30-44
    ("minus 30-44", []),
    ("skip travel", [("In-Store", 220.0), ("Mobile", 140.0), ("Online", 60.0)]),  # T08 is Online's only other one
])
def test_an_age_band_or_a_value_left_out_by_a_follow_up_is_excluded(asker, follow_up, rows):
    answer = follow(asker, "spend by channel", follow_up)
    assert answer.status == "answered" and " not " in answer.interpretation and figures(answer) == rows


def test_an_unknown_word_that_often_leaves_out_offers_the_value_excluded_first(asker):
    answer = follow(asker, "spend by channel", "less travel")
    assert answer.status == "clarify" and "excluding merchant category Travel" in answer.suggestions[0]


@pytest.mark.parametrize("follow_up", ["vs previous month", "compared to the month before"])
def test_versus_the_previous_month_puts_the_month_before_the_last_ones_beside_it(asker, follow_up):
    answer = follow(asker, "spend last month", follow_up)  # May 2026 (580), and April (T05 80)
    assert answer.status == "clarify"
    assert [figures(asker.ask(r)) for r in answer.suggestions[1:]] == [[(80.0,)], [(580.0,)]]


def test_for_online_transactions_filters_the_last_figure_never_counts_them(asker):
    answer = follow(asker, "spend by state", "for online transactions")
    assert answer.interpretation.startswith("Approved spend by state, channel Online")
    assert figures(answer) == [("CA", 1860.0)]  # T01, T02, T08, T10, T11; Texas has no online transaction


@pytest.mark.parametrize("follow_up", ["for gold cardholders", "for cash transactions"])
def test_for_whom_with_an_unknown_word_asks_keeping_the_last_figure(asker, follow_up):
    answer = follow(asker, "spend by state", follow_up)
    assert answer.status == "clarify" and answer.suggestions == ("approved spend by state",), answer.suggestions


def test_a_status_the_measure_cannot_count_offers_readings_that_keep_the_rest_of_the_question(asker):
    answer = follow(asker, "spend by state last month", "for declined transactions")
    assert answer.status == "clarify"
    assert answer.suggestions == ("declined amount by state last month", "approved spend by state last month")


# --- review 18 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, follow_up, rows", [
    ("which state has the highest decline rate", "how many customers there", [("TX", 1)]),  # not CA, which has most
    ("which category has the highest decline rate", "how much spend was there", [("Gas", 0.0)]),  # T07, not Travel
    ("which state has the highest spend", "that state's customers by card type", [("CA", "Premium", 1),
                                                                                  ("CA", "Standard", 1)]),
    ("which state has the lowest spend", "what is the decline rate there", [("TX", pytest.approx(1 / 3))]),  # T07
])
def test_there_and_that_state_after_a_ranking_are_the_ones_it_listed(asker, first, follow_up, rows):
    answer = follow(asker, first, follow_up)
    assert answer.status == "answered" and figures(answer) == rows, answer.interpretation


@pytest.mark.parametrize("first, follow_up, rows", [
    ("which state had the most declines", "its decline rate", [("CA", 0.125)]),  # T04 of CA's eight, never 1.0
    ("how many declines", "and the decline rate", [(pytest.approx(2 / 11),)]),
    ("approved transactions by state", "what about the approval rate", [("CA", 0.875), ("TX", pytest.approx(2 / 3))]),
])
def test_a_rate_of_a_status_after_that_status_is_of_every_transaction(asker, first, follow_up, rows):
    answer = follow(asker, first, follow_up)
    assert answer.status == "answered" and figures(answer) == rows and "is not applied" in answer.interpretation


@pytest.mark.parametrize("follow_up", ["rank by customers", "sort by cardholders"])
def test_rank_by_customers_ranks_by_how_many_never_keeps_the_last_measure(asker, follow_up):
    answer = follow(asker, "spend by category", follow_up)  # Dining, Groceries, Travel have two customers each, Gas one
    assert answer.status == "answered" and "customers" in answer.interpretation.split(",")[0]
    assert [tuple(row) for row in answer.rows] == [("Dining", 2), ("Groceries", 2), ("Travel", 2), ("Gas", 1)]


@pytest.mark.parametrize("follow_up, rows", [
    ("excluding online instead", [(360.0,)]),  # T03 100, T05 80, T06 40, T09 140: Travel counts again
    ("excluding premium instead", [(1320.0,)]),  # C2's and C3's approved spend
])
def test_an_exclusion_of_another_grouping_instead_replaces_the_last_one(asker, follow_up, rows):
    answer = follow(asker, "spend excluding travel", follow_up)
    assert answer.status == "answered" and "Travel" not in answer.interpretation and figures(answer) == rows


@pytest.mark.parametrize("follow_up", ["and online", "plus online"])
def test_and_a_value_of_another_grouping_after_an_exclusion_asks(asker, follow_up):
    answer = follow(asker, "spend excluding travel", follow_up)
    assert answer.status == "clarify" and "Online excluded too, or only Online?" in answer.interpretation


@pytest.mark.parametrize("follow_up", ["what about april", "april instead"])
def test_a_month_named_alone_in_a_follow_up_is_that_month(asker, follow_up):
    answer = follow(asker, "spend in March", follow_up)
    assert answer.status == "answered" and "Apr 2026" in answer.interpretation and figures(answer) == [(80.0,)]  # T05


# --- review 19 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("between", ["what about gold", "and customers and spend"])  # refused; asks two measures
def test_a_follow_up_after_a_refusal_or_a_clarify_still_follows_the_question_answered_before(asker, between):
    first = asker.ask("which state has the highest decline rate")  # TX: T07 of three
    middle = asker.ask(between, previous=first.context)
    assert middle.status in ("refused", "clarify")
    answer = asker.ask("how many customers there", previous=middle.context)
    assert answer.status == "answered" and figures(answer) == [("TX", 1)], answer.interpretation


@pytest.mark.parametrize("question", ["its decline rate", "how many customers there", "that state's spend"])
def test_words_that_point_back_with_nothing_before_them_ask(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "points back to an earlier answer" in answer.interpretation


def test_are_there_is_no_pointing_back(asker):
    assert figures(asker.ask("how many customers are there")) == [(3,)]


@pytest.mark.parametrize("follow_up", ["what about the biggest rise", "and the biggest increase"])
def test_the_other_end_of_a_month_over_month_change_is_its_rise(asker, follow_up):
    drop = asker.ask("biggest drop in spend")
    answer = asker.ask(follow_up, previous=drop.context)
    assert answer.status == "answered" and answer.interpretation.startswith("Biggest monthly rise")
    assert figures(answer) == figures(asker.ask("biggest rise in spend")) != figures(drop)


def test_what_about_another_grouping_is_in_the_last_ones_place(asker):
    answer = follow(asker, "customers by behavioural segment", "what about the generated segment")
    assert answer.interpretation.startswith("Customer count by generated segment,"), answer.interpretation
    assert follow(asker, "spend by state", "and by channel").interpretation.startswith("Approved spend by state and channel")


# --- review 20 ------------------------------------------------------------------------------------------------------

def test_their_share_after_there_is_each_ones_share_of_the_whole_never_one(asker):
    first = asker.ask("top 1 state by spend")  # CA
    there = asker.ask("how many transactions there", previous=first.context)
    answer = asker.ask("their share", previous=there.context)
    assert figures(answer) == [("CA", 8, pytest.approx(8 / 11))], answer.interpretation  # of all eleven


def test_their_share_after_a_filtered_ranking_is_of_that_filters_whole(asker):
    answer = follow(asker, "top 1 customer by spend in California", "their share")
    assert figures(answer) == [("CUST00000003", 1200.0, pytest.approx(1200 / 2100))], answer.interpretation


@pytest.mark.parametrize("first, rows", [("spend by state", [(900.0,)]),  # C1's T01-T03
                                         ("transactions by channel", [(4,)])])  # C1's four, of every status
def test_overall_for_some_customers_is_their_total_of_the_last_figure(asker, first, rows):
    answer = follow(asker, first, "overall for Premium customers")
    assert answer.status == "answered" and figures(answer) == rows and "card type Premium" in answer.interpretation


# --- review 21 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, follow_up, rows", [
    ("spend by state", "from lowest to highest", [("TX", 120.0), ("CA", 2100.0)]),
    ("spend by state", "sort them from highest to lowest", [("CA", 2100.0), ("TX", 120.0)]),
    ("decline rate by state", "from best to worst", [("CA", 0.125), ("TX", pytest.approx(1 / 3))]),  # lower is better
    ("decline rate by state", "worst first", [("TX", pytest.approx(1 / 3)), ("CA", 0.125)]),
])
def test_an_order_said_in_a_follow_up_lists_every_group_in_it(asker, first, follow_up, rows):
    answer = follow(asker, first, follow_up)
    assert answer.status == "answered" and [tuple(float(v) if isinstance(v, Decimal) else v for v in row)
                                            for row in answer.rows] == rows, answer.interpretation


def test_its_share_after_the_most_declines_is_its_share_of_the_declines(asker):
    answer = follow(asker, "which channel has the most declines", "its share")  # In-Store (T07) and Mobile (T04) tie
    assert answer.status == "answered" and figures(answer) == [("In-Store", 1, 0.5)], answer.interpretation


def test_overall_for_some_customers_drops_the_values_its_groupings_were_limited_to(asker):
    answer = follow(asker, "spend by state for California and Texas", "overall for Premium customers")
    assert answer.status == "answered" and figures(answer) == [(900.0,)], answer.interpretation  # one total, no state
