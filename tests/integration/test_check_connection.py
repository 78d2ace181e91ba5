"""`python -m customer360 check-connection`: what it reports when everything answers, and how it explains each
failure (the local target, fakesnow, moto, a real encrypted key with the wrong passphrase, and Snowflake's and S3's
own error types for what no emulator enforces: grants, accounts, passwords)."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
import snowflake.connector.errors as sf_errors
from botocore.exceptions import ClientError
from conftest import free_port
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gold import build_gold
from moto.server import ThreadedMotoServer

from customer360.connection_check import check_connection, explain_object_store, explain_warehouse
from customer360.resources import warehouse_resource
from customer360.settings import ROOT, settings

SNOWFLAKE_ENV = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "R",
                 "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "DB", "C360_STAGE_URL": "file:///tmp/lake/b/",
                 "SNOWFLAKE_PASSWORD": "x"}  # pragma: allowlist secret


def run_check() -> tuple[int, str]:
    lines: list[str] = []
    code = check_connection(settings(), say=lines.append)
    return code, "\n".join(lines)


def test_the_local_target_lists_what_it_sees_and_says_ok(c360_env):
    s = settings()
    s.home.mkdir(parents=True)
    with warehouse_resource(s).session() as session:
        build_gold(session)
    code, output = run_check()
    assert code == 0
    assert f"Object store  {(s.lake_root / s.s3_bucket).as_uri()}/: ok" in output
    assert "wrote and deleted reports/.connection-check" in output
    assert ("  gold: customer_360_profile, dim_month, fct_transactions, fct_transactions_as_of, "
            "marketing_customer_audience, monthly_customer_spending") in output


def test_a_missing_local_warehouse_says_how_to_create_it(c360_env):
    code, output = run_check()
    assert code == 1 and "Warehouse     DuckDB" in output and "FAILED" in output
    assert "warehouse.duckdb does not exist yet: `make demo` builds it." in output


def test_the_cli_exits_non_zero_when_a_check_fails(c360_env):
    result = subprocess.run([sys.executable, "-m", "customer360", "check-connection"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "does not exist yet" in result.stdout


def test_snowflake_lists_the_schemas_and_tables_the_role_can_see(snowflake_env):
    from customer360 import setup_runner

    s = settings()
    with warehouse_resource(s).session() as session:
        setup_runner.apply(session.fetchall, setup_runner.planned(setup_runner.variables(s), s3=False),
                           keep_going=True, report=lambda line: None)
    code, output = run_check()
    assert code == 0, output
    assert f"Warehouse     Snowflake account c360test as pipeline (password; role DATA_ENGINEER, warehouse C360_WH, " \
           f"database {s.snowflake.database}): ok" in output
    assert "  bronze: bronze_rejects, bronze_transactions, cards_accounts" in output
    assert "observability: data_quality_metrics" in output and "report_runs" in output


def test_snowflake_that_does_not_answer_says_where_to_look(snowflake_env, monkeypatch):
    monkeypatch.setenv("SNOWFLAKE_PORT", str(free_port()))  # nothing listens there
    code, output = run_check()
    assert code == 1 and "Warehouse     Snowflake account c360test" in output and "FAILED" in output
    assert "Connection refused" in output
    assert "No answer from Snowflake: check the network, a proxy, or SNOWFLAKE_HOST/SNOWFLAKE_PORT." in output


def _encrypted_key(tmp_path, passphrase: bytes):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "rsa_key.p8"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(passphrase)))
    return path


@pytest.mark.parametrize("passphrase,explained", [
    ("not-the-passphrase", "Wrong key passphrase: SNOWFLAKE_PRIVATE_KEY_PASSPHRASE does not decrypt the private key"),
    ("", "The private key is encrypted but SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is empty"),
])
def test_a_key_pair_whose_passphrase_does_not_open_the_key_is_explained(snowflake_env, monkeypatch, tmp_path,
                                                                        passphrase, explained):
    monkeypatch.delenv("SNOWFLAKE_PASSWORD")
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PATH", str(_encrypted_key(tmp_path, b"the-real-one")))
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", passphrase)
    code, output = run_check()
    assert code == 1 and "(keypair; role DATA_ENGINEER" in output and explained in output, output


@pytest.mark.parametrize("error,explained", [
    (sf_errors.ProgrammingError(msg="Database 'CUSTOMER_ANALYTICS' does not exist or not authorized.", errno=2003),
     "Missing grant (or missing object): role R cannot see it. Run `python -m customer360 snowflake-setup`"),
    (sf_errors.DatabaseError(msg="Incorrect username or password was specified.", errno=390100),
     "Wrong user or password: check SNOWFLAKE_USER (u) and SNOWFLAKE_PASSWORD."),
    (sf_errors.DatabaseError(msg="JWT token is invalid.", errno=390144),
     "The key pair is not registered for user u: as an administrator run ALTER USER u SET RSA_PUBLIC_KEY"),
    (sf_errors.OperationalError(msg="Could not connect to Snowflake backend after 2 attempt(s).", errno=250001),
     "Wrong account, or no route to it: SNOWFLAKE_ACCOUNT='a'"),
])
def test_snowflakes_own_errors_are_explained_by_the_setting_to_change(error, explained):
    s = settings(SNOWFLAKE_ENV)
    wrapped = RuntimeError("Cannot connect to the warehouse")
    wrapped.__cause__ = error
    assert explained in explain_warehouse(wrapped, s)


def test_s3_errors_are_explained_bucket_missing_grant_and_credentials(c360_env, monkeypatch):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("C360_S3_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("C360_S3_BUCKET", "no-such-bucket")
        code, output = run_check()
        assert code == 1 and "Object store  s3://no-such-bucket/: FAILED" in output
        assert "The bucket no-such-bucket does not exist (or is in another account): check C360_S3_BUCKET." in output
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}").create_bucket(Bucket="no-such-bucket")
        assert run_check()[1].startswith("Object store  s3://no-such-bucket/: ok")
    finally:
        server.stop()
    s = settings()
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "PutObject")
    assert "Missing grant: these credentials may not list, write or delete in no-such-bucket" in explain_object_store(denied, s)
    bad_key = ClientError({"Error": {"Code": "InvalidAccessKeyId", "Message": "no such key"}}, "ListObjectsV2")
    assert "The AWS credentials are wrong or expired" in explain_object_store(bad_key, s)


def test_outside_a_run_the_connection_gets_the_secret_itself_not_its_env_var_reference(snowflake_env, monkeypatch,
                                                                                      tmp_path):
    """snowflake-setup, the demo's summary and check-connection use the resource outside a Dagster run: it must be
    initialized there, or dagster-snowflake sends {'env': 'SNOWFLAKE_PASSWORD'} as the password (fakesnow accepts
    any password, a real account refuses it) and opens {'env': ...} as the key file."""
    from conftest import SNOWFLAKE_TEST_PASSWORD

    from customer360.resources import build_resources

    assert warehouse_resource(settings())._connection_args["password"] == SNOWFLAKE_TEST_PASSWORD
    monkeypatch.delenv("SNOWFLAKE_PASSWORD")
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PATH", str(_encrypted_key(tmp_path, b"the-real-one")))
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", "the-real-one")
    assert warehouse_resource(settings())._connection_args["private_key"].startswith(b"0\x82")  # DER, decrypted
    code, output = run_check()
    assert code == 0 and "(keypair; role DATA_ENGINEER" in output, output
    # Inside runs Dagster resolves them; the definitions keep the names, so the UI shows names, never values.
    assert build_resources(settings())["warehouse"].private_key_path == "SNOWFLAKE_PRIVATE_KEY_PATH"  # pragma: allowlist secret
