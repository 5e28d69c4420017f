"""Errors under /api/ are problem+json with the engine's statuses; the site's pages keep
their HTML error pages; If-Match carries the case's version."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update

from engine.models import Case
from engine.services.cases import open_case


@pytest.fixture
def item(session, world):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Narkotikasalg ved elvebredden",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
    )
    return case


def path(case) -> str:
    return "/councils/testby/cases/" + case.number


def test_a_page_that_does_not_exist_is_still_an_html_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no/such/thing", 404),
        ("get", "/api/v1/councils/nowhere", 404),
        ("get", "/api/v1/councils/testby/cases/2026/99999", 404),
        ("get", "/api/v1/councils/testby/cases/2026/99999999999999999999", 404),
        ("delete", "/api/v1/councils", 405),
        ("get", "/api/v1/councils/testby/cases?per_page=0", 422),
        ("get", "/api/v1/councils/testby/cases?area=abc", 422),
    ],
)
def test_api_errors_are_problem_details_never_pages(client, world, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_validation_problem_names_the_fields(api, world):
    response = api("sec").post(
        "/councils/testby/cases", json={"kind": "agenda_item", "title": "", "colour": "red"}
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert set(errors) == {"title", "colour"}  # unknown fields are rejected, not ignored


def test_the_engine_s_validation_errors_carry_their_field_errors(api, world):
    response = api("sec").post(
        "/councils/testby/cases",
        json={"kind": "agenda_item", "title": "Unntatt", "access": "exempt"},
    )
    assert response.status_code == 422
    assert "legal_basis" in response.get_json()["errors"]


def test_a_role_that_may_not_fire_gets_403_with_the_reason(api, item):
    response = api("guest").fire(item.number, "propose")
    assert response.status_code == 403
    assert "your role (guest) may not fire 'propose'" in response.get_json()["detail"]


def test_an_unmet_guard_is_a_409_with_its_reasons(api, session, world):
    bare = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Uten område",
        actor=world.actor("sec"),
    )
    response = api("sec").fire(bare.number, "propose")
    assert response.status_code == 409
    assert response.get_json()["reasons"] == ["the case is not tagged with a priority area"]


def test_a_trigger_not_possible_from_the_state_is_a_409(api, item):
    response = api("sec").fire(item.number, "decide")
    assert response.status_code == 409
    assert "possible: propose, withdraw" in response.get_json()["detail"]


def test_firing_without_if_match_is_428_and_with_a_stale_version_412(api, item):
    sec = api("sec")
    target = path(item) + "/transitions/propose"
    missing = sec.post(target, json={})
    assert missing.status_code == 428
    stale = sec.post(target, json={}, headers={"If-Match": f'"{item.version + 7}"'})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == f'"{item.version}"'
    assert sec.get(path(item)).get_json()["state"] == "draft"
    fired = sec.post(target, json={}, headers={"If-Match": f'"{item.version}"'})
    assert fired.status_code == 200
    assert fired.headers["ETag"] == f'"{item.version + 1}"'


def test_a_writer_who_got_there_first_makes_the_firing_a_409(api, engine, session, item):
    """Another transaction moves the case on between our read and our write."""
    sec = api("sec")
    etag = sec.get(path(item)).headers["ETag"]
    raced = []

    @event.listens_for(engine, "after_cursor_execute")
    def other_writer(conn, cursor, statement, parameters, context, executemany):
        # Just after the request has read the case, another writer moves it on.
        flat = " ".join(statement.upper().replace('"', "").split())
        if flat.startswith("SELECT") and " FROM CASE " in flat and not raced:
            raced.append(True)
            conn.connection.dbapi_connection.cursor().execute(*_bump(conn, item.id))

    try:
        response = sec.post(
            path(item) + "/transitions/propose", json={}, headers={"If-Match": etag}
        )
    finally:
        event.remove(engine, "after_cursor_execute", other_writer)
    assert raced
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "changed by someone else" in response.get_json()["detail"]


def _bump(conn, case_id: int):
    """The other writer's UPDATE, in the driver's own parameter style."""
    statement = update(Case).where(Case.id == case_id).values(version=Case.version + 100)
    compiled = statement.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if conn.dialect.paramstyle == "qmark":
        return str(compiled), tuple(params[name] for name in compiled.positiontup)
    return str(compiled), params


def test_changing_a_case_needs_its_version_and_is_audited(api, item):
    sec = api("sec")
    stale = sec.patch(path(item), json={"title": "Ny tittel"}, headers={"If-Match": '"99"'})
    assert stale.status_code == 412
    changed = sec.patch(
        path(item),
        json={"title": "Ny tittel", "bydeler": ["01", "02"], "comment": "Presisert"},
        headers={"If-Match": f'"{item.version}"'},
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["title"], body["bydeler"]) == ("Ny tittel", ["01", "02"])
    last = sec.get(path(item) + "/history").get_json()[-1]
    assert last["changes"]["title"] == ["Narkotikasalg ved elvebredden", "Ny tittel"]
    assert last["comment"] == "Presisert"
