"""Fixed-width identifiers (`CUST00000001`, `TXN000000000001`) built straight into Arrow buffers.

Formatting millions of ids through Python strings or string kernels dominates generation time; every id has the same
width, so the bytes are a [rows, width] uint8 matrix filled from a lookup table of every 6-digit group, and the
offsets are an arithmetic sequence.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

_GROUP = 6


@cache
def _digit_table() -> np.ndarray:
    """[10**6, 6] ASCII digits of 000000..999999 (6 MB, built once)."""
    values = np.arange(10**_GROUP, dtype=np.int32)[:, None]
    powers = 10 ** np.arange(_GROUP - 1, -1, -1, dtype=np.int32)
    return ((values // powers) % 10 + ord("0")).astype(np.uint8)


def fixed_width_ids(prefix: str, numbers: np.ndarray, digits: int) -> pa.Array:
    """`prefix` followed by each number zero-padded to `digits` digits."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= 10**digits):
        raise ValueError(f"ids need 0 <= number < 10**{digits}; got range {numbers.min()}..{numbers.max()}")
    width = len(prefix) + digits
    data = np.empty((numbers.size, width), dtype=np.uint8)
    data[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    table, rest, end = _digit_table(), numbers, width
    while end > len(prefix):  # fill 6-digit groups from the right; the leftmost may be narrower
        size = min(_GROUP, end - len(prefix))
        rest, group = np.divmod(rest, 10**_GROUP)
        data[:, end - size : end] = table[group, _GROUP - size :]
        end -= size
    offsets = np.arange(0, (numbers.size + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), numbers.size, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
