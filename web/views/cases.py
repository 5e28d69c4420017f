"""Cases (saker): the list with filters, the case page, its transitions and edits, and
opening a new case.

The case page shows every transition out of the current state: a form with a button when
the person may fire it (asking for the fields it requires), the reasons in words when
not. Every form carries the case's version, so a form left open while someone else
changed the case is refused as a conflict (409) instead of overwriting their change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine.access import EDITOR_ROLES, Visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.dashboard import deadline_day
from engine.errors import GuardFailed, ValidationError
from engine.models import Bydel, Case, Council, PoliceUnit, PriorityArea
from engine.models.enums import Access
from engine.queries import (
    CaseFile,
    CaseFilter,
    approvers_awaited,
    case_file,
    search_cases,
    visible_case,
)
from engine.runtime import current_definition, current_definitions, definition_of
from engine.services.cases import Availability, fire, open_case, update_case
from engine.services.people import get_council
from web import clock, formatting
from web.auth import current_actor, login_required, safe_next
from web.db import commit, db
from workflows.diagram import render_svg
from workflows.model import Definition

blueprint = Blueprint("cases", __name__)

PER_PAGE = 25
TEXT_FIELDS = {
    "memo",
    "decision_text",
    "reason",
    "agreement_text",
    "draft_text",
    "consultation_summary",
    "minutes",
    "report",
}
BOOLEAN_FIELDS = {"access_assessed"}
# Kept in step by the meeting services: a meeting's date and kind, its minutes, and the
# date of the meeting an agenda item is placed on; not edited on the case page.
MANAGED_FIELDS = {
    "meeting": {"meeting_date", "kind", "minutes"},
    "agenda_item": {"meeting_date", "decision_type"},
}
# Opened through their own pages (a meeting with its number and participants).
OPENED_ELSEWHERE = {"meeting"}


def locale() -> str:
    return str(get_locale() or "nb")


def field_labels() -> dict[str, str]:
    """Names of case fields and workflow data in the page's language."""
    return {
        "title": _("Tittel"),
        "public_title": _("Offentlig tittel"),
        "access": _("Tilgang"),
        "legal_basis": _("Hjemmel for skjerming"),
        "referral_target": _("Oversendt til"),
        "state": _("Status"),
        "bydeler": _("Bydeler"),
        "priority_areas": _("Prioriterte områder"),
        "meeting_id": _("Møte"),
        "parent_id": _("Overordnet sak"),
        "meeting_date": _("Møtedato"),
        "memo": _("Saksframlegg"),
        "access_assessed": _("Offentlighet vurdert"),
        "decision_type": _("Type beslutning"),
        "decision_text": _("Beslutning"),
        "reason": _("Begrunnelse"),
        "agreement_text": _("Avtaletekst"),
        "valid_from": _("Gyldig fra"),
        "valid_to": _("Gyldig til"),
        "draft_text": _("Utkast til vedtekter"),
        "consultation_summary": _("Oppsummering av høringen"),
        "adopted_on": _("Vedtatt dato"),
        "promulgated_on": _("Kunngjort dato"),
        "commencement_date": _("Ikrafttredelse"),
        "kind": _("Type"),
        "location": _("Sted"),
        "minutes": _("Referat"),
        "group": _("Styringsgruppe"),
        "due_date": _("Frist"),
        "report": _("Rapport"),
    }


def access_labels() -> dict[str, str]:
    return {
        Access.PUBLIC: _("Offentlig"),
        Access.EXEMPT: _("Unntatt offentlighet"),
        Access.RESTRICTED: _("Begrenset (klarerte medlemmer)"),
    }


def party_labels() -> dict[str, str]:
    return {
        "municipality": _("Kommunen"),
        "police": _("Politiet"),
        "external": _("Eksterne"),
    }


def field_label(name: str) -> str:
    if name.startswith("data."):
        name = name.removeprefix("data.")
    return field_labels().get(name, name.replace("_", " "))


def input_kind(definition: Definition, name: str) -> str:
    """How a workflow data field is asked for: date, checkbox, textarea or text."""
    if name in BOOLEAN_FIELDS:
        return "checkbox"
    if name in TEXT_FIELDS:
        return "textarea"
    anchors = {spec.anchor for state in definition.states for spec in state.deadlines}
    if name in anchors or name.endswith(("_date", "_on")) or name.startswith("valid_"):
        return "date"
    return "text"


# --- labels from the workflow definitions -------------------------------------------------


def kind_label(kind: str) -> str:
    try:
        return current_definition(kind).labels.get(locale())
    except KeyError:
        return kind


def state_label(kind: str, state: str | None) -> str:
    if not state:
        return ""
    try:
        return current_definition(kind).state(state).labels.get(locale())
    except KeyError:
        return state


def transition_label(option: Availability) -> str:
    return option.label_en if locale() == "en" else option.label_nb


def trigger_label(kind: str, trigger: str | None) -> str:
    """The name of a trigger in the page's language (the first transition that has it)."""
    try:
        definition = current_definition(kind)
    except KeyError:
        return trigger or ""
    for t in definition.transitions:
        if t.trigger == trigger:
            return t.labels.get(locale())
    return trigger or ""


def names_of(ids: Any, names: dict[int, str]) -> list[str]:
    """Names for a list of ids as the audit stores them (an unknown id shows as #id)."""
    if not isinstance(ids, list):
        return [str(ids)]
    return [names.get(i, f"#{i}") for i in ids]


def deadline_label(kind: str, name: str) -> str:
    try:
        definition = current_definition(kind)
    except KeyError:
        return name
    for state in definition.states:
        for spec in state.deadlines:
            if spec.name == name:
                return spec.labels.get(locale())
    return name


def action_status(status: str) -> str:
    return {
        "open": _("åpent"),
        "in_progress": _("pågår"),
        "done": _("fullført"),
        "cancelled": _("avlyst"),
    }.get(status, status)


def data_value(definition: Definition, name: str, value: Any) -> str:
    """A workflow data value as a reader wants it: dates in Norwegian, yes/no, kinds named."""
    if value is True:
        return _("ja")
    if value is False:
        return _("nei")
    if input_kind(definition, name) == "date" and isinstance(value, str):
        try:
            return formatting.oslo_date(date.fromisoformat(value[:10]), "long")
        except ValueError:
            return value
    if definition.name == "meeting" and name == "kind":
        return meeting_kinds().get(value, value)
    return str(value)


def meeting_kinds() -> dict[str, str]:
    return {
        "ordinary": _("Ordinært møte"),
        "extraordinary": _("Ekstraordinært møte"),
        "seminar": _("Seminar"),
    }


def page_numbers(page) -> list[int | None]:
    """The page links to show: the first, the last and two either side (None: a gap)."""
    wanted = {1, page.pages, *range(page.page - 2, page.page + 3)}
    shown: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= page.pages):
        if shown and shown[-1] is not None and n > shown[-1] + 1:
            shown.append(None)
        shown.append(n)
    return shown


@blueprint.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "kind_label": kind_label,
        "state_label": state_label,
        "trigger_label": trigger_label,
        "deadline_label": deadline_label,
        "deadline_day": deadline_day,
        "field_label": field_label,
        "action_status": action_status,
        "data_value": data_value,
        "names_of": names_of,
    }


@blueprint.app_template_filter("last_day")
def last_day(moment: datetime) -> date:
    """The last Oslo day before ``moment`` passes: a frist that passes at midnight is shown
    as the day it ends (the list does not know which deadline it is; the case page does)."""
    return to_oslo(moment - timedelta(microseconds=1)).date()


@blueprint.app_template_filter("state_name")
def state_name(state: str, kind: str) -> str:
    return state_label(kind, state)


# --- the engine's reasons in the page's language ---------------------------------------------


def role_names() -> dict[str, str]:
    return {
        "leader": _("leder"),
        "deputy": _("nestleder"),
        "member": _("medlem"),
        "secretariat": _("sekretariatet"),
        "reporter": _("rapportør"),
        "guest": _("gjest"),
        "system": _("systemet"),
    }


def _names(text: str, names: dict[str, str], joiner: str) -> str:
    """``leader or deputy`` → ``leder eller nestleder`` (unknown words are kept)."""
    parts = re.split(r", | or | and ", text)
    return f" {joiner} ".join(names.get(part.strip(), part.strip()) for part in parts if part)


def _reason_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    roles, parties = role_names(), {k: v.lower() for k, v in party_labels().items()}
    either, both = _("eller"), _("og")
    return [
        (
            re.compile(
                r"your role \((?P<mine>[^)]*)\) may not fire '(?P<t>[^']+)'; it needs (?P<need>.+)"
            ),
            lambda kind, mine, t, need: _(
                "Din rolle (%(mine)s) kan ikke gjøre «%(label)s»; det krever %(need)s.",
                mine=_names(mine, roles, both) or _("ingen"),
                label=trigger_label(kind, t),
                need=_names(need, roles, either),
            ),
        ),
        (
            re.compile(r"only (?P<who>.+) may fire '(?P<t>[^']+)'"),
            lambda kind, who, t: _(
                "Bare %(who)s kan gjøre «%(label)s».",
                who=_names(who, parties, either),
                label=trigger_label(kind, t),
            ),
        ),
        (
            re.compile(r"approval is needed from (?P<who>.+)"),
            lambda kind, who: _(
                "Krever godkjenning fra %(who)s; du har ikke en slik plass.",
                who=_names(who, parties, both),
            ),
        ),
        (
            re.compile(
                r"(?P<party>\w+) has already approved \(by (?P<by>[^)]+)\); waiting for (?P<w>.+)"
            ),
            lambda kind, party, by, w: _(
                "%(party)s har allerede godkjent (%(by)s); venter på %(waiting)s.",
                party=parties.get(party, party).capitalize(),
                by=by,
                waiting=_names(w, parties, both),
            ),
        ),
        (
            re.compile(r"you are not a member of this council"),
            lambda kind: _("Du har ingen plass i dette rådet."),
        ),
        (
            re.compile(r"the case is restricted and you are not cleared for it"),
            lambda kind: _("Saken er begrenset, og du er ikke klarert for den."),
        ),
        (
            re.compile(r"the scheduler may not fire '(?P<t>[^']+)'"),
            lambda kind, t: _("Systemet kan ikke gjøre «%(label)s».", label=trigger_label(kind, t)),
        ),
        (
            re.compile(r"(?P<name>\w+) is required"),
            lambda kind, name: _("%(field)s må fylles ut.", field=field_label(name)),
        ),
        (
            re.compile(r"the case is not tagged with a priority area"),
            lambda kind: _("Saken er ikke merket med et prioritert område."),
        ),
        (
            re.compile(r"the case is not placed on a meeting"),
            lambda kind: _("Saken er ikke satt opp på et møte."),
        ),
        (
            re.compile(r"meeting (?P<n>\S+) is (?P<state>\w+); its agenda is closed"),
            lambda kind, n, state: _(
                "Sakslisten for møtet (sak %(n)s) er lukket; møtet er «%(state)s».",
                n=n,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"meeting (?P<n>\S+) has not been held yet \(it is (?P<state>\w+)\)"),
            lambda kind, n, state: _(
                "Møtet (sak %(n)s) er ikke holdt ennå; det er «%(state)s».",
                n=n,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"public access has not been assessed.*"),
            lambda kind: _("Offentlighetsvurderingen er ikke gjort."),
        ),
        (
            re.compile(r"the meeting has no date"),
            lambda kind: _("Møtet har ingen dato."),
        ),
        (
            re.compile(r"(?P<day>\d{4}-\d{2}-\d{2}) is not a working day"),
            lambda kind, day: _("%(day)s er ikke en virkedag.", day=day),
        ),
        (
            re.compile(
                r"the follow-up is not complete: (?P<a>\d+) action\(s\) still open, "
                r"(?P<r>\d+) referral\(s\) awaiting a response"
            ),
            lambda kind, a, r: _(
                "Oppfølgingen er ikke ferdig: %(a)s tiltak er åpne og "
                "%(r)s oversendelser venter på svar.",
                a=a,
                r=r,
            ),
        ),
        (
            re.compile(r"the consultation has not been summarised.*"),
            lambda kind: _("Høringen er ikke oppsummert."),
        ),
        (
            re.compile(r"the agreement needs a valid-from and a valid-to date"),
            lambda kind: _("Avtalen trenger en gyldig fra- og en gyldig til-dato."),
        ),
        (
            re.compile(r"the promulgation date and the commencement date are both needed"),
            lambda kind: _("Både kunngjøringsdato og ikrafttredelsesdato må fylles ut."),
        ),
    ]


def _message_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    return [
        (
            re.compile(r"'(?P<t>[^']+)' needs a comment saying why"),
            lambda kind, t: _("«%(label)s» krever en begrunnelse.", label=trigger_label(kind, t)),
        ),
        (re.compile(r"a case needs a title"), lambda kind: _("Saken må ha en tittel.")),
        (
            re.compile(r"an exempt case needs its legal basis.*"),
            lambda kind: _(
                "En sak som er unntatt offentlighet, må ha hjemmel, f.eks. offl. § 24 tredje ledd."
            ),
        ),
        (
            re.compile(r"an exempt or restricted case needs a public title"),
            lambda kind: _("En skjermet sak må ha en offentlig tittel."),
        ),
        (re.compile(r"invalid case data"), lambda kind: _("Noen felt har ugyldige verdier.")),
    ]


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """The engine's messages per field in the page's language."""
    words = {
        "required": _("Må fylles ut."),
        "required when exempt": _("Må fylles ut når saken er unntatt offentlighet."),
        "required when not public": _("Må fylles ut når saken er skjermet."),
        "unknown id": _("Ukjent valg."),
        "unknown access level": _("Ukjent tilgangsnivå."),
        "must be a date like 2026-03-31": _("Må være en dato."),
    }
    return {name: words.get(text, text) for name, text in errors.items()}


def refusal_in_words(error: Exception, kind: str) -> str:
    """A refused form's message: each reason of a guard, or the validation message."""
    if isinstance(error, GuardFailed):
        return " ".join(reason_in_words(reason, kind) for reason in error.reasons)
    return reason_in_words(str(error), kind)


def reason_in_words(reason: str, kind: str) -> str:
    """An engine reason in the page's language; one it does not know is shown as it is."""
    for pattern, words in _reason_patterns() + _message_patterns():
        found = pattern.fullmatch(reason.strip())
        if found:
            return words(kind, **found.groupdict())
    return reason


# --- the council and the case of a URL -------------------------------------------------------


def council_of(slug: str) -> Council:
    """The council named in the URL (404 when there is none)."""
    return get_council(db(), slug)


def case_url(case: Case, council: Council, **kwargs: Any) -> str:
    return url_for("cases.show", council=council.slug, year=case.year, seq=case.seq, **kwargs)


def today() -> date:
    return clock.today()


def _now() -> datetime:
    return clock.now()


# --- the transition forms (also used on the meeting page) --------------------------------


@dataclass
class TransitionForm:
    """One transition out of the case's state as the page offers it."""

    option: Availability
    label: str
    dest_label: str
    can_submit: bool
    """the person may fire it: a button (required fields may still be empty)"""
    reasons: list[str]
    unmet: list[str]
    """guards not met, in words (shown beside a form that may still be sent)"""
    inputs: list[dict[str, Any]]
    approvals: list[dict[str, Any]]


def transition_forms(
    case: Case,
    options: list[Availability],
    definition: Definition,
    approvers: dict[str, str],
    awaited: dict[tuple[str, str], list[str]],
) -> list[TransitionForm]:
    labels = field_labels()
    parties = party_labels()
    forms = []
    for option in options:
        can_submit = option.allowed or (not option.refusals and bool(option.missing))
        reasons = [reason_in_words(r, case.kind) for r in option.refusals]
        reasons += [
            _("%(field)s må fylles ut.", field=labels.get(name, name)) for name in option.missing
        ]
        unmet = [reason_in_words(r, case.kind) for r in option.unmet]
        reasons += unmet
        inputs = [
            {
                "name": name,
                "label": labels.get(name, name),
                "kind": input_kind(definition, name),
                "value": case.data.get(name) or "",
                "required": True,
            }
            for name in option.requires
            if name in definition.fields
        ]
        approvals = [
            {
                "party": parties.get(party, party),
                "by": approvers.get(option.approved_by[party], option.approved_by[party])
                if party in option.approved_by
                else None,
                "awaiting": awaited.get((option.trigger, party), []),
            }
            for party in option.approvals_needed
        ]
        forms.append(
            TransitionForm(
                option=option,
                label=transition_label(option),
                dest_label=state_label(case.kind, option.dest),
                can_submit=can_submit,
                reasons=reasons,
                unmet=unmet,
                inputs=inputs,
                approvals=approvals,
            )
        )
    return forms


@blueprint.app_template_global("case_transitions")
def case_transitions_global(council: Council, case: Case) -> list[TransitionForm]:
    """The transition forms of ``case`` for the current person (for ``_transitions.html``
    on pages other than the case page, e.g. the meeting page)."""
    from engine.services.cases import available_transitions

    options = available_transitions(db(), case, current_actor(), now=_now())
    logins = {login for o in options for login in o.approved_by.values()}
    approvers: dict[str, str] = {}
    if logins:
        from engine.models import Person

        approvers = dict(
            db()
            .execute(select(Person.login, Person.display_name).where(Person.login.in_(logins)))
            .all()
        )
    awaited = approvers_awaited(db(), case, options, now=_now())
    return transition_forms(case, options, definition_of(db(), case), approvers, awaited)


# --- the list -------------------------------------------------------------------------------


@dataclass
class ListQuery:
    filters: CaseFilter
    page: int
    args: dict[str, str]
    """the filters as given (to keep them in the form and the page links)"""


def parse_list_query(args: MultiDict) -> ListQuery:
    given = {key: args.get(key, "").strip() for key in ("kind", "state", "bydel", "unit", "q")}
    area = args.get("area", "").strip()
    overdue = args.get("overdue") in ("1", "on", "true")
    try:
        page = max(1, min(int(args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    kind = given["kind"] if given["kind"] in current_definitions() else None
    filters = CaseFilter(
        kind=kind,
        state=given["state"] or None,
        bydel=given["bydel"] or None,
        unit=given["unit"] or None,
        area=int(area) if area.isdigit() and len(area) < 6 else None,
        overdue=overdue,
        text=given["q"] or None,
    )
    shown = {k: v for k, v in given.items() if v}
    if filters.area is not None:
        shown["area"] = str(filters.area)
    if overdue:
        shown["overdue"] = "1"
    return ListQuery(filters, page, shown)


@blueprint.get("/<council>/cases")
@login_required
def index(council: str):
    """The council's cases, newest first, narrowed by the filters in the query string."""
    found = council_of(council)
    query = parse_list_query(request.args)
    page = search_cases(
        db(), current_actor(), found, query.filters, page=query.page, per_page=PER_PAGE, now=_now()
    )
    return render_template(
        "cases/index.html",
        council=found,
        page=page,
        query=query,
        reference=reference_data(found),
        kinds=kind_choices(),
        states=state_choices(query.filters.kind),
        can_open=bool(openable_kinds(current_actor(), found)),
        page_numbers=page_numbers,
    )


def kind_choices() -> list[tuple[str, str]]:
    return sorted(
        ((name, d.labels.get(locale())) for name, d in current_definitions().items()),
        key=lambda pair: pair[1],
    )


def state_choices(kind: str | None) -> list[tuple[str, str]]:
    """The states to filter by: of the chosen kind, else of every kind (by name)."""
    definitions = [current_definitions()[kind]] if kind else list(current_definitions().values())
    seen: dict[str, str] = {}
    for definition in definitions:
        for state in definition.states:
            seen.setdefault(state.name, state.labels.get(locale()))
    return list(seen.items()) if kind else sorted(seen.items(), key=lambda pair: pair[1])


@dataclass
class Reference:
    bydeler: list[Bydel]
    units: list[PoliceUnit]
    areas: list[PriorityArea]

    def area_name(self, area: PriorityArea) -> str:
        return area.name_en if locale() == "en" else area.name_nb

    @property
    def bydel_names(self) -> dict[int, str]:
        return {b.id: b.name for b in self.bydeler}

    @property
    def area_names(self) -> dict[int, str]:
        return {a.id: f"{a.number}. {self.area_name(a)}" for a in self.areas}


def reference_data(council: Council, *, units: bool = True) -> Reference:
    session = db()
    return Reference(
        bydeler=list(
            session.scalars(
                select(Bydel).where(Bydel.council_id == council.id).order_by(Bydel.code)
            )
        ),
        units=list(
            session.scalars(
                select(PoliceUnit)
                .where(PoliceUnit.council_id == council.id)
                .order_by(PoliceUnit.name)
            )
        )
        if units
        else [],
        areas=list(
            session.scalars(
                select(PriorityArea)
                .where(PriorityArea.council_id == council.id)
                .order_by(PriorityArea.number)
            )
        ),
    )


# --- the case page --------------------------------------------------------------------------


@dataclass
class FormState:
    """What a refused form sent, and the engine's messages, to show it again as typed."""

    name: str
    """``edit`` or the trigger of a transition"""
    values: MultiDict = field(default_factory=MultiDict)
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@blueprint.get("/<council>/cases/<int(max=9999):year>/<int(max=2147483647):seq>")
@login_required
def show(council: str, year: int, seq: int):
    return render_case(council_of(council), f"{year}/{seq}")


def render_case(council: Council, number: str, refused: FormState | None = None, status=200):
    actor = current_actor()
    found = case_file(db(), actor, council, number, now=_now())
    return (
        render_template(
            "cases/show.html",
            council=council,
            case=found.case,
            file=found,
            full=found.visibility == Visibility.FULL,
            transitions=transition_forms(
                found.case, found.transitions, found.definition, found.approvers, found.awaited
            ),
            editable=found.visibility == Visibility.FULL and may_edit(actor, found),
            edit_fields=edit_fields(found),
            edit_values=edit_values(found),
            now=_now(),
            reference=reference_data(council, units=False),
            refused=refused,
            labels=field_labels(),
            access_names=access_labels(),
            parties=party_labels(),
        ),
        status,
    )


def may_edit(actor: Actor, found: CaseFile) -> bool:
    """The secretariat and the leaders edit a case; its author while it is a draft."""
    case = found.case
    if actor.seat_with_role(case.council_id, today(), EDITOR_ROLES) is not None:
        return True
    return (
        actor.person_id is not None
        and case.created_by_id == actor.person_id
        and case.state == found.definition.initial
        and bool(actor.seats_in(case.council_id, today()))
    )


def edit_values(found: CaseFile) -> MultiDict:
    """The edit form's fields as the case has them now."""
    case = found.case
    values = MultiDict(
        {
            "title": case.title,
            "public_title": case.public_title if case.access != Access.PUBLIC else "",
            "access": case.access,
            "legal_basis": case.legal_basis or "",
        }
    )
    for bydel in case.bydeler:
        values.add("bydeler", str(bydel.id))
    for area in case.priority_areas:
        values.add("priority_areas", str(area.id))
    for name, value in case.data.items():
        if value not in (None, False):
            values.add(f"data.{name}", value)
    return values


def edit_fields(found: CaseFile) -> list[dict[str, Any]]:
    """The workflow data fields the edit form offers."""
    managed = MANAGED_FIELDS.get(found.case.kind, set())
    labels = field_labels()
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "kind": input_kind(found.definition, name),
            "value": found.case.data.get(name),
        }
        for name in found.definition.fields
        if name not in managed
    ]


@blueprint.get("/<council>/cases/<int(max=9999):year>/<int(max=2147483647):seq>/diagram.svg")
@login_required
def diagram(council: str, year: int, seq: int):
    """The workflow as an SVG: the current state filled, the path taken drawn in colour."""
    found = case_file(db(), current_actor(), council_of(council), f"{year}/{seq}", now=_now())
    if found.visibility != Visibility.FULL:
        abort(404)
    svg = render_svg(
        found.definition, current=found.case.state, path=found.path[:-1], locale=locale()
    )
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


# --- firing a transition ---------------------------------------------------------------------


def form_version(form: MultiDict) -> int | None:
    """The case version the form was rendered with (None: no check, never sent by a page)."""
    try:
        return int(form["version"])
    except (KeyError, ValueError):
        return None


def data_from(form: MultiDict, definition: Definition, names) -> dict[str, Any]:
    """The workflow data fields ``names`` as sent; empty ones are left out."""
    data: dict[str, Any] = {}
    for name in names:
        if name not in definition.fields:
            continue
        if input_kind(definition, name) == "checkbox":
            if form.get(f"data.{name}"):
                data[name] = True
            continue
        value = form.get(f"data.{name}", "").strip()
        if value:
            data[name] = value
    return data


@blueprint.post(
    "/<council>/cases/<int(max=9999):year>/<int(max=2147483647):seq>/transitions/<trigger>"
)
@login_required
def transition(council: str, year: int, seq: int, trigger: str):
    """Fire ``trigger`` (or give this party's approval of it) with the form's comment and data."""
    found = council_of(council)
    session = db()
    case = visible_case(session, current_actor(), found, f"{year}/{seq}", now=_now())
    definition = definition_of(session, case)
    chosen = definition.transition(case.state, trigger)
    requires = chosen.requires if chosen else ()
    try:
        result = fire(
            session,
            case,
            trigger,
            actor=current_actor(),
            expected_version=form_version(request.form),
            comment=request.form.get("comment", "").strip(),
            data=data_from(request.form, definition, requires),
            now=_now(),
        )
    except (ValidationError, GuardFailed) as refused:
        session.rollback()
        errors = field_errors(getattr(refused, "errors", {}))
        return render_case(
            found,
            f"{year}/{seq}",
            FormState(trigger, request.form.copy(), refusal_in_words(refused, case.kind), errors),
            status=422 if isinstance(refused, ValidationError) else 409,
        )
    label = chosen.labels.get(locale()) if chosen else trigger
    commit()
    if result.fired:
        flash(_("Utført: %(label)s.", label=label))
    else:
        waiting = ", ".join(party_labels().get(p, p) for p in result.waiting_for)
        flash(_("Godkjenning registrert. Venter på: %(parties)s.", parties=waiting))
    return redirect(safe_next(request.form.get("next")) or case_url(case, found))


# --- editing ------------------------------------------------------------------------------------


@blueprint.post("/<council>/cases/<int(max=9999):year>/<int(max=2147483647):seq>/edit")
@login_required
def edit(council: str, year: int, seq: int):
    """Change the case's fields, tags and workflow data; every change is audited."""
    found = council_of(council)
    session = db()
    case = visible_case(session, current_actor(), found, f"{year}/{seq}", now=_now())
    definition = definition_of(session, case)
    form = request.form
    changes: dict[str, Any] = {
        "title": form.get("title", ""),
        "public_title": form.get("public_title", ""),
        "access": form.get("access", case.access),
        "legal_basis": form.get("legal_basis", ""),
        "bydeler": ids(form, "bydeler"),
        "priority_areas": ids(form, "priority_areas"),
    }
    managed = MANAGED_FIELDS.get(case.kind, set())
    editable = [name for name in definition.fields if name not in managed]
    data = {
        name: value
        for name, value in data_from(form, definition, editable).items()
        if case.data.get(name) != value
    }
    for name in editable:  # a field emptied on the form is cleared
        if name not in data and case.data.get(name) not in (None, "", False):
            sent = data_from(form, definition, [name])
            if not sent:
                data[name] = False if input_kind(definition, name) == "checkbox" else None
    try:
        event = update_case(
            session,
            case,
            actor=current_actor(),
            changes=changes,
            data=data,
            expected_version=form_version(form),
            comment=form.get("comment", "").strip(),
            now=_now(),
        )
    except ValidationError as refused:
        session.rollback()
        return render_case(
            found,
            f"{year}/{seq}",
            FormState(
                "edit",
                form.copy(),
                refusal_in_words(refused, case.kind),
                field_errors(refused.errors),
            ),
            status=422,
        )
    commit()
    flash(_("Endringene er lagret.") if event else _("Ingen endringer å lagre."))
    return redirect(case_url(case, found))


def ids(form: MultiDict, name: str) -> list[int]:
    try:
        return [int(value) for value in form.getlist(name) if value]
    except ValueError:
        raise ValidationError(f"{name} must be ids", {name: "unknown id"}) from None


# --- opening a case -------------------------------------------------------------------------------


def openable_kinds(actor: Actor, council: Council) -> list[tuple[str, str]]:
    """The kinds of case the actor may open here, with their names."""
    roles = {seat.role for seat in actor.seats_in(council.id, today())}
    return sorted(
        (
            (name, definition.labels.get(locale()))
            for name, definition in current_definitions().items()
            if name not in OPENED_ELSEWHERE and roles & set(definition.openers)
        ),
        key=lambda pair: pair[1],
    )


@blueprint.route("/<council>/cases/new", methods=["GET", "POST"])
@login_required
def new(council: str):
    """Register a new case (opprett sak) in its workflow's first state."""
    found = council_of(council)
    actor = current_actor()
    kinds = openable_kinds(actor, found)
    if not kinds:
        abort(403)
    refused: FormState | None = None
    if request.method == "POST":
        form = request.form
        kind = form.get("kind", "")
        try:
            if kind not in dict(kinds):
                raise ValidationError(_("Velg hva slags sak det er."), {"kind": "required"})
            case = open_case(
                db(),
                council=found,
                kind=kind,
                title=form.get("title", ""),
                actor=actor,
                public_title=form.get("public_title", ""),
                access=form.get("access", Access.PUBLIC),
                legal_basis=form.get("legal_basis", ""),
                bydeler=ids(form, "bydeler"),
                priority_areas=ids(form, "priority_areas"),
                now=_now(),
            )
        except ValidationError as error:
            db().rollback()
            message = refusal_in_words(error, kind)
            refused = FormState("new", form.copy(), message, field_errors(error.errors))
        else:
            commit()
            flash(_("Sak %(number)s er opprettet.", number=case.number))
            return redirect(case_url(case, found))
    return (
        render_template(
            "cases/new.html",
            council=found,
            kinds=kinds,
            reference=reference_data(found, units=False),
            refused=refused,
            empty_values=MultiDict(),
            labels=field_labels(),
            access_names=access_labels(),
        ),
        422 if refused else 200,
    )
