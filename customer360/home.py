"""C360_HOME is private, and built at one scale.

It is private: the warehouse, the staged CSVs (with e-mails and names), the reports and the source server's
password are personal data or secrets, so the home is 0700 and what the platform writes is 0600 (directories 0700).

When we run as root the local PostgreSQL runs as its own user (lib/source/local_server.py), which must traverse the home
and its parents to reach its cluster. It gets exactly that, as a POSIX ACL entry for that one user (execute only, so
nothing becomes listable or readable), instead of execute for everyone.

It is built at one scale: the source, the staged files and the warehouse all follow C360_CUSTOMERS, C360_MONTHS,
C360_SEED and C360_AS_OF, and a command run with other values would reseed the source and land a second history beside
the first without a word. The first use records them in `scale.json`; a later command with other values is refused.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from pathlib import Path

PRIVATE_DIR = 0o700
# Files 0600 and directories 0700 from here on, in this process and those it starts (dbt, dagster's run workers).
PRIVATE_UMASK = 0o077

_ACL = "system.posix_acl_access"
_USER_OBJ, _USER, _GROUP_OBJ, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x10, 0x20
_NO_ID = 0xFFFFFFFF
_TRAVERSE = 0o1
SCALE_FILE = "scale.json"


class HomeScaleError(ValueError):
    """The home was built at another scale; the message names both and what to do."""


def private_home(home: Path) -> Path:
    """Create the home (or tighten an existing one) for its owner only, and write everything after it privately."""
    os.umask(PRIVATE_UMASK)
    home.mkdir(parents=True, exist_ok=True)
    # chmod also clears an ACL mask; the local server's user gets its traverse entry back before each server call.
    home.chmod(PRIVATE_DIR)
    return home


def claim_scale(home: Path, scale: dict[str, str]) -> None:
    """Record `scale` (setting name -> value) as the home's on first use; refuse a command that asks for another.
    The record is written whole to a temporary file and then linked into place, which fails if one exists: the
    first of two concurrent first uses wins, and a process that dies mid-write leaves no empty record that would
    accept any scale from then on."""
    path = home / SCALE_FILE
    pending = home / f".{SCALE_FILE}.{os.getpid()}"
    pending.write_text(json.dumps(scale, indent=2))
    try:
        os.link(pending, path)
        return
    except FileExistsError:
        recorded = json.loads(path.read_text())
    finally:
        pending.unlink()
    changed = [name for name, value in scale.items() if recorded.get(name, value) != value]
    if changed:
        asked = ", ".join(f"{name}={scale[name]}" for name in changed)
        built = ", ".join(f"{name}={value}" for name, value in recorded.items())
        raise HomeScaleError(
            f"C360_HOME={home} was built with {built}; this command asks for {asked}, which would reseed the source "
            "and mix two portfolios in one warehouse. Run it with the recorded values, use another C360_HOME, or "
            "start this one again at the new scale with `make clean` (deletes the home: warehouse, lake, source).")


def let_user_traverse(path: Path, uid: int) -> None:
    """Let one user traverse every parent of `path`: an ACL entry `user:<uid>:--x` where it lacks execute."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & stat.S_IXOTH or parent.stat().st_uid == uid:
            continue
        _grant_traverse(parent, uid, mode)


def _grant_traverse(directory: Path, uid: int, mode: int) -> None:
    entries = _entries(directory, mode)
    entries[(_USER, uid)] = entries.get((_USER, uid), 0) | _TRAVERSE
    group = entries[(_GROUP_OBJ, _NO_ID)]
    entries[(_MASK, _NO_ID)] = entries.get((_MASK, _NO_ID), group) | _TRAVERSE
    try:
        os.setxattr(directory, _ACL, struct.pack("<I", 2) + b"".join(
            struct.pack("<HHI", tag, perm, ident) for (tag, ident), perm in sorted(entries.items())))
    except OSError:  # a filesystem without POSIX ACLs: execute for others is the only way left (nothing readable)
        directory.chmod(mode | stat.S_IXOTH)


def _entries(directory: Path, mode: int) -> dict[tuple[int, int], int]:
    """The directory's access ACL as {(tag, id): perm}; without one, the three entries its mode stands for."""
    try:
        raw = os.getxattr(directory, _ACL)
    except OSError:
        raw = b""
    if len(raw) > 4:
        return {(tag, ident): perm for tag, perm, ident in struct.iter_unpack("<HHI", raw[4:])}
    return {(_USER_OBJ, _NO_ID): (mode >> 6) & 7, (_GROUP_OBJ, _NO_ID): (mode >> 3) & 7, (_OTHER, _NO_ID): mode & 7}
