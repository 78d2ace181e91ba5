"""snowflake_setup/ and terraform/ as code: they parse, they say what the platform relies on, and checkov passes.

terraform itself cannot run here (it downloads its AWS provider from registry.terraform.io, which this machine
cannot reach), so `terraform validate/plan` is left to a machine with that access; python-hcl2 parses every file
and checkov scans them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import hcl2
import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from customer360 import setup_runner
from customer360.lib.bronze.contracts import LINEAGE_COLUMNS
from customer360.lib.replication.config import bronze_tables
from customer360.lib.sql import split_statements
from customer360.settings import ROOT, SettingsError, settings

TERRAFORM = ROOT / "terraform"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
SAMPLE = {"DATABASE": "CUSTOMER_ANALYTICS", "WAREHOUSE": "C360_WH", "STAGE_URL": "s3://c360-landing/",
          "STORAGE_INTEGRATION": "C360_S3_INTEGRATION", "STAGE_CREDENTIALS": "STORAGE_INTEGRATION = C360_S3_INTEGRATION",
          "AWS_ROLE_ARN": "arn:aws:iam::210987654321:role/customer360-snowflake-stage",
          "REPLICATED_BRONZE_TABLES": setup_runner.replicated_bronze_ddl(setup_runner.MASKING_POLICY),
          "HEAVY_WAREHOUSE": "C360_HEAVY_WH", "HEAVY_WAREHOUSE_SIZE": "MEDIUM", "RESOURCE_MONITOR": "C360_WH_MONITOR",
          "CREDIT_QUOTA": "100", "MASK_PII": "true", "PII_MASKING": setup_runner.pii_masking_sql(True),
          "READER_GRANTS": setup_runner.reader_grants_sql("CUSTOMER_ANALYTICS", True)}
REAL_ARN = SAMPLE["AWS_ROLE_ARN"]
SNOWFLAKE_ENV = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "R",
                 "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "DB", "SNOWFLAKE_PASSWORD": "x",  # pragma: allowlist secret
                 "C360_S3_BUCKET": "my-bucket", "C360_STORAGE_INTEGRATION": "MY_INT"}


def rendered(name: str) -> list[str]:
    return split_statements(setup_runner.render((setup_runner.SETUP_DIR / name).read_text(), SAMPLE))


@pytest.mark.parametrize("path", setup_runner.setup_files(), ids=lambda p: p.name)
def test_every_setup_file_parses_in_snowflake_dialect(path):
    for statement in rendered(path.name):
        parsed = sqlglot.parse_one(statement, read="snowflake", error_level=ErrorLevel.RAISE)
        assert parsed is not None


def test_setup_files_are_ordered_and_idempotent():
    names = [p.name for p in setup_runner.setup_files()]
    assert names == sorted(names) and names[0].startswith("00_") and len(names) == 14
    for name in names:
        for statement in rendered(name):
            first = " ".join(statement.split()).upper()
            if first.startswith("CREATE") and "OR REPLACE" not in first:
                assert "IF NOT EXISTS" in first, f"{name}: {first[:80]} is not idempotent"
            if " SET MASKING POLICY " in first and first.startswith("ALTER"):
                assert first.endswith("FORCE"), f"{name}: re-attaching a policy must not fail"


def test_setup_creates_what_the_issue_and_the_loader_name():
    text = " ".join(" ".join(rendered(p.name)) for p in setup_runner.setup_files()).upper()
    for schema in ("BRONZE", "SILVER", "GOLD", "OBSERVABILITY"):
        assert f"CREATE SCHEMA IF NOT EXISTS {schema}" in text
    for role in ("DATA_ENGINEER", "DATA_ANALYST", "MARKETING_MANAGER"):
        assert f"CREATE ROLE IF NOT EXISTS {role}" in text
    for stage in ("REPLICATION_STAGE", "TRANSACTION_STAGE_HISTORICAL", "TRANSACTION_STAGE_STREAMING"):
        assert f"CREATE STAGE IF NOT EXISTS BRONZE.{stage}" in text
    assert "AUTO_SUSPEND = 60" in text and "CLUSTER BY (TO_DATE(TRANSACTION_DATE))" in text
    assert "CREATE STORAGE INTEGRATION IF NOT EXISTS C360_S3_INTEGRATION" in text


def _grants(name: str = "02_roles_grants.sql") -> list[str]:
    return [" ".join(s.split()).upper() for s in rendered(name) if s.upper().startswith(("GRANT", "REVOKE"))]


def test_marketing_reads_only_what_dbt_grants_it_and_no_reader_has_future_grants_where_pii_is_rebuilt():
    grants = _grants()
    marketing = [g for g in grants if g.startswith("GRANT") and g.endswith("TO ROLE MARKETING_MANAGER")]
    assert marketing == ["GRANT USAGE ON WAREHOUSE C360_WH TO ROLE MARKETING_MANAGER",
                         "GRANT USAGE ON DATABASE CUSTOMER_ANALYTICS TO ROLE MARKETING_MANAGER",
                         "GRANT USAGE ON SCHEMA CUSTOMER_ANALYTICS.GOLD TO ROLE MARKETING_MANAGER"]
    for role in ("DATA_ANALYST", "MARKETING_MANAGER"):
        for schema in ("SILVER", "GOLD"):
            leaking = [g for g in grants if g.startswith("GRANT SELECT") and f".{schema} TO ROLE {role}" in g]
            assert leaking == [], leaking  # dbt grants these after masking (macros/grant_readers.sql)
    revoked = {g for g in grants if g.startswith("REVOKE")}
    assert "REVOKE SELECT ON FUTURE TABLES IN SCHEMA CUSTOMER_ANALYTICS.GOLD FROM ROLE MARKETING_MANAGER" in revoked
    readers_future = [g for g in grants if g.startswith("GRANT SELECT ON FUTURE") and not g.endswith("DATA_ENGINEER")]
    assert readers_future == []  # every reader grant is per relation, after masking (08, dbt)


def test_dbt_grants_readers_only_after_masking_and_marketing_only_relations_without_pii(dbt_manifest):
    nodes = [n for n in dbt_manifest["nodes"].values() if n["resource_type"] in ("model", "snapshot")]
    for node in nodes:
        hooks = [h["sql"] for h in node["config"]["post-hook"]]
        assert hooks[-1] == "{{ grant_readers() }}", node["name"]
        assert "{{ mask_pii_columns() }}" in hooks[:-1], node["name"]
    macro = (ROOT / "dbt_project" / "macros" / "grant_readers.sql").read_text()
    assert "['email', 'first_name', 'last_name']" in macro
    assert "this.schema | lower == 'gold' and not personal" in macro


def test_the_pipeline_role_may_use_every_stage_and_file_format_it_loads_from():
    from customer360.lib.resources.stages import FILE_FORMATS, STAGES

    grants = _grants() + _grants("04_file_formats_stages.sql")
    schemas = {name.split(".")[0].upper() for name in [*(s.name for s in STAGES), *FILE_FORMATS.values()]}
    assert schemas == {"BRONZE"}
    for kind in ("STAGES", "FILE FORMATS"):
        assert f"GRANT USAGE ON FUTURE {kind} IN SCHEMA CUSTOMER_ANALYTICS.BRONZE TO ROLE DATA_ENGINEER" in grants
        assert f"GRANT USAGE ON ALL {kind} IN SCHEMA BRONZE TO ROLE DATA_ENGINEER" in grants
        # any other schema (a staging schema for another source) by the database-level future grant
        assert f"GRANT USAGE ON FUTURE {kind} IN DATABASE CUSTOMER_ANALYTICS TO ROLE DATA_ENGINEER" in grants
    assert "GRANT USAGE ON INTEGRATION C360_S3_INTEGRATION TO ROLE DATA_ENGINEER" in _grants("03_storage_integration.sql")


def test_every_folder_a_bronze_table_reads_is_read_by_an_external_stage_of_the_setup():
    """A table's files must be where a stage reads (both loaders refuse files elsewhere, lib/bronze/file_checks.py): each
    of its folders lies under a stage of lib/resources/stages.py STAGES, whose URL the setup creates at that prefix."""
    from customer360.lib.replication.config import bronze_tables
    from customer360.lib.resources.stages import stage_for

    setup = (setup_runner.SETUP_DIR / "04_file_formats_stages.sql").read_text()
    for table in bronze_tables():
        for folder in table.read_prefixes:
            stage, _ = stage_for(folder)
            assert f"CREATE STAGE IF NOT EXISTS {stage.name.upper()} URL = '${{STAGE_URL}}{stage.prefix}'" in setup


CONVERGING = ("WAREHOUSE", "STORAGE INTEGRATION", "FILE FORMAT", "STAGE", "RESOURCE MONITOR")


def test_every_configured_object_is_altered_to_the_current_values_after_it_is_created():
    statements = [" ".join(s.split()).upper() for p in setup_runner.setup_files() for s in rendered(p.name)]
    kinds = "|".join(CONVERGING)
    created = [m.groups() for s in statements if (m := re.match(rf"CREATE ({kinds}) IF NOT EXISTS ([\w.$]+)", s))]
    replaced = [m.groups() for s in statements if (m := re.match(rf"CREATE OR REPLACE ({kinds}) ([\w.$]+)", s))]
    assert len(created) == 9 and {kind for kind, _ in replaced} == {"FILE FORMAT"} and len(replaced) == 2
    for kind, name in created:
        assert any(s.startswith(f"ALTER {kind} {name} SET ") for s in statements), f"{kind} {name} never converges"


def test_a_rerun_with_another_role_arn_or_bucket_alters_the_integration_and_stages():
    env = {**SNOWFLAKE_ENV, "C360_S3_BUCKET": "other-bucket"}
    other_arn = "arn:aws:iam::210987654321:role/another-role"
    plan = setup_runner.planned(setup_runner.variables(settings(env), {"C360_AWS_ROLE_ARN": other_arn}))
    alters = [" ".join(s.split()) for _, s in plan if s.lstrip().upper().startswith("ALTER")]
    assert any(f"STORAGE_AWS_ROLE_ARN = '{other_arn}'" in a and "('s3://other-bucket/')" in a for a in alters)
    assert any("ALTER STAGE BRONZE.REPLICATION_STAGE SET URL = 's3://other-bucket/staging/'" in a for a in alters)


@pytest.mark.parametrize("arn,problem", [
    ("", "is not set"),
    ("<set C360_AWS_ROLE_ARN: terraform output>", "is not an IAM role ARN"),
    ("arn:aws:iam::123456789012:role/customer360-snowflake-stage", "example account 123456789012, a placeholder"),
])
def test_a_missing_or_placeholder_role_arn_is_refused_with_what_to_do(arn, problem):
    with pytest.raises(setup_runner.SetupError, match=re.escape(problem) + ".*terraform output role_arn"):
        setup_runner.variables(settings(SNOWFLAKE_ENV), {"C360_AWS_ROLE_ARN": arn})


def test_masking_policy_shows_pii_to_data_engineer_only():
    policy = " ".join(rendered("03_masking_policy.sql")[0].split()).upper()
    assert "IS_ROLE_IN_SESSION('DATA_ENGINEER') OR VAL IS NULL THEN VAL ELSE '***MASKED***'" in policy
    macro = (ROOT / "dbt_project" / "macros" / "mask_pii.sql").read_text()
    assert "set masking policy {{ target.database }}.gold.pii_string_mask force" in macro
    project = (ROOT / "dbt_project" / "dbt_project.yml").read_text()
    assert project.count("{{ mask_pii_columns() }}") == 2


@pytest.fixture(scope="module")
def dbt_manifest() -> dict:
    from customer360.lib.resources.dbt import dbt_project

    return json.loads(dbt_project().manifest_path.read_text())


def _normalized(sql_type: str) -> str:
    return {"TIMESTAMP_NTZ": "TIMESTAMP", "TIMESTAMPNTZ": "TIMESTAMP", "INT": "INTEGER", "TEXT": "VARCHAR"}.get(sql_type, sql_type)


def test_setup_bronze_tables_match_the_loader_contract():
    tables = {}
    for statement in rendered("06_bronze_tables.sql"):
        create = sqlglot.parse_one(statement, read="snowflake")
        name = create.find(exp.Table).name.lower()
        tables[name] = [(c.name.lower(), _normalized(c.args["kind"].sql("snowflake").upper()),
                         any(isinstance(k.kind, exp.NotNullColumnConstraint) for k in c.constraints))
                        for c in create.find_all(exp.ColumnDef)]
    for table in bronze_tables():
        expected = [(n, _normalized(t.upper()), n in table.not_null) for n, t in (*table.columns, *LINEAGE_COLUMNS)]
        expected = [(n, re.sub(r"DECIMAL\((\d+),(\d+)\)", r"DECIMAL(\1, \2)", t), nn) for n, t, nn in expected]
        assert tables[table.name] == expected


def _plain(value):
    """python-hcl2 keeps string quotes and adds comment/block markers; drop them so tests read plain values."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k not in ("__comments__", "__is_block__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@pytest.fixture(scope="module")
def terraform() -> dict:
    merged: dict = {}
    for path in sorted(TERRAFORM.glob("*.tf")):
        with path.open() as handle:
            for block, items in _plain(hcl2.load(handle)).items():
                merged.setdefault(block, []).extend(items)
    return merged


def _blocks(tf: dict, kind: str, type_: str) -> dict:
    return {name: body for item in tf.get(kind, []) for t, named in item.items() if t == type_
            for name, body in named.items()}


def test_terraform_bucket_is_private_versioned_encrypted_and_tls_only(terraform):
    [access] = [b for n, b in _blocks(terraform, "resource", "aws_s3_bucket_public_access_block").items()
                if n == "landing"]
    assert all(access[k] in (True, "true") for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                            "restrict_public_buckets"))
    versioning = _blocks(terraform, "resource", "aws_s3_bucket_versioning")["landing"]
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    sse = _blocks(terraform, "resource", "aws_s3_bucket_server_side_encryption_configuration")["landing"]
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    tls = _blocks(terraform, "data", "aws_iam_policy_document")["tls_only"]["statement"][0]
    assert tls["effect"] == "Deny" and tls["condition"][0]["variable"] == "aws:SecureTransport"
    assert tls["condition"][0]["values"] == ["false"]


def _rule_filter(rule: dict) -> dict:
    """A lifecycle rule's filter as {prefix, tags}, whether written plain or inside `and`."""
    found = (rule.get("filter") or [{}])[0] or {}
    return found["and"][0] if "and" in found else found


def test_terraform_lifecycle_covers_streaming_and_staging(terraform):
    rules = _blocks(terraform, "resource", "aws_s3_bucket_lifecycle_configuration")["landing"]["rule"]
    prefixes = {_rule_filter(r).get("prefix") for r in rules}
    assert {"transactions/streaming/", "staging/"} <= prefixes
    [staging] = [r for r in rules if _rule_filter(r).get("prefix") == "staging/"]
    assert staging["expiration"][0]["days"] == "${var.staging_retention_days}"
    variables = {name: body for item in terraform["variable"] for name, body in item.items()}
    assert variables["staging_retention_days"]["default"] == 7
    # Replication cursors live outside every expiring prefix: expiring one would re-extract a whole table.
    from customer360.lib.replication.config import STATE_PREFIX

    expiring = [_rule_filter(r).get("prefix") for r in rules if r.get("expiration") and r.get("filter")]
    assert expiring and not any(STATE_PREFIX.startswith(p or "") for p in expiring)


def test_terraform_expires_only_staged_files_bronze_holds_in_full(terraform):
    """The staging/ rule expired every object 7 days after upload, loaded or not: a failed or partial file, or an
    outage longer than 7 days, lost rows the cursor had already moved past. It now expires only tagged files, the tag
    staging cleanup puts on a file loaded in full."""
    from customer360.lib.resources.object_store import LOADED_TAG

    rules = _blocks(terraform, "resource", "aws_s3_bucket_lifecycle_configuration")["landing"]["rule"]
    [staging] = [r for r in rules if _rule_filter(r).get("prefix") == "staging/"]
    assert _rule_filter(staging).get("tags") == {LOADED_TAG[0]: LOADED_TAG[1]}


def test_terraform_role_trusts_snowflake_under_the_external_id_and_reads_stage_prefixes_only(terraform):
    documents = _blocks(terraform, "data", "aws_iam_policy_document")
    trust = documents["snowflake_trust"]["statement"][0]
    assert trust["actions"] == ["sts:AssumeRole"]
    assert trust["condition"][0]["variable"] == "sts:ExternalId"
    read = documents["snowflake_read"]["statement"]
    actions = {a for s in read for a in s["actions"]}
    assert actions == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation", "kms:Decrypt"}
    assert not any(a.startswith(("s3:Put", "s3:Delete")) or a.endswith("*") for a in actions)


def test_terraform_variables_are_validated_and_outputs_named(terraform):
    variables = {name: body for item in terraform["variable"] for name, body in item.items()}
    unvalidated = [name for name, body in variables.items() if name != "tags" and "validation" not in body]
    assert not unvalidated
    outputs = {name for item in terraform["output"] for name in item}
    assert {"role_arn", "bucket_name"} <= outputs


def test_checkov_finds_no_failed_check():
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: `make test` installs it (a venv of its own, constraints-checkov.txt)")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    result = subprocess.run([str(CHECKOV), "-d", str(TERRAFORM), "--quiet", "--compact", "--skip-download",
                             "-o", "json"], capture_output=True, text=True, timeout=300, env=env)
    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert summary["passed"] > 50 and summary["failed"] == 0, failed


@pytest.mark.parametrize("target,secret", [("snowflake", "SNOWFLAKE_PASSWORD"),
                                           ("snowflake_keypair", "SNOWFLAKE_PRIVATE_KEY_PATH")])
def test_dbt_parses_for_the_snowflake_targets_with_dummy_values(tmp_path, target, secret):
    env = {**os.environ, "SNOWFLAKE_ACCOUNT": "dummy-account", "SNOWFLAKE_USER": "dummy", secret: "dummy",  # pragma: allowlist secret
           "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "C360_WH", "SNOWFLAKE_DATABASE": "CUSTOMER_ANALYTICS",
           "DBT_PROFILES_DIR": str(ROOT / "dbt_project")}
    dbt = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "dbt"
    result = subprocess.run([str(dbt), "parse", "--target", target, "--target-path", str(tmp_path)],
                            cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "snowflake"
    assert any(n.endswith(".customer_360_profile") for n in manifest["nodes"])


def test_setup_variables_come_from_the_settings(monkeypatch):
    env = SNOWFLAKE_ENV
    values = setup_runner.variables(settings(env), {"C360_AWS_ROLE_ARN": REAL_ARN})
    assert values["STAGE_URL"] == "s3://my-bucket/" and values["STAGE_CREDENTIALS"] == "STORAGE_INTEGRATION = MY_INT"
    plan = setup_runner.planned(values)
    stage = next(s for f, s in plan if "REPLICATION_STAGE" in s)
    assert "URL = 's3://my-bucket/staging/'" in stage and "STORAGE_INTEGRATION = MY_INT" in stage


def test_access_logs_can_be_delivered_sse_s3_and_a_policy_for_the_logging_service(terraform):
    sse = _blocks(terraform, "resource", "aws_s3_bucket_server_side_encryption_configuration")["access_logs"]
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    policy = _blocks(terraform, "resource", "aws_s3_bucket_policy")["access_logs"]
    assert policy["policy"] == "${data.aws_iam_policy_document.access_logs.json}"
    document = _blocks(terraform, "data", "aws_iam_policy_document")["access_logs"]
    assert document["source_policy_documents"] == ['${data.aws_iam_policy_document.tls_only["access_logs"].json}']
    [delivery] = [s for s in document["statement"] if s.get("effect") == "Allow"]
    assert delivery["actions"] == ["s3:PutObject"]
    assert delivery["principals"][0] == {"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}
    assert {c["variable"] for c in delivery["condition"]} == {"aws:SourceArn", "aws:SourceAccount"}
    logging = _blocks(terraform, "resource", "aws_s3_bucket_logging")["landing"]
    assert logging["target_prefix"] == "${local.access_log_prefix}"
    assert delivery["resources"] == ["${aws_s3_bucket.access_logs.arn}/${local.access_log_prefix}*"]


def test_the_kms_alias_is_valid_for_a_bucket_name_with_dots(terraform):
    alias = _blocks(terraform, "resource", "aws_kms_alias")["landing"]["name"]
    assert alias == 'alias/${replace(var.bucket_name, ".", "-")}'
    rendered_alias = "alias/" + "acme.customer360.landing".replace(".", "-")
    assert re.fullmatch(r"alias/[a-zA-Z0-9/_-]+", rendered_alias)


def _plan(**env) -> list[tuple[str, str]]:
    values = setup_runner.variables(settings({**SNOWFLAKE_ENV, **env}), {"C360_AWS_ROLE_ARN": REAL_ARN})
    return [(f, " ".join(s.split()).upper()) for f, s in setup_runner.planned(values)]


def test_a_heavy_warehouse_is_created_suspended_at_its_size_and_only_the_pipeline_role_may_use_it():
    plan = _plan(C360_SNOWFLAKE_HEAVY_WAREHOUSE="c360_heavy", C360_SNOWFLAKE_HEAVY_SIZE="large")
    statements = [s for _, s in plan]
    [create] = [s for s in statements if s.startswith("CREATE WAREHOUSE IF NOT EXISTS C360_HEAVY ")]
    assert "WAREHOUSE_SIZE = 'LARGE'" in create and "AUTO_SUSPEND = 60" in create and "INITIALLY_SUSPENDED = TRUE" in create
    # Re-running the setup never resizes it (that is an operator's call); it does converge suspend/resume.
    assert not any(s.startswith("ALTER WAREHOUSE C360_HEAVY") and "WAREHOUSE_SIZE" in s for s in statements)
    assert "ALTER WAREHOUSE C360_HEAVY SET AUTO_SUSPEND = 60 AUTO_RESUME = TRUE" in statements
    users = [s for s in statements if s.startswith("GRANT") and "ON WAREHOUSE C360_HEAVY " in s]
    assert users == ["GRANT USAGE, OPERATE, MONITOR ON WAREHOUSE C360_HEAVY TO ROLE DATA_ENGINEER"]


def test_without_a_heavy_warehouse_the_setup_adds_no_warehouse_and_no_grant():
    plan = _plan()
    warehouses = {m.group(1) for _, s in plan if (m := re.match(r"CREATE WAREHOUSE IF NOT EXISTS (\w+)", s))}
    assert warehouses == {"WH"}  # the heavy statements name WH itself: no-ops


def test_the_resource_monitor_is_applied_only_with_a_credit_quota_and_covers_both_warehouses():
    assert not any(f == "09_resource_monitor.sql" for f, _ in _plan(C360_SNOWFLAKE_HEAVY_WAREHOUSE="BIG"))
    plan = [s for f, s in _plan(C360_SNOWFLAKE_HEAVY_WAREHOUSE="BIG", C360_SNOWFLAKE_CREDIT_QUOTA="250")
            if f == "09_resource_monitor.sql"]
    [create] = [s for s in plan if s.startswith("CREATE RESOURCE MONITOR IF NOT EXISTS WH_MONITOR")]
    assert "CREDIT_QUOTA = 250" in create and "FREQUENCY = MONTHLY" in create
    assert "ON 100 PERCENT DO SUSPEND " in create and create.endswith("ON 110 PERCENT DO SUSPEND_IMMEDIATE")
    assert "ALTER RESOURCE MONITOR WH_MONITOR SET CREDIT_QUOTA = 250" in plan
    assert {"ALTER WAREHOUSE WH SET RESOURCE_MONITOR = WH_MONITOR",
            "ALTER WAREHOUSE BIG SET RESOURCE_MONITOR = WH_MONITOR"} <= set(plan)


def test_sizing_settings_name_the_bad_value_and_the_choices():
    with pytest.raises(SettingsError) as raised:
        settings({**SNOWFLAKE_ENV, "C360_SNOWFLAKE_HEAVY_SIZE": "huge", "C360_SNOWFLAKE_HEAVY_WAREHOUSE": "big wh",
                  "C360_SNOWFLAKE_CREDIT_QUOTA": "-5"})
    message = str(raised.value)
    assert "C360_SNOWFLAKE_HEAVY_SIZE='huge' is not one of XSMALL, SMALL, MEDIUM" in message
    assert "C360_SNOWFLAKE_HEAVY_WAREHOUSE='BIG WH' is not a plain Snowflake identifier" in message
    assert "C360_SNOWFLAKE_CREDIT_QUOTA=-5 is too small" in message


HEAVY_MODELS = {"int_customer_activity_summarized", "int_customer_preferences_ranked",
                "fct_transactions", "monthly_customer_spending", "metric_avg_transaction_value", "ml_churn_features"}


def _snowflake_manifest(tmp_path: Path, vars_json: str) -> dict:
    env = {**os.environ, "SNOWFLAKE_ACCOUNT": "dummy-account", "SNOWFLAKE_USER": "dummy",
           "SNOWFLAKE_PASSWORD": "dummy",  # pragma: allowlist secret
           "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "C360_WH", "SNOWFLAKE_DATABASE": "CUSTOMER_ANALYTICS",
           "DBT_PROFILES_DIR": str(ROOT / "dbt_project")}
    dbt = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "dbt"
    result = subprocess.run([str(dbt), "parse", "--target", "snowflake", "--target-path", str(tmp_path), "--vars",
                             vars_json], cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    return json.loads((tmp_path / "manifest.json").read_text())


def test_the_models_that_scan_every_transaction_run_on_the_heavy_warehouse_and_only_they(tmp_path):
    s = settings({**SNOWFLAKE_ENV, "C360_SNOWFLAKE_HEAVY_WAREHOUSE": "C360_HEAVY"})
    models = {n["name"]: n["config"].get("snowflake_warehouse")
              for n in _snowflake_manifest(tmp_path, s.dbt_vars_json())["nodes"].values()
              if n["resource_type"] == "model"}
    assert {name for name, warehouse in models.items() if warehouse == "C360_HEAVY"} == HEAVY_MODELS
    assert {warehouse for name, warehouse in models.items() if name not in HEAVY_MODELS} == {None}
    # Unset, nothing switches: every model stays on the profile's warehouse.
    unset = _snowflake_manifest(tmp_path / "unset", settings(SNOWFLAKE_ENV).dbt_vars_json())
    assert {n["config"].get("snowflake_warehouse") for n in unset["nodes"].values()} == {None}


def _profile_warehouse(vars_json: str) -> str:
    """The warehouse dbt's Snowflake profile resolves to with these --vars (dbt's own profile rendering)."""
    from argparse import Namespace

    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_from_args(Namespace(), None)
    set_invocation_context({**os.environ, "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "R",
                            "SNOWFLAKE_PASSWORD": "x",  # pragma: allowlist secret
                            "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "D"})
    profile = Profile.from_raw_profiles(read_profile(str(ROOT / "dbt_project")), "customer360",
                                        ProfileRenderer(json.loads(vars_json)), target_override="snowflake")
    return profile.credentials.warehouse


def test_a_backfill_run_moves_every_model_to_the_heavy_warehouse():
    from customer360.defs.transform.assets import is_backfill

    s = settings({**SNOWFLAKE_ENV, "C360_SNOWFLAKE_HEAVY_WAREHOUSE": "C360_HEAVY"})
    assert is_backfill({"dagster/backfill": "abc123"}) and is_backfill({"c360/warehouse": "heavy"})
    assert not is_backfill({"dagster/schedule_name": "nightly"})
    assert _profile_warehouse(s.dbt_vars_json(backfill=True)) == "C360_HEAVY"
    assert _profile_warehouse(s.dbt_vars_json()) == "WH"
    # Without a heavy warehouse a backfill stays where everything else runs; the local target's vars never change.
    assert _profile_warehouse(settings(SNOWFLAKE_ENV).dbt_vars_json(backfill=True)) == "WH"
    local = settings({})
    assert local.dbt_vars_json(backfill=True) == local.dbt_vars_json()
