"""Which check evaluations become alerts: a failed blocking check (or churn gate) once per incident, and, once, its
passing again. The checks alerted and not yet passed live in the sensor's cursor (`CheckWatch.failing`), so a
recovery is announced only for a check that was alerted, however long after."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from customer360.lib.alerts.ledger import Resolved
from customer360.lib.alerts.message import Alert, check_failed, check_recovered

MAX_TRACKED = 200  # failing checks remembered; the oldest is forgotten first


@dataclass
class CheckWatch:
    failing: dict[str, str] = field(default_factory=dict)  # a failed check's alert key -> the run it failed in

    def to_json(self) -> dict[str, Any]:
        return {"failing": self.failing}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CheckWatch:
        return cls(dict((data or {}).get("failing", {})))

    def observe(self, asset_path: list[str], check_name: str, passed: bool, blocking: bool, description: str | None,
                run_id: str | None, ui_url: str | None, gate: bool) -> list[Alert | Resolved]:
        """A failed blocking check is an alert; passing again ends its incident (its next failure is news), and is
        announced if its failure was."""
        failed = check_failed(asset_path, check_name, description, run_id, ui_url, gate)
        recovered = check_recovered(asset_path, check_name, run_id, self.failing.get(failed.key), ui_url)
        if passed:
            return [Resolved(failed.key)] + ([recovered] if self.failing.pop(failed.key, None) is not None else [])
        if not blocking:
            return []
        self.failing.pop(failed.key, None)
        self.failing[failed.key] = run_id or ""
        self.failing = dict(list(self.failing.items())[-MAX_TRACKED:])
        return [Resolved(recovered.key), failed]
