"""Stand-ins for where alerts go, on loopback: an HTTP server that answers like Slack (an incoming webhook, and the
Web API's chat.postMessage) and records every post, and a real SMTP server (aiosmtpd) that records every e-mail."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass
class SlackPost:
    path: str
    authorization: str | None
    body: dict


@dataclass
class SlackReceiver:
    """`down`: answer 503 (Slack unavailable), quoting the path, and record nothing; `gone`: answer 404 no_service, as
    Slack does for a webhook that was deleted."""

    port: int = 0
    posts: list[SlackPost] = field(default_factory=list)
    down: bool = False
    gone: bool = False

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T0TEST/B0TEST/hooksecretpathabcdef123456"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def texts(self) -> list[str]:
        return [post.body.get("text", "") for post in self.posts]


def _handler(receiver: SlackReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.down:  # quoting the path, as a proxy's error page can: the secret in a failure's text
                return self._answer(503, f"service unavailable for {self.path}".encode())
            if receiver.gone:
                return self._answer(404, b"no_service")
            body = json.loads(raw) if raw.startswith(b"{") else {"raw": raw.decode()}
            receiver.posts.append(SlackPost(self.path, self.headers.get("Authorization"), body))
            if self.path.startswith("/api/"):
                return self._answer(200, json.dumps({"ok": True, "channel": body.get("channel")}).encode(),
                                    "application/json")
            return self._answer(200, b"ok")

        def _answer(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: the test reads `posts`
            pass

    return Handler


@contextmanager
def slack_receiver() -> Iterator[SlackReceiver]:
    receiver = SlackReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class MailReceiver:
    """`refuse`: recipients answered 452 (mailbox full, try later) at RCPT TO; the others still get the message.
    `refuse_login`: every login fails (535), as with a wrong password."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refuse_login: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "452 4.2.2 mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Delivered-To"] = ", ".join(envelope.rcpt_tos)  # the envelope's recipients, as the server took them
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=not self.refuse_login, handled=False)  # refused: aiosmtpd answers 535


@contextmanager
def mail_receiver(port: int) -> Iterator[MailReceiver]:
    """An SMTP server on 127.0.0.1:`port` (plain SMTP, login accepted without TLS: loopback only)."""
    receiver = MailReceiver(port=port)
    controller = Controller(receiver, hostname="127.0.0.1", port=port, authenticator=receiver.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


def assert_sent_once_each_though_slack_was_down(ticks: Callable[[], str], slack: SlackReceiver, mail: MailReceiver,
                                                cause_failure: Callable[[], object]) -> None:
    """A failure while Slack answers 503: e-mail gets it at once, Slack on a later tick, each exactly once."""
    ticks()
    slack.down = True
    cause_failure()
    assert "1 alerts waiting for a channel" in ticks()
    assert slack.posts == [] and len(mail.messages) == 1
    slack.down = False
    ticks()
    ticks()
    assert len(slack.posts) == 1 and len(mail.messages) == 1
