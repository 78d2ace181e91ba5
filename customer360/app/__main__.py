"""`python -m customer360.app` (what `make app` runs): serve the app with Streamlit on C360_APP_PORT.

Kept apart from `python -m customer360`, whose commands import Dagster and dbt (~4 s) that the app never needs.
"""

import os
import sys
from pathlib import Path

from customer360.app.login import LoginSettingError, write_secrets
from customer360.home import private_home
from customer360.settings import ROOT, Settings, SettingsError, settings

SCRIPT = ROOT / "customer360" / "app" / "streamlit_app.py"


# No usage statistics, no file watcher, no developer toolbar. No "magic" either: every figure is drawn by an explicit
# st call, and with magic on Streamlit ast.parse()s the script in its own thread, which CPython 3.11.7 cannot do beside
# another thread's ast.parse ("AST constructor recursion depth mismatch", gh-106905). The tests' AppTest uses the same.
OPTIONS = {"server.headless": True, "browser.gatherUsageStats": False, "server.fileWatcherType": "none",
           "client.toolbarMode": "viewer", "runner.magicEnabled": False}


def command(s: Settings, secrets: Path | None = None) -> list[str]:
    """`streamlit run` at C360_APP_ADDRESS:C360_APP_PORT (loopback unless set) with OPTIONS; with a login, the
    secrets file that configures it."""
    argv = [str(Path(sys.executable).parent / "streamlit"), "run", str(SCRIPT), "--server.port", str(s.app_port),
            "--server.address", s.app_address]
    for name, value in OPTIONS.items():
        argv += [f"--{name}", str(value).lower()]
    return argv + (["--secrets.files", str(secrets)] if secrets else [])


def main() -> int:
    try:
        s = settings(app=True)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    where = f"Snowflake {s.snowflake.account}" if s.snowflake else str(s.warehouse_path)
    secrets_file = private_home(s.home) / "app" / "secrets.toml"
    try:
        secrets = write_secrets(s.app_login, os.environ, s.home) if s.app_login else None
    except LoginSettingError as error:
        print(error, file=sys.stderr)
        return 2
    if secrets is None:
        secrets_file.unlink(missing_ok=True)  # a login turned off leaves no client or cookie secret behind
    who = (f"each person as the role their groups map to, after logging in at {s.app_login.metadata_url}"
           if s.app_login else f"everyone as {s.app_role} (C360_APP_ROLE): no login in front of it")
    print(f"Customer 360 app on http://{s.app_address}:{s.app_port} (C360_APP_ADDRESS, C360_APP_PORT), reading "
          f"{where}, {who}", flush=True)
    os.chdir(ROOT)
    argv = command(s, secrets)
    os.execv(argv[0], argv)  # this process becomes Streamlit: a signal to stop it reaches the server itself


if __name__ == "__main__":
    sys.exit(main())
