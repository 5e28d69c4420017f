"""Access requests (innsynskrav): the public form opens a case; a grant releases exactly the
document, or its redacted copy, behind a link of its own; the scheduler chases late answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine import audit
from engine.errors import GuardFailed, NotFound, ValidationError
from engine.models import Case, Deadline, OutboxMessage, Release
from engine.scheduler.deadline_tick import handle_due_deadlines
from engine.services import fire, open_case
from engine.services.access_requests import open_release, release_for, request_access
from engine.services.documents import add_redaction, register_document
from tests.clock import NOW

PDF = b"%PDF-1.4\n%%EOF\n"
REDACTED = b"%PDF-1.4\n% sladdet\n%%EOF\n"


@pytest.fixture
def documents(session, world):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet på Grønland",
        actor=world.actor("leader"),
        now=NOW,
    )

    def register(**kwargs):
        values = {"data": PDF, "filename": "dok.pdf", "kind": "letter", "entry_type": "incoming"}
        values.update(kwargs)
        return register_document(session, case, actor=world.actor("leader"), now=NOW, **values)

    return {
        "public": register(title="Brev fra beboerforeningen"),
        "exempt": register(
            title="Bekymringsmelding om Ola",
            access="exempt",
            legal_basis="offl. § 13",
            screened_words=["Ola"],
        ),
        "other": register(title="Et annet brev", data=b"%PDF-1.4\n% other\n%%EOF\n"),
        "restricted": register(title="Gradert", access="restricted", public_title="Notat"),
    }


def ask(session, world, document, **kwargs):
    values = {"name": "Journalist Jensen", "email": "jensen@avisa.no", "now": NOW}
    values.update(kwargs)
    return request_access(session, world.council, reference=document.number, **values)


def sent(session, topic):
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
    ).all()


def link_token(message: OutboxMessage) -> tuple[int, str]:
    match = re.search(r"/public/testby/documents/(\d+)\?release=([\w-]+)", message.body)
    assert match, message.body
    return int(match.group(1)), match.group(2)


def test_a_request_from_the_public_form_becomes_an_exempt_case_and_is_confirmed(
    session, world, documents
):
    exempt = documents["exempt"]

    request = ask(session, world, exempt, message="Gjelder lokalavisens sak")

    assert (request.kind, request.state, request.access) == ("access_request", "received", "exempt")
    assert request.public_title == f"Innsynskrav i {exempt.number}"
    assert "Jensen" in request.title and "Jensen" not in request.public_title
    assert request.parent_id == exempt.case_id
    assert request.data == {
        "requester_name": "Journalist Jensen",
        "requester_email": "jensen@avisa.no",
        "document_id": exempt.id,
        "received_on": "2026-03-02",
        "message": "Gjelder lokalavisens sak",
    }
    [receipt] = sent(session, "access_request_receipt")
    assert receipt.payload["email"] == "jensen@avisa.no" and receipt.recipient_id is None
    assert request.number in receipt.body and "Ola" not in receipt.body
    [notice] = sent(session, "access_request")
    assert notice.recipient_id == world.people["sec"].id


def test_a_request_may_name_the_entry_by_its_journal_number_or_its_id(session, world, documents):
    public = documents["public"]

    request = request_access(
        session, world.council, reference=str(public.id), name="A", email="a@b.no", now=NOW
    )

    assert request.data["document_id"] == public.id


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("2099/1-1", {"document": "no such journal entry"}),
        ("hello", {"document": "not a journal number"}),
        ("99999999999999999999", {"document": "not a journal number"}),
        ("2026/1-99999999999", {"document": "not a journal number"}),
    ],
)
def test_a_request_for_an_entry_the_journal_does_not_show_is_refused(
    session, world, documents, reference, error
):
    with pytest.raises(ValidationError) as refused:
        request_access(
            session, world.council, reference=reference, name="A", email="a@b.no", now=NOW
        )

    assert refused.value.errors == error


def test_a_restricted_document_cannot_be_asked_for_because_it_is_not_known(
    session, world, documents
):
    with pytest.raises(ValidationError) as refused:
        ask(session, world, documents["restricted"])

    assert refused.value.errors == {"document": "no such journal entry"}


def test_a_request_needs_a_name_and_an_email_address(session, world, documents):
    with pytest.raises(ValidationError) as refused:
        ask(session, world, documents["public"], name=" ", email="not-an-address")

    assert refused.value.errors == {"name": "required", "email": "not an e-mail address"}


def test_granting_releases_exactly_the_document_to_the_requester(session, world, documents):
    exempt = documents["exempt"]
    request = ask(session, world, exempt)

    fire(session, request, "assess", actor=world.actor("sec"), now=NOW)
    fire(session, request, "grant", actor=world.actor("sec"), now=NOW)

    [message] = sent(session, "access_release")
    assert message.payload["email"] == "jensen@avisa.no"
    document_id, token = link_token(message)
    assert document_id == exempt.id
    released = open_release(session, world.council, exempt.id, token, now=NOW)
    assert (released.filename, released.content_type, released.data) == (
        "dok.pdf",
        "application/pdf",
        PDF,
    )
    assert audit.verify(session).ok


def test_a_release_link_opens_nothing_else_and_nothing_after_it_expires(session, world, documents):
    exempt = documents["exempt"]
    request = ask(session, world, exempt)
    fire(session, request, "grant", actor=world.actor("sec"), now=NOW)
    _id, token = link_token(sent(session, "access_release")[0])

    with pytest.raises(NotFound):
        open_release(session, world.council, documents["other"].id, token, now=NOW)
    with pytest.raises(NotFound):
        open_release(session, world.council, exempt.id, token + "x", now=NOW)
    with pytest.raises(NotFound):
        open_release(session, world.council, exempt.id, token, now=NOW + timedelta(days=31))
    assert open_release(session, world.council, exempt.id, token, now=NOW + timedelta(days=29))


def test_a_grant_in_part_releases_the_redacted_copy_and_needs_one(session, world, documents):
    exempt = documents["exempt"]
    request = ask(session, world, exempt)
    sec = world.actor("sec")

    with pytest.raises(GuardFailed, match="refusal_basis is required"):
        fire(session, request, "partly_grant", actor=sec, now=NOW)
    with pytest.raises(GuardFailed, match="register a redacted copy"):
        fire(
            session,
            request,
            "partly_grant",
            actor=sec,
            data={"refusal_basis": "offl. § 13"},
            now=NOW,
        )
    add_redaction(
        session, exempt, actor=sec, data=REDACTED, filename="sladdet.pdf", note="Navn sladdet"
    )
    fire(session, request, "partly_grant", actor=sec, data={"refusal_basis": "offl. § 13"}, now=NOW)

    [message] = sent(session, "access_release")
    assert "sladdet kopi" in message.body and "offl. § 13" in message.body
    _id, token = link_token(message)
    released = open_release(session, world.council, exempt.id, token, now=NOW)
    assert (released.filename, released.data) == ("sladdet.pdf", REDACTED)


def test_a_refusal_names_its_legal_basis_and_releases_nothing(session, world, documents):
    request = ask(session, world, documents["exempt"])

    with pytest.raises(GuardFailed, match="refusal_basis is required"):
        fire(session, request, "refuse", actor=world.actor("sec"), now=NOW)
    fire(
        session,
        request,
        "refuse",
        actor=world.actor("sec"),
        data={"refusal_basis": "offl. § 13"},
        now=NOW,
    )

    assert request.state == "refused"
    assert session.scalars(select(Release)).all() == []


def test_a_refusal_reversed_on_appeal_releases_the_document(session, world, documents):
    request = ask(session, world, documents["exempt"])
    sec = world.actor("sec")
    fire(session, request, "refuse", actor=sec, data={"refusal_basis": "offl. § 13"}, now=NOW)
    fire(session, request, "appeal", actor=sec, now=NOW)

    fire(session, request, "reverse", actor=world.actor("leader"), now=NOW)

    assert request.state == "reversed"
    [release] = session.scalars(select(Release)).all()
    assert (release.document_id, release.redaction_id) == (documents["exempt"].id, None)


def test_a_refusal_upheld_on_appeal_releases_nothing(session, world, documents):
    request = ask(session, world, documents["exempt"])
    sec = world.actor("sec")
    fire(session, request, "refuse", actor=sec, data={"refusal_basis": "offl. § 13"}, now=NOW)
    fire(session, request, "appeal", actor=sec, now=NOW)

    fire(session, request, "uphold", actor=sec, now=NOW)

    assert request.state == "upheld"
    assert session.scalars(select(Release)).all() == []


def test_only_an_access_request_releases_documents(session, world, documents):
    case = documents["public"].case

    with pytest.raises(ValidationError, match="not an access request"):
        release_for(session, case, partly=False, now=NOW)


# NOW is Monday 2 March 2026 at 10:00 in Oslo.
TUESDAY_NIGHT = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
THURSDAY_NIGHT = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)


def test_the_scheduler_reminds_after_one_working_day_and_escalates_after_three(
    session, world, documents
):
    request = ask(session, world, documents["public"])
    due = dict(
        session.execute(
            select(Deadline.name, Deadline.due).where(Deadline.case_id == request.id)
        ).all()
    )
    assert set(due) == {"answer_reminder", "answer_late"}

    handle_due_deadlines(session, now=TUESDAY_NIGHT)
    reminders = sent(session, "deadline_reminder")
    assert {m.recipient_id for m in reminders} >= {world.people["sec"].id}
    assert sent(session, "deadline_escalation") == []

    handle_due_deadlines(session, now=THURSDAY_NIGHT)
    escalated = {m.recipient_id for m in sent(session, "deadline_escalation")}
    assert {world.people["leader"].id, world.people["deputy"].id} <= escalated
    case = session.get(Case, request.id)
    assert case.state == "received"


def test_an_answer_in_time_stops_the_reminders(session, world, documents):
    request = ask(session, world, documents["public"])
    fire(session, request, "grant", actor=world.actor("sec"), now=NOW)

    handle_due_deadlines(session, now=THURSDAY_NIGHT)

    assert sent(session, "deadline_reminder") == []
    assert sent(session, "deadline_escalation") == []


def test_a_refusal_not_appealed_within_three_weeks_is_closed(session, world, documents):
    request = ask(session, world, documents["exempt"])
    fire(
        session,
        request,
        "refuse",
        actor=world.actor("sec"),
        data={"refusal_basis": "offl. § 13"},
        now=NOW,
    )

    handle_due_deadlines(session, now=NOW + timedelta(weeks=3, days=1))

    assert session.get(Case, request.id).state == "closed"
