"""The records pages: the public journal, the access-request form, uploads and downloads, and
the partials the case and meeting pages include."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import render_template
from sqlalchemy import select

from engine.actors import Actor
from engine.models import Case, Document
from engine.services import open_case
from engine.services.access_requests import release_for
from engine.services.documents import register_document
from engine.services.meetings import create_meeting
from tests.clock import NOW
from tests.web.conftest import log_in, post

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def case(session, world):
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet på Grønland",
        actor=world.actor("leader"),
    )


def register(session, world, case, **kwargs):
    values = {
        "data": PDF,
        "filename": "notat.pdf",
        "title": "Notat om belysning",
        "kind": "memo",
        "entry_type": "internal",
    }
    values.update(kwargs)
    return register_document(session, case, actor=world.actor("leader"), **values)


@pytest.fixture
def docs(session, world, case):
    return {
        "public": register(session, world, case),
        "exempt": register(
            session,
            world,
            case,
            title="Bekymring for Ola Nordmann",
            access="exempt",
            legal_basis="offl. § 13",
            screened_words=["Ola Nordmann"],
        ),
        "restricted": register(
            session, world, case, title="Trusselvurdering", access="restricted", public_title="X"
        ),
    }


def test_the_journal_page_shows_the_public_view_of_todays_entries(client, clock, world, docs):
    today = clock.today().isoformat()  # the journal dates documents in Oslo time
    page = client.get(f"/public/testby/journal?from={today}&to={today}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert docs["public"].number in html and "Notat om belysning" in html
    assert "Bekymring for *****" in html and "offl. § 13" in html
    assert "Ola Nordmann" not in html and "Trusselvurdering" not in html
    assert f"/public/testby/documents/{docs['public'].id}" in html
    assert f"/public/testby/innsyn?document={docs['exempt'].number}" in html.replace("%2F", "/")


def test_a_member_reads_the_same_public_journal(client, session, world, docs):
    log_in(client, session, world.people["leader"])

    html = client.get("/public/testby/journal").get_data(as_text=True)

    assert "Bekymring for *****" in html and "Ola Nordmann" not in html


def test_the_journal_as_csv_and_json(client, clock, world, docs):
    answer = client.get(f"/public/testby/journal.csv?from={clock.today().isoformat()}")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert [row[0] for row in rows[1:]] == [docs["public"].number, docs["exempt"].number]

    document = client.get("/public/testby/journal.json").get_json()
    assert [e["title"] for e in document["entries"]] == [
        "Notat om belysning",
        "Bekymring for *****",
    ]


def test_a_bad_period_is_shown_beside_the_field(client, world):
    page = client.get("/public/testby/journal?from=igår")

    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert client.get("/public/testby/journal.csv?from=2026-05-01&to=2026-04-01").status_code == 422


def test_the_journal_of_an_unknown_council_is_not_found(client, world):
    assert client.get("/public/ingen/journal").status_code == 404


# --- the access-request form ----------------------------------------------------------------


def test_the_innsyn_form_is_filled_in_from_the_journal_link(client, world, docs):
    html = client.get(f"/public/testby/innsyn?document={docs['exempt'].number}").get_data(
        as_text=True
    )

    assert f'value="{docs["exempt"].number}"' in html
    assert 'for="email"' in html and 'name="csrf_token"' in html


def test_sending_the_innsyn_form_opens_a_request_and_confirms_it(client, session, world, docs):
    answer = post(
        client,
        "/public/testby/innsyn",
        {"document": docs["exempt"].number, "name": "Jensen", "email": "j@avisa.no"},
    )

    assert answer.status_code == 302
    request = session.scalars(select(Case).where(Case.kind == "access_request")).one()
    assert request.data["document_id"] == docs["exempt"].id
    assert "Innsynskravet er mottatt" in client.get(answer.location).get_data(as_text=True)


def test_a_refused_innsyn_form_keeps_what_was_typed_and_says_why(client, session, world, docs):
    answer = post(
        client,
        "/public/testby/innsyn",
        {"document": docs["restricted"].number, "name": "Jensen", "email": "ikke-epost"},
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'value="Jensen"' in html and 'value="ikke-epost"' in html
    assert session.scalars(select(Case).where(Case.kind == "access_request")).all() == []


# --- downloads ------------------------------------------------------------------------------


def test_the_public_downloads_a_public_document(client, world, docs):
    answer = client.get(f"/public/testby/documents/{docs['public'].id}")

    assert answer.status_code == 200 and answer.data == PDF
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == "attachment; filename=notat.pdf"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("level", "status"), [("exempt", 403), ("restricted", 404)])
def test_the_public_downloads_nothing_that_is_not_public(client, world, docs, level, status):
    document = docs[level]

    assert client.get(f"/public/testby/documents/{document.id}").status_code == status
    assert client.get(f"/testby/documents/{document.id}").status_code == status


@pytest.mark.parametrize(
    ("login", "exempt", "restricted"),
    [("kmember", 200, 404), ("pmember", 200, 200), ("guest", 403, 404), ("outsider", 403, 404)],
)
def test_a_logged_in_person_downloads_what_the_policy_lets_them(
    client, session, world, docs, login, exempt, restricted
):
    log_in(client, session, world.people[login])

    assert client.get(f"/testby/documents/{docs['exempt'].id}").status_code == exempt
    answer = client.get(f"/testby/documents/{docs['restricted'].id}")
    assert answer.status_code == restricted
    if restricted == 200:
        assert answer.headers["Cache-Control"] == "private, no-store"


def test_a_release_link_downloads_the_released_document_and_nothing_else(
    client, session, world, docs
):
    from engine.services.access_requests import request_access

    request = request_access(
        session, world.council, reference=docs["exempt"].number, name="J", email="j@a.no"
    )
    _release, token = release_for(session, request, partly=False)

    answer = client.get(f"/public/testby/documents/{docs['exempt'].id}?release={token}")
    assert answer.status_code == 200 and answer.data == PDF
    assert answer.headers["Cache-Control"] == "private, no-store"
    other = client.get(f"/public/testby/documents/{docs['restricted'].id}?release={token}")
    assert other.status_code == 404


def test_a_huge_document_id_is_not_found(client, world):
    assert client.get("/public/testby/documents/99999999999").status_code == 404


# --- uploads --------------------------------------------------------------------------------


def upload_form(**fields):
    data = {
        "title": "Brev fra bydelen",
        "kind": "letter",
        "entry_type": "incoming",
        "access": "public",
        "correspondent": "Bydel Gamle Oslo",
        "file": (io.BytesIO(PDF), "brev.pdf"),
    }
    data.update(fields)
    return data


def test_the_secretariat_registers_a_document_on_a_case(client, session, world, case):
    log_in(client, session, world.people["sec"])

    answer = post(
        client,
        f"/testby/cases/{case.year}/{case.seq}/documents",
        upload_form(),
        content_type="multipart/form-data",
    )

    assert answer.status_code == 302
    assert answer.location == f"/testby/cases/{case.year}/{case.seq}#documents"
    document = session.scalars(select(Document).where(Document.case_id == case.id)).one()
    assert (document.title, document.kind, document.correspondent) == (
        "Brev fra bydelen",
        "letter",
        "Bydel Gamle Oslo",
    )


def test_a_refused_upload_comes_back_with_what_was_typed_and_why(client, session, world, case):
    log_in(client, session, world.people["sec"])

    answer = post(
        client,
        f"/testby/cases/{case.year}/{case.seq}/documents",
        upload_form(access="exempt", title="Brev om Kari", screened_words="Kari"),
        content_type="multipart/form-data",
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'value="Brev om Kari"' in html and "Oppgi hjemmel for unntaket." in html
    assert session.scalars(select(Document)).all() == []


def test_screened_words_from_the_form_are_screened(client, session, world, case):
    log_in(client, session, world.people["sec"])

    post(
        client,
        f"/testby/cases/{case.year}/{case.seq}/documents",
        upload_form(
            access="exempt",
            legal_basis="offl. § 13",
            title="Brev om Kari Nordmann; Tøyen",
            screened_words="Kari Nordmann\nTøyen",
        ),
        content_type="multipart/form-data",
    )

    document = session.scalars(select(Document)).one()
    assert document.public_title == "Brev om *****; *****"
    assert document.correspondent_screened


def test_a_member_may_not_register_and_the_public_must_log_in(client, session, world, case):
    url = f"/testby/cases/{case.year}/{case.seq}/documents"
    anonymous = post(client, url, upload_form(), content_type="multipart/form-data")
    assert anonymous.status_code in (302, 401)

    log_in(client, session, world.people["kmember"])
    member = post(client, url, upload_form(), content_type="multipart/form-data")

    assert member.status_code == 403
    assert session.scalars(select(Document)).all() == []


def test_a_redacted_copy_is_uploaded_beside_its_document(client, session, world, docs):
    log_in(client, session, world.people["sec"])
    exempt = docs["exempt"]

    answer = post(
        client,
        f"/testby/cases/{exempt.case.year}/{exempt.case.seq}/documents",
        {
            "redaction_of": str(exempt.id),
            "note": "Navn sladdet etter offl. § 13",
            "file": (io.BytesIO(b"Sladdet brev\n"), "sladdet.txt"),
        },
        content_type="multipart/form-data",
    )

    assert answer.status_code == 302
    session.refresh(exempt)
    assert [r.filename for r in exempt.redactions] == ["sladdet.txt"]


def test_a_meeting_document_is_registered_on_the_meeting(client, session, world):
    meeting = create_meeting(
        session, council=world.council, actor=world.actor("sec"), date=date(2026, 3, 26), now=NOW
    )
    log_in(client, session, world.people["sec"])

    answer = post(
        client,
        f"/testby/meetings/{meeting.year}/{meeting.number}/documents",
        upload_form(kind="case_memo", entry_type="memo", title="Saksframlegg"),
        content_type="multipart/form-data",
    )

    assert answer.status_code == 302
    assert answer.location == f"/testby/meetings/{meeting.year}/{meeting.number}#documents"
    document = session.scalars(select(Document)).one()
    assert document.case_id == meeting.case_id


# --- the partials ---------------------------------------------------------------------------


def test_the_case_partial_lists_what_the_reader_may_see(app, session, world, case, docs):
    with app.test_request_context("/"):
        public = render_template(
            "cases/_documents.html", council=world.council, case=case, actor=Actor.public()
        )
        leader = render_template(
            "cases/_documents.html", council=world.council, case=case, actor=world.actor("leader")
        )

    assert "Bekymring for *****" in public and "Trusselvurdering" not in public
    assert "Be om innsyn" in public and "Journalfør et dokument" not in public
    assert "Bekymring for Ola Nordmann" in leader and "Trusselvurdering" in leader
    assert "Journalfør et dokument" in leader and 'enctype="multipart/form-data"' in leader


def test_the_meeting_partial_lists_the_meeting_documents(app, session, world):
    meeting = create_meeting(
        session, council=world.council, actor=world.actor("sec"), date=date(2026, 3, 26), now=NOW
    )
    register(session, world, meeting.case, title="Saksliste", kind="case_memo")

    with app.test_request_context("/"):
        html = render_template(
            "meetings/_documents.html",
            council=world.council,
            meeting=meeting,
            actor=world.actor("sec"),
        )

    assert "Saksliste" in html and "Journalfør et møtedokument" in html
