"""Scans of the project's own source with ast, run in a fresh interpreter: CPython 3.11.7's ast.parse keeps its
recursion depth in state shared by threads, so a parse in any other thread of the test process (Streamlit's, a
server's) can make it raise "AST constructor recursion depth mismatch" (CPython gh-106905, fixed in later 3.11
releases). Both failures seen in CI were that, never the code scanned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SUPPORT = Path(__file__).parent


def scanned(code: str, *args: str):
    """What `code` prints as JSON, run by a fresh interpreter that can import this folder's modules."""
    result = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(SUPPORT)!r})\n{code}", *args],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)
