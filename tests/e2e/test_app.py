"""The Customer 360 app and its semantic model on a built warehouse (`python -m customer360 demo`, 500 customers):

- the semantic model matches the built gold layer, and every verified query gives the same answer on DuckDB and on
  fakesnow for the same rows; the asset fails naming a missing column and publishes to the stage on Snowflake;
- the role rule (access.py) holds on both engines: MARKETING_MANAGER never reads names, e-mail or observability;
- a quote, a semicolon and `--` in every text input are harmless on both engines;
- Streamlit's AppTest: what a role sees, a missing warehouse's page;
- Playwright in Debian's Chromium drives every view, exports CSVs and reads them back (screenshots in test-artifacts/).
"""

import csv
import os
import shutil
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest
from app_pages import app_page
from built import BUILT_AS_OF, BUILT_CUSTOMERS
from gold_sample import load, normalized, sample
from streamlit.testing.v1 import AppTest
from test_ui import ARTIFACTS, CHROMIUM_ARGS, browser_page, free_port, stop_group, wait_until_served

from customer360.app import queries
from customer360.app.warehouse import AppWarehouse, WarehouseUnavailable
from customer360.defs.semantic.assets import semantic_model
from customer360.lib.semantic import STAGE, problems
from customer360.lib.semantic import load as load_model
from customer360.resources import warehouse_resource
from customer360.settings import ROOT, settings

AS_OF, CUSTOMERS = BUILT_AS_OF.isoformat(), BUILT_CUSTOMERS
HOSTILE = ("x' OR '1'='1", "CUST; DROP TABLE gold.fct_transactions", "-- ", "'; DELETE FROM gold.customer_360_profile; --")
assert CHROMIUM_ARGS  # the same browser flags as the Dagster UI test


@pytest.fixture(scope="module")
def app_home(built_home, tmp_path_factory):
    """A copy of the built home: the pages file report requests and open the warehouse as the app does, while the other
    worker's tests read the shared home (a DuckDB file open for writing in one process is closed to every other)."""
    home = tmp_path_factory.mktemp("app") / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("postgres"))
    return home


def query(home, sql, params=()):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


class Spy(AppWarehouse):
    """The app's warehouse, remembering every statement it ran."""

    def __init__(self, s):
        super().__init__(s)
        self.seen: list[str] = []

    def query(self, sql, params=()):
        self.seen.append(sql)
        return super().query(sql, params)


# --- The semantic model -----------------------------------------------------------------------------------------

def test_every_column_the_semantic_model_names_exists_and_every_verified_query_answers(app_home):
    model = load_model()
    conn = duckdb.connect(str(app_home / "warehouse.duckdb"), read_only=True)
    try:
        assert problems(model, lambda sql, params: conn.execute(sql, params).fetchall()) == []
        answers = {q.name: conn.execute(model.verified_sql(q.name)).fetchall() for q in model.verified_queries}
    finally:
        conn.close()
    # 3 months of history: no churn model (it needs 9) and no 90-day baseline, so no customer is "Declining" yet;
    # one whole month (May) has a change, and the biggest drop is empty unless it fell (test_figures checks which).
    assert {name for name, rows in answers.items() if not rows} <= {"high_value_at_risk", "declining_and_high_risk",
                                                                   "biggest_monthly_drop"}
    assert answers["customers_by_behavioural_segment"] and sum(r[1] for r in answers["customers_by_behavioural_segment"]) == CUSTOMERS
    spend = query(app_home, "select sum(transaction_amount) from gold.fct_transactions where status = 'approved'")[0][0]
    assert sum(r[1] for r in answers["spend_by_category"]) == spend


@pytest.fixture
def same_rows(app_home, tmp_path):
    return sample(app_home / "warehouse.duckdb")


def test_every_verified_query_gives_the_same_answer_on_duckdb_and_fakesnow(same_rows, snowflake_env, tmp_path):
    model = load_model()
    local = duckdb.connect()
    from customer360.lib.resources.warehouse import DuckDBSession

    load(DuckDBSession(local), same_rows, tmp_path / "duckdb")
    with warehouse_resource(settings()).session() as sf:
        load(sf, same_rows, tmp_path / "snowflake")
        assert problems(model, sf.fetchall) == []
        for q in model.verified_queries:
            on_snowflake = normalized(sf.fetchall(model.verified_sql(q.name)))
            on_duckdb = normalized(local.execute(model.verified_sql(q.name)).fetchall())
            assert on_snowflake == on_duckdb, q.name
    assert any(local.execute(model.verified_sql(q.name)).fetchall() for q in model.verified_queries)


def test_the_asset_publishes_the_checked_model_to_the_stage_on_snowflake(same_rows, snowflake_env, tmp_path):
    s = settings()
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        load(session, same_rows, tmp_path / "rows")
        session.execute(f"CREATE STAGE IF NOT EXISTS {STAGE} DIRECTORY = (ENABLE = TRUE)")  # snowflake_setup/11
    result = dg.materialize([semantic_model], resources={"warehouse": warehouse})
    [materialization] = result.asset_materializations_for_node("gold__semantic_model")
    assert materialization.metadata["published_to"].value == f"@{s.snowflake.database.upper()}.{STAGE}/customer360.yaml"
    assert materialization.metadata["verified_queries"].value == len(load_model().verified_queries)
    with warehouse.session() as session:
        listed = session.fetchall(f"LIST @{STAGE}")
    assert [row[0] for row in listed] == ["semantic_models/customer360.yaml"]


def test_the_asset_fails_naming_a_column_the_gold_layer_lost(same_rows, c360_env, tmp_path):
    s = settings()
    s.home.mkdir(parents=True)
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        load(session, same_rows, tmp_path / "rows")
        session.execute("ALTER TABLE gold.marketing_customer_audience DROP COLUMN rfm_cell")
    with pytest.raises(dg.Failure, match="gold.marketing_customer_audience has no column rfm_cell"):
        dg.materialize([semantic_model], resources={"warehouse": warehouse})


# --- Roles and hostile input on both engines ----------------------------------------------------------------------

@pytest.fixture(params=["local", "snowflake"])
def sample_target(request, same_rows, tmp_path, monkeypatch):
    """The same rows in this test's warehouse on each target; returns a function role -> Spy."""
    request.getfixturevalue("snowflake_env" if request.param == "snowflake" else "c360_env")
    settings().home.mkdir(parents=True, exist_ok=True)
    with warehouse_resource(settings()).session() as session:
        load(session, same_rows, tmp_path / "rows")

    def as_role(role: str) -> Spy:
        monkeypatch.setenv("C360_APP_ROLE", role)
        return Spy(settings())
    return as_role


def test_marketing_manager_searches_by_id_only_and_never_reads_names_email_or_observability(sample_target, same_rows):
    someone = same_rows["gold.customer_360_profile"].slice(0, 1).to_pylist()[0]
    marketing = sample_target("MARKETING_MANAGER")
    assert marketing.role.search_fields == ("customer id",)
    assert queries.search_customers(marketing, someone["first_name"])[0].empty  # a name is not searched
    found, _ = queries.search_customers(marketing, someone["customer_id"].lower())
    assert found["customer_id"].tolist() == [someone["customer_id"]]
    card = queries.customer_card(marketing, someone["customer_id"])
    assert card["customer_id"] == someone["customer_id"] and not {"first_name", "last_name", "email"} & set(card)
    with pytest.raises(queries.AccessDenied, match="OBSERVABILITY"):
        queries.latest_runs(marketing)
    assert not [sql for sql in marketing.seen if "customer_360_profile" in sql or "observability" in sql.lower()]

    engineer = sample_target("DATA_ENGINEER")
    by_name, _ = queries.search_customers(engineer, f"{someone['first_name']} {someone['last_name']}".upper())
    assert someone["customer_id"] in by_name["customer_id"].tolist()
    assert queries.search_customers(engineer, someone["email"])[0]["customer_id"].tolist() == [someone["customer_id"]]
    assert queries.customer_card(engineer, someone["customer_id"])["email"] == someone["email"]


def test_a_quote_a_semicolon_and_a_comment_in_every_text_input_are_harmless(sample_target, same_rows):
    model = load_model()
    wh = sample_target("DATA_ENGINEER")
    someone = same_rows["gold.marketing_customer_audience"].slice(0, 1).to_pylist()[0]["customer_id"]
    before = {r: len(wh.query(f"SELECT customer_id FROM {r}")) for r in (queries.TRANSACTIONS, queries.PROFILE)}
    everything = queries.customer_history(wh, someone)
    days = everything["transaction_date"].map(queries.as_date)
    first, last = min(days), max(days)
    assert len(queries.HistoryFilter(first, last).apply(everything)) == len(everything) > 0
    for text in HOSTILE:
        found, total = queries.search_customers(wh, text)
        assert found.empty and total == 0
        assert queries.customer_card(wh, text) is None
        history = queries.HistoryFilter(first, last, categories=[text], statuses=[text])
        assert history.apply(everything).empty
        selection = queries.AudienceFilter({"state": [text], "customer_segment": [text]})
        assert queries.audience_rows(wh, selection).empty
        sql, params = model.explorer_sql("customers", "customer_count", "state", {"card_type": [text]})
        assert wh.query(sql, params).empty
        assert model.matching_questions(text) == [] or all(q.name for q, _ in model.matching_questions(text))
    after = {r: len(wh.query(f"SELECT customer_id FROM {r}")) for r in (queries.TRANSACTIONS, queries.PROFILE)}
    assert after == before and before[queries.TRANSACTIONS] > 0


# --- Streamlit: what each role sees, and a missing warehouse ------------------------------------------------------

def test_on_snowflake_the_parser_answers_when_cortex_is_unavailable_or_when_chosen(same_rows, snowflake_env, tmp_path,
                                                                                  monkeypatch):
    """fakesnow has no Cortex Analyst: the page says so and Ask's parser answers over the same session; chosen, the
    parser answers without asking Cortex."""
    import streamlit as st

    with warehouse_resource(settings()).session() as session:
        load(session, same_rows, tmp_path / "rows")
    monkeypatch.setenv("C360_AS_OF", AS_OF)
    monkeypatch.setenv("C360_APP_ROLE", "DATA_ANALYST")
    st.cache_resource.clear()
    st.cache_data.clear()
    page = app_page(timeout=90).run()
    page.sidebar.radio[0].set_value("Ask").run()
    assert page.radio(key="ask_mode").value == "Cortex Analyst"
    page.text_input(key="ask_question").input("spend by channel last month").run()
    assert not page.exception
    assert any("Cortex Analyst is unavailable" in w.value for w in page.warning), said(page)
    [understood] = [s.value for s in page.success if s.value.startswith("Understood:")]
    assert "Approved spend by channel" in understood.replace("\\", "")
    page.radio(key="ask_mode").set_value("Ask's parser (no language model)").run()
    # after "… last month", a question with no period of its own asks which: "of all time" says it
    page.text_input(key="ask_question").input("How many customers by card type of all time?").run()
    assert not page.exception and not [w for w in page.warning if "Cortex" in w.value]
    shown = page.dataframe[0].value
    assert sorted(shown["card_type"]) == sorted({r["card_type"] for r in
                                                 same_rows["gold.marketing_customer_audience"].to_pylist()})


def app_test(monkeypatch, home, role: str) -> AppTest:
    import streamlit as st

    monkeypatch.setenv("C360_HOME", str(home))
    monkeypatch.setenv("C360_TARGET", "local")
    monkeypatch.setenv("C360_APP_ROLE", role)
    st.cache_resource.clear()  # the app caches its warehouse per process: a new role needs a new one
    st.cache_data.clear()
    return app_page().run()


def said(page: AppTest) -> str:
    """Everything the page said, for an assertion's message: when an expected warning is missing, what came instead."""
    return "; ".join(f"{kind}: {element.value}" for kind in ("exception", "error", "warning", "info")
                     for element in getattr(page, kind))


def test_each_role_sees_only_the_search_and_pages_it_may(app_home, monkeypatch):
    marketing = app_test(monkeypatch, app_home, "MARKETING_MANAGER")
    assert not marketing.exception
    assert marketing.text_input[0].label == "Search customers by customer id"
    marketing.sidebar.radio[0].set_value("Pipeline health").run()
    assert any("may not read the OBSERVABILITY schema" in w.value for w in marketing.warning), said(marketing)

    engineer = app_test(monkeypatch, app_home, "DATA_ENGINEER")
    assert engineer.text_input[0].label == "Search customers by customer id or name or email"
    engineer.sidebar.radio[0].set_value("Pipeline health").run()
    assert not engineer.exception and not engineer.warning
    # No login configured: every page says so, naming the role everyone reads as.
    assert any("No login in front of this app" in i.value and "DATA_ENGINEER" in i.value for i in engineer.info), \
        said(engineer)
    assert "Latest run of each job" in [h.value for h in engineer.subheader]


def test_what_was_typed_is_shown_literally_and_shortened_and_the_count_says_first_20_of_all(app_home, monkeypatch):
    page = app_test(monkeypatch, app_home, "DATA_ENGINEER")
    page.text_input(key="search").input("**bold** [link](http://example.com) " + "x" * 5_000).run()
    [warning] = page.warning
    assert "\\*\\*bold\\*\\*" in warning.value and "\\[link\\]\\(http" in warning.value  # Markdown shows it as typed
    assert len(warning.value) < 400 and warning.value.rstrip("”.").endswith("…")
    page.text_input(key="search").input("CUST").run()  # every customer id matches
    assert f"First 20 of {BUILT_CUSTOMERS:,} matches" in [c.value for c in page.caption]


def test_without_a_churn_model_no_campaign_or_ask_figure_is_shown_and_the_page_says_why(app_home, monkeypatch):
    rule_high = query(app_home, "select count(*) from gold.marketing_customer_audience where churn_risk_band = 'High'")
    assert query(app_home, "select count(model_churn_risk_score) from gold.marketing_customer_audience") == [(0,)]
    page = app_test(monkeypatch, app_home, "MARKETING_MANAGER")
    page.sidebar.radio[0].set_value("Campaign simulator").run()
    [warning] = page.warning
    assert "No campaign figures" in warning.value and "churn_training" in warning.value
    assert f"puts {rule_high[0][0]:,} of them at High risk" in warning.value
    assert not page.metric  # no 0 churners, no ROI of -100 %

    page.sidebar.radio[0].set_value("Ask").run()
    page.selectbox(key="verified_choice").select("How many customers are at high risk of churning?").run()
    assert any("has not scored any of these" in w.value for w in page.warning), said(page)
    assert not [c.value for c in page.caption if c.value.startswith("Answer:")]


def test_a_trend_whose_prior_window_lies_before_the_history_is_empty_with_its_reason(app_home, monkeypatch):
    """3 months of history: the 90 days before the last 90 begin before it, so no customer has a trend."""
    assert query(app_home, "select spend_trend, spend_trend_note, count(spend_trend_pct) from gold.customer_360_profile "
                           "group by all") == [
        ("No baseline", "No baseline: the prior 90 days begin before the portfolio history does", 0)]
    page = app_test(monkeypatch, app_home, "MARKETING_MANAGER")
    page.text_input(key="search").input("CUST").run()
    shown = [c.value.replace("\\", "") for c in page.caption]  # as escaped for Markdown, read back as text
    assert "No baseline: the prior 90 days begin before the portfolio history does" in shown
    assert all(m.delta is None or "%" not in str(m.delta) for m in page.metric)


def test_a_missing_warehouse_is_a_page_that_says_what_to_do(tmp_path, monkeypatch):
    page = app_test(monkeypatch, tmp_path / "empty-home", "MARKETING_MANAGER")
    assert not page.exception
    [error] = page.error
    assert "No warehouse at" in error.value and "make demo" in error.value


def test_the_app_waits_for_a_writer_then_says_the_warehouse_is_busy(app_home, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(app_home))
    writer = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(30)", str(app_home / "warehouse.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        wh = AppWarehouse(settings())
        wh.busy_wait_s = 1.5
        started = time.monotonic()
        with pytest.raises(WarehouseUnavailable, match="being written by a pipeline run"):
            wh.query("SELECT 1 AS one")
        assert time.monotonic() - started >= 1.4  # it retried before giving up
    finally:
        writer.kill()
        writer.wait()
    assert AppWarehouse(settings()).query("SELECT 1 AS one")["one"].tolist() == [1]  # free again: reads at once


# --- The app in a real browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_url(app_home, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "C360_HOME": str(app_home), "C360_TARGET": "local", "C360_APP_PORT": str(port),
           "C360_APP_ROLE": "DATA_ENGINEER", "C360_AS_OF": AS_OF}
    log = tmp_path_factory.mktemp("app-log") / "streamlit.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "customer360.app"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(f"{url}/_stcore/health", process, timeout=90)
        yield url
    finally:
        stop_group(process)


def view(page, name: str, ready: str) -> None:
    page.get_by_text(name, exact=True).first.click()
    page.get_by_text(ready).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)  # charts draw after the text


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def download(page, button: str, tmp_path) -> list[dict]:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def pick(page, label: str, option: str) -> None:
    """Choose an option of a Streamlit select or multiselect by its label, once the page is idle."""
    page.wait_for_timeout(1_500)  # the rerun a previous input started must finish first, or it resets the choice
    box = page.locator("[data-testid=stMultiSelect], [data-testid=stSelectbox]").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    if box.get_attribute("data-testid") == "stMultiSelect":
        page.keyboard.press("Escape")  # a multiselect's list stays open after a choice


def test_every_view_in_a_real_browser(app_url, app_home, tmp_path):
    first, last, customer = query(
        app_home, "select first_name, last_name, customer_id from gold.customer_360_profile "
                  "where transaction_count > 20 order by customer_id limit 1")[0]
    with browser_page() as page:
        page.set_viewport_size({"width": 1500, "height": 2200})
        page.goto(app_url)
        page.get_by_text("Customer deep dive").first.wait_for(timeout=90_000)
        search = page.get_by_label("Search customers by customer id or name or email")

        # Hostile text: no match, no error.
        search.fill(HOSTILE[0] + HOSTILE[1])
        search.press("Enter")
        page.get_by_text("No customer matches").first.wait_for(timeout=30_000)

        # Deep dive: search by name, see the card, export the history and read it back.
        search.fill(f"{first} {last}")
        search.press("Enter")
        page.get_by_text(f"{customer} — {first} {last}").first.wait_for(timeout=30_000)
        page.get_by_text("Lifetime value").first.wait_for()
        page.get_by_text("Daily approved spend").first.wait_for()
        page.wait_for_timeout(1_500)
        shot(page, "app_deep_dive.png")
        exported = download(page, "Download transactions (CSV)", tmp_path)
        window = query(app_home, "select transaction_id from gold.fct_transactions where customer_id = ? and "
                                 "transaction_date >= (select max(transaction_date) - 89 from gold.fct_transactions "
                                 "where customer_id = ?)", [customer, customer])
        assert sorted(r["transaction_id"] for r in exported) == sorted(r[0] for r in window)
        assert exported and all(r["transaction_id"] for r in exported)

        # Segment explorer: filter, export, read back.
        view(page, "Segment explorer", "Customers by behavioural segment")
        pick(page, "Card type", "Premium")
        premium = query(app_home, "select count(*) from gold.marketing_customer_audience where card_type = 'Premium'")[0][0]
        page.get_by_role("button", name=f"Export {premium:,} customers (CSV)").wait_for(timeout=30_000)
        shot(page, "app_segment_explorer.png")
        rows = download(page, f"Export {premium:,} customers (CSV)", tmp_path)
        assert len(rows) == premium and {r["card_type"] for r in rows} == {"Premium"}
        assert "email" not in rows[0] and "first_name" not in rows[0]

        # Campaign simulator: the figures and a target list.
        view(page, "Campaign simulator", "No campaign figures")  # 3 months: no churn model, so no figure
        shot(page, "app_campaign.png")
        assert page.get_by_text("Expected retained value").count() == 0
        targets = download(page, f"Export target list ({CUSTOMERS:,} customers, CSV)", tmp_path)
        assert len(targets) == CUSTOMERS and "email" not in targets[0]

        # Ask: the mode is stated; a verified question answers; the explorer generates SQL.
        view(page, "Ask", "Mode: local")
        typed = page.get_by_label("Type a question to find the closest verified ones")
        typed.fill("spend per merchant category")
        typed.press("Enter")
        page.wait_for_timeout(1_000)
        pick(page, "Verified question", "What is the approved spend by merchant category?")
        categories = query(app_home, "select count(distinct merchant_category) from gold.fct_transactions "
                                     "where status = 'approved'")[0][0]
        page.get_by_text(f"Answer: {categories:,} row(s)").first.wait_for(timeout=30_000)
        page.get_by_text("Explorer result: 1 row(s)").first.wait_for(timeout=30_000)
        shot(page, "app_ask.png")

        # Pipeline health: the demo's runs.
        view(page, "Pipeline health", "Latest run of each job")
        page.get_by_text("Record counts").first.wait_for()
        shot(page, "app_pipeline_health.png")
    for name in ("app_deep_dive", "app_segment_explorer", "app_campaign", "app_ask", "app_pipeline_health"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 20_000, name


def test_ask_answers_a_question_then_a_follow_up_and_its_csv_reads_back_in_a_real_browser(app_url, app_home, tmp_path):
    """Ask's parser in the app (as DATA_ENGINEER): a question, the follow-up "and only Premium?" that refines it, the
    answer's CSV read back against SQL written here over the facts and the accounts, and a reading of a "clarify"."""
    last_month = ("2026-05-01", "2026-05-31")  # the last complete month before as-of (2026-06-17)
    expected = dict(query(app_home, "select t.merchant_category, sum(t.transaction_amount) from gold.fct_transactions t "
                                    "join gold.marketing_customer_audience a using (customer_id) where a.card_type = "
                                    "'Premium' and t.status = 'approved' and t.transaction_date between ? and ? "
                                    "group by 1", last_month))
    with browser_page() as page:
        page.set_viewport_size({"width": 1500, "height": 2200})
        page.goto(app_url)
        page.get_by_text("Customer deep dive").first.wait_for(timeout=90_000)
        view(page, "Ask", "Mode: local")
        box = page.get_by_label("Ask a question about the portfolio")
        box.fill("spend by category last month")
        box.press("Enter")
        page.get_by_text("Understood: Approved spend by merchant category, May 2026").first.wait_for(timeout=30_000)

        box.fill("and only Premium?")
        box.press("Enter")
        page.get_by_text("Understood: Approved spend by merchant category, card type Premium, May 2026").first \
            .wait_for(timeout=30_000)
        page.wait_for_timeout(1_500)
        shot(page, "app_ask_follow_up.png")
        rows = download(page, "Download answer (CSV)", tmp_path)
        assert {r["merchant_category"]: round(float(r["approved_spend"]), 2) for r in rows} == \
            {category: round(float(spend), 2) for category, spend in expected.items()}

        box.fill("How many Declining customers are there?")
        box.press("Enter")
        page.get_by_text("Clarify:").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="customer count for customer segment Declining").click()
        declining = query(app_home, "select count(*) from gold.marketing_customer_audience "
                                    "where customer_segment = 'Declining'")[0][0]
        page.get_by_text("Understood: Customer count, generated segment Declining").first.wait_for(timeout=30_000)
        page.get_by_text(f"{declining:,}", exact=True).first.wait_for(timeout=30_000)  # the figure, as a metric
