"""The same question gives the same rows on DuckDB and on Snowflake (fakesnow): every data question of Ask's bank,
asked over the same rows (every row of 30 customers of a built warehouse, tests/support/gold_sample.py) on both
engines. On Snowflake it goes the app's way (AppWarehouse.rows: the role's session, one read-only SELECT, `?` bound
server-side); the SQL text and the bound values are the same on both, only the engine differs."""

from __future__ import annotations

import duckdb
import pytest
from built import BUILT_AS_OF
from gold_sample import load, sample

from customer360.app.ask import asker
from customer360.app.warehouse import AppWarehouse
from customer360.lib.resources.warehouse import DuckDBSession
from customer360.lib.semantic import bank
from customer360.lib.semantic.ask import Asker
from customer360.resources import warehouse_resource
from customer360.settings import settings


@pytest.fixture(scope="module")
def same_rows(built_home):
    return sample(built_home / "warehouse.duckdb")


def _data_questions() -> list[bank.Entry]:
    """The bank's questions over the gold marts (not pipeline health or report requests: the sample has neither)."""
    return [e for e in bank.load_bank() if e.expect == "answered" and "observability" not in (e.sql or "")
            and "report" not in e.question.lower()]


def test_every_data_question_of_the_bank_gives_the_same_rows_on_duckdb_and_fakesnow(same_rows, snowflake_env, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setenv("C360_AS_OF", BUILT_AS_OF.isoformat())  # the sample's as-of, for the periods' words
    local = duckdb.connect()
    load(DuckDBSession(local), same_rows, tmp_path / "duckdb")
    with warehouse_resource(settings()).session() as session:
        load(session, same_rows, tmp_path / "snowflake")

    def on_duckdb(sql, params):
        cursor = local.execute(sql, list(params))
        return [d[0] for d in cursor.description], cursor.fetchall()

    snow = asker(AppWarehouse(settings(app=True)))  # as C360_APP_ROLE, with the app's own user
    ducks = Asker.over(on_duckdb, BUILT_AS_OF, snow.role, snow.reads_observability)
    assert snow.as_of == ducks.as_of == BUILT_AS_OF
    compared = 0
    for entry in _data_questions():
        here, there = ducks.ask(entry.question), snow.ask(entry.question)
        assert (here.status, here.sql, here.params) == (there.status, there.sql, there.params), entry.question
        assert here.columns == there.columns, entry.question
        assert bank.normalized(here.rows, entry.ordered) == bank.normalized(there.rows, entry.ordered), entry.question
        compared += bool(here.rows)
    assert compared >= 70  # questions with rows on this sample, compared row by row
