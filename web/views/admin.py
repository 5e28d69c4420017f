"""Administration for the secretariat: people and their seats, the council, reference data
(bydeler, police units and their coverage, priority areas), the cadence rules, and the
installation's councils; and the grants of clearance and seats that wait for a second
person's approval.

Only the council's secretariat (an active seat today) sees these pages, except the grants,
which the leader and the deputy see too; anyone else who is logged in gets 403, the public
the login page. Every POST calls one engine service, commits and goes back to its page; a
form the engine refuses is shown again with the message beside the field and what was typed
still in it (422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engine.cadence import add_steering_group, default_rules, rules_for, set_cadence
from engine.errors import Conflict, EngineError, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person, SeatGrant, SteeringGroup
from engine.models.enums import GrantKind, GrantState, PartyCode, Role
from engine.queries import TimelineEntry, person_history
from engine.services import accounts, reference
from engine.services.grants import (
    approve_grant,
    council_grant,
    council_grants,
    person_grants,
    refuse_grant,
    require_grant_reader,
    waiting_grants,
    why_not_decide,
    why_not_withdraw,
    withdraw_grant,
)
from engine.services.people import (
    Seating,
    add_membership,
    council_membership,
    council_people,
    council_person,
    create_council,
    end_seats,
    get_council,
    register_member,
    require_secretariat,
    set_active,
    update_council,
    update_membership,
    update_person,
)
from engine.services.seats import is_secretariat
from web.auth import current_actor, login_required, oslo_today
from web.db import commit, db
from web.formatting import oslo_date
from web.passwords import PASSWORD_MESSAGES
from web.reasons import reason_in_words

blueprint = Blueprint("admin", __name__)

INT = "int(max=2147483647)"
BASE = "/<council_slug>/admin"

ROLE_LABELS = {
    Role.LEADER: _l("Leder"),
    Role.DEPUTY: _l("Nestleder"),
    Role.MEMBER: _l("Medlem"),
    Role.SECRETARIAT: _l("Sekretariatet"),
    Role.REPORTER: _l("Rapportør"),
    Role.GUEST: _l("Gjest"),
}
PARTY_LABELS = {
    PartyCode.MUNICIPALITY: _l("Kommunen"),
    PartyCode.POLICE: _l("Politiet"),
    PartyCode.EXTERNAL: _l("Ekstern"),
}
# The engine's field error codes, in words beside the field.
FIELD_MESSAGES = {
    "required": _l("Må fylles ut."),
    "invalid": _l("Ugyldig verdi."),
    "taken": _l("Finnes allerede."),
    "too early": _l("Kan ikke slutte før den begynner."),
    "too long": _l("Teksten er for lang."),
    "out of range": _l("Utenfor tillatt område."),
    "overlap": _l("Bydelen dekkes helt av en annen enhet."),
    "unknown": _l("Ukjent verdi."),
    "yourself": _l("Du kan ikke deaktivere deg selv."),
    "own seats": _l("Du kan ikke avslutte dine egne plasser."),
    "already": _l("Plassen er allerede klarert."),
    "ended": _l("Plassen er avsluttet."),
    "waiting": _l("Venter allerede på godkjenning."),
    **PASSWORD_MESSAGES,
}
# What an audited change to a seat or a person names, in words.
PERSON_FIELD_LABELS = {
    "party": _l("Part"),
    "role": _l("Rolle"),
    "valid_from": _l("Fra"),
    "valid_to": _l("Til"),
    "appointed_by": _l("Oppnevnt av"),
    "cleared": _l("Klarert for skjermede saker"),
    "display_name": _l("Navn"),
    "email": _l("E-post"),
    "locale": _l("Språk"),
    "active": _l("Aktiv"),
    "installation_admin": _l("Installasjonsadministrator"),
    "kind": _l("Forespørsel om"),
    "state": _l("Status"),
    "membership": _l("Plass nr."),
    "password": _l("Passord"),
}
GRANT_KINDS = {
    GrantKind.CLEARANCE: _l("klarering for skjermede saker"),
    GrantKind.SEAT: _l("plass i rådet"),
}
GRANT_STATES = {
    GrantState.PENDING: _l("venter på godkjenning"),
    GrantState.APPROVED: _l("godkjent"),
    GrantState.REFUSED: _l("avslått"),
    GrantState.WITHDRAWN: _l("trukket tilbake"),
}
# What happened to a password, as the audit chain records it (never the password).
PASSWORD_EVENTS = {
    "changed": _l("byttet av personen"),
    "reset by link": _l("nytt valgt med lenke"),
    "one-time password": _l("engangspassord gitt"),
    "reset link sent": _l("lenke for nytt passord sendt"),
    "set by the operator": _l("satt av driften"),
}
CADENCE_LABELS = {
    "ordinary_meetings_per_year": _l("Ordinære møter per år (minst)"),
    "meeting_every_quarter": _l("Møte i hvert kvartal"),
    "seminars_per_year": _l("Seminarer per år"),
    "notice_days": _l("Innkalling, dager før møtet"),
    "minutes_draft_working_days": _l("Referatutkast, virkedager etter møtet"),
    "year_at_risk_on": _l("Året vurderes som utsatt fra (MM-DD)"),
    "year_at_risk_minimum": _l("Minste antall møter holdt eller planlagt på den dagen"),
    "agreement_revision_opens": _l("Revisjon av samarbeidsavtalen åpner (MM-DD)"),
    "bylaw_revision_years": _l("Politivedtekten revideres etter antall år"),
    "steering_report_interval_months": _l("Styringsgrupper rapporterer hver (måneder)"),
    "steering_report_lead_days": _l("Rapport bes om antall dager før frist"),
}


@blueprint.app_template_global()
def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


@blueprint.app_template_global()
def admin_party_label(code: str) -> str:
    return str(PARTY_LABELS.get(code, code))


@blueprint.app_template_global()
def person_changes(entry: TimelineEntry) -> list[tuple[str, str, str]]:
    """An audited change to a seat or a person as (what, from, to), in words."""
    return [
        (str(PERSON_FIELD_LABELS.get(field, field)), _value(field, old), _value(field, new))
        for key, (old, new) in entry.changes.items()
        for field in [key.rpartition(".")[2]]
    ]


def _value(field: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if field == "role":
        return role_label(value)
    if field == "party":
        return admin_party_label(value)
    if field in ("valid_from", "valid_to"):
        return oslo_date(date.fromisoformat(value))
    if field == "kind":
        return str(GRANT_KINDS.get(value, value))
    if field == "state":
        return str(GRANT_STATES.get(value, value))
    if field == "password":
        return str(PASSWORD_EVENTS.get(value, value))
    return str(value)


@blueprint.app_template_global()
def grant_state(state: str) -> str:
    return str(GRANT_STATES.get(state, state))


@blueprint.app_template_global()
def grant_what(grant: SeatGrant) -> str:
    """What a grant gives, in words: clearance of a seat, or a seat (cleared or not)."""
    if grant.kind == GrantKind.CLEARANCE:
        seat = grant.membership
        if seat is None:
            return _("Klarering for skjermede saker")
        return _(
            "Klarering for skjermede saker (%(role)s, %(party)s)",
            role=role_label(seat.role),
            party=admin_party_label(seat.party),
        )
    what = _(
        "Plass som %(role)s (%(party)s)",
        role=role_label(grant.role or ""),
        party=admin_party_label(grant.party or ""),
    )
    return what + (_(", klarert") if grant.cleared else "")


# --- the frame of every page --------------------------------------------------------------


def _council(slug: str) -> Council:
    """The council, whose secretariat the actor must be."""
    council = get_council(db(), slug)
    require_secretariat(current_actor(), council)
    return council


def _render(template: str, council: Council | None, status: int = 200, **context: Any):
    context.setdefault("errors", {})
    context.setdefault("form", {})
    return (
        render_template(
            template,
            council=council,
            actor=current_actor(),
            roles=ROLE_LABELS,
            parties=PARTY_LABELS,
            field_message=field_message,
            **context,
        ),
        status,
    )


def field_message(errors: Mapping[str, str], name: str) -> str:
    code = errors.get(name)
    return str(FIELD_MESSAGES.get(code, code)) if code else ""


def _submit(
    change: Callable[[], Any],
    done: str | Callable[[Any], str],
    redirect_to: str,
    again: Callable[..., Any],
    unique: str = "_form",
    conflict: str = "taken",
):
    """Run ``change`` (one service call), commit and go to ``redirect_to`` with ``done`` (or
    ``done(result)``) as its message; when the engine refuses the input, show the page again
    (``again(errors=..., form=...)``) with the message beside the field (a duplicate beside
    the field ``unique``, as ``conflict``)."""
    try:
        result = change()
    except ValidationError as exc:
        db().rollback()
        errors = exc.errors or {"_form": "invalid"}
        return again(errors=errors, form=request.form, problem=str(exc), status=422)
    except Conflict as exc:
        db().rollback()
        return again(errors={unique: conflict}, form=request.form, problem=str(exc), status=409)
    commit()
    flash(done(result) if callable(done) else done)
    return redirect(redirect_to)


def _seated(registered: bool = False) -> Callable[[Seating], str]:
    """The message after a seat was given or asked for: given, or waiting for approval."""

    def message(seating: Seating) -> str:
        if seating.waiting is None:
            return _("Personen er registrert.") if registered else _("Medlemskapet er lagret.")
        if seating.seat is None:
            waits = _("Plassen venter på godkjenning fra en annen i sekretariatet eller en leder.")
        else:
            waits = _(
                "Klareringen venter på godkjenning fra en klarert i sekretariatet eller en leder."
            )
        return (_("Personen er registrert.") + " " + waits) if registered else waits

    return message


def _date(name: str, *, required: bool = False) -> date | None:
    text = request.form.get(name, "").strip()
    if not text:
        if required:
            raise ValidationError(f"{name} is required", {name: "required"})
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{name} is not a date", {name: "invalid"}) from None


def _int(name: str) -> int:
    text = request.form.get(name, "").strip()
    if not text.lstrip("-").isdigit():
        raise ValidationError(f"{name} is not a number", {name: "invalid"})
    return int(text)


def _checked(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true")


# --- overview -----------------------------------------------------------------------------


@blueprint.get(BASE)
@login_required
def overview(council_slug: str):
    council = _council(council_slug)
    return _render("admin/index.html", council)


# --- people and memberships ---------------------------------------------------------------


def _people_page(council: Council, **context: Any):
    status = context.pop("status", 200)
    session = db()
    people = council_people(session, council)
    waiting: dict[int, list[SeatGrant]] = {}
    for grant in waiting_grants(session, council):
        waiting.setdefault(grant.person_id, []).append(grant)
    return _render(
        "admin/people.html",
        council,
        status,
        people=people,
        waiting=waiting,
        today=oslo_today(),
        appointers=_appointers(council, people),
        **context,
    )


def _appointers(council: Council, people: list[Person]) -> list[tuple[int, str]]:
    """Who can be named as having appointed someone: the council's people with a seat."""
    today = oslo_today()
    return [
        (p.id, p.display_name)
        for p in people
        if p.active
        and any(m.council_id == council.id and m.active_on(today) for m in p.memberships)
    ]


@blueprint.get(f"{BASE}/people")
@login_required
def people(council_slug: str):
    return _people_page(_council(council_slug))


@blueprint.post(f"{BASE}/people")
@login_required
def register(council_slug: str):
    council = _council(council_slug)
    session = db()

    def change():
        return register_member(
            session,
            actor=current_actor(),
            council=council,
            login=request.form.get("login", ""),
            display_name=request.form.get("display_name", ""),
            email=request.form.get("email"),
            password=request.form.get("password") or None,
            party=request.form.get("party", ""),
            role=request.form.get("role", ""),
            valid_from=_date("valid_from", required=True),
            valid_to=_date("valid_to"),
            appointed_by=_appointer(council),
            cleared=_checked("cleared"),
        )

    return _submit(
        change,
        _seated(registered=True),
        f"/{council.slug}/admin/people",
        lambda **kw: _people_page(council, **kw),
        unique="login",
    )


def _appointer(council: Council, field: str = "appointed_by") -> Person | None:
    """The council's person chosen in ``field``, or None when none was chosen."""
    text = request.form.get(field, "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(f"{field} is not a person", {field: "invalid"})
    try:
        return council_person(db(), council, int(text))
    except EngineError:
        raise ValidationError(f"{field} is not in the council", {field: "invalid"}) from None


def _person_page(council: Council, person_id: int, **context: Any):
    status = context.pop("status", 200)
    session = db()
    person = council_person(session, council, person_id)
    return _render(
        "admin/person.html",
        council,
        status,
        person=person,
        memberships=sorted(
            (m for m in person.memberships if m.council_id == council.id),
            key=lambda m: m.valid_from,
            reverse=True,
        ),
        today=oslo_today(),
        appointers=_appointers(council, council_people(session, council)),
        history=person_history(session, council.id, person.id),
        grants=person_grants(session, person, council),
        own_details=_may_change_details(person),
        **context,
    )


def _may_change_details(person: Person) -> bool:
    """Whether the viewer may change the person's name and e-mail address (the person, or
    an installation administrator); a council's secretariat may not."""
    actor = current_actor()
    return actor.person_id == person.id or actor.installation_admin


@blueprint.get(f"{BASE}/people/<{INT}:person_id>")
@login_required
def person(council_slug: str, person_id: int):
    return _person_page(_council(council_slug), person_id)


@blueprint.post(f"{BASE}/people/<{INT}:person_id>")
@login_required
def edit_person(council_slug: str, person_id: int):
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    return _submit(
        lambda: update_person(
            session,
            actor=current_actor(),
            person=who,
            display_name=request.form.get("display_name", ""),
            email=request.form.get("email"),
            locale=request.form.get("locale", "nb"),
        ),
        _("Endringene er lagret."),
        f"/{council.slug}/admin/people/{person_id}",
        lambda **kw: _person_page(council, person_id, **kw),
    )


@blueprint.post(f"{BASE}/people/<{INT}:person_id>/active")
@login_required
def activation(council_slug: str, person_id: int):
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    active = request.form.get("active") == "1"
    return _submit(
        lambda: set_active(session, actor=current_actor(), person=who, active=active),
        _("%(name)s er aktivert.", name=who.display_name)
        if active
        else _("%(name)s er deaktivert og logget ut overalt.", name=who.display_name),
        f"/{council.slug}/admin/people/{person_id}",
        lambda **kw: _person_page(council, person_id, **kw),
    )


@blueprint.post(f"{BASE}/people/<{INT}:person_id>/end-seats")
@login_required
def end_person_seats(council_slug: str, person_id: int):
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    return _submit(
        lambda: end_seats(session, actor=current_actor(), person=who, council=council),
        _(
            "%(name)s har ikke lenger plass i %(council)s.",
            name=who.display_name,
            council=council.name,
        ),
        f"/{council.slug}/admin/people/{person_id}",
        lambda **kw: _person_page(council, person_id, **kw),
    )


@blueprint.post(f"{BASE}/people/<{INT}:person_id>/password/one-time")
@login_required
def one_time_password(council_slug: str, person_id: int):
    """Give the person a one-time password, shown on this page once and stored only hashed."""
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    try:
        issued = accounts.set_one_time_password(session, actor=current_actor(), person=who)
    except (ValidationError, PermissionDenied) as exc:
        return _password_refused(council, person_id, exc)
    commit()
    return _person_page(council, person_id, one_time=issued.password, status=201)


@blueprint.post(f"{BASE}/people/<{INT}:person_id>/password/link")
@login_required
def reset_link(council_slug: str, person_id: int):
    """Send the person a link to set a new password, to their own e-mail address."""
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    try:
        accounts.send_reset_link(session, actor=current_actor(), person=who)
    except (ValidationError, PermissionDenied) as exc:
        return _password_refused(council, person_id, exc)
    commit()
    flash(_("En lenke for nytt passord er sendt til %(email)s.", email=who.email))
    return redirect(f"/{council.slug}/admin/people/{person_id}")


def _password_refused(council: Council, person_id: int, exc: EngineError):
    """The person page again, with why the password was not reset."""
    db().rollback()
    if isinstance(exc, ValidationError):
        code, status = next(iter(exc.errors.values()), "invalid"), 422
    else:
        code, status = "more power", 403
    return _person_page(council, person_id, errors={"_form": code}, problem=str(exc), status=status)


@blueprint.post(f"{BASE}/people/<{INT}:person_id>/memberships")
@login_required
def add_seat(council_slug: str, person_id: int):
    council = _council(council_slug)
    session = db()
    who = council_person(session, council, person_id)
    return _submit(
        lambda: add_membership(
            session,
            actor=current_actor(),
            person=who,
            council=council,
            party=request.form.get("party", ""),
            role=request.form.get("role", ""),
            valid_from=_date("valid_from", required=True),
            valid_to=_date("valid_to"),
            appointed_by=_appointer(council),
            cleared=_checked("cleared"),
        ),
        lambda seating: (
            _("Medlemskapet er lagt til.") if seating.waiting is None else _seated()(seating)
        ),
        f"/{council.slug}/admin/people/{person_id}",
        lambda **kw: _person_page(council, person_id, **kw),
        conflict="waiting",
    )


@blueprint.post(f"{BASE}/memberships/<{INT}:membership_id>")
@login_required
def edit_seat(council_slug: str, membership_id: int):
    council = _council(council_slug)
    session = db()
    membership: Membership = council_membership(session, council, membership_id)
    person_id = membership.person_id

    def again(**kw):
        kw["form"] = {**kw.get("form", {}), "membership": membership_id}
        return _person_page(council, person_id, **kw)

    return _submit(
        lambda: update_membership(
            session,
            actor=current_actor(),
            membership=membership,
            valid_to=_date("valid_to"),
            cleared=_checked("cleared"),
        ),
        lambda seating: (
            _("Medlemskapet er endret.") if seating.waiting is None else _seated()(seating)
        ),
        f"/{council.slug}/admin/people/{person_id}",
        again,
        conflict="waiting",
    )


# --- grants waiting for a second person -----------------------------------------------------


def _grants_council(slug: str) -> Council:
    """The council, whose grants the actor must be allowed to see."""
    council = get_council(db(), slug)
    require_grant_reader(current_actor(), council)
    return council


@blueprint.get(f"{BASE}/grants")
@login_required
def grants(council_slug: str):
    council = _grants_council(council_slug)
    actor, today = current_actor(), oslo_today()
    listed = council_grants(db(), council)
    reasons = {}
    for grant in listed:
        if grant.state == GrantState.PENDING:
            why = why_not_decide(actor, grant, today)
            reasons[grant.id] = reason_in_words(why, "") if why else None
    return _render(
        "admin/grants.html",
        council,
        waiting=[g for g in listed if g.state == GrantState.PENDING],
        decided=[g for g in listed if g.state != GrantState.PENDING],
        reasons=reasons,
        withdrawable={g.id for g in listed if why_not_withdraw(actor, g) is None},
    )


def _decide_grant(council_slug: str, grant_id: int, decide: Callable[..., Any], done: str):
    council = _grants_council(council_slug)
    session = db()
    grant = council_grant(session, council, grant_id)
    decide(session, actor=current_actor(), grant=grant)
    commit()
    flash(done)
    return redirect(f"/{council.slug}/admin/grants")


@blueprint.post(f"{BASE}/grants/<{INT}:grant_id>/approve")
@login_required
def approve(council_slug: str, grant_id: int):
    return _decide_grant(council_slug, grant_id, approve_grant, _("Godkjent. Det gjelder nå."))


@blueprint.post(f"{BASE}/grants/<{INT}:grant_id>/refuse")
@login_required
def refuse(council_slug: str, grant_id: int):
    return _decide_grant(council_slug, grant_id, refuse_grant, _("Avslått."))


@blueprint.post(f"{BASE}/grants/<{INT}:grant_id>/withdraw")
@login_required
def withdraw(council_slug: str, grant_id: int):
    return _decide_grant(council_slug, grant_id, withdraw_grant, _("Trukket tilbake."))


# --- the council --------------------------------------------------------------------------


def _council_page(council: Council, **context: Any):
    status = context.pop("status", 200)
    return _render("admin/council.html", council, status, **context)


@blueprint.get(f"{BASE}/council")
@login_required
def council_settings(council_slug: str):
    return _council_page(_council(council_slug))


@blueprint.post(f"{BASE}/council")
@login_required
def edit_council(council_slug: str):
    council = _council(council_slug)
    return _submit(
        lambda: update_council(
            db(),
            actor=current_actor(),
            council=council,
            name=request.form.get("name", ""),
            municipality=request.form.get("municipality", ""),
            police_district=request.form.get("police_district", ""),
        ),
        _("Endringene er lagret."),
        f"/{council.slug}/admin/council",
        lambda **kw: _council_page(council, **kw),
    )


def _require_any_secretariat() -> None:
    if not is_secretariat(current_actor()):
        raise PermissionDenied(_("Bare sekretariatet kan administrere politiråd."))


def _councils_page(**context: Any):
    status = context.pop("status", 200)
    actor = current_actor()
    _require_any_secretariat()
    councils = list(db().scalars(select(Council).order_by(Council.name)))
    mine = {c.id for c in councils if is_secretariat(actor, c.id)}
    return _render("admin/councils.html", None, status, councils=councils, mine=mine, **context)


@blueprint.get("/admin/councils")
@login_required
def councils():
    return _councils_page()


@blueprint.post("/admin/councils")
@login_required
def new_council():
    _require_any_secretariat()
    slug = request.form.get("slug", "").strip().lower()
    return _submit(
        lambda: create_council(
            db(),
            actor=current_actor(),
            slug=slug,
            name=request.form.get("name", ""),
            municipality=request.form.get("municipality", ""),
            police_district=request.form.get("police_district", ""),
        ),
        _("Politirådet er opprettet. Du er satt inn i sekretariatet."),
        f"/{slug}/admin",
        _councils_page,
        unique="slug",
    )


# --- reference data -----------------------------------------------------------------------


def _reference_page(council: Council, **context: Any):
    status = context.pop("status", 200)
    context.setdefault("target", None)
    return _render(
        "admin/reference.html",
        council,
        status,
        data=reference.reference_data(db(), council),
        **context,
    )


def _reference_change(council: Council, change: Callable[[], Any], target: str | None = None):
    return _submit(
        change,
        _("Endringene er lagret."),
        f"/{council.slug}/admin/reference",
        lambda **kw: _reference_page(council, target=target, **kw),
    )


@blueprint.get(f"{BASE}/reference")
@login_required
def reference_data(council_slug: str):
    return _reference_page(_council(council_slug))


@blueprint.post(f"{BASE}/reference/bydeler")
@login_required
def add_bydel(council_slug: str):
    council = _council(council_slug)
    return _reference_change(
        council,
        lambda: reference.add_bydel(
            db(),
            actor=current_actor(),
            council=council,
            code=request.form.get("code", ""),
            name=request.form.get("name", ""),
        ),
        "new-bydel",
    )


@blueprint.post(f"{BASE}/reference/bydeler/<{INT}:bydel_id>")
@login_required
def rename_bydel(council_slug: str, bydel_id: int):
    council = _council(council_slug)
    return _reference_change(
        council,
        lambda: reference.rename_bydel(
            db(),
            actor=current_actor(),
            council=council,
            bydel_id=bydel_id,
            name=request.form.get("name", ""),
        ),
        f"bydel-{bydel_id}",
    )


@blueprint.post(f"{BASE}/reference/units")
@login_required
def add_unit(council_slug: str):
    council = _council(council_slug)
    return _reference_change(
        council,
        lambda: reference.add_police_unit(
            db(),
            actor=current_actor(),
            council=council,
            code=request.form.get("code", ""),
            name=request.form.get("name", ""),
        ),
        "new-unit",
    )


@blueprint.post(f"{BASE}/reference/units/<{INT}:unit_id>")
@login_required
def edit_unit(council_slug: str, unit_id: int):
    council = _council(council_slug)
    coverage = {
        int(key.removeprefix("cover-")): how
        for key, how in request.form.items()
        if key.startswith("cover-") and key[6:].isdigit() and how
    }
    return _reference_change(
        council,
        lambda: reference.update_police_unit(
            db(),
            actor=current_actor(),
            council=council,
            unit_id=unit_id,
            name=request.form.get("name", ""),
            coverage=coverage,
        ),
        f"unit-{unit_id}",
    )


@blueprint.post(f"{BASE}/reference/areas")
@login_required
def add_area(council_slug: str):
    council = _council(council_slug)
    return _reference_change(
        council,
        lambda: reference.add_priority_area(
            db(),
            actor=current_actor(),
            council=council,
            number=_int("number"),
            name_nb=request.form.get("name_nb", ""),
            name_en=request.form.get("name_en", ""),
        ),
        "new-area",
    )


@blueprint.post(f"{BASE}/reference/areas/<{INT}:area_id>")
@login_required
def rename_area(council_slug: str, area_id: int):
    council = _council(council_slug)
    return _reference_change(
        council,
        lambda: reference.rename_priority_area(
            db(),
            actor=current_actor(),
            council=council,
            area_id=area_id,
            name_nb=request.form.get("name_nb", ""),
            name_en=request.form.get("name_en", ""),
        ),
        f"area-{area_id}",
    )


# --- cadence rules ------------------------------------------------------------------------


def _cadence_page(council: Council, **context: Any):
    status = context.pop("status", 200)
    defaults = dict(default_rules())
    overrides = council.cadence or {}
    rules = [
        {
            "name": name,
            "label": CADENCE_LABELS.get(name, name),
            "default": defaults[name],
            "value": overrides.get(name),
            "boolean": isinstance(defaults[name], bool),
        }
        for name in defaults
    ]
    session = db()
    groups = list(
        session.scalars(
            select(SteeringGroup)
            .where(SteeringGroup.council_id == council.id)
            .order_by(SteeringGroup.next_due, SteeringGroup.name)
        )
    )
    people = council_people(session, council)
    context.setdefault("target", None)
    return _render(
        "admin/cadence.html",
        council,
        status,
        rules=rules,
        effective=rules_for(council),
        groups=groups,
        names={p.id: p.display_name for p in people},
        reporters=_appointers(council, people),
        **context,
    )


@blueprint.get(f"{BASE}/cadence")
@login_required
def cadence(council_slug: str):
    return _cadence_page(_council(council_slug))


@blueprint.post(f"{BASE}/cadence")
@login_required
def edit_cadence(council_slug: str):
    council = _council(council_slug)
    defaults = dict(default_rules())
    changes: dict[str, Any] = {}
    for name, default in defaults.items():
        text = request.form.get(name, "").strip()
        if isinstance(default, bool):
            changes[name] = {"": None, "1": True, "0": False}.get(text, text)
        elif isinstance(default, int):
            changes[name] = int(text) if text.lstrip("-").isdigit() else (text or None)
        else:
            changes[name] = text or None
    return _submit(
        lambda: set_cadence(db(), council, changes, actor=current_actor()),
        _("Reglene er lagret."),
        f"/{council.slug}/admin/cadence",
        lambda **kw: _cadence_page(council, **kw),
    )


@blueprint.post(f"{BASE}/cadence/steering-groups")
@login_required
def add_group(council_slug: str):
    council = _council(council_slug)

    def change():
        reporter = _appointer(council, "reporter")
        add_steering_group(
            db(),
            council=council,
            name=request.form.get("name", ""),
            next_due=_date("next_due", required=True),
            interval_months=_int("interval_months")
            if request.form.get("interval_months")
            else None,
            reporter_id=reporter.id if reporter else None,
            actor=current_actor(),
        )

    return _submit(
        change,
        _("Styringsgruppen er registrert."),
        f"/{council.slug}/admin/cadence",
        lambda **kw: _cadence_page(council, target="group", **kw),
        unique="name",
    )
