"""Browser tests: the real app on a real server, driven by Debian's chromium.

Each test module gets its own server: ``create_app`` on a migrated database (a SQLite
file or a PostgreSQL database, once per ``db_kind``) loaded with the Oslo demo, served
by werkzeug on 127.0.0.1 with a free port in a thread of the test process. The server
lives by a clock of the test's (``live_server.clock``), never by the machine's date: it
starts at ``SERVER_STARTS`` and runs on from there, and a test can move it forward, so a
scheduler tick and the pages after it run "as of" a later day, as ``--now`` does for the
command line.

No browser is downloaded: Playwright drives ``/usr/bin/chromium`` (``apt-get install
chromium``; ``.ci/run`` installs it), and axe-core comes inside ``axe-playwright-python``.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import Engine
from werkzeug.serving import make_server

from engine.calendar import OSLO
from engine.clock import use_clock
from engine.db import make_engine, session_factory
from engine.demo import load_demo
from tests.browser.support import log_in
from tests.clock import TestClock
from tests.databases import fresh_database, migrate
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# A Monday in November: the council plans a leap year (2028), whose first meetings fall
# around 29 February.
SERVER_STARTS = datetime(2027, 11, 15, 9, 0, tzinfo=OSLO)


class ClockedApp:
    """WSGI middleware: every request runs with the server's clock."""

    def __init__(self, app, clock: TestClock):
        self.app, self.clock = app, clock

    def __call__(self, environ, start_response):
        # Flask handles the whole request (and its teardown) inside this call.
        with use_clock(self.clock):
            return self.app(environ, start_response)


@dataclass
class LiveServer:
    url: str
    app: Flask
    engine: Engine
    clock: TestClock
    db_kind: str
    council: str = "oslo"

    def __call__(self, path: str) -> str:
        """The absolute address of ``path`` on this server."""
        return self.url + path


def _available_chromium() -> str:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)")
    return CHROMIUM


@pytest.fixture(scope="module")
def live_server(db_kind, tmp_path_factory) -> Iterator[LiveServer]:
    """The app with the Oslo demo, served on a free port for the tests of one module."""
    with fresh_database(db_kind, tmp_path_factory.mktemp(f"live-{db_kind}")) as url:
        migrate(url)
        engine = make_engine(url)
        clock = TestClock(SERVER_STARTS, running=True)
        with session_factory(engine, write=True)() as session:
            load_demo(session, now=clock())
            session.commit()
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "browser-tests", "SESSION_COOKIE_SECURE": False}
        )
        server = make_server("127.0.0.1", 0, ClockedApp(app, clock), threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, engine, clock, db_kind)
        finally:
            server.shutdown()
            thread.join(10)
            server.server_close()
            app.extensions["politirad.engine"].dispose()
            engine.dispose()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=_available_chromium(), args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make a fresh browser context (its own cookies: one person's browser) on the server."""
    contexts = []

    def make(**options):
        context = browser.new_context(
            base_url=live_server.url,
            locale="nb-NO",
            timezone_id="Europe/Oslo",
            viewport={"width": 1280, "height": 900},
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context, logged in as nobody."""
    return new_context().new_page()


@pytest.fixture
def as_person(new_context):
    """A page in a browser of its own, logged in as the demo person ``login``."""

    def open_as(login: str):
        page = new_context().new_page()
        log_in(page, login)
        return page

    return open_as
