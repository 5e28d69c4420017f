"""Meetings (møter): the year plan, the meeting page with its agenda builder, outcomes,
approvals and disqualifications, and the printable notice and minutes.

Every POST calls one engine service, commits and goes back to the page it came from. A
form the engine refuses (ValidationError) is shown again with the message beside it and
what was typed still in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from engine.access import COUNCIL_ROLES, EDITOR_ROLES, Visibility, listable_clause, visibility
from engine.actors import Actor
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.guards import MEETING_OPEN_STATES
from engine.models import (
    Action,
    AgendaEntry,
    Case,
    Council,
    Disqualification,
    Meeting,
    Membership,
    MinutesComment,
    Party,
    Person,
)
from engine.models.enums import Access, Role
from engine.models.meetings import MEETING_KINDS, OUTCOMES
from engine.runtime import definition_of
from engine.services.cases import available_transitions
from engine.services.followup import OWNER_PARTIES, add_action, follow_up_list
from engine.services.meetings import (
    ATTENDANCE_STATES,
    DECIDING_ROLES,
    NEEDS_BOTH_PARTIES,
    PLACING,
    RECORD_OPEN_STATES,
    add_substitute,
    approve_decision,
    create_meeting,
    declare_disqualification,
    entry_title,
    get_entry,
    get_meeting,
    invite_guest,
    list_meetings,
    move_entry,
    move_meeting,
    place_item,
    plan_year,
    record_attendance,
    record_outcome,
    remove_item,
    sees_entry,
)
from engine.services.minutes import comment_on_minutes, published_minutes, write_minutes
from engine.services.people import get_council
from web.auth import current_actor, login_required
from web.clock import now, today
from web.db import commit, db
from web.reasons import field_errors, refusal_in_words

blueprint = Blueprint("meetings", __name__)

INT = "int(max=2147483647)"
MEETING_URL = f"/<council_slug>/meetings/<{INT}:year>/<{INT}:number>"
ITEM_URL = f"{MEETING_URL}/agenda/<{INT}:position>"

KIND_LABELS = {
    "ordinary": _l("Ordinært møte"),
    "extraordinary": _l("Ekstraordinært møte"),
    "seminar": _l("Seminar"),
}
OUTCOME_LABELS = {
    "decided": _l("Vedtatt"),
    "noted": _l("Tatt til orientering"),
    "deferred": _l("Utsatt"),
    "rejected": _l("Avvist"),
}
ATTENDANCE_LABELS = {
    "invited": _l("Innkalt"),
    "present": _l("Til stede"),
    "absent": _l("Forfall"),
}
ROLE_LABELS = {
    "member": _l("Medlem"),
    "substitute": _l("Vara"),
    "guest": _l("Gjest"),
    "secretariat": _l("Sekretariatet"),
}
MINUTES_STATES = ("minutes_draft", "minutes_review", "minutes_approved", "published")


# --- shared by the council's meeting, follow-up and public pages ------------------------


def council_or_404(slug: str) -> Council:
    return get_council(db(), slug)


def council_page(slug: str) -> tuple[Council, Actor]:
    """The council and the actor, who must hold a seat in it today."""
    council = council_or_404(slug)
    actor = current_actor()
    if not actor.seats_in(council.id, today()):
        raise PermissionDenied(_("Du har ingen plass i dette politirådet."))
    return council, actor


def has_role(actor: Actor, council: Council, roles: tuple[str, ...]) -> bool:
    return actor.seat_with_role(council.id, today(), roles) is not None


def meeting_or_404(council: Council, year: int, number: int) -> Meeting:
    return get_meeting(db(), council, f"PR {number}/{year}")


def lang() -> str:
    return str(get_locale() or "nb")


@blueprint.app_template_global()
def party_label(code: str | None) -> str:
    """A party's name in the page's language."""
    if code is None:
        return ""
    if "party_names" not in g:
        g.party_names = {p.code: p for p in db().scalars(select(Party))}
    party = g.party_names.get(code)
    if party is None:
        return code
    return party.name_en if lang() == "en" else party.name_nb


@blueprint.app_template_global()
def name_of(login: str) -> str:
    """A person's name for their login (approvals record logins)."""
    names = g.setdefault("names_by_login", {})
    if login not in names:
        person = db().scalars(select(Person).where(Person.login == login)).one_or_none()
        names[login] = person.display_name if person else login
    return names[login]


@blueprint.app_template_global()
def workflow_state(case: Case) -> str:
    """The case's state as its workflow names it, in the page's language."""
    return definition_of(db(), case).state(case.state).labels.get(lang())


@blueprint.app_template_global()
def meeting_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@blueprint.app_template_global()
def outcome_label(outcome: str | None) -> str:
    return str(OUTCOME_LABELS.get(outcome, "")) if outcome else ""


@blueprint.app_template_global()
def case_link(case: Case) -> str:
    """The case page (web-cases' route, by the URL map)."""
    return f"/{case.council.slug}/cases/{case.year}/{case.seq}"


@dataclass(frozen=True)
class MinutesBlock:
    """One block of the minutes text, for the printable page."""

    kind: str  # title, heading, item, list, paragraph
    text: str = ""
    items: tuple[str, ...] = ()


MINUTES_HEADINGS = ("Til stede", "Forfall", "Oppmøte ikke registrert", "Inhabilitet", "Saker")
LIST_LEADS = ("Oppfølgingspunkter:", "Oversendelser:")


def minutes_blocks(text: str) -> list[MinutesBlock]:
    """The stored minutes (plain text, see ``engine.services.minutes``) as headed blocks, so
    the page can print as a proper document."""
    lines = text.splitlines()
    blocks: list[MinutesBlock] = []
    if lines:
        blocks.append(MinutesBlock("title", lines[0]))
    bullets: list[str] = []
    for line in [*lines[1:], ""]:
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        if bullets:
            blocks.append(MinutesBlock("list", items=tuple(bullets)))
            bullets = []
        if not line.strip():
            continue
        if line in MINUTES_HEADINGS:
            blocks.append(MinutesBlock("heading", line))
        elif line.startswith("Sak ") and ":" in line:
            blocks.append(MinutesBlock("item", line))
        elif line in LIST_LEADS:
            blocks.append(MinutesBlock("lead", line))
        else:
            blocks.append(MinutesBlock("paragraph", line))
    return blocks


@dataclass
class ItemView:
    """An agenda entry as one actor sees it on the meeting page."""

    entry: AgendaEntry
    title: str
    full: bool
    legal_basis: str | None
    approval: Any = None
    disqualified: list[Disqualification] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    follow_up: list[Any] = field(default_factory=list)


def item_view(actor: Actor, entry: AgendaEntry, day: date) -> ItemView:
    """Title, whether it is seen in full, and for an exempt item its legal basis."""
    source: Case | AgendaEntry = entry.case if entry.case is not None else entry
    full = sees_entry(actor, entry, day)
    basis = source.legal_basis if not full and source.access == Access.EXEMPT else None
    return ItemView(entry, entry_title(actor, entry, day), full, basis)


# --- failed forms ---------------------------------------------------------------------


@blueprint.app_template_global()
def typed(failed: Failed | None, form: str, name: str, default: Any = "") -> Any:
    """What the person typed into ``name`` of ``form`` if the engine refused it, else
    ``default``."""
    if failed is not None and failed.form == form:
        return failed.values.get(name, default)
    return default


@blueprint.app_template_global()
def refusal(failed: Failed | None, form: str, name: str | None = None) -> str | None:
    """Why the engine refused ``form`` (or its field ``name``), if it did."""
    if failed is None or failed.form != form:
        return None
    if name is None:
        return failed.message
    return failed.errors.get(name)


@dataclass(frozen=True)
class Failed:
    """A form the engine refused: which one, what was typed, and why."""

    form: str
    values: Mapping[str, str]
    errors: Mapping[str, str]
    message: str


def refused(form: str, error: ValidationError) -> Failed:
    db().rollback()
    return Failed(
        form,
        request.form.to_dict(),
        field_errors(dict(error.errors)),
        refusal_in_words(error, ""),
    )


def form_view(form: str, render: Callable[[Failed], Any]):
    """Run the POST view; on a ValidationError show the page again with the form as typed."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except ValidationError as error:
                return render(failed=refused(form.format(**kwargs), error), **kwargs), 422

        return wrapped

    return decorate


def parse_date(name: str) -> date:
    value = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("Skriv datoen som åååå-mm-dd."), {name: _("ugyldig dato")}
        ) from None


def parse_time(name: str) -> time | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Skriv klokkeslettet som tt:mm."), {name: _("ugyldig")}) from None


def parse_int(name: str, *, required: bool = True) -> int | None:
    value = request.form.get(name, "").strip()
    if not value and not required:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("Skriv et helt tall."), {name: _("ugyldig tall")}) from None


def person_or_none(name: str) -> Person | None:
    person_id = parse_int(name, required=False)
    if person_id is None:
        return None
    person = db().get(Person, person_id)
    if person is None:
        raise ValidationError(_("Finner ikke personen."), {name: _("ukjent person")})
    return person


# --- the year plan --------------------------------------------------------------------


def render_year(council_slug: str, failed: Failed | None = None, **_kwargs):
    council, actor = council_page(council_slug)
    year = request.args.get("year", type=int) or request.form.get("year", type=int)
    year = year or today().year
    meetings = list_meetings(db(), council, year=year)
    quarters = {q: [m for m in meetings if (m.date.month - 1) // 3 + 1 == q] for q in range(1, 5)}
    return render_template(
        "meetings/year.html",
        council=council,
        actor=actor,
        year=year,
        quarters=quarters,
        kinds=MEETING_KINDS,
        secretariat=has_role(actor, council, (Role.SECRETARIAT,)),
        failed=failed,
    )


@blueprint.get("/<council_slug>/meetings")
@login_required
def year_plan(council_slug: str):
    return render_year(council_slug)


@blueprint.post("/<council_slug>/meetings/plan")
@login_required
@form_view("plan", render_year)
def plan(council_slug: str):
    council, actor = council_page(council_slug)
    year = parse_int("year")
    planned = plan_year(db(), council=council, year=year, actor=actor, now=now())
    commit()
    if planned:
        flash(_("%(n)d møter er planlagt for %(year)d.", n=len(planned), year=year))
    else:
        flash(_("Året %(year)d er allerede planlagt.", year=year))
    return redirect(url_for("meetings.year_plan", council_slug=council.slug, year=year))


@blueprint.post("/<council_slug>/meetings/new")
@login_required
@form_view("new", render_year)
def new_meeting(council_slug: str):
    council, actor = council_page(council_slug)
    meeting = create_meeting(
        db(),
        council=council,
        actor=actor,
        date=parse_date("date"),
        kind=request.form.get("kind", "ordinary"),
        location=request.form.get("location"),
        starts_at=parse_time("starts_at"),
        now=now(),
    )
    commit()
    flash(_("%(label)s er planlagt.", label=meeting.label))
    return redirect(meeting_url(meeting, council))


# --- the meeting page -----------------------------------------------------------------


def meeting_url(meeting: Meeting, council: Council, anchor: str | None = None) -> str:
    return url_for(
        "meetings.meeting_page",
        council_slug=council.slug,
        year=meeting.year,
        number=meeting.number,
        _anchor=anchor,
    )


def render_meeting(
    council_slug: str, year: int, number: int, failed: Failed | None = None, **_kwargs
):
    council, actor = council_page(council_slug)
    meeting = meeting_or_404(council, year, number)
    day = today()
    case = meeting.case
    member = has_role(actor, council, COUNCIL_ROLES)
    secretariat = has_role(actor, council, (Role.SECRETARIAT,))
    editor = has_role(actor, council, EDITOR_ROLES)
    items = [item_view(actor, entry, day) for entry in meeting.agenda]
    _decorate_items(items, meeting, actor, member)
    open_agenda = case.state in MEETING_OPEN_STATES
    return render_template(
        "meetings/meeting.html",
        council=council,
        actor=actor,
        meeting=meeting,
        case=case,
        items=items,
        member=member,
        secretariat=secretariat,
        editor=editor,
        open_agenda=open_agenda,
        record_open=case.state in RECORD_OPEN_STATES,
        attendance_open=case.state in ATTENDANCE_STATES,
        outcomes_open=case.state in ("held", "minutes_draft"),
        outcomes=OUTCOMES,
        attendance_labels=ATTENDANCE_LABELS,
        role_labels=ROLE_LABELS,
        owner_parties=OWNER_PARTIES,
        move=_move(case, actor) if secretariat else None,
        candidates=_candidates(council, actor) if secretariat and open_agenda else [],
        later_meetings=_later_meetings(council, meeting) if secretariat else [],
        council_people=_council_people(council) if secretariat or editor else [],
        deciding=[p for p in meeting.participants if p.role in DECIDING_ROLES],
        called_ids={p.person_id for p in meeting.participants},
        me=actor.person_id,
        minutes_shown=meeting.minutes is not None and case.state in MINUTES_STATES,
        failed=failed,
    )


def _decorate_items(items: list[ItemView], meeting: Meeting, actor: Actor, member: bool) -> None:
    """Add what only some see: disqualifications, approvals, actions, the follow-up list."""
    session = db()
    entry_ids = [item.entry.id for item in items]
    disqualified: dict[int, list[Disqualification]] = {}
    if member and entry_ids:
        for row in session.scalars(
            select(Disqualification)
            .where(Disqualification.entry_id.in_(entry_ids))
            .options(selectinload(Disqualification.person))
            .order_by(Disqualification.id)
        ):
            disqualified.setdefault(row.entry_id, []).append(row)
    case_ids = [item.entry.case_id for item in items if item.full and item.entry.case_id]
    actions: dict[int, list[Action]] = {}
    if case_ids:
        for action in session.scalars(
            select(Action).where(Action.case_id.in_(case_ids)).order_by(Action.id)
        ):
            actions.setdefault(action.case_id, []).append(action)
    for item in items:
        entry = item.entry
        item.disqualified = disqualified.get(entry.id, [])
        item.actions = actions.get(entry.case_id, []) if entry.case_id else []
        if entry.standing == "follow_up_list" and member:
            item.follow_up = follow_up_list(
                session, session.get(Council, meeting.council_id), as_of=meeting.date, actor=actor
            )
        case = entry.case
        if (
            item.full
            and case is not None
            and entry.outcome in NEEDS_BOTH_PARTIES
            and case.state == "deliberated"
        ):
            trigger = NEEDS_BOTH_PARTIES[entry.outcome]
            item.approval = next(
                (
                    a
                    for a in available_transitions(session, case, actor, now=now())
                    if a.trigger == trigger
                ),
                None,
            )


def _move(case: Case, actor: Actor) -> Any:
    """The meeting case's ``move`` transition, which the meeting page offers itself."""
    options = available_transitions(db(), case, actor, now=now())
    return next((option for option in options if option.trigger == "move"), None)


def _candidates(council: Council, actor: Actor) -> list[tuple[Case, str]]:
    """Cases that can go on an agenda: proposed or deferred items, submitted reports."""
    wanted = [(Case.kind == kind) & (Case.state == state) for kind, state in PLACING]
    day = today()
    cases = db().scalars(
        select(Case)
        .where(Case.council_id == council.id, or_(*wanted), listable_clause(actor, day))
        .order_by(Case.year, Case.seq)
    )
    return [
        (c, c.title if visibility(actor, c, day) == Visibility.FULL else c.public_title)
        for c in cases
    ]


def _later_meetings(council: Council, meeting: Meeting) -> list[Meeting]:
    """Meetings an item can be deferred to: later ones whose agenda is still open."""
    rows = db().scalars(
        select(Meeting)
        .join(Case, Case.id == Meeting.case_id)
        .where(
            Meeting.council_id == council.id,
            Meeting.date >= meeting.date,
            Meeting.case_id != meeting.case_id,
            Case.state.in_(MEETING_OPEN_STATES),
        )
        .order_by(Meeting.date)
    )
    return list(rows)


def _council_people(council: Council) -> list[Person]:
    """People with a seat in the council today, by name."""
    day = today()
    seats = db().scalars(
        select(Membership)
        .where(Membership.council_id == council.id)
        .options(selectinload(Membership.person))
    )
    people = {s.person.id: s.person for s in seats if s.active_on(day) and s.person.active}
    return sorted(people.values(), key=lambda p: p.display_name)


@blueprint.get(MEETING_URL)
@login_required
def meeting_page(council_slug: str, year: int, number: int):
    return render_meeting(council_slug, year, number)


def _meeting_post(council_slug: str, year: int, number: int) -> tuple[Council, Actor, Meeting]:
    council, actor = council_page(council_slug)
    return council, actor, meeting_or_404(council, year, number)


def _done(meeting: Meeting, council: Council, message: str, anchor: str | None = None):
    commit()
    flash(message)
    return redirect(meeting_url(meeting, council, anchor))


@blueprint.post(f"{MEETING_URL}/move")
@login_required
@form_view("move", render_meeting)
def move_to(council_slug: str, year: int, number: int):
    """Move the meeting to another day: its case is planned again and its date, title and
    items follow (the other transitions go through the case's own transition form)."""
    council, actor, meeting = _meeting_post(council_slug, year, number)
    if meeting.case.version != parse_int("version"):
        raise Conflict(_("Noen har endret møtet siden siden ble lastet. Last siden på nytt."))
    move_meeting(db(), meeting, actor=actor, date=parse_date("date"), now=now())
    return _done(meeting, council, _("Møtet er flyttet."), "transitions")


@blueprint.post(f"{MEETING_URL}/guests")
@login_required
@form_view("guest", render_meeting)
def guest(council_slug: str, year: int, number: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    invited = invite_guest(
        db(),
        meeting,
        actor=actor,
        name=request.form.get("name", ""),
        organisation=request.form.get("organisation"),
        email=request.form.get("email"),
        now=now(),
    )
    return _done(meeting, council, _("%(name)s er invitert.", name=invited.name), "participants")


@blueprint.post(f"{MEETING_URL}/substitutes")
@login_required
@form_view("substitute", render_meeting)
def substitute(council_slug: str, year: int, number: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    principal, stand_in = person_or_none("principal"), person_or_none("substitute")
    if principal is None or stand_in is None:
        raise ValidationError(
            _("Velg både medlemmet og varaen."),
            {"principal": _("påkrevd")} if principal is None else {"substitute": _("påkrevd")},
        )
    called = add_substitute(
        db(), meeting, actor=actor, principal=principal, substitute=stand_in, now=now()
    )
    return _done(meeting, council, _("%(name)s er innkalt som vara.", name=called.name))


@blueprint.post(f"{MEETING_URL}/attendance")
@login_required
@form_view("attendance", render_meeting)
def attendance(council_slug: str, year: int, number: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    for participant in list(meeting.participants):
        came = request.form.get(f"attendance-{participant.id}")
        if came in ("present", "absent") and came != participant.attendance:
            record_attendance(db(), participant, came, actor=actor, now=now())
    return _done(meeting, council, _("Oppmøtet er lagret."), "participants")


@blueprint.post(f"{MEETING_URL}/agenda")
@login_required
@form_view("place", render_meeting)
def place(council_slug: str, year: int, number: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    case_id = parse_int("case")
    case = db().get(Case, case_id)
    if case is None or case.council_id != council.id:
        raise NotFound(_("Finner ikke saken."))
    entry = place_item(db(), meeting, case, actor=actor, now=now())
    return _done(
        meeting, council, _("Saken er sak %(n)d på sakslisten.", n=entry.position), "agenda"
    )


@blueprint.post(f"{ITEM_URL}/move")
@login_required
@form_view("move-{position}", render_meeting)
def move(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    target = parse_int("to")
    move_entry(db(), get_entry(meeting, position), target, actor=actor, now=now())
    return _done(meeting, council, _("Sakslisten er endret."), f"item-{target}")


@blueprint.post(f"{ITEM_URL}/remove")
@login_required
@form_view("remove-{position}", render_meeting)
def remove(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    remove_item(
        db(),
        get_entry(meeting, position),
        actor=actor,
        comment=request.form.get("comment", ""),
        now=now(),
    )
    return _done(meeting, council, _("Saken er tatt av sakslisten."), "agenda")


@blueprint.post(f"{ITEM_URL}/outcome")
@login_required
@form_view("outcome-{position}", render_meeting)
def outcome(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    later = parse_int("to_meeting", required=False)
    to_meeting = None
    if later is not None:
        to_meeting = db().get(Meeting, later)
        if to_meeting is None or to_meeting.council_id != council.id:
            raise ValidationError(_("Finner ikke møtet."), {"to_meeting": _("ukjent møte")})
    record_outcome(
        db(),
        get_entry(meeting, position),
        request.form.get("outcome", ""),
        actor=actor,
        text=request.form.get("text"),
        to_meeting=to_meeting,
        now=now(),
    )
    return _done(meeting, council, _("Utfallet er registrert."), f"item-{position}")


@blueprint.post(f"{ITEM_URL}/approve")
@login_required
@form_view("approve-{position}", render_meeting)
def approve(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    result = approve_decision(db(), get_entry(meeting, position), actor=actor, now=now())
    if result.fired:
        message = _("Beslutningen er godkjent av begge parter.")
    else:
        message = _("Godkjenningen er registrert. Venter på den andre parten.")
    return _done(meeting, council, message, f"item-{position}")


@blueprint.post(f"{ITEM_URL}/disqualifications")
@login_required
@form_view("disqualify-{position}", render_meeting)
def disqualify(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    declare_disqualification(
        db(),
        get_entry(meeting, position),
        actor=actor,
        person=person_or_none("person"),
        reason=request.form.get("reason", ""),
        now=now(),
    )
    return _done(meeting, council, _("Inhabiliteten er registrert."), f"item-{position}")


@blueprint.post(f"{ITEM_URL}/actions")
@login_required
@form_view("action-{position}", render_meeting)
def action(council_slug: str, year: int, number: int, position: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    entry = get_entry(meeting, position)
    if entry.case is None:
        abort(404)
    add_action(
        db(),
        entry.case,
        actor=actor,
        description=request.form.get("description", ""),
        owner_party=request.form.get("owner_party", ""),
        due=parse_date("due"),
        owner_person=person_or_none("owner_person"),
        owner_unit=request.form.get("owner_unit"),
        now=now(),
    )
    return _done(meeting, council, _("Oppfølgingspunktet er registrert."), f"item-{position}")


# --- the notice and the minutes -------------------------------------------------------


@blueprint.get(f"{MEETING_URL}/notice")
@login_required
def notice(council_slug: str, year: int, number: int):
    """The notice (innkalling) as a printable page, with the follow-up list under its item."""
    council, actor = council_page(council_slug)
    meeting = meeting_or_404(council, year, number)
    day = today()
    items = [item_view(actor, entry, day) for entry in meeting.agenda]
    if any(item.entry.standing == "follow_up_list" for item in items):
        rows = follow_up_list(db(), council, as_of=meeting.date, actor=actor)
        for item in items:
            if item.entry.standing == "follow_up_list":
                item.follow_up = rows
    return render_template(
        "meetings/notice.html",
        council=council,
        meeting=meeting,
        case=meeting.case,
        items=items,
        sent=meeting.case.state not in (*MEETING_OPEN_STATES, "agenda_fixed", "cancelled"),
    )


def render_minutes(
    council_slug: str, year: int, number: int, failed: Failed | None = None, **_kwargs
):
    council, actor = council_page(council_slug)
    meeting = meeting_or_404(council, year, number)
    text = published_minutes(db(), meeting, actor=actor, now=now())
    comments = db().scalars(
        select(MinutesComment)
        .where(MinutesComment.meeting_id == meeting.case_id)
        .options(selectinload(MinutesComment.person))
        .order_by(MinutesComment.id)
    )
    case = meeting.case
    member = has_role(actor, council, COUNCIL_ROLES)
    return render_template(
        "meetings/minutes.html",
        council=council,
        meeting=meeting,
        case=case,
        blocks=minutes_blocks(text),
        comments=list(comments) if member else [],
        member=member,
        can_comment=member and case.state == "minutes_review",
        can_rewrite=has_role(actor, council, (Role.SECRETARIAT,)) and case.state == "minutes_draft",
        approval=_minutes_approval(case, actor) if case.state == "minutes_review" else None,
        failed=failed,
    )


def _minutes_approval(case: Case, actor: Actor) -> Any:
    """The minutes' approval while they are on review: which party has approved."""
    options = available_transitions(db(), case, actor, now=now())
    return next((option for option in options if option.trigger == "approve_minutes"), None)


@blueprint.get(f"{MEETING_URL}/minutes")
@login_required
def minutes(council_slug: str, year: int, number: int):
    """The minutes (protokoll) as a printable page; the review round's comments below."""
    return render_minutes(council_slug, year, number)


@blueprint.post(f"{MEETING_URL}/minutes/comments")
@login_required
@form_view("comment", render_minutes)
def comment(council_slug: str, year: int, number: int):
    council, actor, meeting = _meeting_post(council_slug, year, number)
    comment_on_minutes(db(), meeting, actor=actor, text=request.form.get("text", ""), now=now())
    commit()
    flash(_("Kommentaren er lagret."))
    return redirect(
        url_for(
            "meetings.minutes",
            council_slug=council.slug,
            year=year,
            number=number,
            _anchor="comments",
        )
    )


@blueprint.post(f"{MEETING_URL}/minutes/write")
@login_required
@form_view("rewrite", render_minutes)
def rewrite(council_slug: str, year: int, number: int):
    """Write the draft minutes again from the meeting's record."""
    council, actor, meeting = _meeting_post(council_slug, year, number)
    write_minutes(db(), meeting, actor=actor, now=now())
    commit()
    flash(_("Protokollutkastet er skrevet på nytt fra møtets registreringer."))
    return redirect(
        url_for("meetings.minutes", council_slug=council.slug, year=year, number=number)
    )
