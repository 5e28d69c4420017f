"""The minutes (protokoll) of a meeting: written from its structured record, commented on by
the members, approved by both parties through the meeting workflow, then published.

The text is written for the public record from the start: an item that is restricted
appears only with its public title, an exempt one with its public title and legal
basis, so the same stored text serves every reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import COUNCIL_ROLES, Visibility, visibility, why_not_act
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import (
    Action,
    AgendaEntry,
    Case,
    Disqualification,
    Meeting,
    MinutesComment,
    Participant,
    Referral,
)
from engine.models.enums import Access, Role
from engine.services.cases import update_case
from engine.services.followup import describe_owner, party_names, record_change
from engine.services.meetings import KIND_TITLES, long_date

_STRICTNESS = {Access.PUBLIC: 0, Access.EXEMPT: 1, Access.RESTRICTED: 2}
_SHOWN_FROM = ("minutes_draft", "minutes_review", "minutes_approved", "published")


def generate_minutes(session: Session, meeting: Meeting, *, now: datetime | None = None) -> str:
    """Write the minutes in Norwegian Bokmål from the meeting's record alone, store them in
    ``Meeting.minutes`` and return them."""
    meeting.minutes = _compose(session, meeting, resolve(now))
    session.flush()
    return meeting.minutes


def write_minutes(
    session: Session, meeting: Meeting, *, actor: Actor, now: datetime | None = None
) -> str:
    """(Re)write the draft minutes from the record while the draft is open, and keep the
    text in the meeting case's ``minutes`` too, which circulating the minutes requires."""
    now = resolve(now)
    if meeting.case.state != "minutes_draft":
        raise ValidationError(
            f"{meeting.label} is {meeting.case.state}: minutes are written while the draft "
            "is open (minutes_draft)",
            {"state": meeting.case.state},
        )
    text = _compose(session, meeting, now)
    update_case(
        session,
        meeting.case,
        actor=actor,
        data={"minutes": text},
        comment="Protokollutkast skrevet fra møtets registreringer.",
        now=now,
    )
    meeting.minutes = text
    session.flush()
    return text


def _compose(session: Session, meeting: Meeting, now: datetime) -> str:
    parties = party_names(session)
    when = long_date(meeting.date, weekday=True)
    if meeting.starts_at:
        when += f" kl. {meeting.starts_at:%H.%M}"
    kind = KIND_TITLES[meeting.kind].lower()
    lines = [
        f"Protokoll fra {kind} {meeting.label} i {meeting.case.council.name}",
        "",
        f"Tid: {when}",
    ]
    if meeting.location:
        lines.append(f"Sted: {meeting.location}")
    participants = session.scalars(
        select(Participant)
        .where(Participant.meeting_id == meeting.case_id)
        .order_by(Participant.id)
    )
    lines += _attendance(participants, parties)
    lines += _disqualifications(session, meeting)
    lines += ["", "Saker"]
    agenda = session.scalars(
        select(AgendaEntry)
        .where(AgendaEntry.meeting_id == meeting.case_id)
        .order_by(AgendaEntry.position)
    )
    for entry in agenda:
        lines += _entry(session, entry, parties)
    lines += ["", f"Protokollen er skrevet {to_oslo(now):%d.%m.%Y} fra møtets registreringer."]
    return "\n".join(lines) + "\n"


def comment_on_minutes(
    session: Session,
    meeting: Meeting,
    *,
    actor: Actor,
    text: str,
    now: datetime | None = None,
) -> MinutesComment:
    """A member's comment on the draft minutes during the review round (kommentarrunde)."""
    now = resolve(now)
    day = to_oslo(now).date()
    case = meeting.case
    blocked = why_not_act(actor, case, day)
    seat = actor.seat_with_role(case.council_id, day, COUNCIL_ROLES)
    if blocked or seat is None:
        raise PermissionDenied(blocked or "only the council's members comment on its minutes")
    if case.state != "minutes_review":
        raise ValidationError(
            f"{meeting.label} is {case.state}: comments are taken while the minutes are out "
            "for review (minutes_review)",
            {"state": case.state},
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError("a comment needs text", {"text": "required"})
    comment = MinutesComment(
        meeting_id=meeting.case_id, person_id=actor.person_id, text=text, at=now
    )
    session.add(comment)
    session.flush()
    record_change(
        session,
        case,
        actor=actor,
        party=seat.party,
        changes={f"minutes_comment.{comment.id}": [None, text]},
        now=now,
    )
    return comment


def published_minutes(
    session: Session, meeting: Meeting, *, actor: Actor, now: datetime | None = None
) -> str:
    """The minutes as ``actor`` may read them: everyone once published, the council's members
    from the first draft."""
    day = to_oslo(resolve(now)).date()
    case = meeting.case
    if meeting.minutes is None or case.state not in _SHOWN_FROM:
        raise NotFound(f"{meeting.label} has no minutes yet")
    if visibility(actor, case, day) != Visibility.FULL:
        raise PermissionDenied(f"the minutes of {meeting.label} are not public")
    if case.state != "published" and not (
        actor.is_system or actor.seat_with_role(case.council_id, day, COUNCIL_ROLES)
    ):
        raise PermissionDenied(f"the minutes of {meeting.label} are not published yet")
    return meeting.minutes


def _attendance(participants: Iterable[Participant], parties: Mapping[str, str]) -> list[str]:
    groups: dict[str, list[str]] = {"present": [], "absent": [], "invited": []}
    for participant in participants:
        groups[participant.attendance].append(f"- {_who(participant, parties)}")
    lines = []
    for attendance, heading in (
        ("present", "Til stede"),
        ("absent", "Forfall"),
        ("invited", "Oppmøte ikke registrert"),
    ):
        if groups[attendance]:
            lines += ["", heading, *groups[attendance]]
    return lines


def _who(participant: Participant, parties: Mapping[str, str]) -> str:
    if participant.role == "guest":
        detail = f"gjest, {participant.organisation}" if participant.organisation else "gjest"
    elif participant.role == "substitute":
        principal = participant.substitute_for.display_name
        detail = f"vara for {principal}, {parties[participant.party]}"
    elif participant.role == Role.SECRETARIAT:
        detail = f"sekretariatet, {parties[participant.party]}"
    else:
        detail = parties[participant.party]
    return f"{participant.name} ({detail})"


def _disqualifications(session: Session, meeting: Meeting) -> list[str]:
    rows = session.execute(
        select(Disqualification, AgendaEntry)
        .join(AgendaEntry, Disqualification.entry_id == AgendaEntry.id)
        .where(AgendaEntry.meeting_id == meeting.case_id)
        .order_by(AgendaEntry.position, Disqualification.id)
    ).all()
    lines = []
    for disqualification, entry in rows:
        access, title, _basis = _screening(entry)
        line = (
            f"- {disqualification.person.display_name} erklærte seg inhabil i sak "
            f"{entry.position} ({title})"
        )
        # The reason may say what the item is about, so it is given for public items only.
        reason = f". Grunn: {disqualification.reason}" if access == Access.PUBLIC else ""
        lines.append(line + reason + ".")
    return ["", "Inhabilitet", *(lines or ["Ingen erklærte seg inhabil."])]


def _entry(session: Session, entry: AgendaEntry, parties: Mapping[str, str]) -> list[str]:
    access, title, legal_basis = _screening(entry)
    case = entry.case
    # A restricted case does not exist for most readers: not even its number is shown.
    number = f" (sak {case.number})" if case and access != Access.RESTRICTED else ""
    lines = ["", f"Sak {entry.position}: {title}{number}"]
    if access == Access.RESTRICTED:
        return lines
    if access == Access.EXEMPT:
        return [*lines, f"Unntatt offentlighet, {legal_basis}."]
    lines.append(_outcome(session, entry))
    if case is not None and entry.outcome == "decided":
        lines += _follow_up(session, case, parties)
    return lines


def _screening(entry: AgendaEntry) -> tuple[str, str, str | None]:
    """The strictest access of the entry and its case, with that one's public title and basis.

    An entry copies its case's access when placed; if either was screened since, the
    minutes follow the stricter.
    """
    sources: list[AgendaEntry | Case] = [entry, *([entry.case] if entry.case else [])]
    strictest = max(sources, key=lambda source: _STRICTNESS[source.access])
    if strictest.access == Access.PUBLIC:
        return Access.PUBLIC, entry.title, None
    return strictest.access, strictest.public_title, strictest.legal_basis


def _outcome(session: Session, entry: AgendaEntry) -> str:
    text = (entry.outcome_text or "").strip()
    # A decision or a rejection binds once both parties have approved it on the case.
    pending = entry.case is not None and entry.case.state == "deliberated"
    if entry.outcome == "decided":
        decision = text or (entry.case.data.get("decision_text", "") if entry.case else "")
        if pending:
            return f"Forslag til vedtak, venter på godkjenning fra begge parter: {decision}"
        return f"Vedtak: {decision}"
    if entry.outcome == "noted":
        return "Tatt til orientering." + (f" {_sentence(text)}" if text else "")
    if entry.outcome == "deferred":
        later = session.get(Meeting, entry.moved_to_id) if entry.moved_to_id else None
        return f"Utsatt til {later.label}." if later else "Utsatt."
    if entry.outcome == "rejected":
        verdict = (
            "Forslag om å avvise, venter på godkjenning fra begge parter." if pending else "Avvist."
        )
        return verdict + (f" {_sentence(text)}" if text else "")
    return "Ikke behandlet."


def _follow_up(session: Session, case: Case, parties: Mapping[str, str]) -> list[str]:
    actions = session.scalars(select(Action).where(Action.case_id == case.id).order_by(Action.id))
    referrals = session.scalars(
        select(Referral).where(Referral.case_id == case.id).order_by(Referral.id)
    )
    lines = [
        f"- {_sentence(action.description)} Ansvar: {describe_owner(action, parties)}. "
        f"Frist: {action.due:%d.%m.%Y}."
        for action in actions
    ]
    if lines:
        lines.insert(0, "Oppfølgingspunkter:")
    sent = [
        f"- Til {referral.target_name}: {_sentence(referral.description)} "
        f"Svarfrist: {referral.response_due:%d.%m.%Y}."
        for referral in referrals
    ]
    return lines + (["Oversendelser:", *sent] if sent else [])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
