"""Nothing phones home: every `dagster` command the README shows runs against the project's instance, whose
dagster.yaml turns telemetry off. Without DAGSTER_HOME, dagster uses a throwaway instance with telemetry on and
writes ~/.dagster/.telemetry/ (its instance id and event log)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from documentation import documentation

from customer360.__main__ import _dagster_env
from customer360.settings import settings

README = documentation()  # the README and the docs site's pages
BIN = Path(sys.executable).parent
# A command, not a mention: dagster, a subcommand, then options (`dagster dev` in prose is a mention).
_DAGSTER_COMMAND = re.compile(r"^(?:\w+=\S+ )*(?:\.venv/bin/)?dagster \w[\w-]* .*-")


def _bash_blocks() -> list[list[str]]:
    return [[line.strip() for line in block.splitlines() if line.strip()]
            for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL)]


def test_every_dagster_command_the_readme_shows_names_the_projects_instance():
    commands = 0
    for block in _bash_blocks():
        exported = False
        for line in block:
            exported = exported or line.startswith("export DAGSTER_HOME=")
            if _DAGSTER_COMMAND.match(line):
                commands += 1
                assert exported or line.startswith("DAGSTER_HOME="), f"runs without DAGSTER_HOME: {line}"
    for inline in re.findall(r"`([^`\n]+)`", README):
        if _DAGSTER_COMMAND.match(inline):
            commands += 1
            assert inline.startswith("DAGSTER_HOME="), f"runs without DAGSTER_HOME: {inline}"
    assert commands >= 5


def test_the_readmes_report_command_leaves_nothing_in_the_users_home(tmp_path):
    """The reports block as the README prints it, after `make demo` wrote the instance (here: its _dagster_env)."""
    project, user_home = tmp_path / "project", tmp_path / "home"
    project.mkdir(), user_home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("C360_", "DAGSTER_"))}
    _dagster_env(settings({"C360_HOME": str(project / ".c360")}))  # what make demo / make dev leave behind
    [block] = [b for b in _bash_blocks() if any("--select reports/" in line for line in b)]
    script = "\n".join(line.split("   #")[0].replace(".venv/bin/", f"{BIN}/") for line in block)
    subprocess.run(["bash", "-c", script], cwd=project, env={**env, "HOME": str(user_home)}, capture_output=True,
                   text=True, timeout=300)  # the report itself fails (no gold yet): its first steps are what counts
    assert not (user_home / ".dagster").exists(), sorted(p.name for p in (user_home / ".dagster").rglob("*"))
    assert (project / ".c360" / "dagster" / "storage").exists()  # the run went to the project's instance
