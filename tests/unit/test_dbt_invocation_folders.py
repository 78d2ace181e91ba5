"""dagster-dbt's per-invocation folders under target/ are pruned to the newest few; a running run's is kept."""

import os

from customer360.lib.resources.dbt import INVOCATIONS_KEPT, prune_invocations


def _folder(target, name: str, age_s: int):
    folder = target / name
    (folder / "compiled").mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    os.utime(folder, (1_700_000_000 - age_s, 1_700_000_000 - age_s))
    return folder


def test_only_the_newest_invocations_stay_and_nothing_else_is_touched(tmp_path):
    newest = [_folder(tmp_path, f"customer360_dbt-{i:07x}-abcdef{i % 10}", age_s=i) for i in range(INVOCATIONS_KEPT)]
    older = [_folder(tmp_path, f"customer360_dbt_2-{i:07x}-1234567", age_s=1000 + i) for i in range(7)]
    running = _folder(tmp_path, "customer360_dbt-fedcba9-0000000", age_s=99_999)  # a long build still going
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "partial_parse.msgpack").write_bytes(b"x")
    (tmp_path / "compiled").mkdir()

    deleted = prune_invocations(tmp_path, active_run_ids={"fedcba9" + "-4b1e-9c0d-111111111111"})

    assert sorted(deleted) == sorted(older)
    assert all(f.exists() for f in [*newest, running])
    assert not any(f.exists() for f in older)
    assert {"manifest.json", "partial_parse.msgpack", "compiled"} <= {p.name for p in tmp_path.iterdir()}
    assert prune_invocations(tmp_path, active_run_ids=set()) == [running]  # once it has ended
    assert prune_invocations(tmp_path / "missing", active_run_ids=set()) == []
