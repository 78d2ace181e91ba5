"""The S3 code path of the object store against a moto server on a free loopback port, with injected faults.

The bucket has SSE-KMS default encryption, as terraform/ creates it. moto still answers MD5 ETags for such objects;
real S3 does not (an SSE-KMS object's ETag is not an MD5 of its data), so `kms_etags` rewrites the ETags moto
returns into opaque values, as S3 documents them. Verification must hold with that in place.
"""

import datetime as dt
import hashlib

import boto3
import duckdb
import pyarrow.csv as pv
import pytest
from accounts import ACCOUNTS, ACCOUNTS_PREFIX, generated_accounts
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError
from bronze_load import load_on_duckdb
from conftest import free_port
from moto.server import ThreadedMotoServer

from customer360.lib.resources.object_store import ObjectStoreError, ObjectStoreResource, s3_sha256_checksum

BUCKET = "c360-test-landing"


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def store(endpoint, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=endpoint)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
        key_id = boto3.client("kms", endpoint_url=endpoint).create_key()["KeyMetadata"]["KeyId"]
        s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id},
            "BucketKeyEnabled": True}]})
    store = ObjectStoreResource(bucket=BUCKET, endpoint_url=endpoint)
    kms_etags(store._client())
    return store


def kms_etags(client) -> None:
    """Give SSE-KMS objects the ETags real S3 gives them: opaque, not the MD5 of the data (moto returns the MD5)."""
    def opaque(value: str) -> str:
        return '"' + hashlib.sha1(value.encode()).hexdigest()[:32] + '"'

    def rewrite(parsed, **_):
        if parsed.get("ServerSideEncryption") == "aws:kms" and "ETag" in parsed:
            parsed["ETag"] = opaque(parsed["ETag"])
        for item in parsed.get("Contents", []):
            item["ETag"] = opaque(item["ETag"])  # the bucket encrypts every object with KMS

    client.meta.events.register("after-call.s3.HeadObject", rewrite)
    client.meta.events.register("after-call.s3.ListObjectsV2", rewrite)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def inject(monkeypatch, failures: list, store: ObjectStoreResource | None = None):
    """Make the stores' clients (`store`'s, and any built from now on) fail their first calls: each item is an
    HTTP status or an exception."""
    real_client = ObjectStoreResource._new_client
    seen = []

    def failing_send(request, **_):
        seen.append(request.url)
        if not failures:
            return None
        fault = failures.pop(0)
        if isinstance(fault, Exception):
            raise fault
        body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
        return AWSResponse(request.url, fault, {}, _Body(body))

    def client(self):
        c = real_client(self)
        c.meta.events.register("before-send.s3", failing_send)
        return c

    monkeypatch.setattr(ObjectStoreResource, "_new_client", client)
    if store is not None:
        store._client().meta.events.register("before-send.s3", failing_send)  # the fixture's store is per test
    return seen


def test_objects_round_trip_and_copy_loads_from_s3(store, tmp_path):
    customers = generated_accounts(50, seed=1, as_of=dt.date(2026, 6, 30), months=3)
    stored = store.write(f"{ACCOUNTS_PREFIX}accounts.csv", lambda path: pv.write_csv(customers, path))
    assert stored.size > 0 and [o.key for o in store.list("staging/cards/accounts/")] == [f"{ACCOUNTS_PREFIX}accounts.csv"]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        [result] = load_on_duckdb(conn, ACCOUNTS, store, store.list("staging/cards/accounts/"), "ABORT_STATEMENT", "r1")
        again = load_on_duckdb(conn, ACCOUNTS, store, store.list("staging/cards/accounts/"), "ABORT_STATEMENT", "r2")
        assert (result.status, result.row_count, again[0].status) == ("LOADED", 50, "ALREADY_LOADED")
        assert result.file_etag == stored.etag


def test_throttling_5xx_and_dropped_connections_are_retried(store, monkeypatch, tmp_path):
    reset = ConnectionClosedError(endpoint_url=store.endpoint_url)
    seen = inject(monkeypatch, [503, 500, reset], store)
    source = tmp_path / "x.csv"
    source.write_text("a,b\n1,2\n")

    stored = store.put_file(source, "staging/cards/accounts/retried.csv")

    assert stored.size == 8
    assert len(seen) >= 4  # three failures, then the upload that succeeded (and the head that verifies it)


def test_a_fault_that_outlasts_the_retries_surfaces_as_a_clear_error(store, monkeypatch):
    seen = inject(monkeypatch, [503] * 50)
    impatient = ObjectStoreResource(bucket=BUCKET, endpoint_url=store.endpoint_url, max_attempts=3)
    with pytest.raises(ObjectStoreError, match=r"S3 list of s3://c360-test-landing/staging/cards/accounts/ failed after up to 3 "
                                               r"attempts.*credentials"):
        impatient.list("staging/cards/accounts/")
    assert 3 <= len(seen) <= 4  # the attempts, not the 50 failures queued (botocore may add one redirect probe)


@pytest.mark.parametrize("size", [100, 20 * 1024 * 1024], ids=["single-part", "three-8MB-parts"])
def test_uploads_to_a_kms_encrypted_bucket_verify_by_sha256_checksum(store, tmp_path, size):
    source = tmp_path / "part-00000.parquet"
    source.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    expected = s3_sha256_checksum(source)

    stored = store.put_file(source, "transactions/historical/part-00000.parquet")

    head = store._client().head_object(Bucket=BUCKET, Key=stored.key, ChecksumMode="ENABLED")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["ChecksumSHA256"].split("-")[0] == expected and stored.size == size
    assert not source.exists()  # consumed only after the upload verified


def test_the_store_builds_one_s3_client_and_reuses_it(store, tmp_path):
    client = store._client()
    source = tmp_path / "a.csv"
    source.write_text("a,b\n1,2\n")
    store.put_file(source, "staging/cards/accounts/once.csv")
    store.list("staging/cards/accounts/")
    assert store._client() is client


def test_an_upload_that_does_not_verify_fails_and_says_what_differs(store, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text("a,b\n1,2\n")

    def corrupt(params, **_):  # the bytes S3 stores are not the bytes sent (a proxy rewrote them, say)
        params["body"] = b"a,b\n1,3\n"
        params["headers"].pop("x-amz-checksum-sha256", None)
        params["headers"].pop("Content-MD5", None)

    store._client().meta.events.register("before-call.s3.PutObject", corrupt)
    try:
        with pytest.raises(ObjectStoreError, match=r"did not verify: stored 8 bytes with SHA-256 \S+, expected 8 "
                                                   r"bytes with SHA-256"):
            store.put_file(source, f"{ACCOUNTS_PREFIX}accounts.csv")
    finally:
        store._client().meta.events.unregister("before-call.s3.PutObject", corrupt)
    assert source.exists()  # nothing consumed: the re-run uploads it again


def test_landing_keys_follow_the_stage_layout(store):
    from customer360.defs.landing.assets import historical_key
    from customer360.defs.landing.streaming import streaming_key
    from customer360.lib.replication.config import replicated
    from customer360.lib.resources.stages import stage_for

    keys = [replicated("accounts").batch_key(0, "20260701T000000000000Z", "csv"), historical_key(3),
            streaming_key(dt.date(2026, 7, 1))]
    assert keys[0].startswith("staging/cards/accounts/") and keys[1].startswith("transactions/historical/")
    assert keys[2].startswith("transactions/streaming/2026-07-01/")
    stages = [stage_for(key)[0].name for key in keys]
    assert keys[0] == "staging/cards/accounts/cards_accounts_batch0_20260701T000000000000Z.csv"
    assert stages == ["bronze.replication_stage", "bronze.transaction_stage_historical",
                      "bronze.transaction_stage_streaming"]


def test_an_object_opens_as_a_seekable_file_read_in_ranges(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "part.parquet"
    pq.write_table(pa.table({"a": list(range(1000)), "b": ["x"] * 1000}), source)
    store.put_file(source, "transactions/historical/part.parquet")
    with store.open("transactions/historical/part.parquet") as handle:
        metadata = pq.read_metadata(handle)
    assert metadata.num_rows == 1000 and metadata.schema.names == ["a", "b"]
    store.write("staging/cards/accounts/c.csv", lambda path: path.write_text("customer_id,name\nC1,x\n"))
    with store.open("staging/cards/accounts/c.csv") as handle:
        assert handle.readline() == b"customer_id,name\n"


def test_keep_tags_only_files_loaded_in_full_for_the_buckets_expiry(store, tmp_path):
    """The bucket rule expires staging/ objects that carry the loaded tag (terraform/s3.tf); staging cleanup `keep`
    tags a file bronze holds in full and leaves a partly loaded one untagged, so it never expires."""
    from customer360.lib.bronze.results import ALREADY_LOADED, LOADED, PARTIALLY_LOADED, FileLoadResult
    from customer360.lib.replication.cleanup import clean_up
    from customer360.lib.resources.object_store import LOADED_TAG

    def staged(name: str, status: str, recorded: str | None = None) -> FileLoadResult:
        obj = store.write(f"staging/cards/accounts/{name}", lambda path: path.write_text("customer_id\nC1\n"))
        return FileLoadResult(table_name="cards_accounts", file_name=obj.key, status=status, row_parsed=1,
                              row_count=1, error_count=0, file_size=obj.size, file_etag=obj.etag,
                              recorded_status=recorded)

    results = [staged("whole.csv", LOADED), staged("partial.csv", PARTIALLY_LOADED),
               staged("partial-before.csv", ALREADY_LOADED, PARTIALLY_LOADED)]
    assert clean_up("keep", store, results) == []
    tags = {r.file_name.rsplit("/", 1)[1]: store._client().get_object_tagging(Bucket=BUCKET, Key=r.file_name)["TagSet"]
            for r in results}
    assert tags == {"whole.csv": [{"Key": LOADED_TAG[0], "Value": LOADED_TAG[1]}], "partial.csv": [],
                    "partial-before.csv": []}
