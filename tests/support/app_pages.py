"""Streamlit's AppTest with the options `python -m customer360.app` serves the app with (customer360.app.__main__.OPTIONS):
above all magic off, without which Streamlit ast.parse()s each script in its thread and CPython 3.11.7 raises "AST
constructor recursion depth mismatch" when another thread parses at the same moment (it failed CI once)."""

from __future__ import annotations

from streamlit import config
from streamlit.testing.v1 import AppTest

from customer360.app.__main__ import OPTIONS, SCRIPT

for _name, _value in OPTIONS.items():
    config.set_option(_name, _value)


def app_page(timeout: float = 60) -> AppTest:
    """The whole app, not yet run."""
    return AppTest.from_file(str(SCRIPT), default_timeout=timeout)


def function_page(function, args: tuple = (), timeout: float = 60) -> AppTest:
    """A page function alone (AppTest runs its source), not yet run."""
    return AppTest.from_function(function, args=args, default_timeout=timeout)
