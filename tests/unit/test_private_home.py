"""C360_HOME holds personal data (the warehouse, staged CSVs with e-mails, reports) and the source's password: it is
0700 and what the platform writes in it 0600; the local PostgreSQL's user may traverse to its cluster, nobody else."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

from customer360.home import _entries, let_user_traverse

NOBODY = 65534
# The platform's own start: definitions load (build_resources), then a landing write and a warehouse write.
WRITES = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from customer360.resources import build_resources, object_store_resource, warehouse_resource
    from customer360.settings import settings
    s = settings({"C360_HOME": sys.argv[1]})
    build_resources(s)
    store = object_store_resource(s)
    store.write("staging/cards/accounts/batch1.csv", lambda path: Path(path).write_text("email\\na@b.test\\n"))
    with warehouse_resource(s).session() as session:
        session.execute("CREATE TABLE t AS SELECT 1 AS a")
    modes = {str(p.relative_to(s.home)): oct(p.stat().st_mode & 0o777) for p in [s.home, *s.home.rglob("*")]}
    print(json.dumps(modes))
""")


def _modes_after_a_start(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("C360_")}
    done = subprocess.run([sys.executable, "-c", WRITES, str(home)], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_the_home_is_0700_and_the_warehouse_and_staged_files_in_it_are_0600(tmp_path):
    modes = _modes_after_a_start(tmp_path / "home")
    assert modes["."] == "0o700"
    files = {path: mode for path, mode in modes.items() if path.endswith((".csv", ".duckdb"))}
    assert set(files) >= {"warehouse.duckdb", "lake/customer360-landing/staging/cards/accounts/batch1.csv"}
    assert set(files.values()) == {"0o600"}, files
    assert not [path for path, mode in modes.items() if int(mode, 8) & 0o077], modes


def test_an_existing_readable_home_is_made_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    assert _modes_after_a_start(home)["."] == "0o700"


def test_the_source_servers_user_may_traverse_to_its_cluster_and_no_one_else_gains_anything(tmp_path):
    private = tmp_path / "home"
    cluster = private / "postgres"
    cluster.mkdir(parents=True)
    private.chmod(0o700)
    let_user_traverse(cluster, NOBODY)
    mode = private.stat().st_mode
    assert not mode & (stat.S_IRWXO), oct(mode)  # nothing for others: no o+x on any parent
    entries = _entries(private, mode)
    assert entries[(0x02, NOBODY)] == 0o1  # the server's user: execute (traverse) only
    assert entries[(0x04, 0xFFFFFFFF)] == 0 and entries[(0x20, 0xFFFFFFFF)] == 0  # group and others: nothing
