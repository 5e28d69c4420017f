"""The public pages, no login: the councils, each council's meeting calendar, and a
meeting's public agenda with its published minutes and decisions.

Everything here is read as the public actor: public titles only, an exempt item with
its legal basis, a restricted one with nothing beyond its public title.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from engine.actors import Actor
from engine.models import Case, Council, Meeting
from engine.services.meetings import list_meetings
from engine.services.minutes import published_minutes
from web.clock import today
from web.db import db
from web.views.meetings import INT, council_or_404, item_view, meeting_or_404, minutes_blocks

blueprint = Blueprint("public", __name__)

# The agenda is public from the notice on; before that it is still being built.
AGENDA_PUBLIC_STATES = (
    "convened",
    "held",
    "minutes_draft",
    "minutes_review",
    "minutes_approved",
    "published",
)


@blueprint.get("/public/")
def councils():
    rows = db().scalars(select(Council).order_by(Council.name))
    return render_template("public/councils.html", councils=list(rows))


@blueprint.get("/public/<council_slug>/")
def calendar(council_slug: str):
    """The meeting calendar of a year (this year unless asked)."""
    council = council_or_404(council_slug)
    year = request.args.get("year", type=int) or today().year
    meetings = list_meetings(db(), council, year=year)
    day = today()
    return render_template(
        "public/calendar.html",
        council=council,
        year=year,
        upcoming=[m for m in meetings if m.date >= day],
        past=[m for m in meetings if m.date < day],
        agenda_states=AGENDA_PUBLIC_STATES,
    )


@blueprint.get("/public/<council_slug>/meetings")
def minutes_archive(council_slug: str):
    """Every meeting whose minutes are published, the latest first."""
    council = council_or_404(council_slug)
    published = db().scalars(
        select(Meeting)
        .join(Case, Case.id == Meeting.case_id)
        .where(Meeting.council_id == council.id, Case.state == "published")
        .order_by(Meeting.date.desc(), Meeting.number.desc())
    )
    return render_template("public/archive.html", council=council, meetings=list(published))


@blueprint.get(f"/public/<council_slug>/meetings/<{INT}:year>/<{INT}:number>")
def meeting(council_slug: str, year: int, number: int):
    """The public agenda, and once published the minutes and the decisions."""
    council = council_or_404(council_slug)
    found = meeting_or_404(council, year, number)
    public = Actor.public()
    day = today()
    agenda_public = found.case.state in AGENDA_PUBLIC_STATES
    published = found.case.state == "published" and found.minutes is not None
    return render_template(
        "public/meeting.html",
        council=council,
        meeting=found,
        case=found.case,
        items=[item_view(public, entry, day) for entry in found.agenda] if agenda_public else [],
        agenda_public=agenda_public,
        published=published,
        blocks=minutes_blocks(published_minutes(db(), found, actor=public)) if published else [],
    )
