"""The files deploy/Dockerfile copies from the build context, gathered into a directory: what an image holds, for
tests that load the definitions from exactly those files or build the image without the rest of the checkout."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from customer360.settings import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
_COPY = re.compile(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", re.MULTILINE)
_IGNORED = shutil.ignore_patterns("__pycache__", "target", "logs", ".user.yml", "*.crt", "dbt_packages")


def copied_paths(stage: str | None = None) -> list[str]:
    """The context paths the Dockerfile's COPY lines take (all stages, or the one named `stage`)."""
    text = DOCKERFILE.read_text()
    if stage is not None:
        start = text.index(f" AS {stage}")
        end = text.find("\nFROM ", start)
        text = text[start:] if end < 0 else text[start:end]
    return [path for source in _COPY.findall(text) for path in source.split()]


def gather(target: Path, stage: str | None = None) -> Path:
    """Copy those paths from the checkout into `target` (created), leaving out what .dockerignore and git leave out."""
    for path in copied_paths(stage):
        origin = ROOT / path
        if origin.is_dir():
            shutil.copytree(origin, target / path, dirs_exist_ok=True, ignore=_IGNORED)
        else:
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, target / path)
    return target
