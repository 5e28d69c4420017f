"""One scheduler per installation: a PostgreSQL advisory lock, or a file lock beside SQLite.

Both locks belong to something the operating system or the database frees when
the holder dies (an open file, a database session), so a standby takes over
without anyone cleaning up. Exactly-once handling does not depend on the lock
(each deadline is claimed in the database); the lock keeps the work, and the
notices, from being done by several processes at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.pool import NullPool

from engine.db import make_engine, utcnow

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x706F6C69  # "poli"; advisory locks are per database, so one key is enough


class SchedulerLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it."""

    def release(self) -> None: ...

    def still_held(self) -> bool:
        """False when the lock was lost (the database connection behind it died)."""

    def holder(self) -> str | None:
        """Who holds the lock (host and pid), or None when it is free."""


def describe_self() -> str:
    return f"pid={os.getpid()} host={socket.gethostname()} since={utcnow():%Y-%m-%dT%H:%M:%SZ}"


def lock_for(engine: Engine) -> SchedulerLock:
    """The lock that fits the engine's database."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            raise ValueError("the scheduler needs a SQLite database file to lock beside")
        return FileLock(Path(f"{database}.scheduler.lock"))
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine.url.render_as_string(hide_password=False))
    raise ValueError(f"no scheduler lock for {engine.dialect.name}")


class FileLock:
    """``flock`` on a file beside the database; the file says who holds it."""

    def __init__(self, path: Path):
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        file = self.path.open("a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.seek(0)
        file.truncate()
        file.write(describe_self() + "\n")
        file.flush()
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def still_held(self) -> bool:
        return self._file is not None

    def holder(self) -> str | None:
        with self.path.open("a+") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                file.seek(0)
                return file.read().strip() or "unknown"
            fcntl.flock(file, fcntl.LOCK_UN)
            return None


class AdvisoryLock:
    """``pg_try_advisory_lock`` on a connection of its own, named after its holder."""

    def __init__(self, url: str):
        # A pooled connection would keep the lock after "closing"; this one really closes.
        self.engine = make_engine(url, poolclass=NullPool)
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = self.engine.connect()
        name = f"politirad scheduler {describe_self()}"[:63]
        conn.execute(text("SELECT set_config('application_name', :name, false)"), {"name": name})
        taken = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        held = bool(taken.scalar_one())
        # The lock belongs to the session and survives the commit; the connection must
        # not sit idle in a transaction for as long as the scheduler runs.
        conn.commit()
        if not held:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
        except Exception:
            log.exception("the scheduler lock's database connection is gone")
            self.release()
            return False
        return True

    def holder(self) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT a.application_name, l.pid FROM pg_locks l"
                    " JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted"
                    " AND l.classid = 0 AND l.objid = :key AND l.objsubid = 1"
                    " AND l.database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                ),
                {"key": ADVISORY_KEY},
            ).one_or_none()
        if row is None:
            return None
        return f"{row.application_name or 'unknown'} (backend {row.pid})"


def wait_for_lock(lock: SchedulerLock, interval: float) -> None:
    """Wait as standby until the lock is ours, trying every ``interval`` seconds."""
    if lock.acquire():
        return
    log.info("standby: the scheduler lock is held by %s", lock.holder())
    while not lock.acquire():
        time.sleep(interval)
    log.info("took over the scheduler lock")
