"""What a reader is told to type or run: the README and every page of the docs site (docs/*.md), read as one text by
the tests that check each command, SQL block and setting they show."""

from __future__ import annotations

from customer360.settings import ROOT

PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


def documentation() -> str:
    return "\n\n".join(page.read_text() for page in PAGES)
