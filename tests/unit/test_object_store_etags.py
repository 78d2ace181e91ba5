"""The local landing zone hashes each file once: listings reuse the digest until the file changes."""

import hashlib
import os
import subprocess
import sys
import time

import pytest

from customer360.lib.resources import object_store
from customer360.lib.resources.object_store import ETAG_RECORDS, ObjectStoreResource
from customer360.settings import ROOT


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="landing", local_root=str(tmp_path / "lake"))


@pytest.fixture
def hashed(monkeypatch):
    """The paths file_md5 reads, in order."""
    calls = []
    real = object_store.file_md5

    def counting(path):
        calls.append(path.name)
        return real(path)

    monkeypatch.setattr(object_store, "file_md5", counting)
    return calls


def put(store, key: str, data: bytes):
    return store.write(key, lambda path: path.write_bytes(data))


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_a_settled_file_is_hashed_once_however_often_it_is_listed(store, hashed, monkeypatch):
    monkeypatch.setattr(object_store, "_SETTLED_NS", 0)
    put(store, "transactions/a.parquet", b"first file")
    put(store, "transactions/b.parquet", b"second file")
    hashed.clear()  # storing a file hashes it once

    first = store.list("transactions/")
    second = store.list("transactions/")

    assert hashed == ["a.parquet", "b.parquet"]  # the first listing only
    assert first == second
    assert [o.etag for o in second] == [md5(b"first file"), md5(b"second file")]


def test_a_file_rewritten_in_place_with_the_same_size_gets_its_new_digest(store, monkeypatch):
    monkeypatch.setattr(object_store, "_SETTLED_NS", 200_000_000)
    put(store, "transactions/a.parquet", b"version 1")
    time.sleep(0.3)
    assert store.list("transactions/")[0].etag == md5(b"version 1")
    assert (store._path(f"{ETAG_RECORDS}/transactions/a.parquet")).exists()  # the digest was kept

    with store._path("transactions/a.parquet").open("r+b") as handle:  # same inode, same size, new content
        handle.write(b"version 2")

    assert store.list("transactions/")[0].etag == md5(b"version 2")


def test_a_file_replaced_by_a_new_upload_gets_its_new_digest(store, monkeypatch):
    monkeypatch.setattr(object_store, "_SETTLED_NS", 0)
    put(store, "transactions/a.parquet", b"version 1")
    assert store.head("transactions/a.parquet").etag == md5(b"version 1")

    put(store, "transactions/a.parquet", b"version 2")

    assert store.head("transactions/a.parquet").etag == md5(b"version 2")


def test_a_file_that_just_changed_is_hashed_again_at_each_listing(store, hashed):
    put(store, "transactions/a.parquet", b"still being written to, perhaps")
    hashed.clear()

    store.list("transactions/")
    store.list("transactions/")

    # Within 2 s of its last change a digest is not kept: a write in the same clock tick could go unnoticed.
    assert hashed == ["a.parquet", "a.parquet"]
    assert not store._path(ETAG_RECORDS).exists()


def test_kept_digests_are_never_listed_and_go_with_their_file(store, monkeypatch):
    monkeypatch.setattr(object_store, "_SETTLED_NS", 0)
    put(store, "transactions/a.parquet", b"data")
    store.list("")

    assert [o.key for o in store.list("")] == ["transactions/a.parquet"]
    store.delete("transactions/a.parquet")
    assert store.list("") == []
    assert not store._path(f"{ETAG_RECORDS}/transactions/a.parquet").exists()


def test_the_listing_benchmark_prints_both_ways_and_their_ratio(tmp_path):
    home = tmp_path / "home"
    store = ObjectStoreResource(bucket="customer360-landing", local_root=str(home / "lake"))
    for name in ("a", "b", "c"):
        put(store, f"transactions/historical/{name}.parquet", b"x" * 1024)
    env = {**os.environ, "C360_HOME": str(home), "C360_TARGET": "local"}

    result = subprocess.run([sys.executable, "benchmarks/list_landing.py", "--repeat", "2"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "3 files, 0 MB under transactions/" in result.stdout
    assert "every file hashed" in result.stdout and "digests kept" in result.stdout and "ratio" in result.stdout
