"""``politirad meeting``: plan the year, build agendas, record attendance and outcomes."""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import COUNCIL_ROLES
from engine.actors import load_actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import NotFound
from engine.models import Disqualification, Meeting, Participant, Person
from engine.models.meetings import MEETING_KINDS, OUTCOMES
from engine.runtime import definition_of
from engine.services import get_case
from engine.services.meetings import (
    add_substitute,
    approve_decision,
    create_meeting,
    declare_disqualification,
    entry_title,
    get_entry,
    get_meeting,
    invite_guest,
    list_meetings,
    long_date,
    move_entry,
    move_meeting,
    place_item,
    plan_year,
    record_attendance,
    record_outcome,
    remove_item,
    sees_entry,
)
from engine.services.people import get_council
from web.cli import as_option, council_option, now_option, parse_now, transaction


@click.group("meeting")
def group() -> None:
    """Meetings: the year's plan, agendas, attendance and outcomes."""


def _person(session: Session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login)).one_or_none()
    if person is None:
        raise NotFound(f"no person with login '{login}'")
    return person


def _participant(session: Session, meeting: Meeting, who: str) -> Participant:
    """A participant by the number ``show`` gives them (#3) or by their login."""
    if who.lstrip("#").isdigit():
        found = next((p for p in meeting.participants if p.id == int(who.lstrip("#"))), None)
    else:
        person = _person(session, who)
        found = next((p for p in meeting.participants if p.person_id == person.id), None)
    if found is None:
        raise NotFound(f"{who} is not called to {meeting.label}")
    return found


def _when(meeting: Meeting) -> str:
    text = long_date(meeting.date, weekday=True)
    return f"{text} kl. {meeting.starts_at:%H.%M}" if meeting.starts_at else text


@group.command("plan")
@click.option("--year", type=int, required=True)
@council_option
@as_option
@now_option
def plan(year, council_slug, login, now) -> None:
    """Plan YEAR's ordinary meetings and seminar where they are missing."""
    with transaction() as session:
        planned = plan_year(
            session,
            council=get_council(session, council_slug),
            year=year,
            actor=load_actor(session, login),
            now=parse_now(now),
        )
        for meeting in planned:
            click.echo(f"planned {meeting.label} ({meeting.kind}) on {_when(meeting)}")
        if not planned:
            click.echo(f"{year} is planned already")


@group.command("list")
@click.option("--year", type=int)
@council_option
def list_(year, council_slug) -> None:
    """List the meetings (the calendar is public)."""
    with transaction() as session:
        for meeting in list_meetings(session, get_council(session, council_slug), year=year):
            click.echo(
                f"{meeting.label:<11} {meeting.date.isoformat()}  {meeting.kind:<13} "
                f"{meeting.case.state:<16} {meeting.case.title}"
            )


@group.command("show")
@click.argument("reference")
@council_option
@as_option
@now_option
def show(reference, council_slug, login, now) -> None:
    """Show meeting REFERENCE (PR 3/2026 or its case number): participants and agenda."""
    day = to_oslo(resolve(parse_now(now))).date()
    with transaction() as session:
        actor = load_actor(session, login)
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        case = meeting.case
        state = definition_of(session, case).state(case.state).labels.nb
        click.echo(f"{meeting.label}: {case.title} (sak {case.number})")
        click.echo(f"  kind      {meeting.kind}")
        click.echo(f"  date      {_when(meeting)}")
        if meeting.location:
            click.echo(f"  location  {meeting.location}")
        click.echo(f"  state     {case.state} ({state})")
        council_member = actor.is_system or actor.seat_with_role(
            meeting.council_id, day, COUNCIL_ROLES
        )
        if council_member:
            click.echo("Participants:")
            for p in meeting.participants:
                instead = f", for {p.substitute_for.display_name}" if p.substitute_for else ""
                where = f", {p.organisation}" if p.organisation else ""
                click.echo(
                    f"  #{p.id} {p.name} ({p.party}, {p.role}{instead}{where}): {p.attendance}"
                )
        click.echo("Agenda:")
        for entry in meeting.agenda:
            full = sees_entry(actor, entry, day)
            number = f" (sak {entry.case.number}, {entry.case.state})" if entry.case else ""
            result = f" – {entry.outcome}" if entry.outcome else ""
            if entry.outcome_text and full:
                result += f": {entry.outcome_text}"
            click.echo(f"  {entry.position}. {entry_title(actor, entry, day)}{number}{result}")
            if council_member:
                disqualified = session.scalars(
                    select(Disqualification).where(Disqualification.entry_id == entry.id)
                )
                for d in disqualified:
                    click.echo(f"       inhabil: {d.person.display_name}")


@group.command("create")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--kind", type=click.Choice(MEETING_KINDS), default="ordinary", show_default=True)
@click.option("--location")
@click.option("--time", "starts_at", type=click.DateTime(["%H:%M"]), help="Starts at (Oslo).")
@council_option
@as_option
@now_option
def create(day, kind, location, starts_at, council_slug, login, now) -> None:
    """Plan one meeting, for example an extraordinary one."""
    with transaction() as session:
        meeting = create_meeting(
            session,
            council=get_council(session, council_slug),
            actor=load_actor(session, login),
            date=day.date(),
            kind=kind,
            location=location,
            starts_at=starts_at.time() if starts_at else None,
            now=parse_now(now),
        )
        click.echo(
            f"planned {meeting.label} ({kind}) on {_when(meeting)}, case {meeting.case.number}"
        )


@group.command("move")
@click.argument("reference")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True)
@council_option
@as_option
@now_option
def move(reference, day, council_slug, login, now) -> None:
    """Move meeting REFERENCE to another date."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        move_meeting(
            session, meeting, actor=load_actor(session, login), date=day.date(), now=parse_now(now)
        )
        click.echo(f"{meeting.label} moved to {_when(meeting)}")


@group.command("place")
@click.argument("item")
@click.argument("reference")
@council_option
@as_option
@now_option
def place(item, reference, council_slug, login, now) -> None:
    """Put case ITEM on the agenda of meeting REFERENCE."""
    with transaction() as session:
        council = get_council(session, council_slug)
        meeting = get_meeting(session, council, reference)
        entry = place_item(
            session,
            meeting,
            get_case(session, council, item),
            actor=load_actor(session, login),
            now=parse_now(now),
        )
        click.echo(f"{item} is item {entry.position} of {meeting.label}")


@group.command("reorder")
@click.argument("reference")
@click.argument("position", type=int)
@click.option("--to", "new_position", type=int, required=True)
@council_option
@as_option
@now_option
def reorder(reference, position, new_position, council_slug, login, now) -> None:
    """Move item POSITION of meeting REFERENCE to another position."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        move_entry(
            session,
            get_entry(meeting, position),
            new_position,
            actor=load_actor(session, login),
            now=parse_now(now),
        )
        click.echo(f"item {position} of {meeting.label} is now item {new_position}")


@group.command("remove")
@click.argument("reference")
@click.argument("position", type=int)
@click.option("--comment", default="")
@council_option
@as_option
@now_option
def remove(reference, position, comment, council_slug, login, now) -> None:
    """Take item POSITION off the agenda of meeting REFERENCE."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        remove_item(
            session,
            get_entry(meeting, position),
            actor=load_actor(session, login),
            comment=comment,
            now=parse_now(now),
        )
        click.echo(f"item {position} is off the agenda of {meeting.label}")


@group.command("guest")
@click.argument("reference")
@click.option("--name", required=True)
@click.option("--organisation")
@click.option("--email")
@council_option
@as_option
@now_option
def guest(reference, name, organisation, email, council_slug, login, now) -> None:
    """Invite a guest to meeting REFERENCE."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        invited = invite_guest(
            session,
            meeting,
            actor=load_actor(session, login),
            name=name,
            organisation=organisation,
            email=email,
            now=parse_now(now),
        )
        click.echo(f"#{invited.id} {invited.name} is invited to {meeting.label}")


@group.command("substitute")
@click.argument("reference")
@click.argument("principal")
@click.argument("substitute")
@council_option
@as_option
@now_option
def substitute(reference, principal, substitute, council_slug, login, now) -> None:
    """Call SUBSTITUTE (a login) to meeting REFERENCE in place of the member PRINCIPAL."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        called = add_substitute(
            session,
            meeting,
            actor=load_actor(session, login),
            principal=_person(session, principal),
            substitute=_person(session, substitute),
            now=parse_now(now),
        )
        click.echo(f"#{called.id} {called.name} substitutes for {principal} at {meeting.label}")


@group.command("attendance")
@click.argument("reference")
@click.argument("who")
@click.argument("attendance", type=click.Choice(["present", "absent"]))
@council_option
@as_option
@now_option
def attendance(reference, who, attendance, council_slug, login, now) -> None:
    """Record that WHO (a login, or #N from show) was present at or absent from REFERENCE."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        participant = record_attendance(
            session,
            _participant(session, meeting, who),
            attendance,
            actor=load_actor(session, login),
            now=parse_now(now),
        )
        click.echo(f"{participant.name}: {participant.attendance}")


@group.command("outcome")
@click.argument("reference")
@click.argument("position", type=int)
@click.argument("outcome", type=click.Choice(OUTCOMES))
@click.option("--text", help="The decision, or the reason for a rejection.")
@click.option("--to", "to_reference", help="The meeting a deferred item moves to.")
@council_option
@as_option
@now_option
def outcome(reference, position, outcome, text, to_reference, council_slug, login, now) -> None:
    """Record the OUTCOME of item POSITION of meeting REFERENCE."""
    with transaction() as session:
        council = get_council(session, council_slug)
        meeting = get_meeting(session, council, reference)
        entry = record_outcome(
            session,
            get_entry(meeting, position),
            outcome,
            actor=load_actor(session, login),
            text=text,
            to_meeting=get_meeting(session, council, to_reference) if to_reference else None,
            now=parse_now(now),
        )
        waiting = " (needs each party's approval)" if outcome in ("decided", "rejected") else ""
        click.echo(f"item {entry.position} of {meeting.label}: {outcome}{waiting}")


@group.command("approve")
@click.argument("reference")
@click.argument("position", type=int)
@council_option
@click.option("--as", "login", required=True, help="The leader or deputy approving.")
@now_option
def approve(reference, position, council_slug, login, now) -> None:
    """Approve, for your party, the decision recorded on item POSITION of REFERENCE."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        result = approve_decision(
            session,
            get_entry(meeting, position),
            actor=load_actor(session, login),
            now=parse_now(now),
        )
        if result.fired:
            click.echo(f"case {result.case.number} is now {result.case.state}")
        else:
            click.echo(f"approval recorded; waiting for {' and '.join(result.waiting_for)}")


@group.command("disqualify")
@click.argument("reference")
@click.argument("position", type=int)
@click.option("--reason", required=True)
@click.option("--person", "person_login", help="Whom it concerns (the secretariat's entry).")
@council_option
@click.option("--as", "login", required=True, help="The member, or the secretariat.")
@now_option
def disqualify(reference, position, reason, person_login, council_slug, login, now) -> None:
    """Declare a member disqualified (inhabil) for item POSITION of REFERENCE."""
    with transaction() as session:
        meeting = get_meeting(session, get_council(session, council_slug), reference)
        declared = declare_disqualification(
            session,
            get_entry(meeting, position),
            actor=load_actor(session, login),
            person=_person(session, person_login) if person_login else None,
            reason=reason,
            now=parse_now(now),
        )
        click.echo(
            f"{declared.person.display_name} is disqualified for item {position} of {meeting.label}"
        )
