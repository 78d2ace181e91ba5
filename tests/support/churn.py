"""Hand-made churn feature rows with a learnable signal, for tests that need a feature mart without building the
graph: Declining customers whose last 30 days fell well below their baseline churn; few others do."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from customer360.lib.churn.model import CATEGORICAL, NUMERIC

AS_OF = dt.date(2026, 6, 30)
CUT_OFFS = [("train", AS_OF - dt.timedelta(days=d)) for d in (210, 180, 150, 120)] + \
           [("validation", AS_OF - dt.timedelta(days=60)), ("score", AS_OF)]
SEGMENTS = ["Declining", "Stable Mid-Spenders", "Budget-Conscious"]


def feature_rows(customers: int = 400, seed: int = 5) -> pa.Table:
    rng = np.random.default_rng(seed)
    columns: dict[str, list] = {name: [] for name in ("churn_feature_key", "customer_id", "split", "feature_date",
                                                     *CATEGORICAL, *NUMERIC, "label_transactions", "label_spend",
                                                     "churned")}
    for split, cut_off in CUT_OFFS:
        segment = rng.choice(SEGMENTS, customers, p=[0.3, 0.5, 0.2])
        ratio = np.where((segment == "Declining") & (rng.random(customers) < 0.5), rng.uniform(0, 0.3, customers),
                         rng.uniform(0.7, 1.3, customers))
        churned = (ratio < 0.3) & (rng.random(customers) < 0.9) | (rng.random(customers) < 0.01)
        ids = [f"C{i:05d}" for i in range(customers)]
        columns["churn_feature_key"] += [f"{c}|{cut_off}" for c in ids]
        columns["customer_id"] += ids
        columns["split"] += [split] * customers
        columns["feature_date"] += [cut_off] * customers
        columns["generated_segment"] += list(segment)
        columns["state"] += list(rng.choice(["NY", "CA", "TX"], customers))
        columns["employment_status"] += ["Employed"] * customers
        columns["card_type"] += list(rng.choice(["Standard", "Premium"], customers))
        for name in NUMERIC:
            columns[name] += list(rng.gamma(2.0, 50.0, customers))
        columns["spend_30d_vs_baseline"][-customers:] = list(ratio)
        columns["label_transactions"] += [None if split == "score" else int(n) for n in rng.integers(0, 9, customers)]
        columns["label_spend"] += [None if split == "score" else 100.0] * customers
        columns["churned"] += [None if split == "score" else bool(c) for c in churned]
    return pa.table(columns)
