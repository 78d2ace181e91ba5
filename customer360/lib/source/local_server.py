"""A PostgreSQL server of the project's own under C360_HOME/postgres, on a free loopback port.

It uses the PostgreSQL binaries installed on the machine (Debian's `postgresql` package; `make` installs it when
missing). The cluster accepts TCP on 127.0.0.1 only (no Unix socket: pytest's temporary paths exceed the socket path
limit), with a generated password kept in C360_HOME/postgres/password (mode 600) and SCRAM authentication, as a
production source would ask. Durability settings are off: this is a demo source that the generator can seed again.

PostgreSQL refuses to run as root; when we are root, the server runs as the `postgres` user (the Debian package creates
it), which owns the cluster directory and is let traverse its parents (C360_HOME is private: customer360/home.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from customer360.home import let_user_traverse, private_home
from customer360.lib.source.connection import SourceDsn, connection

DATABASE = "cards"
USER = "c360"
SERVER_USER = "postgres"  # who runs the server when we are root
# A throwaway cluster: no fsync, no full-page writes; the generator can always seed it again.
SERVER_OPTIONS = ("-c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40")


class LocalServerError(RuntimeError):
    """The local PostgreSQL could not be set up or started; the message says what to do."""


def binaries() -> Path:
    """The directory of initdb and pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/<major>/bin."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (found / "initdb").exists():
            return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return candidates[-1].parent
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).parent
    raise LocalServerError("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: `make setup` installs "
                           "Debian's postgresql package, or install PostgreSQL 14+ yourself, or set C360_SOURCE_DSN "
                           "to a server you already run")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _let_server_user_reach(path: Path) -> None:
    """The server user must traverse every parent of its directory: an ACL entry for that user alone (execute only;
    nothing becomes readable, and no other user gains anything), never execute for everyone."""
    let_user_traverse(path, pwd.getpwnam(SERVER_USER).pw_uid)


@dataclass(frozen=True)
class LocalPostgres:
    home: Path

    @property
    def root(self) -> Path:
        return self.home / "postgres"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def password(self) -> str:
        return (self.root / "password").read_text().strip()

    @property
    def port(self) -> int:
        """The port the running server listens on, from the server itself (postmaster.pid's fourth line); the port
        file only when the server has not written it yet. Two starts racing once left the loser's port in the port
        file while the winner's server listened on its own, and every connection was refused."""
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, IndexError, ValueError):
            return int(pid_file.read_text().splitlines()[3])
        return int((self.root / "port").read_text())

    @contextlib.contextmanager
    def _starting(self) -> Iterator[None]:
        """One start at a time per cluster, across processes (parallel staging steps, a backfill): a lock file."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "start.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(binaries() / args[0]), *args[1:]]
        if _as_root():
            # Again before every call: something else may have closed a parent since (pytest resets its
            # /tmp/pytest-of-<user> to 0700 when a second session starts), and pg_ctl would then call a running
            # server "not running" and try to start a second one on the same cluster.
            if self.root.exists():
                _let_server_user_reach(self.root)
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True)

    def running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data)).returncode == 0

    def _init(self) -> None:
        private_home(self.home)
        self.root.mkdir(parents=True, exist_ok=True)
        password_file = self.root / "password"
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
        if _as_root():
            _let_server_user_reach(self.root)
            shutil.chown(self.root, SERVER_USER)
            shutil.chown(password_file, SERVER_USER)
        done = self._run("initdb", "-D", str(self.data), "-U", USER, f"--pwfile={password_file}",
                         "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            raise LocalServerError(f"initdb failed in {self.data}:\n{done.stderr.strip()}")

    def start(self) -> bool:
        """Start the server (initialising the cluster the first time); False when it was already running."""
        if self.running():
            return False
        with self._starting():
            return self._start()

    def _start(self) -> bool:
        if self.running():  # another process started it while this one waited for the lock
            return False
        if not (self.data / "PG_VERSION").exists():
            self._init()
        port = _free_port()
        (self.root / "port").write_text(str(port))
        done = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log_file),
                         "-o", f"-p {port} {SERVER_OPTIONS}")
        if done.returncode != 0:
            if self.running():  # another process started it a moment before us
                return False
            tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else done.stderr
            raise LocalServerError(f"PostgreSQL did not start from {self.data} (log {self.log_file}):\n{tail.strip()}")
        self._create_database()
        return True

    def _create_database(self) -> None:
        with connection(self.dsn("postgres"), attempts=3, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = $1", parameters=(DATABASE,))
            if cur.fetchone() is None:
                cur.execute(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> bool:
        """Stop the server if it runs; True when it did."""
        if not self.running():
            return False
        self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data))
        return True

    def dsn(self, database: str = DATABASE) -> SourceDsn:
        return SourceDsn(f"postgresql://{USER}@127.0.0.1:{self.port}/{database}", self.password)
