"""``politirad serve``: gunicorn against the configured database, never migrating it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.databases import fresh_database, migrate
from web.cli import main

POLITIRAD = str(Path(sys.executable).with_name("politirad"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_refuses_a_database_that_is_not_migrated(db_kind, tmp_path):
    with fresh_database(db_kind, tmp_path) as url:
        result = CliRunner().invoke(main, ["serve"], env={"DATABASE_URL": url})
        assert result.exit_code == 1
        assert "run `politirad db upgrade` first" in result.output


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_that_answer_the_api(tmp_path):
    with fresh_database("sqlite", tmp_path) as url:
        migrate(url)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "POLITIRAD_SECRET_KEY": "serve-test"}
        server = subprocess.Popen(
            [POLITIRAD, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert server.poll() is None, server.stderr.read()
                    assert time.monotonic() < deadline, "the server did not answer in 30 s"
                    time.sleep(0.2)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/workflows") as response:
                assert response.headers["Content-Type"] == "application/json"
        finally:
            server.terminate()
            _, errors = server.communicate(timeout=30)
        assert "Booting worker" in errors
        assert errors.count("Booting worker") == 2


def test_behind_a_proxy_the_app_trusts_its_forwarded_headers_only_when_told(engine):
    from web.app import create_app

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusting = create_app({"TESTING": True, "ENGINE": engine, "SECRET_KEY": "t", "PROXY_FIX": 1})
    plain = create_app({"TESTING": True, "ENGINE": engine, "SECRET_KEY": "t"})
    behind = trusting.test_client().get("/api/v1/workflows", headers=headers)
    direct = plain.test_client().get("/api/v1/workflows", headers=headers)
    assert "Strict-Transport-Security" in behind.headers  # the app saw https
    assert "Strict-Transport-Security" not in direct.headers
