"""Calendar feeds: the council's public meeting calendar, a person's secret feed, and the page
where a logged-in person makes (or ends) the secret link of their feed."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from engine import calendar_feeds as feeds
from engine.models import Meeting
from engine.services.people import get_council
from web.auth import current_person, login_required
from web.db import commit, db

blueprint = Blueprint("feeds", __name__)
ICALENDAR = "text/calendar; charset=utf-8"


def _public_meeting_url(meeting: Meeting) -> str:
    """The meeting's public page (the URL map's ``/public/<council>/meetings/<year>/<n>``)."""
    return (
        f"{request.url_root}public/{meeting.case.council.slug}/meetings/"
        f"{meeting.year}/{meeting.number}"
    )


def _ics(body: bytes, *, private: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICALENDAR
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


@blueprint.get("/public/<council>/calendar.ics")
def public_calendar(council: str):
    """Anyone may subscribe to a council's meetings. The feed is made once and served again
    while its inputs stay the same (checked with one query on every request)."""
    found = get_council(db(), council)
    made = current_app.extensions.setdefault("politirad.public_calendars", feeds.PublicCalendars())
    body = made.feed(db(), found, link=_public_meeting_url, key=request.url_root)
    return _ics(body, private=False)


@blueprint.get("/feeds/<token>.ics")
def personal_calendar(token: str):
    """A person's feed; the secret in the URL is the only key (calendar programs cannot log
    in), so an unknown or revoked one is simply not found."""
    person = feeds.feed_owner(db(), token)
    return _ics(feeds.personal_calendar(db(), person, link=_public_meeting_url), private=True)


@blueprint.get("/me/calendar")
@login_required
def my_calendar():
    feed = feeds.active_feed(db(), current_person())
    return render_template("feeds/me_calendar.html", feed=feed, url=None)


@blueprint.post("/me/calendar")
@login_required
def create_calendar():
    """A new secret link, shown on this page once; the old link stops working."""
    person = current_person()
    token = feeds.create_feed(db(), person)
    commit()
    url = url_for("feeds.personal_calendar", token=token, _external=True)
    feed = feeds.active_feed(db(), person)
    response = Response(render_template("feeds/me_calendar.html", feed=feed, url=url))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/me/calendar/revoke")
@login_required
def revoke_calendar():
    if feeds.revoke_feed(db(), current_person()):
        commit()
        flash(_("Kalenderlenken virker ikke lenger."))
    return redirect(url_for("feeds.my_calendar"))
