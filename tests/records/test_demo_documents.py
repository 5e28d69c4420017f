"""The Oslo demo has documents of every kind, an exempt one with a screened name, a restricted
one, and access requests answered in different ways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from engine import audit, storage
from engine.demo import load_demo
from engine.models import Case, Document, Release
from engine.services.journal import public_journal

FIXED_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def demo(session, monkeypatch):
    monkeypatch.setattr("engine.services.people.hash_password", CHEAP_HASHER.hash)
    return load_demo(session, now=FIXED_NOW)


def test_the_demo_has_letters_memos_notices_and_minutes(session, demo):
    documents = session.scalars(select(Document).order_by(Document.id)).all()

    kinds = {document.kind for document in documents}
    assert {"letter", "case_memo", "memo", "notice", "minutes"} <= kinds
    assert all(storage.read(document.sha256) for document in documents)
    assert audit.verify(session).ok


def test_the_demo_screens_a_name_and_restricts_the_pst_memo(session, demo):
    documents = session.scalars(select(Document)).all()
    screened = [d for d in documents if d.screened_words]
    restricted = [d for d in documents if d.access == "restricted"]

    assert [d.public_title for d in screened] == [
        "Bekymringsmelding fra ***** om salg i Vaterlandsparken"
    ]
    assert [d.public_title for d in restricted] == ["Orientering fra PST"]
    today = FIXED_NOW.date()
    rows = public_journal(
        session, demo.council, date_from=today.replace(month=1, day=1), date_to=today, today=today
    )
    text = " ".join(f"{r.title} {r.correspondent} {r.case_title}" for r in rows)
    assert "Kari Fjellheim" not in text and "Trusselvurdering" not in text
    assert "Bekymringsmelding fra *****" in text


def test_the_demo_has_access_requests_granted_refused_and_waiting(session, demo):
    requests = session.scalars(select(Case).where(Case.kind == "access_request")).all()

    assert sorted(r.state for r in requests) == ["granted", "received", "refused"]
    [release] = session.scalars(select(Release)).all()
    granted = next(r for r in requests if r.state == "granted")
    assert release.request_id == granted.id
    assert all(r.access == "exempt" and r.created_by_id is None for r in requests)
