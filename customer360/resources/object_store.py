"""The landing zone: a local directory tree (`C360_HOME/lake/<bucket>/<key>`) or any S3 endpoint.

Both modes expose the same small interface, so landing and bronze code never asks which one it has.
An object's `etag` identifies its content (S3's ETag; an MD5 hex digest locally), which is what the bronze load
history compares to decide whether a file was already loaded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from pydantic import Field

_HASH_BLOCK = 1 << 20
# Files above this go up in parts of this size (boto3's transfer manager, parts in parallel); the same size lets us
# compute the ETag S3 will report, to verify the upload.
MULTIPART_CHUNK = 8 * 1024 * 1024
# boto3's adaptive mode: exponential backoff with jitter on throttling, 5xx and dropped connections, plus
# client-side rate limiting when S3 keeps throttling.
S3_MAX_ATTEMPTS = 8


class ObjectStoreError(RuntimeError):
    """An object-store call failed after every retry; the message says which call, where, and what to check."""


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


def s3_etag(path: Path, chunk: int = MULTIPART_CHUNK) -> str:
    """The ETag S3 gives `path` uploaded with this part size: the MD5, or for a multipart upload the MD5 of the
    parts' MD5s followed by `-<parts>`."""
    size = path.stat().st_size
    if size <= chunk:
        return file_md5(path)
    parts = []
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            parts.append(hashlib.md5(block, usedforsecurity=False).digest())
    return f"{hashlib.md5(b''.join(parts), usedforsecurity=False).hexdigest()}-{len(parts)}"


class ObjectStoreResource(dg.ConfigurableResource):
    """Landing-zone objects by key. `local_root` set: a directory; otherwise S3 (optionally at `endpoint_url`)."""

    bucket: str = Field(description="Bucket name (a sub-directory of local_root in directory mode).")
    local_root: str | None = Field(default=None, description="Directory holding <bucket>/<key>; None means S3.")
    endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint (MinIO, moto); None = AWS.")
    max_attempts: int = Field(default=S3_MAX_ATTEMPTS, ge=1, description="Attempts per S3 call, first included.")

    @property
    def location(self) -> str:
        """Where the objects live, for load history and messages (a stage URL in Snowflake terms)."""
        if self.local_root:
            return (Path(self.local_root) / self.bucket).as_uri() + "/"
        return f"s3://{self.bucket}/"

    def _path(self, key: str) -> Path:
        return Path(self.local_root or "") / self.bucket / key

    def _client(self):
        import boto3
        from botocore.config import Config

        retries = Config(retries={"max_attempts": self.max_attempts, "mode": "adaptive"})
        return boto3.client("s3", endpoint_url=self.endpoint_url, config=retries)

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

        On S3 the upload is verified: the stored object's size and ETag must equal the local file's, or the call
        fails naming both (a truncated or corrupted upload never passes as landed)."""
        if not self.local_root:
            from boto3.s3.transfer import TransferConfig

            transfer = TransferConfig(multipart_threshold=MULTIPART_CHUNK, multipart_chunksize=MULTIPART_CHUNK)
            with self._s3("upload", key) as s3:
                s3.upload_file(str(source), self.bucket, key, Config=transfer)
            stored = self.head(key)
            expected = StoredObject(key=key, size=source.stat().st_size, etag=s3_etag(source))
            if (stored.size, stored.etag) != (expected.size, expected.etag):
                raise ObjectStoreError(
                    f"Upload of s3://{self.bucket}/{key} did not verify: stored {stored.size} bytes with ETag "
                    f"{stored.etag}, expected {expected.size} bytes with ETag {expected.etag}. Re-run the landing "
                    "asset to upload it again."
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
        scratch_root = self._path(".scratch") if self.local_root else None
        if scratch_root:
            scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="c360-", dir=scratch_root) as tmp:
            path = Path(tmp) / Path(key).name
            writer(path)
            return self.put_file(path, key)

    def head(self, key: str) -> StoredObject:
        if self.local_root:
            path = self._path(key)
            return StoredObject(key=key, size=path.stat().st_size, etag=file_md5(path))
        with self._s3("head", key) as s3:
            meta = s3.head_object(Bucket=self.bucket, Key=key)
        return StoredObject(key=key, size=meta["ContentLength"], etag=meta["ETag"].strip('"'))

    def list(self, prefix: str) -> list[StoredObject]:
        """Objects whose key starts with `prefix`, sorted by key; in-flight local writes are not listed."""
        if self.local_root:
            root = self._path("")
            found = [p for p in root.glob(prefix + "**/*") if p.is_file() and not p.name.endswith(".partial")]
            found = [p for p in found if ".scratch" not in p.relative_to(root).parts]
            return [self.head(p.relative_to(root).as_posix()) for p in sorted(found)]
        with self._s3("list", prefix) as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            objects = [
                StoredObject(key=o["Key"], size=o["Size"], etag=o["ETag"].strip('"'))
                for page in pages for o in page.get("Contents", [])
            ]
        return sorted(objects, key=lambda o: o.key)

    def delete(self, key: str) -> None:
        if self.local_root:
            self._path(key).unlink(missing_ok=True)
        else:
            with self._s3("delete", key) as s3:
                s3.delete_object(Bucket=self.bucket, Key=key)

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
