"""Cases (saker): the list with filters, the case page, its transitions and edits, and
opening a new case.

The case page shows every transition out of the current state: a form with a button when
the person may fire it (asking for the fields it requires), the reasons in words when
not. Every form carries the case's version, so a form left open while someone else
changed the case is refused as a conflict (409) instead of overwriting their change.
"""

from __future__ import annotations

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
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine.access import EDITOR_ROLES, Visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.dashboard import deadline_day
from engine.errors import GuardFailed, ValidationError
from engine.models import Case, Council, PriorityArea
from engine.models.enums import Access
from engine.queries import (
    CaseFile,
    CaseFilter,
    approvers_awaited,
    case_file,
    search_cases,
    visible_case,
)
from engine.runtime import current_definitions, definition_of
from engine.services import reference
from engine.services.cases import Availability, fire, open_case, update_case
from engine.services.people import get_council
from engine.services.reference import ReferenceData
from web import clock
from web.auth import current_actor, login_required, safe_next
from web.db import commit, db
from web.labels import (
    access_labels,
    action_status,
    data_value,
    deadline_label,
    field_label,
    field_labels,
    input_kind,
    kind_label,
    locale,
    names_of,
    party_labels,
    state_label,
    transition_label,
    trigger_label,
)
from web.reasons import field_errors, reason_in_words, refusal_in_words
from workflows.diagram import render_svg
from workflows.model import Definition

blueprint = Blueprint("cases", __name__)

PER_PAGE = 25
# Kept in step by the meeting services: a meeting's date and kind, its minutes, and the
# date of the meeting an agenda item is placed on; not edited on the case page.
MANAGED_FIELDS = {
    "meeting": {"meeting_date", "kind", "minutes"},
    "agenda_item": {"meeting_date", "decision_type"},
}
# Opened through their own pages (a meeting with its number and participants).
OPENED_ELSEWHERE = {"meeting"}


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


@dataclass(frozen=True)
class Reference(ReferenceData):
    """The council's reference data with the names a page shows."""

    def area_name(self, area: PriorityArea) -> str:
        return area.name_en if locale() == "en" else area.name_nb

    @property
    def bydel_names(self) -> dict[int, str]:
        return {b.id: b.name for b in self.bydeler}

    @property
    def area_names(self) -> dict[int, str]:
        return {a.id: f"{a.number}. {self.area_name(a)}" for a in self.areas}


def reference_data(council: Council, *, units: bool = True) -> Reference:
    found = reference.reference_data(db(), council, units=units, coverage=False)
    return Reference(**vars(found))


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
