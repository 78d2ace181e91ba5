"""The landing zone: a local directory tree (`C360_HOME/lake/<bucket>/<key>`) or any S3 endpoint.

Both modes expose the same small interface, so landing and bronze code never asks which one it has.
An object's `etag` identifies its content (S3's ETag; an MD5 hex digest locally), which is what the bronze load
history compares to decide whether a file was already loaded (as Snowflake's own load metadata does). S3 lists ETags
for free; locally each file is hashed once and its digest kept under `<bucket>/.etags/` (see `_local_etag`), so a
listing does not re-read every landed file.

Uploads to S3 are verified with S3's own checksums, not the ETag: on a bucket encrypted with SSE-KMS (the one
terraform/ creates) an ETag is not an MD5 of the content, so only `ChecksumAlgorithm` on upload and
`head_object(ChecksumMode="ENABLED")` afterwards say whether the stored bytes are the ones sent.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

_HASH_BLOCK = 1 << 20
# Files above this go up in parts of this size (boto3's transfer manager, parts in parallel); the same size lets us
# compute the composite checksum S3 reports for a multipart upload, to verify it.
MULTIPART_CHUNK = 8 * 1024 * 1024
# Attempts per call in botocore's "standard" retry mode (dagster-aws's client): exponential backoff with jitter on
# throttling, 5xx and dropped connections.
S3_MAX_ATTEMPTS = 8
CHECKSUM_ALGORITHM = "SHA256"
# Local mode: the directories beside the objects, never listed as objects (<bucket>/.scratch: files being written;
# <bucket>/.etags/<key>: each file's kept MD5), and how long after a file last changed its digest may be kept.
ETAG_RECORDS = ".etags"
SCRATCH = ".scratch"
_SETTLED_NS = 2_000_000_000


class ObjectStoreError(RuntimeError):
    """An object-store call failed after every retry; the message says which call, where, and what to check."""


# The tag staging cleanup puts on a file bronze holds in full; terraform/s3.tf expires only objects that carry it.
LOADED_TAG = ("c360-loaded", "true")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def s3_sha256_checksum(path: Path, chunk: int = MULTIPART_CHUNK) -> str:
    """The SHA-256 checksum S3 reports for `path` uploaded with this part size (base64): of the bytes, or for a
    multipart upload of the parts' digests (a "composite" checksum; S3 appends `-<parts>`, which callers strip)."""
    if path.stat().st_size < chunk:  # boto3 goes multipart from the threshold on
        return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    digests = []
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digests.append(hashlib.sha256(block).digest())
    return base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()


class ObjectStoreResource(dg.ConfigurableResource):
    """Landing-zone objects by key. `local_root` set: a directory; otherwise S3 (optionally at `endpoint_url`)."""

    bucket: str = Field(description="Bucket name (a sub-directory of local_root in directory mode).")
    local_root: str | None = Field(default=None, description="Directory holding <bucket>/<key>; None means S3.")
    endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, moto); None = AWS.")
    max_attempts: int = Field(default=S3_MAX_ATTEMPTS, ge=1, description="Attempts per S3 call, first included.")

    _s3_client: Any = PrivateAttr(default=None)

    @property
    def location(self) -> str:
        """Where the objects live, for load history and messages (a stage URL in Snowflake terms)."""
        if self.local_root:
            return (Path(self.local_root) / self.bucket).as_uri() + "/"
        return f"s3://{self.bucket}/"

    def _path(self, key: str) -> Path:
        """The file that stands for `key` in the local bucket; a key that would leave the bucket is refused (S3 has no
        `..`, a directory does)."""
        if key.startswith("/") or ".." in PurePosixPath(key).parts:
            raise ValueError(f"object key {key!r} leaves the bucket (absolute, or with a '..' part); keys are "
                             "relative paths such as reports/<report>/<date_to>/<run_id>/<report>.csv")
        return Path(self.local_root or "") / self.bucket / key

    def _new_client(self):
        """dagster-aws's S3 resource is the client factory (boto3's credential chain, standard retry mode)."""
        from dagster_aws.s3 import S3Resource

        return S3Resource(endpoint_url=self.endpoint_url, max_attempts=self.max_attempts).get_client()

    def _client(self):
        """One client per resource: boto3 clients are thread-safe and building one is costly set-up."""
        if self._s3_client is None:
            self._s3_client = self._new_client()
        return self._s3_client

    @contextmanager
    def _s3(self, action: str, key: str = "") -> Iterator:
        """A client for one call; errors that survive the retries become one clear ObjectStoreError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield self._client()
        except (BotoCoreError, ClientError) as error:
            where = self.endpoint_url or "AWS S3"
            raise ObjectStoreError(
                f"S3 {action} of s3://{self.bucket}/{key} failed after up to {self.max_attempts} attempts ({error}). "
                f"Check that {where} is reachable, the bucket exists and the credentials (boto3's usual chain: "
                f"AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role) may {action} there; "
                f"then re-run: files already loaded are skipped."
            ) from error

    def put_file(self, source: Path, key: str) -> StoredObject:
        """Store `source` under `key` atomically (readers never see half a file). `source` is consumed.

        On S3 the upload is verified: the stored object's size and SHA-256 checksum (S3 computes it on arrival) must
        equal the local file's, or the call fails naming both (a truncated or corrupted upload never passes as
        landed). The ETag is not compared: under SSE-KMS it is not an MD5 of the content."""
        if not self.local_root:
            from boto3.s3.transfer import TransferConfig

            transfer = TransferConfig(multipart_threshold=MULTIPART_CHUNK, multipart_chunksize=MULTIPART_CHUNK)
            with self._s3("upload", key) as s3:
                s3.upload_file(str(source), self.bucket, key, Config=transfer,
                               ExtraArgs={"ChecksumAlgorithm": CHECKSUM_ALGORITHM})
            size, checksum = source.stat().st_size, s3_sha256_checksum(source)
            stored, stored_checksum = self._head_with_checksum(key)
            if (stored.size, stored_checksum) != (size, checksum):
                raise ObjectStoreError(
                    f"Upload of s3://{self.bucket}/{key} did not verify: stored {stored.size} bytes with SHA-256 "
                    f"{stored_checksum}, expected {size} bytes with SHA-256 {checksum}. Re-run the landing asset to "
                    "upload it again."
                )
            source.unlink()
            return stored
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        etag = file_md5(source)
        shutil.move(source, target.with_suffix(target.suffix + ".partial"))
        os.replace(target.with_suffix(target.suffix + ".partial"), target)
        return StoredObject(key=key, size=target.stat().st_size, etag=etag)

    def write(self, key: str, writer: Callable[[Path], object]) -> StoredObject:
        """Let `writer` fill a scratch file (on the lake's file system when local, so storing is a rename)."""
        scratch_root = self._path(SCRATCH) if self.local_root else None
        if scratch_root:
            scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="c360-", dir=scratch_root) as tmp:
            path = Path(tmp) / Path(key).name
            writer(path)
            return self.put_file(path, key)

    def head(self, key: str) -> StoredObject:
        if self.local_root:
            path = self._path(key)
            return StoredObject(key=key, size=path.stat().st_size, etag=self._local_etag(key, path))
        return self._head_with_checksum(key)[0]

    def _local_etag(self, key: str, path: Path) -> str:
        """The file's MD5, read once. Every bronze load and every streaming-sensor tick lists the landing zone, and
        hashing each file each time read all of it again (250 MB per increment at the default scale, 2.5 GB at
        10x, growing with every landed day). The digest is kept with the file's identity (size, inode, change
        time): writing, replacing or renaming a file changes its change time, so a stale digest is never used.
        It is kept only once the file has been unchanged for 2 s, longer than the file system's timestamp
        granularity: a write within the same clock tick as the hashing could otherwise leave the identity as it was
        (the "racy clean" case git's index guards against the same way)."""
        stat = path.stat()
        identity = f"{stat.st_size}:{stat.st_ino}:{stat.st_ctime_ns}"
        record = self._path(f"{ETAG_RECORDS}/{key}")
        try:
            kept_identity, etag = record.read_text().split()
            if kept_identity == identity:
                return etag
        except (OSError, ValueError):  # no record yet, or one cut short: hash the file
            pass
        etag = file_md5(path)
        if time.time_ns() - stat.st_ctime_ns > _SETTLED_NS:
            record.parent.mkdir(parents=True, exist_ok=True)
            scratch = record.with_name(f"{record.name}.{os.getpid()}.tmp")
            scratch.write_text(f"{identity} {etag}")
            os.replace(scratch, record)  # atomic: another process reads the old record or this one
        return etag

    def _head_with_checksum(self, key: str) -> tuple[StoredObject, str | None]:
        """The object and its SHA-256 checksum as S3 stored it (None if uploaded without one); a composite
        checksum's `-<parts>` suffix is dropped."""
        with self._s3("head", key) as s3:
            meta = s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        checksum = meta.get("ChecksumSHA256")
        stored = StoredObject(key=key, size=meta["ContentLength"], etag=meta["ETag"].strip('"'))
        return stored, checksum.split("-")[0] if checksum else None

    def list(self, prefix: str) -> list[StoredObject]:
        """Objects whose key starts with `prefix`, sorted by key; in-flight local writes are not listed."""
        if self.local_root:
            root = self._path("")
            found = [p for p in root.glob(prefix + "**/*") if p.is_file() and not p.name.endswith(".partial")]
            found = [p for p in found if not {SCRATCH, ETAG_RECORDS} & set(p.relative_to(root).parts)]
            return [self.head(p.relative_to(root).as_posix()) for p in sorted(found)]
        with self._s3("list", prefix) as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            objects = [
                StoredObject(key=o["Key"], size=o["Size"], etag=o["ETag"].strip('"'))
                for page in pages for o in page.get("Contents", [])
            ]
        return sorted(objects, key=lambda o: o.key)

    def exists(self, key: str) -> bool:
        if self.local_root:
            return self._path(key).is_file()
        with self._s3("list", key) as s3:
            found = s3.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1).get("Contents", [])
        return bool(found) and found[0]["Key"] == key

    def mark_loaded(self, key: str) -> None:
        """Tag an object bronze holds in full (LOADED_TAG): the bucket's lifecycle rule expires only tagged objects
        under staging/ (terraform/s3.tf), so a failed, partial or not yet loaded file never expires. Locally nothing
        expires, so there is nothing to mark."""
        if self.local_root:
            return
        with self._s3("tag", key) as s3:
            s3.put_object_tagging(Bucket=self.bucket, Key=key, Tagging={"TagSet": [
                {"Key": LOADED_TAG[0], "Value": LOADED_TAG[1]}]})

    def delete(self, key: str) -> None:
        if self.local_root:
            self._path(key).unlink(missing_ok=True)
            self._path(f"{ETAG_RECORDS}/{key}").unlink(missing_ok=True)
        else:
            with self._s3("delete", key) as s3:
                s3.delete_object(Bucket=self.bucket, Key=key)

    @contextmanager
    def open(self, key: str) -> Iterator[io.BufferedReader]:
        """The object as a seekable binary file, read in ranges on S3 (a header line or a Parquet footer costs one
        or two small GETs, not a download)."""
        if self.local_root:
            with self._path(key).open("rb") as handle:
                yield handle
            return
        size = self.head(key).size
        with io.BufferedReader(_S3Ranges(self, key, size), buffer_size=256 * 1024) as handle:
            yield handle

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A local file with the object's bytes: the file itself locally, a temporary download from S3."""
        if self.local_root:
            yield self._path(key)
            return
        with tempfile.TemporaryDirectory(prefix="c360-") as tmp:
            path = Path(tmp) / Path(key).name
            with self._s3("download", key) as s3:
                s3.download_file(self.bucket, key, str(path))
            yield path


class _S3Ranges(io.RawIOBase):
    """A read-only, seekable view of one S3 object: each read is a ranged GET (retried like every other call)."""

    def __init__(self, store: ObjectStoreResource, key: str, size: int):
        self.store, self.key, self.size, self.position = store, key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer) -> int:
        end = min(self.position + len(buffer), self.size)
        if end <= self.position:
            return 0
        with self.store._s3("read", self.key) as s3:
            body = s3.get_object(Bucket=self.store.bucket, Key=self.key,
                                 Range=f"bytes={self.position}-{end - 1}")["Body"].read()
        buffer[:len(body)] = body
        self.position += len(body)
        return len(body)
