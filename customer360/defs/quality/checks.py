"""Turn the SqlCheck specs into Dagster asset checks that also write observability rows."""


import datetime as dt
from collections.abc import Sequence

import dagster as dg

from customer360.defs.quality.sql_checks import BRONZE_CHECKS, GOLD_CHECKS, LOAD_RECONCILIATION, VOLUME_CHECKS, SqlCheck
from customer360.lib.asset_keys import TRANSACTIONS_INCREMENT
from customer360.lib.observability.quality import CheckRecord, record_checks
from customer360.lib.resources.portfolio import PortfolioResource
from customer360.lib.resources.warehouse import Warehouse, WarehouseSession


def evaluate(session: WarehouseSession, check: SqlCheck, run_id: str | None = None,
             as_of: str | None = None, increment: bool = False) -> CheckRecord:
    """Run one check's query in an open session; pure enough for tests to call directly. `increment`: the run is the
    streaming increment, and a check with an `increment_sql` reads only the rows this run loaded."""
    scoped = increment and check.increment_sql is not None
    binds = ("run_id",) if scoped else check.binds
    values = {"as_of": as_of, "run_id": run_id}
    if "as_of" in binds and as_of is None:
        raise ValueError(f"{check.name} counts up to the as-of date: pass as_of (YYYY-MM-DD)")
    if "run_id" in binds and run_id is None:
        raise ValueError(f"{check.name} reconciles one run's loads: pass run_id")
    params = [values[name] for name in binds]
    observed, expected = session.fetchone(check.increment_sql if scoped else check.sql, params) or (None, None)
    passed = check.passes(observed, expected)
    description = check.description + (" Read: the rows this run loaded." if scoped else "")
    if not passed and check.offenders_sql:
        files = [row[0] for row in session.fetchall(check.offenders_sql, [values[name] for name in check.binds])]
        description += f" Files: {', '.join(files)}." if files else ""
    return CheckRecord(
        check_name=check.name,
        asset_key=check.asset_key_string,
        passed=passed,
        severity=check.severity,
        observed_value=float(observed) if observed is not None else None,
        threshold=float(expected) if expected is not None else None,
        description=description,
        run_id=run_id,
        checked_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )


def check_key(check: SqlCheck) -> dg.AssetCheckKey:
    """The Dagster key of the asset check built from `check` (what jobs select it by)."""
    return dg.AssetCheckKey(dg.AssetKey(list(check.asset)), check.name)


def _asset_check(check: SqlCheck) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=check_key(check).asset_key,
        name=check.name,
        description=check.description + (" The streaming increment reads only the rows it loaded; other runs read "
                                          "the whole table." if check.increment_sql else ""),
        blocking=check.blocking,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: dg.ResourceParam[Warehouse],
               portfolio: PortfolioResource) -> dg.AssetCheckResult:
        with warehouse.session() as session:
            record = evaluate(session, check, context.run.run_id, as_of=portfolio.as_of,
                              increment=context.run.job_name == TRANSACTIONS_INCREMENT)
            record_checks(session, [record])
        return dg.AssetCheckResult(
            passed=record.passed,
            severity=dg.AssetCheckSeverity(check.severity),
            metadata={"observed": record.observed_value, "expected": record.threshold},
            description=None if record.passed else f"{record.description} Observed {record.observed_value}, "
                                                   f"expected {record.threshold}.",
        )

    return _check


def build_asset_checks(checks: Sequence[SqlCheck] = (*BRONZE_CHECKS, *VOLUME_CHECKS, *GOLD_CHECKS,
                                                     LOAD_RECONCILIATION)) -> list:
    return [_asset_check(check) for check in checks]


@dg.definitions
def checks_defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=build_asset_checks())
