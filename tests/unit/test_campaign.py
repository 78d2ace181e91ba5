"""The campaign simulator's arithmetic, checked by hand."""

import pytest

from customer360.app.campaign import ANNUALISE, simulate


def test_retained_value_roi_and_breakeven_by_hand():
    # Two scored customers (50 % and 10 %), one unscored; 90-day spends 900, 1800, 450.
    result = simulate([50, 10, None], [900, 1800, 450], retention_rate=0.2, cost_per_contact=10)
    at_risk = (0.5 * 900 + 0.1 * 1800) * ANNUALISE  # the unscored customer is not counted at risk
    assert result.contacts == 3 and result.unscored == 1
    assert result.expected_churners == pytest.approx(0.6)
    assert result.value_at_risk == pytest.approx(at_risk)
    assert result.cost == 30
    assert result.retained_value == pytest.approx(0.2 * at_risk)
    assert result.roi == pytest.approx((0.2 * at_risk - 30) / 30)
    assert result.breakeven_retention_rate == pytest.approx(30 / at_risk)
    curve = dict(result.sensitivity())
    assert curve[0.0] == -30 and curve[0.5] == pytest.approx(0.5 * at_risk - 30)
    # At the breakeven rate the campaign nets nothing.
    even = simulate([50, 10, None], [900, 1800, 450], result.breakeven_retention_rate, 10)
    assert even.net_value == pytest.approx(0, abs=1e-9)


def test_nothing_at_risk_or_free_contacts_have_no_ratio_instead_of_a_division_error():
    assert simulate([None, 0], [100, 100], 0.3, 5).breakeven_retention_rate is None
    assert simulate([40], [100], 0.3, 0).roi is None


@pytest.mark.parametrize("rate, cost, problem", [(1.5, 1, "between 0 and 1"), (0.2, -1, "must not be negative")])
def test_impossible_assumptions_are_refused(rate, cost, problem):
    with pytest.raises(ValueError, match=problem):
        simulate([10], [100], rate, cost)
