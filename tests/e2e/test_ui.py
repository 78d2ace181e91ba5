"""The Dagster UI, in a real browser: `dagster dev` on a free loopback port, driven by headless Chromium.

Chromium is Debian's package (`make test` installs it); Playwright only drives it and downloads no browser.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from customer360.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_served(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory, c360_home_env):
    port = free_port()
    log = tmp_path_factory.mktemp("ui") / "dagster-dev.log"
    with log.open("w") as out:
        # Its own session, so the whole process group (webserver, daemon, code server) can be stopped together.
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
             "-p", str(port)], cwd=ROOT, env=c360_home_env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        wait_until_served(f"http://127.0.0.1:{port}/server_info", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen, timeout: float = 5) -> None:
    """Stop a server started with start_new_session=True and everything it started. A test's server has nothing to
    save: `dagster dev` waits on its children well past a SIGTERM sent to all of them, so it is killed soon after."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def c360_home_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui-home")
    (home / "dagster").mkdir()
    (home / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "C360_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
            "C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_AS_OF": "2026-06-30"}


def dismiss_signup_dialog(page) -> None:
    """A first visit opens a community sign-up dialog over the graph, a moment after the page renders."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.first.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        return
    skip.first.click()


@contextmanager
def browser_page():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 2400, "height": 1400})
        finally:
            browser.close()


def open_page(page, url: str, ready_text: str) -> None:
    """Go to `url` and wait until `ready_text` shows (the first load compiles the UI's assets: slow)."""
    page.goto(url)
    page.get_by_text(ready_text, exact=True).first.wait_for(timeout=120_000)
    dismiss_signup_dialog(page)


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_the_asset_graph_shows_bronze_silver_and_gold_assets(dagster_ui):
    with browser_page() as page:
        open_page(page, f"{dagster_ui}/locations/customer360/jobs/customer360_full_graph", "bronze")
        for group in ("bronze", "silver", "gold"):  # groups start collapsed; a double click opens one
            page.get_by_text(group, exact=True).first.dblclick()
            page.wait_for_timeout(1_000)
        # Names short enough that the zoomed-out graph does not elide them (bronze_transactions shows as bron..._...).
        for asset in ("cards_accounts", "stg_customers", "dim_customer"):
            page.get_by_text(asset, exact=True).first.wait_for(timeout=30_000)
        shot = screenshot(page, "asset_graph.png")
    assert shot.stat().st_size > 10_000


def test_an_asset_page_shows_its_owner_kinds_and_typed_columns(dagster_ui):
    with browser_page() as page:
        open_page(page, f"{dagster_ui}/assets/bronze/bronze_transactions", "transaction_amount")
        page.get_by_text("data-platform").first.wait_for(timeout=30_000)  # owner team:data-platform
        page.get_by_text("decimal(12,2)", exact=True).first.wait_for(timeout=30_000)  # column types, from the contract
        page.get_by_text(re.compile(r"^duckdb$", re.IGNORECASE)).first.wait_for(timeout=30_000)  # local kind
        shot = screenshot(page, "asset_page.png")
    assert shot.stat().st_size > 10_000


def test_the_automation_page_lists_every_sensor_and_schedule_running(dagster_ui):
    with browser_page() as page:
        open_page(page, f"{dagster_ui}/automation", "streaming_files_sensor")
        for name in ("record_successful_runs", "record_failed_runs", "streaming_day_schedule",
                     "nightly_dbt_build_schedule"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
        switches = page.locator("input[type=checkbox]")
        states = [switches.nth(i).is_checked() for i in range(switches.count())]
        shot = screenshot(page, "automation.png")
    assert shot.stat().st_size > 10_000
    assert states.count(True) >= 5, states  # each of the 5 (3 sensors, 2 schedules) is on
