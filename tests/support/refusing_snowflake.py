"""A Snowflake login endpoint that refuses every login the way Snowflake refuses a wrong password, and counts them.

fakesnow accepts any password, so what a refused login does to the pipeline (and to dbt) is tested against this:
the connector gets Snowflake's own answer (HTTP 200, success false, code 390100) and raises what it raises for a
real account.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOGIN_PATH = "/session/v1/login-request"
REFUSAL = {"data": None, "code": "390100", "message": "Incorrect username or password was specified.",
           "success": False, "headers": None}


class RefusingSnowflake:
    """`with RefusingSnowflake() as server:` listens on 127.0.0.1:`server.port`; `server.logins` counts attempts."""

    def __init__(self):
        self.logins = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith(LOGIN_PATH):
                    owner.logins += 1
                body = json.dumps(REFUSAL if self.path.startswith(LOGIN_PATH) else {"success": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]

    def __enter__(self) -> RefusingSnowflake:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
