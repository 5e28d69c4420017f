"""Where the database is (``DATABASE_URL``, or SQLite in the instance folder), and the
site's own address."""

from __future__ import annotations

import os
from pathlib import Path


def instance_path() -> Path:
    """``POLITIRAD_INSTANCE``, or ``instance/`` in the working directory."""
    return Path(os.environ.get("POLITIRAD_INSTANCE", "instance")).resolve()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'politirad.sqlite3'}"


def base_url() -> str:
    """The site's address for links in e-mails: ``POLITIRAD_BASE_URL`` (no trailing slash)."""
    return os.environ.get("POLITIRAD_BASE_URL", "http://localhost:5000").rstrip("/")
