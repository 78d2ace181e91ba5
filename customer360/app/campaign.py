"""The campaign simulator's arithmetic: contact an audience, retain a share of those who would churn.

For each customer i in the audience: p_i, the churn model's probability (score / 100; a customer the model has not
scored counts as 0 and is reported), and v_i, the value a year of their spend is worth (last 90 days x 365/90).
Contacting everyone costs n x cost_per_contact. Value at risk = sum(p_i v_i); a retention rate r saves r x value at
risk. ROI = (saved - cost) / cost; breakeven r = cost / value at risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ANNUALISE = 365 / 90
SENSITIVITY_RATES = tuple(r / 100 for r in range(0, 51, 5))  # 0 % to 50 % retained


@dataclass(frozen=True)
class CampaignResult:
    contacts: int
    unscored: int  # customers without a model probability (counted as not at risk)
    expected_churners: float
    value_at_risk: float
    cost: float
    retained_value: float
    net_value: float
    roi: float | None  # None when the campaign costs nothing
    breakeven_retention_rate: float | None  # None when nothing is at risk

    def sensitivity(self) -> list[tuple[float, float]]:
        """(retention rate, net value) from 0 % to 50 %: the curve the page draws."""
        return [(rate, rate * self.value_at_risk - self.cost) for rate in SENSITIVITY_RATES]


def simulate(churn_scores: Sequence[float | None], spend_90_days: Sequence[float], retention_rate: float,
             cost_per_contact: float) -> CampaignResult:
    if not 0 <= retention_rate <= 1:
        raise ValueError(f"retention rate {retention_rate} must be between 0 and 1")
    if cost_per_contact < 0:
        raise ValueError(f"cost per contact {cost_per_contact} must not be negative")
    if len(churn_scores) != len(spend_90_days):
        raise ValueError("one churn score and one 90-day spend per customer")
    probabilities = [0.0 if s is None or s != s else float(s) / 100 for s in churn_scores]  # s != s: NaN
    values = [max(float(v or 0), 0.0) * ANNUALISE for v in spend_90_days]
    at_risk = sum(p * v for p, v in zip(probabilities, values, strict=True))
    cost = len(probabilities) * cost_per_contact
    retained = retention_rate * at_risk
    return CampaignResult(
        contacts=len(probabilities),
        unscored=sum(1 for s in churn_scores if s is None or s != s),
        expected_churners=sum(probabilities),
        value_at_risk=at_risk,
        cost=cost,
        retained_value=retained,
        net_value=retained - cost,
        roi=(retained - cost) / cost if cost else None,
        breakeven_retention_rate=cost / at_risk if at_risk else None,
    )
