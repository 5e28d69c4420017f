"""The 409 page for a stale form: "someone changed this case; here is what changed".

A form on a case page (or a meeting page, whose meeting is a case) carries the version of
the case it was rendered with (``version``; ``expected_version`` is read too). When the
engine refuses it with a ``Conflict``, this handler shows the events since that version,
as far as the person may see the case, with a link back to the fresh page. Any other
Conflict (a duplicate) gets the plain 409 page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from engine.access import Visibility, visibility
from engine.changes import events_since
from engine.errors import Conflict, EngineError
from engine.models import Case, CaseEvent, Council, Meeting, Person
from engine.runtime import definition_of
from web.auth import current_actor, oslo_today
from web.db import db
from web.labels import field_label

blueprint = Blueprint("conflicts", __name__)
VERSION_FIELDS = ("version", "expected_version")


@dataclass(frozen=True)
class StaleForm:
    """What the 409 page shows about the case a stale form was about."""

    case: Case
    url: str
    form_version: int
    events: list[CaseEvent]
    names: dict[int, str]
    state_labels: dict[str, str]

    def who(self, event: CaseEvent) -> str:
        return self.names.get(event.actor_id, event.actor) if event.actor_id else event.actor

    def state(self, name: str | None) -> str:
        return self.state_labels.get(name or "", name or "")

    @staticmethod
    def party(code: str) -> str:
        return party_label(code)

    @staticmethod
    def fields(event: CaseEvent) -> list[str]:
        """The names of the fields the event changed, as a reader knows them."""
        names = json.loads(event.changes or "{}")
        shown = {field_label(name) for name in names if not name.startswith("approval.")}
        if any(name.startswith("approval.") for name in names):
            shown.add(_("Godkjenning"))
        return sorted(shown)


def party_label(code: str) -> str:
    """The party's name in the page's language."""
    labels = {"municipality": _("kommunen"), "police": _("politiet"), "external": _("ekstern")}
    return labels.get(code, code)


@blueprint.app_errorhandler(Conflict)
def stale_form(error: Conflict):
    return render_template("error.html", status=409, error=error, stale=_stale()), 409


def _stale() -> StaleForm | None:
    """The stale form's case and what happened to it since, or None when the request was
    not a versioned form on a case the person may see in full."""
    version = _form_version()
    args = request.view_args or {}
    slug = args.get("council", args.get("council_slug"))
    if version is None or not isinstance(slug, str) or "year" not in args:
        return None
    session = db()
    session.rollback()  # the refused write may have left the session unusable
    try:
        case, url = _case_of(slug, args)
    except EngineError:
        return None
    if case is None or visibility(current_actor(), case, oslo_today()) != Visibility.FULL:
        return None
    events = events_since(session, case, version)
    ids = {e.actor_id for e in events if e.actor_id}
    names = (
        dict(
            session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all()
        )
        if ids
        else {}
    )
    locale = str(get_locale() or "nb")
    definition = definition_of(session, case)
    labels = {s.name: s.labels.get(locale) for s in definition.states}
    return StaleForm(case, url, version, events, names, labels)


def _form_version() -> int | None:
    for name in VERSION_FIELDS:
        value = request.form.get(name, "")
        if value.isdigit():
            return int(value)
    return None


def _case_of(slug: str, args: dict) -> tuple[Case | None, str]:
    session = db()
    council = session.scalars(select(Council).where(Council.slug == slug)).first()
    if council is None:
        return None, ""
    if "seq" in args:
        case = session.scalars(
            select(Case).where(
                Case.council_id == council.id, Case.year == args["year"], Case.seq == args["seq"]
            )
        ).first()
        return case, f"/{council.slug}/cases/{args['year']}/{args['seq']}"
    if "number" in args:
        meeting = session.scalars(
            select(Meeting).where(
                Meeting.council_id == council.id,
                Meeting.year == args["year"],
                Meeting.number == args["number"],
            )
        ).first()
        url = f"/{council.slug}/meetings/{args['year']}/{args['number']}"
        return (meeting.case if meeting else None), url
    return None, ""
