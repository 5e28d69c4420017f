"""Personal API tokens: shown once, kept as a hash, scoped, expiring, revocable; a token
acts exactly as its person, and the API never accepts the session cookie."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.actors import Actor
from engine.errors import PermissionDenied, ValidationError
from engine.models import ApiToken, CaseEvent
from engine.services.cases import open_case
from engine.services.tokens import create_token, revoke_token, secret_hash
from tests.api.conftest import log_in


def test_a_token_is_stored_only_as_its_hash_and_shown_once(session, world):
    issued = create_token(
        session, actor=world.actor("sec"), person=world.people["sec"], name="arkiv"
    )
    stored = session.scalars(select(ApiToken)).one()
    assert issued.secret.startswith("prt_") and len(issued.secret) > 40
    assert stored.token_hash == secret_hash(issued.secret)
    assert issued.secret not in {stored.token_hash, stored.hint, stored.name}
    assert stored.scope == "read"
    assert timedelta(days=89) < stored.expires_at - stored.created_at <= timedelta(days=90)


def test_a_person_makes_tokens_only_for_themselves(session, world):
    with pytest.raises(PermissionDenied):
        create_token(session, actor=world.actor("sec"), person=world.people["leader"], name="x")


@pytest.mark.parametrize(
    ("scope", "days", "field"),
    [("admin", 30, "scope"), ("read", -1, "expires_at"), ("read", 400, "expires_at")],
)
def test_a_token_needs_a_known_scope_and_an_expiry_within_a_year(
    session, world, clock, scope, days, field
):
    with pytest.raises(ValidationError) as error:
        create_token(
            session,
            actor=Actor.system(),
            person=world.people["sec"],
            name="x",
            scope=scope,
            expires_at=clock() + timedelta(days=days),
        )
    assert field in error.value.errors


def assert_unauthorized(response, detail: str):
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and detail in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="politirad"')


def test_an_expired_token_is_refused_with_a_problem(client, clock, session, world):
    issued = create_token(
        session,
        actor=Actor.system(),
        person=world.people["sec"],
        name="x",
        expires_at=clock() + timedelta(days=30),
    )
    clock.advance(timedelta(days=30, seconds=1))
    response = client.get("/api/v1/councils", headers={"Authorization": f"Bearer {issued.secret}"})
    assert_unauthorized(response, "expired")


def test_a_revoked_token_is_refused_with_a_problem(client, session, world, token):
    secret = token("sec")
    row = session.scalars(select(ApiToken)).one()
    revoke_token(session, actor=world.actor("sec"), token_id=row.id)
    response = client.get("/api/v1/councils", headers={"Authorization": f"Bearer {secret}"})
    assert_unauthorized(response, "revoked")


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer", "Bearer <token>"),
        ("Basic dXNlcjpwYXNz", "Bearer <token>"),
        ("Bearer not-a-token", "malformed"),
        ("Bearer prt_" + "A" * 43, "not known"),
        ("Bearer prt_a prt_b", "Bearer <token>"),
    ],
)
def test_a_malformed_or_unknown_token_is_refused_with_a_problem(client, world, header, detail):
    response = client.get("/api/v1/councils", headers={"Authorization": header})
    assert_unauthorized(response, detail)


def test_a_read_token_cannot_write(api, world):
    response = api("sec", "read").post(
        "/councils/testby/cases", json={"kind": "agenda_item", "title": "Lesetilgang"}
    )
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("insufficient_scope")


def test_without_a_token_nothing_can_be_written(api, world):
    response = api(None).post(
        "/councils/testby/cases", json={"kind": "agenda_item", "title": "Anonym"}
    )
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_a_token_acts_as_its_person_with_the_same_party_and_audit(api, session, world):
    response = api("deputy").post(
        "/councils/testby/cases",
        json={
            "kind": "agenda_item",
            "title": "Ungdomskriminalitet i sentrum",
            "priority_areas": [1],
        },
    )
    assert response.status_code == 201, response.get_json()
    event = session.scalars(select(CaseEvent).order_by(CaseEvent.seq.desc())).first()
    assert (event.actor, event.actor_id, event.party) == (
        "testby-deputy",
        world.people["deputy"].id,
        "police",
    )
    assert json.loads(event.changes)["title"] == [None, "Ungdomskriminalitet i sentrum"]


def test_using_a_token_notes_when_it_was_last_used(api, clock, session, world):
    client = api("kmember", "read")
    with client.get("/me") as response:  # the use is noted once the answer has gone
        assert response.status_code == 200
    row = session.scalars(select(ApiToken)).one()
    session.refresh(row)
    assert row.last_used_at == clock()
    assert client.get("/me").get_json()["login"] == "testby-kmember"


def restricted_case(session, world):
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="PST: trusselvurdering",
        public_title="Orientering",
        access="restricted",
        actor=world.actor("sec"),
    )


def test_the_api_ignores_the_login_cookie_and_needs_no_csrf_token(client, session, world):
    case = restricted_case(session, world)
    year, seq = case.number.split("/")
    log_in(client, session, world.people["leader"])  # cleared for restricted cases
    assert client.get(f"/api/v1/councils/testby/cases/{year}/{seq}").status_code == 404
    response = client.post(
        "/api/v1/councils/testby/cases", json={"kind": "agenda_item", "title": "Med cookie"}
    )
    assert response.status_code == 401  # not a CSRF failure (400), and not the cookie's person


def test_a_token_sees_what_its_person_may_see(api, session, world):
    case = restricted_case(session, world)
    path = "/councils/testby/cases/" + case.number
    assert api("leader", "read").get(path).get_json()["title"] == "PST: trusselvurdering"
    assert api("kmember", "read").get(path).status_code == 404  # not cleared
    assert api(None).get(path).status_code == 404
