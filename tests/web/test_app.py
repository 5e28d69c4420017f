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


def test_a_safe_request_reads_but_may_not_change_anything(db_kind, tmp_path):
    from sqlalchemy import select, text, update

    from engine.models import Council
    from web.db import ReadOnlySession, db

    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        try:
            with app.test_request_context("/", method="POST"):
                db().add(
                    Council(slug="testby", name="Testby", municipality="M", police_district="P")
                )
                db().commit()
            with app.test_request_context("/", method="GET"):
                council = db().scalars(select(Council)).one()
                assert council.slug == "testby"
                council.name = "Endret"
                with pytest.raises(ReadOnlySession):
                    db().flush()
                db().rollback()
                with pytest.raises(ReadOnlySession):
                    db().execute(update(Council).values(name="Endret"))
                if db_kind == "postgresql":  # the server refuses a write that gets past us
                    with pytest.raises(Exception, match="read-only transaction"):
                        db().connection().execute(text("UPDATE council SET name = 'Endret'"))
            with app.test_request_context("/", method="GET"):
                assert db().scalars(select(Council.name)).one() == "Testby"
        finally:
            app.extensions["politirad.engine"].dispose()
