"""No credential is committed: detect-secrets scans every file git tracks (plus untracked, unignored ones)."""

import json
import subprocess
import sys
from pathlib import Path

from customer360.settings import ROOT

DETECT_SECRETS = str(Path(sys.executable).parent / "detect-secrets")


def scan(folder: Path) -> dict:
    result = subprocess.run([DETECT_SECRETS, "scan", "--all-files"], cwd=folder, capture_output=True, text=True,
                            check=True, timeout=300)
    return json.loads(result.stdout)["results"]


def test_the_repository_holds_no_secret():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    result = subprocess.run([DETECT_SECRETS, "scan", *tracked], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=300)
    assert json.loads(result.stdout)["results"] == {}


def test_the_scan_finds_a_committed_key(tmp_path):
    # AWS's documented example key pair: the scan must flag it (the pragma keeps this test file itself clean).
    leaked = ('AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'  # pragma: allowlist secret
              'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n')  # pragma: allowlist secret
    (tmp_path / "settings.py").write_text(leaked)
    findings = scan(tmp_path)
    assert "settings.py" in findings and len(findings["settings.py"]) >= 1
