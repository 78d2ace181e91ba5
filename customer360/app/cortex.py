"""Cortex Analyst (Snowflake only): a question in words -> the SQL it wrote from the published semantic model.

The REST endpoint /api/v2/cortex/analyst/message, authorized with the app's own Snowflake session token, so the
question runs with the app's role. The SQL Cortex returns is run through the same connection only if it is one
read-only SELECT (the connection refuses anything else too): the role's grants and masking apply to it like to every
other query, and it cannot change the session's role. Locally there is no language model; the Ask page says so
and offers the verified questions and the explorer instead (customer360/lib/semantic).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import requests

from customer360.app.access import NotReadOnly, read_only_statement
from customer360.lib.semantic import STAGE

ENDPOINT = "/api/v2/cortex/analyst/message"
TIMEOUT_S = 60


class CortexError(RuntimeError):
    """Cortex Analyst answered with an error, or not at all; the message carries its words."""


@dataclass(frozen=True)
class Answer:
    text: str  # Cortex's interpretation of the question, or why it cannot answer
    sql: str | None  # None when it asks for clarification instead
    suggestions: tuple[str, ...]
    request_id: str | None


def semantic_model_file(database: str) -> str:
    return f"@{database.upper()}.{STAGE}/customer360.yaml"


def base_url(account: str, host: str | None, port: int | None, protocol: str | None) -> str:
    host = host or f"{account}.snowflakecomputing.com"
    return f"{protocol or 'https'}://{host}" + (f":{port}" if port else "")


def ask(url: str, token: str, question: str, model_file: str) -> Answer:
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": question}]}],
            "semantic_model_file": model_file}
    try:
        response = requests.post(url + ENDPOINT, json=body, timeout=TIMEOUT_S,
                                 headers={"Authorization": f'Snowflake Token="{token}"', "Accept": "application/json"})
    except requests.RequestException as error:
        raise CortexError(f"Cortex Analyst did not answer: {error}") from None
    if response.status_code != 200:
        raise CortexError(f"Cortex Analyst refused the question (HTTP {response.status_code}): {response.text[:500]}")
    payload = response.json()
    texts, sql, suggestions = [], None, []
    for part in payload.get("message", {}).get("content", []):
        if part.get("type") == "text":
            texts.append(part.get("text", ""))
        elif part.get("type") == "sql":
            sql = part.get("statement")
        elif part.get("type") == "suggestions":
            suggestions.extend(part.get("suggestions", []))
    return _checked(Answer(" ".join(texts).strip(), sql, tuple(suggestions), payload.get("request_id")))


def _checked(answer: Answer) -> Answer:
    """Cortex's SQL is run only if it is one read-only SELECT; otherwise the answer says why and carries no SQL."""
    if answer.sql is None:
        return answer
    try:
        read_only_statement(answer.sql)
    except NotReadOnly as refusal:
        return replace(answer, text=f"{answer.text} The SQL Cortex Analyst wrote was not run: {refusal}.".strip(),
                       sql=None)
    return answer
