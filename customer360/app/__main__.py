"""`python -m customer360.app` (what `make app` runs): serve the app with Streamlit on C360_APP_PORT.

Kept apart from `python -m customer360`, whose commands import Dagster and dbt (~4 s) that the app never needs.
"""

import os
import sys
from pathlib import Path

from customer360.settings import ROOT, Settings, SettingsError, settings

SCRIPT = ROOT / "customer360" / "app" / "streamlit_app.py"


def command(s: Settings) -> list[str]:
    """`streamlit run` on loopback at C360_APP_PORT; no usage statistics, no file watcher, no developer toolbar."""
    return [str(Path(sys.executable).parent / "streamlit"), "run", str(SCRIPT), "--server.port", str(s.app_port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]


def main() -> int:
    try:
        s = settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    where = f"Snowflake {s.snowflake.account}" if s.snowflake else str(s.warehouse_path)
    print(f"Customer 360 app on http://127.0.0.1:{s.app_port} (C360_APP_PORT), reading {where} as {s.app_role} "
          "(C360_APP_ROLE)", flush=True)
    os.chdir(ROOT)
    argv = command(s)
    os.execv(argv[0], argv)  # this process becomes Streamlit: a signal to stop it reaches the server itself


if __name__ == "__main__":
    sys.exit(main())
