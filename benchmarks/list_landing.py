"""Listing the local landing zone as each bronze load and each streaming-sensor tick does: every file hashed (no
digests kept yet) against the digests kept under <bucket>/.etags/.

    C360_HOME=<a home the graph ran in> python benchmarks/list_landing.py [--prefix transactions/] [--repeat 5]

Prints the files and bytes listed, the median seconds of each way and their ratio. The kept digests of the prefix
are removed before each hashing listing and restored by the next kept one.
"""

from __future__ import annotations

import argparse
import shutil
import time
from statistics import median

from customer360.lib.resources.object_store import ETAG_RECORDS
from customer360.resources import object_store_resource
from customer360.settings import settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="transactions/")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = object_store_resource(settings())
    if not store.local_root:
        raise SystemExit("C360_TARGET is not local: S3 lists ETags itself, there is nothing to hash")
    records = store._path(f"{ETAG_RECORDS}/{args.prefix}")

    def listing(keep: bool) -> float:
        if not keep:
            shutil.rmtree(records, ignore_errors=True)
        started = time.perf_counter()
        store.list(args.prefix)
        return time.perf_counter() - started

    objects = store.list(args.prefix)  # settles the digests of files older than 2 s
    hashing = median(listing(keep=False) for _ in range(args.repeat))
    kept = median(listing(keep=True) for _ in range(args.repeat))
    print(f"{len(objects)} files, {sum(o.size for o in objects) / 2**20:,.0f} MB under {args.prefix}")
    print(f"every file hashed   {hashing:8.3f} s (median of {args.repeat})")
    print(f"digests kept        {kept:8.3f} s (median of {args.repeat})")
    print(f"ratio               {hashing / kept:8.1f}x")


if __name__ == "__main__":
    main()
