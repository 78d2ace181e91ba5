"""The Cortex Analyst client against a stand-in HTTP endpoint on loopback: what it sends, what it reads back.

Only Snowflake runs Cortex Analyst; this checks the request (endpoint, token header, question, semantic model
file) and the parsing of its documented response shape, including its errors."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from customer360.app.cortex import ENDPOINT, CortexError, ask, base_url, semantic_model_file


@pytest.fixture
def endpoint():
    seen, replies = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "authorization": self.headers["Authorization"], "body": body})
            status, payload = replies.pop(0)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen, replies
    server.shutdown()


def test_a_question_is_sent_with_the_session_token_and_the_published_model_and_its_sql_read_back(endpoint):
    url, seen, replies = endpoint
    replies.append((200, {"request_id": "r-1", "message": {"role": "analyst", "content": [
        {"type": "text", "text": "This is our interpretation of your question: high-risk customers."},
        {"type": "sql", "statement": "SELECT COUNT(*) FROM gold.marketing_customer_audience"}]}}))
    answer = ask(url, "tok-123", "How many customers may churn?", semantic_model_file("customer_analytics"))
    [request] = seen
    assert request["path"] == ENDPOINT and request["authorization"] == 'Snowflake Token="tok-123"'
    assert request["body"] == {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "How many customers may churn?"}]}],
        "semantic_model_file": "@CUSTOMER_ANALYTICS.GOLD.SEMANTIC_MODELS/customer360.yaml"}
    assert answer.sql == "SELECT COUNT(*) FROM gold.marketing_customer_audience"
    assert answer.text.startswith("This is our interpretation") and answer.request_id == "r-1"


def test_a_question_it_cannot_answer_brings_suggestions_and_no_sql(endpoint):
    url, _, replies = endpoint
    replies.append((200, {"message": {"content": [
        {"type": "text", "text": "The question is ambiguous."},
        {"type": "suggestions", "suggestions": ["How many customers are High risk?"]}]}}))
    answer = ask(url, "t", "customers?", "@DB.GOLD.SEMANTIC_MODELS/customer360.yaml")
    assert answer.sql is None and answer.suggestions == ("How many customers are High risk?",)


def test_sql_from_cortex_that_is_not_one_read_only_select_is_never_handed_on_to_run(endpoint):
    url, _, replies = endpoint
    replies.append((200, {"message": {"content": [
        {"type": "text", "text": "Here is the count."},
        {"type": "sql", "statement": "SELECT COUNT(*) FROM gold.dim_date; USE ROLE DATA_ENGINEER"}]}}))
    answer = ask(url, "t", "how many days?", "@DB.GOLD.SEMANTIC_MODELS/customer360.yaml")
    assert answer.sql is None
    assert answer.text.startswith("Here is the count. The SQL Cortex Analyst wrote was not run: more than one statement")


def test_an_error_from_cortex_is_shown_with_its_status_and_words(endpoint):
    url, _, replies = endpoint
    replies.append((400, {"message": "semantic model file not found"}))
    with pytest.raises(CortexError, match="HTTP 400.*semantic model file not found"):
        ask(url, "t", "anything", "@DB.GOLD.SEMANTIC_MODELS/customer360.yaml")


def test_the_url_is_the_accounts_or_the_configured_host():
    assert base_url("xy12345.eu-west-1", None, None, None) == "https://xy12345.eu-west-1.snowflakecomputing.com"
    assert base_url("acct", "127.0.0.1", 8080, "http") == "http://127.0.0.1:8080"
