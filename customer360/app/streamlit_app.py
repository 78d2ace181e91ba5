"""The Customer 360 app: `make app` (or `python -m customer360 app`) serves it on C360_APP_PORT (default 8501).

Six views in the sidebar; what each shows depends on the reader's role (access.py): the logged-in identity's
(login.py), or C360_APP_ROLE when no login is configured. Every query is in
queries.py (values bound, never pasted) or generated from the semantic model (customer360/lib/semantic).
"""

import datetime as dt

import pandas as pd
import streamlit as st

from customer360.app import campaign, cortex, login, queries
from customer360.app.access import AppRole
from customer360.app.ask import asker, filer
from customer360.app.display import literal, match_caption
from customer360.app.reports_page import reports_page
from customer360.app.warehouse import AppWarehouse, WarehouseUnavailable
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.semantic import SemanticModelError, load, uses_churn_model
from customer360.lib.semantic.ask import Answer, Asker
from customer360.resources import object_store_resource
from customer360.settings import Settings, SettingsError, settings

VIEWS = ("Customer deep dive", "Segment explorer", "Campaign simulator", "Ask", "Reports", "Pipeline health")
st.set_page_config(page_title="Customer 360", page_icon=":credit_card:", layout="wide")


@st.cache_resource
def warehouse(role_name: str, home: str) -> AppWarehouse:
    """One per role, home and process: on Snowflake each role reads with a user of its own. Keyed by the home too:
    a process that serves the app for another C360_HOME afterwards (the tests' AppTest pages do) must not read the
    first home's warehouse."""
    return AppWarehouse(settings(app=True), role_name)


def reader_role(s: Settings) -> str:
    """The role this session reads as. With a login: the identity's mapped role, after it logged in; an identity with
    no mapped group sees only why it was refused. Without one: C360_APP_ROLE."""
    if s.app_login is None:
        return s.app_role
    if not st.user.is_logged_in:
        st.title("Customer 360")
        st.write("Log in with your organisation's account to open the app.")
        st.button("Log in", on_click=st.login, type="primary")
        st.stop()
        raise RuntimeError("st.stop() returned: not logged in")  # never fall through to a role
    try:
        return login.role_for(st.user.to_dict(), s.app_login)
    except login.Refused as refused:
        st.error(str(refused))
        st.button("Log out", on_click=st.logout)
        st.stop()
        raise  # st.stop() ends the script run; never fall through to a role


@st.cache_data(ttl=300, show_spinner=False)
def filter_options(_wh: AppWarehouse, key: str) -> dict[str, list[str]]:
    return queries.filter_options(_wh)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def money(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"${float(value):,.2f}"


# --- Customer deep dive ---------------------------------------------------------------------------------------

def deep_dive(wh: AppWarehouse) -> None:
    st.header("Customer deep dive")
    fields = " or ".join(wh.role.search_fields)
    text = st.text_input(f"Search customers by {fields}", key="search",
                         help=None if wh.role.reads_pii else f"{wh.role.name} cannot read names or e-mail unmasked: "
                                                              "search by customer id (e.g. CUST00000042).")
    if not text.strip():
        st.caption("Type part of a customer id" + (", a name or an e-mail" if wh.role.reads_pii else "") + ".")
        return
    found, total = queries.search_customers(wh, text)
    if found.empty:
        st.warning(f"No customer matches “{literal(text)}”.")
        return
    st.caption(match_caption(len(found), total).capitalize())
    st.dataframe(found, hide_index=True, width="stretch")
    customer_id = st.selectbox("Customer", found["customer_id"].tolist(), key="customer")
    card = queries.customer_card(wh, customer_id)
    if card is None:
        st.warning(f"{customer_id} is not in the marketing audience.")
        return
    show_card(card)
    show_history(wh, customer_id)


def show_card(card: dict) -> None:
    title = literal(card["customer_id"])
    if card.get("first_name"):
        title += f" — {literal(card['first_name'])} {literal(card['last_name'])} ({literal(card['email'])})"
    st.subheader(title)
    band, score = card.get("model_churn_risk_band"), card.get("model_churn_risk_score")
    if band is None or pd.isna(band):
        st.info(f"Churn model: not scored yet. Rule-based churn risk: {card['churn_risk_band']}.")
    else:
        alert = {"High": st.error, "Medium": st.warning}.get(band, st.success)
        alert(f"Churn alert: {band} risk (model score {int(score)}/100; rule-based band {card['churn_risk_band']})")
    cols = st.columns(5)
    cols[0].metric("Lifetime value", money(card["lifetime_value"]))
    cols[1].metric("Average transaction", money(card["avg_transaction_value"]))
    trend_pct = card.get("spend_trend_pct")
    cols[2].metric("90-day spend", money(card["spend_last_90_days"]),
                   delta=None if trend_pct is None or pd.isna(trend_pct) else f"{trend_pct:+.1f} % vs prior 90 days")
    cols[3].metric("Spend trend", card["spend_trend"])
    cols[4].metric("RFM cell", card["rfm_cell"])
    note = card.get("spend_trend_note")
    if note is not None and not pd.isna(note):  # no trend from a window the history does not cover
        st.caption(literal(note, limit=200))
    details = {"Generated segment": card["customer_segment"], "Behavioural segment": card["behavioural_segment"],
               "Value tier": card["value_tier"], "State": card["state"], "Card type": card["card_type"],
               "Age band": card["age_band"], "Favourite category": card["favourite_category"],
               "Favourite channel": card["favourite_channel"],
               "Days since last transaction": card["days_since_last_transaction"]}
    if card.get("city"):
        details["City"] = card["city"]
    halves = st.columns(2)
    for i, (label, value) in enumerate(details.items()):
        halves[i % 2].markdown(f"**{label}:** {literal(value)}")


def show_history(wh: AppWarehouse, customer_id: str) -> None:
    st.subheader("Transactions")
    everything = queries.customer_history(wh, customer_id)
    if everything.empty:
        st.info("No transactions.")
        return
    days = everything["transaction_date"].map(queries.as_date)
    first, last = min(days), max(days)
    c1, c2, c3 = st.columns([2, 3, 2])
    period = c1.date_input("Period", value=(max(first, last - dt.timedelta(days=89)), last), min_value=first,
                           max_value=last, key=f"period_{customer_id}")  # bounds differ per customer
    date_from, date_to = (period[0], period[-1]) if isinstance(period, tuple) and period else (first, last)
    categories = c2.multiselect("Categories", merchant_categories(wh, wh.where), key="categories")
    statuses = c3.multiselect("Status", ["approved", "declined"], key="statuses")
    history = queries.HistoryFilter(date_from, date_to, categories, statuses).apply(everything)
    st.caption(f"{len(history):,} transactions from {date_from} to {date_to}")
    approved = history[history["status"] == "approved"].copy()
    approved["transaction_amount"] = approved["transaction_amount"].astype(float)
    left, right = st.columns(2)
    with left:
        st.markdown("**Daily approved spend**")
        daily = approved.groupby("transaction_date")["transaction_amount"].sum()
        st.line_chart(daily.rename("spend"))
    with right:
        st.markdown("**Category mix (approved spend)**")
        st.bar_chart(approved.groupby("merchant_category")["transaction_amount"].sum().rename("spend"))
    st.dataframe(history, hide_index=True, width="stretch")
    st.download_button("Download transactions (CSV)", csv_bytes(history), f"{customer_id}_transactions.csv",
                       "text/csv", key="download_history")


@st.cache_data(ttl=300, show_spinner=False)
def merchant_categories(_wh: AppWarehouse, key: str) -> list[str]:
    return _wh.query("SELECT merchant_category FROM gold.dim_merchant_category ORDER BY 1")["merchant_category"].tolist()


# --- Segment explorer and campaign simulator --------------------------------------------------------------------

def audience_filter(wh: AppWarehouse, prefix: str) -> queries.AudienceFilter:
    options = filter_options(wh, wh.where)
    columns = st.columns(3)
    chosen = {}
    for i, (label, column) in enumerate(queries.FILTER_COLUMNS.items()):
        chosen[column] = columns[i % 3].multiselect(label, options[label], key=f"{prefix}_{column}")
    minimum = st.number_input("Minimum lifetime value ($)", min_value=0.0, value=0.0, step=1000.0,
                              key=f"{prefix}_min_ltv")
    return queries.AudienceFilter(chosen, minimum)


def segment_explorer(wh: AppWarehouse) -> None:
    st.header("Segment explorer")
    selection = audience_filter(wh, "explorer")
    summary = queries.audience_summary(wh, selection)
    customers = int(summary["customers"].sum()) if not summary.empty else 0
    c1, c2 = st.columns(2)
    c1.metric("Customers", f"{customers:,}")
    c2.metric("Lifetime value", money(summary["lifetime_value"].astype(float).sum() if customers else 0))
    if not customers:
        st.warning("No customer matches these filters.")
        return
    summary["lifetime_value"] = summary["lifetime_value"].astype(float)
    left, right = st.columns(2)
    with left:
        st.markdown("**Customers by behavioural segment**")
        st.bar_chart(summary.groupby("behavioural_segment")["customers"].sum())
    with right:
        st.markdown("**Customers by churn band (model)**")
        st.bar_chart(summary.groupby("churn_band")["customers"].sum())
    st.dataframe(summary, hide_index=True, width="stretch")
    rows = queries.audience_rows(wh, selection)
    st.download_button(f"Export {len(rows):,} customers (CSV)", csv_bytes(rows), "segment_export.csv", "text/csv",
                       key="download_segment")


def campaign_simulator(wh: AppWarehouse) -> None:
    st.header("Campaign simulator")
    selection = audience_filter(wh, "campaign")
    c1, c2 = st.columns(2)
    rate = c1.slider("Retention rate: share of would-be churners the campaign keeps (%)", 0, 100, 20,
                     key="retention") / 100
    cost = c2.number_input("Cost per contact ($)", min_value=0.0, value=5.0, step=0.5, key="cost")
    rows = queries.audience_rows(wh, selection)
    if rows.empty:
        st.warning("No customer matches these filters.")
        return
    scores = [None if pd.isna(v) else float(v) for v in rows["model_churn_risk_score"]]
    spend = [0.0 if pd.isna(v) else float(v) for v in rows["spend_last_90_days"]]
    result = campaign.simulate(scores, spend, rate, cost)
    coverage = queries.ChurnModelCoverage(result.contacts, result.contacts - result.unscored,
                                          int((rows["churn_risk_band"] == "High").sum()),
                                          model_scored_anyone=queries.churn_model_coverage(wh).scored > 0)
    if coverage.missing():  # no figure from nothing: 0 churners and ROI -100 % would read as facts
        st.warning("No campaign figures: expected churners, retained value and ROI come from the churn model's "
                   f"probabilities. {coverage.missing()}")
        download_targets(rows)
        return
    m = st.columns(5)
    m[0].metric("Contacts", f"{result.contacts:,}")
    m[1].metric("Expected churners", f"{result.expected_churners:,.0f}")
    m[2].metric("Expected retained value", money(result.retained_value))
    m[3].metric("ROI", "n/a" if result.roi is None else f"{result.roi:.0%}")
    m[4].metric("Breakeven retention", "n/a" if result.breakeven_retention_rate is None
                else f"{result.breakeven_retention_rate:.1%}")
    st.caption(f"Value at risk {money(result.value_at_risk)} (churn probability x a year of the customer's spend at "
               f"the last 90 days' rate); campaign cost {money(result.cost)}; net {money(result.net_value)}."
               + (f" {result.unscored:,} customers have no model score and count as not at risk."
                  if result.unscored else ""))
    curve = pd.DataFrame(result.sensitivity(), columns=["retention rate", "net value"]).set_index("retention rate")
    st.markdown("**Net value by retention rate**")
    st.line_chart(curve)
    download_targets(rows)


def download_targets(rows: pd.DataFrame) -> None:
    st.download_button(f"Export target list ({len(rows):,} customers, CSV)", csv_bytes(rows), "campaign_targets.csv",
                       "text/csv", key="download_targets")


# --- Ask --------------------------------------------------------------------------------------------------------

PARSER, CORTEX = "Ask's parser (no language model)", "Cortex Analyst"


def ask(wh: AppWarehouse, requested_by: str) -> None:
    st.header("Ask")
    model = load()
    mode = PARSER
    if wh.dialect == "snowflake":
        mode = st.radio("Answered by", [CORTEX, PARSER], key="ask_mode", horizontal=True,
                        help="Cortex Analyst writes SQL from the published semantic model with a language model; "
                             "Ask's parser reads the question with the model's names and values, without one.")
        st.info("Cortex Analyst reads the published semantic model (@GOLD.SEMANTIC_MODELS/customer360.yaml); the SQL "
                "it writes runs as your role. When it is unavailable, Ask's parser answers instead.")
    else:
        st.info("Mode: local. No language model runs here: Ask reads your question with the semantic model's names, "
                "synonyms and values, says what it understood and shows the SQL it ran with its bound values. When "
                "it is not sure it asks (clarify) or says why not (refused); it never guesses a figure. Follow-ups "
                "refine the last answer: “and only Premium?”, “by month instead”, “how many customers instead”; "
                "after a clarify, pick a reading or say which (“the behavioural one”). On Snowflake this page asks "
                "Cortex Analyst, or this parser when chosen.")
    question = st.text_input("Ask a question about the portfolio", key="ask_question",
                             placeholder="Who are our top 10 customers by spending?")
    if question.strip():
        if mode == CORTEX:
            try:
                ask_cortex(wh, question)
            except cortex.CortexError as error:
                st.warning(f"Cortex Analyst is unavailable ({literal(error, limit=300)}); Ask's parser answers instead.")
                ask_parser(wh, question, requested_by)
        else:
            ask_parser(wh, question, requested_by)
    verified_questions(wh, model)
    explorer(wh, model)


def ask_cortex(wh: AppWarehouse, question: str) -> None:
    """Cortex Analyst's answer; a CortexError (unavailable, refused) is the caller's to fall back on."""
    sf = wh.settings.snowflake
    conn = wh.connection()
    answer = cortex.ask(cortex.base_url(sf.account, sf.host, sf.port, sf.protocol), conn.rest.token, question,
                        cortex.semantic_model_file(sf.database))
    st.write(answer.text)
    for suggestion in answer.suggestions:
        st.caption(f"Try: {suggestion}")
    if answer.sql:
        st.code(answer.sql, language="sql")
        if model_figure_missing(wh, answer.sql):
            return
        st.dataframe(wh.query(answer.sql), hide_index=True, width="stretch")


@st.cache_resource(ttl=300, show_spinner=False)
def parser_for(_wh: AppWarehouse, role_name: str, where: str) -> Asker:
    """One per role and warehouse for a few minutes: the vocabulary holds the warehouse's distinct values."""
    return asker(_wh)


def ask_parser(wh: AppWarehouse, question: str, requested_by: str) -> None:
    """Ask's answer to `question`, a follow-up of the last question answered in this session when it reads as one.
    A report request is filed once per question asked: Streamlit reruns this script on every widget change (a
    download, another page and back), and a rerun shows the answer already given instead of filing again."""
    last = st.session_state.get("ask_last")
    if last and last[0] == question:  # a rerun (a download, a chart): the same answer, not a second refinement
        answer = last[1]
    else:
        answer = parser_for(wh, wh.role.name, wh.where).ask(question, st.session_state.get("ask_context"),
                                                             file=filer(wh, requested_by))
        st.session_state["ask_last"] = (question, answer)
        if answer.context is not None:  # the question answered, or a clarify's readings ("the first one")
            st.session_state["ask_context"] = answer.context
    show_answer(answer)


def _set_question(text: str) -> None:
    st.session_state["ask_question"] = text


def show_answer(answer: Answer) -> None:
    if answer.status != "answered":
        (st.warning if answer.status == "clarify" else st.error)(
            f"{'Clarify' if answer.status == 'clarify' else 'Refused'}: {literal(answer.interpretation, limit=600)}")
        for i, reading in enumerate(answer.suggestions):
            st.button(reading, key=f"ask_reading_{i}", on_click=_set_question, args=(reading,))
        return
    st.success(f"Understood: {literal(answer.interpretation, limit=800)}")
    frame = pd.DataFrame([list(r) for r in answer.as_json()["rows"]], columns=list(answer.columns))
    answer_chart(answer, frame)
    st.caption(f"Ask answer: {len(frame):,} row(s)")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download answer (CSV)", csv_bytes(frame), "ask_answer.csv", "text/csv", key="download_ask")
    with st.expander("SQL (generated from the semantic model)"):
        st.code(answer.sql or "", language="sql")
        st.caption(f"Bound values: {literal(answer.as_json()['params'], limit=400)}")


def answer_chart(answer: Answer, frame: pd.DataFrame) -> None:
    """A number, bars or a line, as the answer's shape says (its chart); tables are shown as they are."""
    if frame.empty or answer.chart == "table":
        return
    measure = frame.columns[-1] if frame.columns[-1] != "share" else frame.columns[-2]
    values = pd.to_numeric(frame[measure], errors="coerce")
    if answer.chart == "number":
        value = values.iloc[0]
        shown = ("n/a" if pd.isna(value) else f"{int(value):,}" if float(value).is_integer()
                 else f"{value:.4f}" if abs(value) < 1 else f"{value:,.2f}")
        st.metric(measure.replace("_", " ").capitalize(), shown)
        return
    keys = [c for c in frame.columns if c not in (measure, "share")]
    data = frame.assign(**{measure: values})
    if len(keys) == 2:  # a second grouping becomes the series
        time_key = next((k for k in keys if k in ("day", "week", "month", "quarter", "year")), keys[0])
        other = next(k for k in keys if k != time_key)
        data = data.pivot_table(index=time_key, columns=other, values=measure, aggfunc="sum")
    else:
        data = data.set_index(keys[0])[measure]
    (st.line_chart if answer.chart == "line" else st.bar_chart)(data)


def verified_questions(wh: AppWarehouse, model) -> None:
    st.subheader("Verified questions")
    typed = st.text_input("Type a question to find the closest verified ones", key="verified_search")
    if typed.strip():
        matches = model.matching_questions(typed)
        if not matches:
            st.warning("No verified question is close to that. Pick one from the full list, or use the explorer.")
        candidates = [q for q, _ in matches] or list(model.verified_queries)
    else:
        candidates = list(model.verified_queries)
    labels = {q.question: q.name for q in candidates}
    chosen = st.selectbox("Verified question", list(labels), index=None, placeholder="Choose a question",
                          key="verified_choice")
    if chosen:
        sql = model.verified_sql(labels[chosen])
        with st.expander("SQL (from the semantic model)"):
            st.code(sql, language="sql")
        if model_figure_missing(wh, model.verified(labels[chosen]).sql):
            return
        answer = wh.query(sql)
        st.caption(f"Answer: {len(answer):,} row(s)")
        if answer.empty:
            st.info("No row answers this question on the current data (for a drop in spend: no full month fell "
                    "against the month before).")
        st.dataframe(answer, hide_index=True, width="stretch")


def model_figure_missing(wh: AppWarehouse, sql: str) -> bool:
    """Say so, and show nothing, when a question needs the churn model's scores and the model scored no one."""
    if not uses_churn_model(sql):
        return False
    missing = queries.churn_model_coverage(wh).missing()
    if missing:
        st.warning(missing)
    return missing is not None


def explorer(wh: AppWarehouse, model) -> None:
    st.subheader("Explorer: metric x dimension x filter")
    c1, c2, c3 = st.columns(3)
    table = model.table(c1.selectbox("Table", [t.name for t in model.tables], key="explorer_table"))
    metric = c2.selectbox("Metric", [m.name for m in table.metrics], key=f"explorer_metric_{table.name}")
    dimensions = [c.name for c in table.dimensions if c.name not in ("customer_id", "transaction_id")]
    dimension = c3.selectbox("By", ["(total)", *dimensions], key=f"explorer_dim_{table.name}")
    f1, f2 = st.columns(2)
    filter_on = f1.selectbox("Filter on", ["(none)", *dimensions], key=f"explorer_filter_{table.name}")
    filters = {}
    if filter_on != "(none)":
        samples = list(table.column(filter_on).sample_values)
        filters[filter_on] = f2.multiselect("Values", samples, key=f"explorer_values_{table.name}_{filter_on}")
    try:
        sql, params = model.explorer_sql(table.name, metric, None if dimension == "(total)" else dimension, filters)
    except SemanticModelError as error:
        st.error(str(error))
        return
    with st.expander("Generated SQL"):
        st.code(sql, language="sql")
        if params:
            st.caption(f"Bound values: {literal(params)}")
    named = " ".join([table.metric(metric).expr, dimension, *filters])  # not the CTE, which lists every column
    if model_figure_missing(wh, named):
        return
    result = wh.query(sql, params)
    st.caption(f"Explorer result: {len(result):,} row(s)")
    if dimension != "(total)" and not result.empty:
        result[metric] = result[metric].astype(float)
        st.bar_chart(result.set_index(dimension)[metric])
    st.dataframe(result, hide_index=True, width="stretch")


# --- Pipeline health --------------------------------------------------------------------------------------------

def pipeline_health(wh: AppWarehouse) -> None:
    st.header("Pipeline health")
    if not wh.role.reads_observability:
        st.warning(f"The role {wh.role.name} may not read the OBSERVABILITY schema. Pipeline health is for "
                   "DATA_ANALYST and DATA_ENGINEER.")
        return
    st.subheader("Latest run of each job")
    st.dataframe(queries.latest_runs(wh), hide_index=True, width="stretch")
    st.subheader("Data-quality failures, last 7 days")
    failures = queries.recent_failures(wh)
    if failures.empty:
        st.success("No data-quality check failed in the last 7 days.")
    else:
        st.dataframe(failures, hide_index=True, width="stretch")
    st.subheader("Record counts")
    trends = queries.record_count_trends(wh)
    if trends["measured_date"].nunique() > 1:
        st.line_chart(trends.pivot_table(index="measured_date", columns="table_name", values="row_count",
                                         aggfunc="max"))
    elif not trends.empty:  # one day measured so far: the counts of that day
        st.bar_chart(trends.set_index("table_name")["row_count"])
    st.dataframe(trends, hide_index=True, width="stretch")


@st.cache_resource
def object_store() -> ObjectStoreResource:
    """Where the reports' files are (the local lake or S3), for the Reports page's downloads."""
    return object_store_resource(settings(app=True))


def requester(wh: AppWarehouse, s: Settings) -> str:
    """Who a request from the app is from: the logged-in identity, else the app's role."""
    if s.app_login is not None:
        return str(st.user.get("email") or st.user.get("sub") or f"app:{wh.role.name}")
    return f"app:{wh.role.name}"


def sidebar(role: AppRole, where: str, s: Settings) -> str:
    st.sidebar.title("Customer 360")
    view = st.sidebar.radio("View", VIEWS, key="view")
    if s.app_login is None:
        st.sidebar.info(f"No login in front of this app: everyone who reaches it reads as {role.name} "
                           "(C360_APP_ROLE). Set C360_APP_OIDC_METADATA_URL to require one (docs/app.md: Log in).")
    else:
        st.sidebar.caption(f"Logged in as **{literal(st.user.get('email') or st.user.get('sub') or '?')}**")
        st.sidebar.button("Log out", on_click=st.logout)
    st.sidebar.caption(f"Role: **{role.name}** ({role.description})")
    st.sidebar.caption(f"Warehouse: {where}")
    return view


def main() -> None:
    try:
        s = settings(app=True)
    except SettingsError as error:
        st.error(f"The app's settings are invalid: {error}")
        st.stop()
    wh = warehouse(reader_role(s), str(s.home))
    view = sidebar(wh.role, wh.where, s)
    if not st.session_state.get("warehouse_checked"):
        try:
            wh.check()
        except WarehouseUnavailable as error:
            st.error(str(error))
            st.stop()
        st.session_state["warehouse_checked"] = True
    pages = {"Customer deep dive": deep_dive, "Segment explorer": segment_explorer,
             "Campaign simulator": campaign_simulator, "Ask": lambda wh: ask(wh, requester(wh, s)),
             "Pipeline health": pipeline_health,
             "Reports": lambda wh: reports_page(wh, object_store(), requester(wh, s))}
    try:
        with wh.reading():
            pages[view](wh)
    except WarehouseUnavailable as error:
        st.error(str(error))
    except queries.AccessDenied as error:
        st.warning(str(error))


main()
