"""Delivering the outbox to the inbox and by e-mail (through a real local SMTP server), and the
daily digest."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from engine import outbox
from engine.models import Action, InboxMessage, OutboxMessage
from engine.models.enums import OutboxStatus
from engine.notifications import (
    SmtpMailer,
    SmtpSettings,
    backoff,
    deliver_outbox,
    send_digests,
)
from engine.seeding import make_world
from engine.services import fire, open_case
from engine.services.people import update_person
from tests.clock import NOW

SENDER = "politirad@oslo.kommune.no"
SMTP_ENVIRONMENT = (
    "POLITIRAD_SMTP_HOST",
    "POLITIRAD_SMTP_PORT",
    "POLITIRAD_SMTP_TLS",
    "POLITIRAD_SMTP_USER",
    "POLITIRAD_SMTP_PASSWORD",
    "POLITIRAD_SMTP_SENDER",
)


@pytest.fixture(autouse=True)
def no_configured_smtp(monkeypatch):
    """The tests choose their server; the machine's environment does not."""
    for name in SMTP_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def world(session):
    world = make_world(session)
    world.people["pmember"].email = "pmember@politiet.no"
    session.flush()
    return world


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 for the length of one test."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, tls="none", sender=SENDER))


def message_for(session, world, login="pmember", **kwargs):
    case = open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte",
        actor=world.actor("sec"),
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )
    queued = outbox.queue(
        session,
        case=case,
        recipient_id=world.people[login].id if login else None,
        topic="notice",
        subject="Innkalling til møte 26.03.2026",
        body="Møtet holdes i Rådhuset.",
        now=NOW,
        **kwargs,
    )
    session.flush()
    return queued


def inbox(session, person):
    return list(session.scalars(select(InboxMessage).where(InboxMessage.person_id == person.id)))


def test_a_message_reaches_the_inbox_once_even_when_delivery_runs_again(session, world):
    message = message_for(session, world)

    assert deliver_outbox(session, now=NOW) == 1
    assert deliver_outbox(session, now=NOW + timedelta(minutes=1)) == 0
    # A crash after the inbox copy but before the message was marked sent:
    message.status, message.next_attempt_at = OutboxStatus.PENDING, NOW
    session.flush()
    assert deliver_outbox(session, now=NOW + timedelta(minutes=2)) == 1

    (received,) = inbox(session, world.people["pmember"])
    assert (received.subject, received.body) == (message.subject, message.body)
    assert received.case_id == message.case_id and received.outbox_id == message.id
    assert received.read_at is None
    assert message.status == OutboxStatus.SENT
    assert message.email_sent_at is None  # no e-mail configured: inbox only


def test_an_email_arrives_once_with_a_message_id_from_the_outbox(session, world, smtp):
    mailbox, port = smtp
    message = message_for(session, world)

    assert deliver_outbox(session, now=NOW, mailer=mailer(port)) == 1
    assert deliver_outbox(session, now=NOW + timedelta(minutes=5), mailer=mailer(port)) == 0

    (mail,) = mailbox.messages
    assert mail["Message-ID"] == f"<politirad.outbox.{message.id}@oslo.kommune.no>"
    assert (mail["To"], mail["From"]) == ("pmember@politiet.no", SENDER)
    assert mail["Subject"] == "Innkalling til møte 26.03.2026"
    assert mail.get_content().strip() == "Møtet holdes i Rådhuset."
    assert (message.status, message.email_sent_at, message.attempts) == (
        OutboxStatus.SENT,
        NOW,
        1,
    )
    assert len(inbox(session, world.people["pmember"])) == 1


def test_a_refused_connection_keeps_the_message_queued_and_a_later_delivery_sends_it_once(
    session, world, smtp
):
    mailbox, port = smtp
    closed = free_port()  # nothing listens there: the connection is refused
    message = message_for(session, world)

    assert deliver_outbox(session, now=NOW, mailer=mailer(closed)) == 0

    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    assert len(inbox(session, world.people["pmember"])) == 1  # the inbox does not wait
    # Not due yet: the server is not asked again before the backoff has passed.
    assert deliver_outbox(session, now=NOW + timedelta(seconds=30), mailer=mailer(port)) == 0
    assert mailbox.messages == []

    assert deliver_outbox(session, now=NOW + timedelta(minutes=1), mailer=mailer(port)) == 1
    assert deliver_outbox(session, now=NOW + timedelta(minutes=9), mailer=mailer(port)) == 0

    assert len(mailbox.messages) == 1
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert message.email_sent_at == NOW + timedelta(minutes=1)
    assert len(inbox(session, world.people["pmember"])) == 1


def test_retries_back_off_exponentially_up_to_six_hours():
    assert [backoff(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert backoff(9) == timedelta(minutes=256)
    assert backoff(10) == timedelta(hours=6)
    assert backoff(500) == timedelta(hours=6)


def test_the_server_comes_from_the_environment_and_none_configured_means_inbox_only(
    session, world, smtp, monkeypatch
):
    mailbox, port = smtp
    assert SmtpSettings.from_environment({}) is None
    message_for(session, world)
    assert deliver_outbox(session, now=NOW) == 1
    assert mailbox.messages == []

    monkeypatch.setenv("POLITIRAD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("POLITIRAD_SMTP_PORT", str(port))
    monkeypatch.setenv("POLITIRAD_SMTP_TLS", "none")
    monkeypatch.setenv("POLITIRAD_SMTP_SENDER", SENDER)
    message_for(session, world)
    assert deliver_outbox(session, now=NOW) == 1

    assert len(mailbox.messages) == 1


def test_smtp_settings_are_read_and_checked():
    settings = SmtpSettings.from_environment(
        {
            "POLITIRAD_SMTP_HOST": "smtp.oslo.kommune.no",
            "POLITIRAD_SMTP_TLS": "SSL",
            "POLITIRAD_SMTP_USER": "politirad",
            "POLITIRAD_SMTP_PASSWORD": "hemmelig",
            "POLITIRAD_SMTP_SENDER": SENDER,
        }
    )
    assert settings == SmtpSettings(
        host="smtp.oslo.kommune.no",
        sender=SENDER,
        tls="ssl",
        user="politirad",
        password="hemmelig",
    )
    with pytest.raises(ValueError, match="POLITIRAD_SMTP_TLS"):
        SmtpSettings(host="smtp", sender=SENDER, tls="tls1.0")
    with pytest.raises(ValueError, match="POLITIRAD_SMTP_SENDER"):
        SmtpSettings.from_environment({"POLITIRAD_SMTP_HOST": "smtp"})


def test_a_guest_without_an_account_is_reached_by_email_only(session, world, smtp):
    mailbox, port = smtp
    guest = message_for(session, world, login=None, payload={"email": "leder@natteravnene.no"})
    nobody = message_for(session, world, login=None)

    assert deliver_outbox(session, now=NOW, mailer=mailer(port)) == 1

    assert [m["To"] for m in mailbox.messages] == ["leder@natteravnene.no"]
    assert guest.status == OutboxStatus.SENT
    assert (nobody.status, nobody.last_error) == (OutboxStatus.FAILED, "nobody to deliver to")
    assert session.scalar(select(func.count(InboxMessage.id))) == 0


def test_a_changed_email_address_is_told_at_the_old_address_and_at_the_new(session, world, smtp):
    mailbox, port = smtp
    pmember = world.people["pmember"]
    update_person(
        session,
        actor=world.actor("pmember"),
        person=pmember,
        display_name=pmember.display_name,
        email="ny@politiet.no",
        locale="nb",
        now=NOW,
    )

    assert deliver_outbox(session, now=NOW, mailer=mailer(port)) == 2

    assert sorted(m["To"] for m in mailbox.messages) == ["ny@politiet.no", "pmember@politiet.no"]
    told = next(m for m in mailbox.messages if m["To"] == "pmember@politiet.no")
    assert "pmember@politiet.no til ny@politiet.no" in told.get_content()
    assert [m.subject for m in inbox(session, pmember)] == [
        "E-postadressen din i politirad er endret"
    ]


def test_a_deactivated_person_gets_no_email(session, world, smtp):
    mailbox, port = smtp
    world.people["pmember"].active = False
    message = message_for(session, world)

    assert deliver_outbox(session, now=NOW, mailer=mailer(port)) == 1

    assert mailbox.messages == []
    assert message.status == OutboxStatus.SENT
    assert len(inbox(session, world.people["pmember"])) == 1


# --- the daily digest ------------------------------------------------------------------------


def digests(session, person):
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == "digest", OutboxMessage.recipient_id == person.id)
            .order_by(OutboxMessage.id)
        )
    )


def meeting_waiting_for_the_agenda(session, world):
    meeting = open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte mars",
        actor=world.actor("sec"),
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )
    fire(session, meeting, "start_agenda", actor=world.actor("sec"), now=NOW)
    return meeting


def add_action(session, world, case, due, login="pmember", description="Kartlegg miljøet"):
    session.add(
        Action(
            case_id=case.id,
            description=description,
            owner_party="police",
            owner_person_id=world.people[login].id,
            due=due,
            created_at=NOW,
        )
    )
    session.flush()


def test_the_digest_lists_approvals_actions_due_soon_and_unread_messages(session, world):
    meeting = meeting_waiting_for_the_agenda(session, world)
    fire(session, meeting, "fix_agenda", actor=world.actor("leader"), now=NOW)
    add_action(session, world, meeting, date(2026, 3, 10), description="Innen ti dager")
    add_action(session, world, meeting, date(2026, 2, 27), description="Forfalt")
    add_action(session, world, meeting, date(2026, 4, 30), description="Langt fram")
    message_for(session, world)
    deliver_outbox(session, now=NOW)

    assert send_digests(session, now=NOW) == 2

    assert digests(session, world.people["leader"]) == []  # their party has approved
    (deputy,) = digests(session, world.people["deputy"])
    assert deputy.subject == "Dette venter på deg 02.03.2026"
    assert f"Sak {meeting.number} «Ordinært møte mars»: Fastsett saksliste" in deputy.body
    (member,) = digests(session, world.people["pmember"])
    assert f"Sak {meeting.number}: Innen ti dager, frist 10.03.2026\n" in member.body
    assert f"Sak {meeting.number}: Forfalt, frist 27.02.2026 (forfalt)" in member.body
    assert "Langt fram" not in member.body
    assert "Uleste meldinger i innboksen: 1" in member.body
    assert digests(session, world.people["kmember"]) == []  # nothing waits: no digest


def test_the_digest_counts_the_messages_still_on_their_way_to_the_inbox(session, world):
    closed = free_port()  # nothing listens there: the e-mail stays queued
    message_for(session, world)
    deliver_outbox(session, now=NOW, mailer=mailer(closed))  # in the inbox; its e-mail waits
    message_for(session, world)  # queued, not delivered yet
    message_for(session, world, login="kmember")  # nothing else waits for this member

    assert send_digests(session, now=NOW) == 2

    (member,) = digests(session, world.people["pmember"])
    assert "Uleste meldinger i innboksen: 2" in member.body
    (other,) = digests(session, world.people["kmember"])
    assert "Uleste meldinger i innboksen: 1" in other.body


def test_the_digest_goes_out_at_most_once_a_day(session, world):
    meeting_waiting_for_the_agenda(session, world)

    assert send_digests(session, now=NOW) == 2
    assert send_digests(session, now=NOW + timedelta(hours=8)) == 0
    assert send_digests(session, now=NOW + timedelta(days=1)) == 2

    assert len(digests(session, world.people["leader"])) == 2


def test_the_digest_is_in_english_for_a_person_who_prefers_it(session, world):
    world.people["deputy"].locale = "en"
    meeting = meeting_waiting_for_the_agenda(session, world)

    send_digests(session, now=datetime(2026, 3, 2, 6, 5, tzinfo=UTC))

    (deputy,) = digests(session, world.people["deputy"])
    assert deputy.subject == "Waiting for you, 2 March 2026"
    assert f"Case {meeting.number} «Ordinært møte mars»: Fix the agenda" in deputy.body
