"""A small graph that fails on demand, for the alert sensors' tests: a partitioned job whose op fails or succeeds as its
config says, and an asset whose blocking check fails."""

import dagster as dg

SOURCE_ERROR = "the source answered 503 Service Unavailable after 5 tries"
PARTITIONS = dg.StaticPartitionsDefinition(["2026-06-29", "2026-06-30"])


class Outcome(dg.Config):
    fail: bool = True


@dg.op
def extract_accounts(config: Outcome) -> None:
    if config.fail:
        raise RuntimeError(SOURCE_ERROR)


@dg.job(partitions_def=PARTITIONS)
def nightly_extract():
    extract_accounts()


def run_config(fail: bool) -> dict:
    return {"ops": {"extract_accounts": {"config": {"fail": fail}}}}


@dg.asset(key=["gold", "orders"], check_specs=[
    dg.AssetCheckSpec("rows_match_bronze", asset=dg.AssetKey(["gold", "orders"]), blocking=True)])
def orders() -> dg.MaterializeResult:
    return dg.MaterializeResult(check_results=[
        dg.AssetCheckResult(check_name="rows_match_bronze", passed=False, description="3 rows of bronze are missing")])


@dg.asset(key=["churn", "churn_model_candidate"], check_specs=[
    dg.AssetCheckSpec("quality_gates", asset=dg.AssetKey(["churn", "churn_model_candidate"]), blocking=True)])
def churn_model_candidate() -> dg.MaterializeResult:
    return dg.MaterializeResult(check_results=[
        dg.AssetCheckResult(check_name="quality_gates", passed=False, description="f1 0.41 is below 0.50")])


@dg.asset(key=["gold", "customers"])
def customers() -> None:
    """Materializes without a problem."""


def adhoc_job() -> dg.JobDefinition:
    """Dagster's implicit job (`__ASSET_JOB`), which runs every materialization started from the UI or the CLI."""
    return dg.Definitions(assets=[orders, customers, churn_model_candidate]).resolve_implicit_global_asset_job_def()


@dg.asset(key=["gold", "balances"], check_specs=[
    dg.AssetCheckSpec("balances_add_up", asset=dg.AssetKey(["gold", "balances"]), blocking=True)])
def balances(config: Outcome) -> dg.MaterializeResult:
    """Its blocking check fails or passes as its config says."""
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(
        check_name="balances_add_up", passed=not config.fail, description="2 balances do not add up" if config.fail
        else None)])


def balances_config(fail: bool) -> dict:
    return {"ops": {"gold__balances": {"config": {"fail": fail}}}}
