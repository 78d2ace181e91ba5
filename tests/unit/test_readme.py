"""Every command the README and the docs pages tell a reader to type is one the project has, and a named test runs it.

Commands are read from the README's ```bash blocks and from inline code that starts with `make`, `.venv/bin/` or
`python -m customer360`. Each must match a row of COMMANDS, whose test must exist; make targets, `python -m
customer360` subcommands and `-j` jobs must exist too. A new command in the README without a test fails here.
"""

from __future__ import annotations

import re
import shlex

import pytest
from documentation import documentation

from customer360.settings import ROOT

README = documentation()  # the README and the docs site's pages

# pattern (on the command without its VAR=value prefix and .venv/bin/) -> the test that runs it
COMMANDS = {
    r"make demo": "tests/e2e/test_full_graph.py::test_the_demo_prints_one_line_per_asset_and_keeps_dagsters_logs_in_a_file_it_names",
    r"make test": "tests/unit/test_lint.py::test_ci_and_pre_commit_run_the_projects_own_commands",
    r"make docs|python -m customer360 docs": "tests/e2e/test_full_graph.py::test_make_docs_generates_dbt_docs_for_this_home",
    r"make check": "tests/unit/test_docs_site.py::test_make_check_runs_the_linters_and_the_unit_tests_only",
    r"make docs-site": "tests/unit/test_docs_site.py::test_make_docs_site_serves_the_site_strictly_on_loopback",
    r"make dev": "tests/integration/test_cli.py::test_make_dev_serves_the_ui_on_c360_port",
    r"make clean": "tests/integration/test_cli.py::test_clean_removes_what_the_platform_wrote_and_nothing_else",
    r"make source-stop": "tests/integration/test_cli.py::test_source_stop_stops_the_server_make_dev_left_running",
    r"make check-connection|python -m customer360 check-connection":
        "tests/integration/test_check_connection.py::test_the_cli_exits_non_zero_when_a_check_fails",
    r"dagster asset materialize -m customer360\.definitions --select reports/\w+ --config-json .*":
        "tests/integration/test_reports.py::test_a_report_runs_on_demand_from_the_dagster_cli_with_its_parameters",
    # No container builder on these machines: the tests check what can be checked of the image and the compose file.
    r"docker build -f deploy/Dockerfile -t customer360:latest \.":
        "tests/unit/test_deploy.py::test_the_image_is_multi_stage_pinned_non_root_and_parses_dbt_at_build",
    r"docker compose -f deploy/compose\.yaml --env-file \.env up":
        "tests/unit/test_deploy.py::test_compose_validates_against_the_compose_specification_and_wires_the_deployment",
    r"make app|python -m customer360(\.| )app": "tests/e2e/test_app.py::test_every_view_in_a_real_browser",
    r"make bench": "tests/e2e/test_benchmark.py::test_the_benchmark_prints_every_stage_and_its_figures_as_json_last",
    r"make lock": "tests/unit/test_readme.py::test_make_lock_rewrites_the_constraints_from_a_fresh_resolution",
    r"python -m customer360 drop-day \d{4}-\d\d-\d\d":
        "tests/integration/test_cli.py::test_drop_day_writes_the_days_file_for_the_landed_customers_on_either_target",
    r"python -m customer360 snowflake-setup( --dry-run)?":
        "tests/integration/test_cli.py::test_snowflake_setup_dry_run_prints_every_statement_with_this_environments_values",
    r"python -m customer360 request-report \w+ --from \S+ --to \S+( --segment \S+)?|"
    r"python -m customer360 (request-status|cancel-request) \d+":
        "tests/integration/test_report_requests.py::test_the_commands_file_follow_and_cancel_a_request_and_refuse_a_bad_one",
    r"python -m customer360 api|curl -s (-X POST )?http://127\.0\.0\.1:8040/(reports/requests(/\d+)?|metrics) .*":
        "tests/integration/test_api.py::test_the_documented_commands_serve_the_api_and_curl_files_and_follows_a_request",
    r"python -m customer360 demo\|dev\|app\|docs\|drop-day\|clean\|snowflake-setup\|source-stop\|check-connection(\|ask)?":
        "tests/unit/test_readme.py::test_every_subcommand_the_readme_names_exists",
    r"python -c import duckdb; duckdb\.connect\('\$\{C360_HOME:-\.c360\}/warehouse\.duckdb'\)\.execute\(\"INSERT INTO "
    r"observability\.report_requests .*\"\)":
        "tests/integration/test_report_requests.py::test_the_readmes_sql_line_files_a_request_the_sensor_runs",
    r"python -m customer360 ask Generate a sales report for last quarter":
        "tests/integration/test_ask_requests.py::"
        "test_ask_files_one_request_with_the_dates_and_segment_it_understood_and_the_sensor_picks_it_up",
    r"python -m customer360 ask( .+)?":
        "tests/integration/test_cli.py::test_ask_prints_one_json_object_per_question_and_exits_0_whether_it_answers_clarifies_or_refuses",
    r"python -m customer360": "tests/unit/test_readme.py::test_every_subcommand_the_readme_names_exists",
    r"python -m customer360\.settings":
        "tests/unit/test_docs_site.py::test_python_m_customer360_settings_rewrites_the_settings_pages_tables",
    r"python -m pytest tests/integration/test_alerts\.py":
        "tests/integration/test_alerts.py::test_a_failed_run_is_alerted_once_to_slack_and_by_email_with_its_error_and_run_link",
    r"python -m aiosmtpd -n -l 127\.0\.0\.1:8025":
        "tests/integration/test_alerts.py::test_aiosmtpds_debugging_server_prints_an_alert_the_docs_suggest_watching_for",
    r"python -m pytest tests/integration/test_asset_specs\.py":
        "tests/integration/test_asset_specs.py::test_the_graph_matches_its_snapshot",
    r"python benchmarks/run_graph\.py( --skip-baseline)?":
        "tests/e2e/test_benchmark.py::test_the_benchmark_prints_every_stage_and_its_figures_as_json_last",
    r"python benchmarks/ask_bank\.py( --repeat \d+)?( --slowest \d+)?":
        "tests/e2e/test_question_bank.py::test_the_benchmark_prints_accuracy_and_latency_as_json_last",
    r"python benchmarks/report_requests\.py( --repeat \d+)?":
        "tests/e2e/test_report_requests_daemon.py::"
        "test_the_daemon_runs_each_request_once_and_the_benchmark_reports_the_rows_own_times",
    r"python benchmarks/list_landing\.py":
        "tests/unit/test_object_store_etags.py::test_the_listing_benchmark_prints_both_ways_and_their_ratio",
    r"pip install pre-commit && pre-commit install":
        "tests/unit/test_lint.py::test_ci_and_pre_commit_run_the_projects_own_commands",
    r"dagster job execute -m customer360\.definitions -j \w+":
        "tests/e2e/test_full_graph.py::test_a_streaming_day_and_an_outside_file_are_picked_up_by_the_sensor_and_reach_gold",
}


def _commands() -> list[str]:
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith(("export ", "#")):
                found.append(line)
    for inline in re.findall(r"`([^`\n]+)`", README):
        if re.match(r"(\w+=\S+ )*(make \w|\.venv/bin/|python -m customer360)", inline):
            found.append(inline)
    return found


def _bare(command: str) -> str:
    """`C360_AS_OF=2026-11-01 .venv/bin/python -m customer360 drop-day ...` -> `python -m customer360 drop-day ...`"""
    words = [w for w in shlex.split(command.replace("|", "\\|")) if not re.match(r"^[A-Z_0-9]+=", w)]
    return " ".join(words).replace(".venv/bin/", "")


def _test_exists(reference: str) -> bool:
    path, name = reference.split("::")
    return re.search(rf"^def {re.escape(name)}\(", (ROOT / path).read_text(), re.MULTILINE) is not None


def test_every_readme_command_matches_a_command_with_a_test():
    commands = _commands()
    assert len(commands) >= 10
    unmatched = [c for c in commands if not any(re.fullmatch(p, _bare(c)) for p in COMMANDS)]
    assert unmatched == [], "README commands with no test: add a row to COMMANDS (and the test)"
    assert [ref for ref in COMMANDS.values() if not _test_exists(ref)] == []


# A `python` no path leads to: the system's, without the project's packages (or none at all, on a stock Debian).
_BARE_PYTHON = re.compile(r"(?<![\w/.-])python3?(?=\s)")


def test_every_command_block_runs_the_venvs_python_never_a_bare_one():
    """A reader pastes a block as it is, in a shell that never activated the venv: each python is `.venv/bin/python`,
    as `make demo` made it, including the one inside `$(...)`."""
    bare = [line for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL) for line in block.splitlines()
            if not line.lstrip().startswith("#") and _BARE_PYTHON.search(line.split("  #")[0])]
    assert bare == [], "write .venv/bin/python, as the README's other commands do"


def test_every_make_target_and_job_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"\bmake ([\w-]+)", " ".join(_commands()))):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"make {target}"
    from customer360.definitions import defs

    jobs = {job.name for job in defs().jobs}
    assert {"customer360_full_graph", "churn_training", "reports"} <= jobs
    assert set(re.findall(r" -j (\w+)", " ".join(_commands()))) <= jobs


def test_every_subcommand_the_readme_names_exists(capsys):
    from customer360.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    offered = set(re.search(r"\{([a-z,-]+)\}", capsys.readouterr().out).group(1).split(","))
    named = set()
    for command in _commands():
        match = re.search(r"python -m customer360 ([a-z|-]+)", _bare(command).replace("\\|", "|"))
        if match:
            named |= set(match.group(1).split("|"))
    assert named and named <= offered


def test_make_lock_rewrites_the_constraints_from_a_fresh_resolution():
    """`make lock` needs the package index, so this reads what it would run (make -n) rather than running it."""
    import subprocess

    planned = subprocess.run(["make", "-n", "lock"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "pip install --quiet -e '.[dev]'" in planned and "pip freeze --exclude-editable > constraints.txt" in planned


def test_setup_installs_the_source_databases_server_when_initdb_is_missing():
    """Every make target that installs the venv also makes sure PostgreSQL's server binaries are there; the recipe
    (read with make -n, as installing needs the package index) installs Debian's postgresql when they are not."""
    import subprocess

    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^setup: .*\bpostgres\b", makefile, re.MULTILINE)
    missing = subprocess.run(["make", "-n", "postgres", "POSTGRES=/nonexistent"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert "apt-get install -y -q postgresql" in missing and "/nonexistent/initdb" in missing
    from customer360.lib.source.local_server import binaries

    assert (binaries() / "initdb").exists() and (binaries() / "pg_ctl").exists()  # what this machine's tests use


def test_every_documented_curl_line_is_one_the_api_test_runs():
    """The API test runs the curl lines of docs/reports.md's bash blocks: one elsewhere would match its row untested."""
    ran = [line for block in re.findall(r"```bash\n(.*?)```", (ROOT / "docs" / "reports.md").read_text(), re.DOTALL)
           for line in block.splitlines() if line.startswith("curl ")]
    documented = [c for c in _commands() if _bare(c).startswith("curl ")]
    assert len(ran) == 3 and sorted(set(documented)) == sorted(ran)
