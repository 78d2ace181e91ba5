"""No credential is committed: detect-secrets scans every file git tracks."""

import subprocess
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings

from customer360.settings import ROOT


def scan(root: Path, files: list[str]) -> dict:
    """detect-secrets' default plugins and filters over `files`, one after the other in this process: its CLI scans
    in a multiprocessing pool, whose forked workers once deadlocked here and hung the suite."""
    secrets = SecretsCollection(root=str(root))
    with default_settings():
        for name in files:
            secrets.scan_file(name)
    return secrets.json()


def test_the_repository_holds_no_secret():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(tracked) > 100
    assert scan(ROOT, tracked) == {}


def test_the_scan_finds_a_committed_key(tmp_path):
    # AWS's documented example key pair: the scan must flag it (the pragma keeps this test file itself clean).
    leaked = ('AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'  # pragma: allowlist secret
              'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n')  # pragma: allowlist secret
    (tmp_path / "settings.py").write_text(leaked)
    findings = scan(tmp_path, ["settings.py"])
    assert "settings.py" in findings and len(findings["settings.py"]) >= 1
