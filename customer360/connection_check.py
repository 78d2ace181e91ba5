"""`python -m customer360 check-connection`: can the configured credentials reach the object store and the warehouse,
and what can they see there? Each failure is explained in terms of the setting to change.

The checks use the same resources as the pipeline (same credentials, same connection arguments), with no retries:
the point is a quick, honest answer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import Settings

PROBE_KEY = "reports/.connection-check"


@dataclass
class Check:
    name: str
    where: str
    ok: bool = False
    detail: str = ""
    seen: dict[str, list[str]] = field(default_factory=dict)  # schema -> tables

    def lines(self) -> list[str]:
        head = f"{self.name:<13} {self.where}: " + ("ok" if self.ok else "FAILED")
        out = [head, *(f"  {line}" for line in self.detail.splitlines() if line)]
        out += [f"  {schema}: {', '.join(tables) or '(no tables)'}" for schema, tables in self.seen.items()]
        return out


def root_cause(error: BaseException) -> BaseException:
    """The innermost cause: the resources wrap connection errors in retries and messages of their own."""
    seen = set()
    while (error.__cause__ or error.__context__) is not None and id(error) not in seen:
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return error


def explain_warehouse(error: BaseException, s: Settings) -> str:
    """What the warehouse error means for this configuration, and what to change."""
    cause = root_cause(error)
    text = f"{type(cause).__name__}: {cause}"
    lowered = text.lower()
    errno = getattr(cause, "errno", None)
    if s.snowflake is None:
        if "lock" in lowered:
            return f"{text}\nAnother process holds the DuckDB file; close it (or wait) and check again."
        return f"{text}\nThe local warehouse could not be opened; `make demo` creates it."
    sf = s.snowflake
    if isinstance(cause, TypeError) and "private key is encrypted" in lowered:
        return (f"{text}\nThe private key is encrypted but SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is empty: set it to the "
                "key's passphrase.")
    if "bad decrypt" in lowered or "incorrect password" in lowered or "could not deserialize key" in lowered:
        return (f"{text}\nWrong key passphrase: SNOWFLAKE_PRIVATE_KEY_PASSPHRASE does not decrypt the private key "
                "(SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_PRIVATE_KEY); set the passphrase the key was encrypted with, "
                "or unset it for an unencrypted key.")
    if errno == 390144 or "jwt token is invalid" in lowered:
        return (f"{text}\nThe key pair is not registered for user {sf.user}: as an administrator run "
                f"ALTER USER {sf.user} SET RSA_PUBLIC_KEY = '<public key>' (docs/settings.md: the key-pair settings).")
    if errno in (390100, 390101) or "incorrect username or password" in lowered:
        return f"{text}\nWrong user or password: check SNOWFLAKE_USER ({sf.user}) and SNOWFLAKE_PASSWORD."
    if errno in (390189, 390201) or "role" in lowered and "not authorized" in lowered:
        return (f"{text}\nUser {sf.user} may not use role {sf.role}: GRANT ROLE {sf.role} TO USER {sf.user} (as "
                "SECURITYADMIN), or set SNOWFLAKE_ROLE to a role the user has.")
    if errno in (2003, 2043) or "does not exist or not authorized" in lowered:
        return (f"{text}\nMissing grant (or missing object): role {sf.role} cannot see it. Run `python -m customer360 "
                f"snowflake-setup` as an administrator, or GRANT USAGE on the database {sf.database}, its schemas and "
                f"the warehouse {sf.warehouse} to role {sf.role}.")
    if errno == 250001 or "could not connect to snowflake backend" in lowered or "404" in lowered \
            or "403" in lowered or "failed to resolve" in lowered or "name or service not known" in lowered:
        return (f"{text}\nWrong account, or no route to it: SNOWFLAKE_ACCOUNT={sf.account!r} should be the account "
                "identifier (orgname-accountname, or the locator with its region, e.g. xy12345.eu-west-1), "
                "without .snowflakecomputing.com.")
    if "timed out" in lowered or "connection refused" in lowered or errno in (250003, 251011, 251012):
        return f"{text}\nNo answer from Snowflake: check the network, a proxy, or SNOWFLAKE_HOST/SNOWFLAKE_PORT."
    return text


def explain_object_store(error: BaseException, s: Settings) -> str:
    cause = root_cause(error)
    text = f"{type(cause).__name__}: {cause}"
    code = getattr(cause, "response", {}).get("Error", {}).get("Code") if hasattr(cause, "response") else None
    bucket = s.s3_bucket
    if code == "NoSuchBucket":
        return f"{text}\nThe bucket {bucket} does not exist (or is in another account): check C360_S3_BUCKET."
    if code in ("AccessDenied", "AllAccessDisabled", "403"):
        return (f"{text}\nMissing grant: these credentials may not list, write or delete in {bucket}; allow "
                "s3:ListBucket, s3:PutObject and s3:DeleteObject (terraform/ grants Snowflake read only).")
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
        return (f"{text}\nThe AWS credentials are wrong or expired: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                "AWS_PROFILE or the session token.")
    if type(cause).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
        return f"{text}\nNo AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
    if type(cause).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
        return f"{text}\nS3 did not answer: check the network, or C360_S3_ENDPOINT_URL ({s.s3_endpoint_url})."
    return text


def check_object_store(s: Settings) -> Check:
    store = object_store_resource(s, max_attempts=1)
    check = Check("Object store", store.location)
    try:
        listed = store.list("reports/")
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / "probe"
            probe.write_text("customer360 check-connection\n")
            store.put_file(probe, PROBE_KEY)
        store.delete(PROBE_KEY)
        check.ok = True
        check.detail = f"listed reports/ ({len(listed)} objects), wrote and deleted {PROBE_KEY}"
    except Exception as error:  # noqa: BLE001 - every failure becomes an explanation
        check.detail = explain_object_store(error, s)
    return check


def check_warehouse(s: Settings) -> Check:
    if s.snowflake is None:
        check = Check("Warehouse", f"DuckDB {s.warehouse_path}")
        if not s.warehouse_path.exists():
            check.detail = f"{s.warehouse_path} does not exist yet: `make demo` builds it."
            return check
    else:
        sf = s.snowflake
        check = Check("Warehouse", f"Snowflake account {sf.account} as {sf.user} ({sf.auth}; role {sf.role}, "
                                   f"warehouse {sf.warehouse}, database {sf.database})")
    try:
        quick = {"connect_retries": 0, "connect_retry_wait_s": 0} if s.snowflake else {"lock_wait_s": 0}
        with warehouse_resource(s, **quick).session() as session:
            rows = session.fetchall(
                "SELECT lower(table_schema), lower(table_name) FROM information_schema.tables "
                "WHERE lower(table_schema) NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2")
        for schema, table in rows:
            check.seen.setdefault(schema, []).append(table)
        check.ok = True
        check.detail = f"{len(rows)} tables and views in {len(check.seen)} schemas"
    except Exception as error:  # noqa: BLE001 - every failure becomes an explanation
        check.detail = explain_warehouse(error, s)
    return check


def check_connection(s: Settings, say: Callable[[str], None] = print) -> int:
    checks = [check_object_store(s), check_warehouse(s)]
    for check in checks:
        for line in check.lines():
            say(line)
    return 0 if all(c.ok for c in checks) else 1
