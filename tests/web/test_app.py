"""The Flask application factory and its health page."""

from __future__ import annotations

import gc

import pytest

from tests.databases import fresh_database, migrate
from web.app import create_app, settle


@pytest.fixture
def client(db_kind, tmp_path):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        yield app.test_client()
        app.extensions["politirad.engine"].dispose()


def test_health_reports_the_database_it_reached(client, db_kind):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": db_kind}


def test_the_front_page_is_norwegian_html(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'lang="nb"' in response.data or b"lang='nb'" in response.data


def test_a_settled_server_process_keeps_what_it_has_loaded_out_of_the_collectors_walks(client):
    loaded = {"app": client.application}
    assert any(o is loaded for o in gc.get_objects())
    try:
        settle()
        assert gc.get_freeze_count() > 0
        assert not any(o is loaded for o in gc.get_objects())
        assert client.get("/health").status_code == 200
    finally:
        gc.unfreeze()
