"""A home is built at one scale (C360_CUSTOMERS, C360_MONTHS, C360_SEED, C360_AS_OF): the first use records it, and a
command with other values is refused with both sets of values and what to do, before it writes anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from customer360.home import SCALE_FILE, HomeScaleError, claim_scale
from customer360.resources import prepare_home
from customer360.settings import ROOT, settings

SMALL = {"C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_SEED": "11", "C360_AS_OF": "2026-06-17"}


def test_the_first_use_records_the_scale_and_the_same_scale_is_accepted_again(tmp_path):
    s = settings({"C360_HOME": str(tmp_path / "home"), **SMALL})
    prepare_home(s)
    prepare_home(s)
    assert json.loads((s.home / SCALE_FILE).read_text()) == SMALL


def test_a_command_without_the_demos_customers_is_refused_naming_both_scales_and_make_clean(tmp_path):
    home = tmp_path / "home"
    prepare_home(settings({"C360_HOME": str(home), **SMALL}))
    default_scale = settings({"C360_HOME": str(home), "C360_SEED": "11", "C360_AS_OF": "2026-06-17"})
    with pytest.raises(HomeScaleError) as refused:
        prepare_home(default_scale)
    message = str(refused.value)
    assert "C360_CUSTOMERS=500" in message and "asks for C360_CUSTOMERS=50000, C360_MONTHS=18" in message
    assert "make clean" in message and str(home) in message
    assert json.loads((home / SCALE_FILE).read_text()) == SMALL  # the record is not overwritten


@pytest.mark.parametrize("change", [{"C360_SEED": "12"}, {"C360_AS_OF": "2026-06-18"}, {"C360_AS_OF": ""}])
def test_another_seed_or_as_of_is_refused(tmp_path, change):
    home = tmp_path / "home"
    prepare_home(settings({"C360_HOME": str(home), **SMALL}))
    with pytest.raises(HomeScaleError, match=next(iter(change))):
        prepare_home(settings({"C360_HOME": str(home), **SMALL, **change}))


def test_an_unset_as_of_is_recorded_as_today_and_moves_with_the_calendar(tmp_path):
    """Unset, as-of is today: a home built that way keeps working tomorrow (recorded as "today", not a date)."""
    claim_scale(tmp_path, {"C360_AS_OF": "today", "C360_SEED": "42"})
    s = settings({"C360_HOME": str(tmp_path), "C360_SEED": "42"})
    assert s.scale["C360_AS_OF"] == "today"
    claim_scale(tmp_path, {"C360_AS_OF": "today", "C360_SEED": "42"})


def test_the_cli_refuses_with_exit_2_and_clean_forgets_the_scale(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("C360_")}

    def cli(*args, **extra):
        return subprocess.run([sys.executable, "-m", "customer360", *args], cwd=ROOT, capture_output=True, text=True,
                              env={**env, "C360_HOME": str(home), **extra}, timeout=120)

    prepare_home(settings({"C360_HOME": str(home), **SMALL}))
    refused = cli("drop-day", "2026-06-18", **{**SMALL, "C360_CUSTOMERS": "600"})
    assert refused.returncode == 2, refused.stderr
    assert "C360_CUSTOMERS=600" in refused.stderr and "make clean" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli("clean", **SMALL).returncode == 0
    assert not (home / SCALE_FILE).exists()
    prepare_home(settings({"C360_HOME": str(home), **SMALL, "C360_CUSTOMERS": "600"}))


def test_a_record_is_whole_or_absent_and_no_temporary_file_stays(tmp_path):
    """Linked into place after it is written: never an empty scale.json that would accept every scale."""
    claim_scale(tmp_path, {"C360_SEED": "1"})
    with pytest.raises(HomeScaleError):
        claim_scale(tmp_path, {"C360_SEED": "2"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [SCALE_FILE]
