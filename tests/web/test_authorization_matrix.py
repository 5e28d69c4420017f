"""The authorisation matrix: every HTML route × every role, with the status each must get.

The routes come from ``app.url_map`` (all but ``/api/`` and ``/static/``); a route that
the matrix does not list fails the test, so a new page cannot ship without saying who may
see it. Each POST carries the form its page would send (and the CSRF token), so that the
engine's own permission checks are reached. A restricted case is a 404 to whoever may not
see it. Each role's requests run in a savepoint that is rolled back, so one role's POSTs
do not change what the next role sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from engine.actors import actor_for
from engine.calendar_feeds import create_feed
from engine.passwords import hash_password
from engine.seeding import World, make_world
from engine.services.cases import fire
from engine.services.documents import register_document
from engine.services.followup import add_action, add_referral
from engine.services.grants import request_clearance, request_seat
from engine.services.logins import log_in as log_in_service
from engine.services.logins import token_hash
from engine.services.reference import reference_data
from engine.services.tokens import create_token
from tests.web.conftest import log_in, post
from tests.web.meetings_world import (
    clear,
    decide,
    hold,
    make_meeting,
    meeting_days,
    placed,
    proposed_item,
    today,
)

# Everyone the issue names: the public, each seat of the council (a member of each party;
# the municipality's member is not cleared, the police member is), a person of another
# council.
ROLES = ("public", "guest", "reporter", "kmember", "pmember", "leader", "deputy", "sec", "other")
OK, LOGIN, REFUSED = "ok", "login", "refused"
REFUSED_INPUT = frozenset({400, 409, 422})
# The real titles that must never reach a page for those who may not see them in full.
RESTRICTED_TITLE, EXEMPT_TITLE = "PST-vurdering", "Navngitt ungdomsmiljø"
CLEARED = frozenset({"pmember", "leader", "deputy"})  # the secretariat is not cleared here
COUNCIL = frozenset({"kmember", "pmember", "leader", "deputy", "sec"})


@dataclass
class Scenario:
    world: World
    other: World
    public_case: str
    exempt_case: str
    restricted_case: str
    meeting: str
    restricted_entry: int
    public_entry: int
    decided_meeting: str
    decided_entry: int
    action_id: int
    referral_id: int
    person_id: int
    guest_id: int
    membership_id: int
    exempt_id: int
    participant_id: int
    meeting_version: int
    free_days: tuple[str, str]
    case_versions: dict[str, int]
    bydel_id: int
    unit_id: int
    area_id: int
    documents: dict[str, int]
    exempt_document: str
    feed_token: str
    api_token_id: int
    clearance_grant: int
    seat_grant: int
    other_session: str


def build(session: Session, world: World) -> Scenario:
    """A council with a public, an exempt and a restricted item on a planned meeting, and a
    held meeting whose decision has an action and a referral; and a second council."""
    other = make_world(session, "annenby")
    clear(session, world, "sec")  # to prepare the restricted item; withdrawn at the end
    public = proposed_item(session, world, "Trygghet på Grønland")
    exempt = proposed_item(
        session,
        world,
        EXEMPT_TITLE,
        access="exempt",
        public_title="Ungdomsmiljø i bydelen",
        legal_basis="offl. § 24 tredje ledd",
    )
    restricted = proposed_item(
        session, world, RESTRICTED_TITLE, access="restricted", public_title="Skjermet sak"
    )
    days = meeting_days()
    meeting = make_meeting(session, world, days[0])
    placed(session, world, meeting, public, restricted)
    entries = {e.case_id: e.position for e in meeting.agenda}
    decided_item = proposed_item(session, world, "Felles innsats")
    held = make_meeting(session, world, days[1])
    placed(session, world, held, decided_item)
    hold(session, world, held)
    decide(session, world, held, decided_item, "Kartlegge rusmiljøet")
    fire(session, held.case, "draft_minutes", actor=world.actor("sec"))
    fire(session, held.case, "circulate_minutes", actor=world.actor("sec"))
    action = add_action(
        session,
        decided_item,
        actor=world.actor("sec"),
        description="Kartlegge",
        owner_party="police",
        due=today() + timedelta(days=30),
    )
    referral = add_referral(
        session,
        decided_item,
        actor=world.actor("sec"),
        target="bydel",
        target_name="Bydel Gamle Oslo",
        description="Be om tiltak",
        response_due=today() + timedelta(days=30),
    )
    kmember = world.people["kmember"]
    data = reference_data(session, world.council)
    files = {"data": b"%PDF-1.4\n%%EOF\n", "filename": "notat.pdf", "entry_type": "internal"}
    documents = {
        "public": register_document(
            session, public, actor=world.actor("leader"), title="Notat", kind="memo", **files
        ),
        "exempt": register_document(
            session,
            public,
            actor=world.actor("leader"),
            title=EXEMPT_TITLE,
            public_title="Brev om ungdomsmiljø",
            kind="letter",
            access="exempt",
            legal_basis="offl. § 24 tredje ledd",
            **files,
        ),
        "restricted": register_document(
            session,
            restricted,
            actor=world.actor("leader"),
            title=RESTRICTED_TITLE,
            public_title="Skjermet notat",
            kind="memo",
            **files,
        ),
    }
    feed_token = create_feed(session, kmember)
    outsider = world.people["outsider"]  # someone whose login session no role may end
    outsider.password_hash = hash_password("et langt passord for matrisen")
    other_session = log_in_service(
        session, outsider.login, "et langt passord for matrisen", address="192.0.2.1"
    )
    api_token = create_token(session, actor=actor_for(kmember), person=kmember, name="Matrise")
    # Waiting for a second person: clearance for the reporter, a secretariat seat for the guest.
    clearance = request_clearance(
        session, actor=world.actor("sec"), membership=world.people["reporter"].memberships[0]
    )
    seat_grant = request_seat(
        session,
        actor=world.actor("sec"),
        person=world.people["guest"],
        council=world.council,
        party="municipality",
        role="secretariat",
        valid_from=today(),
    )
    for seat in world.people["sec"].memberships:
        seat.cleared = False  # the matrix checks a secretariat that is not cleared
    session.flush()
    return Scenario(
        world=world,
        other=other,
        public_case=public.number,
        exempt_case=exempt.number,
        restricted_case=restricted.number,
        meeting=f"{meeting.year}/{meeting.number}",
        restricted_entry=entries[restricted.id],
        public_entry=entries[public.id],
        decided_meeting=f"{held.year}/{held.number}",
        decided_entry=next(e.position for e in held.agenda if e.case_id == decided_item.id),
        action_id=action.id,
        referral_id=referral.id,
        person_id=kmember.id,
        guest_id=world.people["guest"].id,
        exempt_id=exempt.id,
        participant_id=held.participants[0].id,
        meeting_version=meeting.case.version,
        free_days=(days[2].isoformat(), days[3].isoformat()),
        case_versions={
            "public": public.version,
            "exempt": exempt.version,
            "restricted": restricted.version,
        },
        membership_id=kmember.memberships[0].id,
        bydel_id=data.bydeler[0].id,
        unit_id=data.units[0].id,
        area_id=data.areas[0].id,
        documents={variant: document.id for variant, document in documents.items()},
        exempt_document=documents["exempt"].number,
        feed_token=feed_token,
        api_token_id=api_token.token.id,
        clearance_grant=clearance.id,
        seat_grant=seat_grant.id,
        other_session=token_hash(other_session.token),
    )


# The matrix. Columns: public guest reporter kmember pmember leader deputy sec other.
# "L" the login page; "." done (a page, or a redirect after the change); "r" past the door
# but the engine refused the request for what it asked (400, 409, 422: the state of the
# item, a missing field); "1" 401, "3" 403, "4" 404.
# (endpoint, method, variant) → columns
MATRIX: dict[tuple[str, str, str], str] = {
    ("index", "GET", ""):                               ". . . . . . . . .",
    ("health", "GET", ""):                              ". . . . . . . . .",
    ("auth.login", "GET", ""):                          ". . . . . . . . .",
    ("auth.login", "POST", ""):                         "1 1 1 1 1 1 1 1 1",  # no password
    ("auth.logout", "POST", ""):                        "L L L L L L L L L",
    ("auth.language", "POST", ""):                      ". . . . . . . . .",
    # one's own account: anyone logged in; the forgotten-password form for everyone; a
    # reset link that does not exist is a 404 (an empty change form: no current password)
    ("account.change_password", "GET", ""):             "L . . . . . . . .",
    ("account.change_password", "POST", ""):            "L r r r r r r r r",
    ("account.forgot_password", "GET", ""):             ". . . . . . . . .",
    ("account.forgot_password", "POST", ""):            ". . . . . . . . .",
    ("account.reset_password", "GET", ""):              "4 4 4 4 4 4 4 4 4",
    ("account.reset_password", "POST", ""):             "4 4 4 4 4 4 4 4 4",
    ("account.sessions", "GET", ""):                    "L . . . . . . . .",
    ("account.end_session", "POST", ""):                "L 4 4 4 4 4 4 4 4",  # not theirs
    ("account.end_other_sessions", "POST", ""):         "L . . . . . . . .",
    # the council's own pages: a seat in the council today
    ("dashboard.show", "GET", ""):                      "L . . . . . . . 3",
    ("dashboard.messages", "GET", ""):                  "L . . . . . . . 3",
    ("dashboard.messages", "POST", ""):                 "L . . . . . . . 3",
    # cases: public records are listed to anyone logged in; restricted ones only to
    # the cleared; exempt ones in full to the council's members
    ("cases.index", "GET", ""):                         "L . . . . . . . .",
    ("cases.new", "GET", ""):                           "L 3 . . . . . . 3",
    ("cases.new", "POST", ""):                          "L 3 . . . . . . 3",
    ("cases.show", "GET", "public"):                    "L . . . . . . . .",
    ("cases.diagram", "GET", "public"):                 "L . . . . . . . .",
    ("cases.edit", "POST", "public"):                   "L 3 3 3 3 r r r 3",
    ("cases.transition", "POST", "public"):             "L 3 3 3 3 3 3 . 3",  # unschedule
    ("cases.show", "GET", "exempt"):                    "L . . . . . . . .",  # public title
    ("cases.diagram", "GET", "exempt"):                 "L 4 4 . . . . . 4",
    ("cases.edit", "POST", "exempt"):                   "L 3 3 3 3 r r r 3",
    ("cases.transition", "POST", "exempt"):             "L 3 3 . . 3 3 . 3",  # withdraw
    ("cases.show", "GET", "restricted"):                "L 4 4 4 . . . 4 4",
    ("cases.diagram", "GET", "restricted"):             "L 4 4 4 . . . 4 4",
    ("cases.edit", "POST", "restricted"):               "L 4 4 4 3 r r 4 4",
    ("cases.transition", "POST", "restricted"):         "L 4 4 4 3 3 3 4 4",  # unschedule
    # meetings: the council's people see them; the secretariat runs them
    ("meetings.year_plan", "GET", ""):                  "L . . . . . . . 3",
    ("meetings.plan", "POST", ""):                      "L 3 3 3 3 3 3 . 3",
    ("meetings.new_meeting", "POST", ""):               "L 3 3 3 3 3 3 . 3",
    ("meetings.meeting_page", "GET", ""):               "L . . . . . . . 3",
    ("meetings.notice", "GET", ""):                     "L . . . . . . . 3",
    ("meetings.minutes", "GET", ""):                    "L 3 3 . . . . . 3",
    ("meetings.place", "POST", ""):                     "L 3 3 3 3 3 3 r 3",
    ("meetings.attendance", "POST", ""):                "L 3 3 3 3 3 3 r 3",
    ("meetings.guest", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    ("meetings.substitute", "POST", ""):                "L 3 3 3 3 3 3 . 3",
    ("meetings.move_to", "POST", ""):                   "L 3 3 3 3 3 3 . 3",
    ("meetings.comment", "POST", ""):                   "L 3 3 . . . . . 3",
    ("meetings.rewrite", "POST", ""):                   "L 3 3 r r r r r 3",
    ("meetings.move", "POST", "public item"):           "L 3 3 3 3 3 3 . 3",
    ("meetings.remove", "POST", "public item"):         "L 3 3 3 3 3 3 r 3",
    ("meetings.move", "POST", "restricted item"):       "L 3 3 3 3 3 3 . 3",
    ("meetings.remove", "POST", "restricted item"):     "L 3 3 3 3 3 3 r 3",
    ("meetings.outcome", "POST", ""):                   "L 3 3 3 3 3 3 r 3",
    ("meetings.approve", "POST", ""):                   "L r r r r r r r 3",
    ("meetings.action", "POST", ""):                    "L 3 3 3 3 . . . 3",
    ("meetings.disqualify", "POST", ""):                "L 3 3 r 3 3 3 r 3",
    # follow-up: the council's people see it; owners and the secretariat record it
    ("followup.follow_up", "GET", ""):                  "L . . . . . . . 3",
    ("followup.action_page", "GET", ""):                "L . . . . . . . 3",
    ("followup.progress", "POST", ""):                  "L 3 3 3 . . . . 3",
    ("followup.done", "POST", ""):                      "L 3 3 3 . . . . 3",
    ("followup.cancel", "POST", ""):                    "L 3 3 3 r r r r 3",
    ("followup.referral_page", "GET", ""):              "L . . . . . . . 3",
    ("followup.response", "POST", ""):                  "L 3 3 3 3 . . . 3",
    # the public pages: everyone
    ("public.councils", "GET", ""):                     ". . . . . . . . .",
    ("public.calendar", "GET", ""):                     ". . . . . . . . .",
    ("public.meeting", "GET", ""):                      ". . . . . . . . .",
    ("public.minutes_archive", "GET", ""):              ". . . . . . . . .",
    # administration: the council's secretariat
    ("admin.overview", "GET", ""):                      "L 3 3 3 3 3 3 . 3",
    ("admin.people", "GET", ""):                        "L 3 3 3 3 3 3 . 3",
    ("admin.register", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    ("admin.person", "GET", ""):                        "L 3 3 3 3 3 3 . 3",
    # a person's name, e-mail and activation: the person, or an installation administrator
    ("admin.edit_person", "POST", ""):                  "L 3 3 3 3 3 3 3 3",
    ("admin.activation", "POST", ""):                   "L 3 3 3 3 3 3 3 3",
    ("admin.end_person_seats", "POST", ""):             "L 3 3 3 3 3 3 . 3",
    ("admin.one_time_password", "POST", ""):            "L 3 3 3 3 3 3 . 3",
    ("admin.reset_link", "POST", ""):                   "L 3 3 3 3 3 3 r 3",  # no e-mail
    ("admin.add_seat", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    ("admin.edit_seat", "POST", ""):                    "L 3 3 3 3 3 3 . 3",
    ("admin.council_settings", "GET", ""):              "L 3 3 3 3 3 3 . 3",
    ("admin.edit_council", "POST", ""):                 "L 3 3 3 3 3 3 . 3",
    ("admin.reference_data", "GET", ""):                "L 3 3 3 3 3 3 . 3",
    ("admin.add_bydel", "POST", ""):                    "L 3 3 3 3 3 3 . 3",
    ("admin.rename_bydel", "POST", ""):                 "L 3 3 3 3 3 3 . 3",
    ("admin.add_unit", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    ("admin.edit_unit", "POST", ""):                    "L 3 3 3 3 3 3 . 3",
    ("admin.add_area", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    ("admin.rename_area", "POST", ""):                  "L 3 3 3 3 3 3 . 3",
    ("admin.cadence", "GET", ""):                       "L 3 3 3 3 3 3 . 3",
    ("admin.edit_cadence", "POST", ""):                 "L 3 3 3 3 3 3 . 3",
    ("admin.add_group", "POST", ""):                    "L 3 3 3 3 3 3 . 3",
    ("admin.councils", "GET", ""):                      "L 3 3 3 3 3 3 . 3",
    ("admin.new_council", "POST", ""):                  "L 3 3 3 3 3 3 . 3",
    # grants waiting for a second person: the secretariat asks (and withdraws); another
    # with power approves or refuses (cleared, for clearance); never the one who asked
    ("admin.grants", "GET", ""):                        "L 3 3 3 3 . . . 3",
    ("admin.approve", "POST", ""):                      "L 3 3 3 3 . . 3 3",
    ("admin.refuse", "POST", ""):                       "L 3 3 3 3 . . 3 3",
    ("admin.withdraw", "POST", ""):                     "L 3 3 3 3 3 3 . 3",
    # records: the public journal and access requests are for everyone; downloads follow
    # the access policy (an exempt document is refused with its legal basis outside the
    # council; a restricted one does not exist for the uncleared)
    ("records.public_journal", "GET", ""):              ". . . . . . . . .",
    ("records.public_journal_csv", "GET", ""):          ". . . . . . . . .",
    ("records.public_journal_json", "GET", ""):         ". . . . . . . . .",
    ("records.innsyn_form", "GET", ""):                 ". . . . . . . . .",
    ("records.innsyn_request", "POST", ""):             ". . . . . . . . .",
    ("records.download", "GET", "public"):              ". . . . . . . . .",
    ("records.download", "GET", "exempt"):              "3 3 3 . . . . . 3",
    ("records.download", "GET", "restricted"):          "4 4 4 4 . . . 4 4",
    ("records.public_download", "GET", "public"):       ". . . . . . . . .",
    ("records.public_download", "GET", "exempt"):       "3 3 3 3 3 3 3 3 3",
    ("records.public_download", "GET", "restricted"):   "4 4 4 4 4 4 4 4 4",
    ("records.upload_to_case", "POST", ""):             "L 3 3 3 3 r r r 3",  # no file
    ("records.upload_to_meeting", "POST", ""):          "L 3 3 3 3 r r r 3",  # no file
    # calendars: the public one for everyone; a personal feed for whoever has its secret
    ("feeds.public_calendar", "GET", ""):               ". . . . . . . . .",
    ("feeds.personal_calendar", "GET", ""):             ". . . . . . . . .",
    ("feeds.my_calendar", "GET", ""):                   "L . . . . . . . .",
    ("feeds.create_calendar", "POST", ""):              "L . . . . . . . .",
    ("feeds.revoke_calendar", "POST", ""):              "L . . . . . . . .",
    # personal API tokens: each person their own (the token is the member's)
    ("tokens.index", "GET", ""):                        "L . . . . . . . .",
    ("tokens.create", "POST", ""):                      "L . . . . . . . .",
    ("tokens.revoke", "POST", ""):                      "L 4 4 . 4 4 4 4 4",
    # one's own profile: name, e-mail address and language
    ("profile.show", "GET", ""):                        "L . . . . . . . .",
    ("profile.save", "POST", ""):                       "L . . . . . . . .",
}  # fmt: skip
CODES = {"L": LOGIN, ".": OK, "r": REFUSED, "1": 401, "3": 403, "4": 404}


def expected(key: tuple[str, str, str], role: str) -> object:
    return CODES[MATRIX[key].split()[ROLES.index(role)]]


def requests(s: Scenario) -> list[tuple[str, str, str, str, dict[str, str]]]:
    """(endpoint, method, url, variant, form) for every request the matrix makes; each
    form is one the page would send, so the engine's own permission checks are reached."""
    c = "/testby"
    m = f"{c}/meetings/{s.meeting}"
    d = f"{c}/meetings/{s.decided_meeting}"
    a = f"{c}/admin"
    year = str(int(s.free_days[0][:4]) + 1)
    out = [
        ("index", "GET", "/", "", {}),
        ("health", "GET", "/health", "", {}),
        ("auth.login", "GET", "/login", "", {}),
        ("auth.login", "POST", "/login", "", {}),
        ("auth.logout", "POST", "/logout", "", {}),
        ("auth.language", "POST", "/language", "", {"lang": "nb"}),
        ("account.change_password", "GET", "/me/password", "", {}),
        ("account.change_password", "POST", "/me/password", "", {}),
        ("account.forgot_password", "GET", "/password/forgot", "", {}),
        ("account.forgot_password", "POST", "/password/forgot", "", {"login": "ingen"}),
        ("account.reset_password", "GET", "/password/reset/ukjent", "", {}),
        ("account.reset_password", "POST", "/password/reset/ukjent", "", {}),
        ("account.sessions", "GET", "/me/sessions", "", {}),
        ("account.end_session", "POST", "/me/sessions/end", "", {"session": s.other_session}),
        ("account.end_other_sessions", "POST", "/me/sessions/others", "", {}),
        ("dashboard.show", "GET", f"{c}/", "", {}),
        ("dashboard.messages", "GET", f"{c}/inbox", "", {}),
        ("dashboard.messages", "POST", f"{c}/inbox", "", {}),
        ("cases.index", "GET", f"{c}/cases", "", {}),
        ("cases.new", "GET", f"{c}/cases/new", "", {}),
        ("cases.new", "POST", f"{c}/cases/new", "", {"kind": "agenda_item", "title": "Ny"}),
    ]
    for variant, number, trigger in (
        ("public", s.public_case, "unschedule"),
        ("exempt", s.exempt_case, "withdraw"),
        ("restricted", s.restricted_case, "unschedule"),
    ):
        base = f"{c}/cases/{number}"
        version = str(s.case_versions[variant])
        out += [
            ("cases.show", "GET", base, variant, {}),
            ("cases.diagram", "GET", f"{base}/diagram.svg", variant, {}),
            ("cases.edit", "POST", f"{base}/edit", variant, {"version": version}),
            (
                "cases.transition",
                "POST",
                f"{base}/transitions/{trigger}",
                variant,
                {"version": version, "comment": "Matrisen"},
            ),
        ]
    out += [
        ("meetings.year_plan", "GET", f"{c}/meetings", "", {}),
        ("meetings.plan", "POST", f"{c}/meetings/plan", "", {"year": year}),
        (
            "meetings.new_meeting",
            "POST",
            f"{c}/meetings/new",
            "",
            {"date": s.free_days[0], "kind": "ordinary"},
        ),
        ("meetings.meeting_page", "GET", m, "", {}),
        ("meetings.notice", "GET", f"{m}/notice", "", {}),
        ("meetings.minutes", "GET", f"{d}/minutes", "", {}),
        ("meetings.place", "POST", f"{m}/agenda", "", {"case": str(s.exempt_id)}),
        (
            "meetings.attendance",
            "POST",
            f"{d}/attendance",
            "",
            {f"attendance-{s.participant_id}": "absent"},
        ),
        ("meetings.guest", "POST", f"{m}/guests", "", {"name": "Gjest Gjestesen"}),
        (
            "meetings.substitute",
            "POST",
            f"{m}/substitutes",
            "",
            {"principal": str(s.person_id), "substitute": str(s.guest_id)},
        ),
        (
            "meetings.move_to",
            "POST",
            f"{m}/move",
            "",
            {"version": str(s.meeting_version), "date": s.free_days[1]},
        ),
        ("meetings.comment", "POST", f"{d}/minutes/comments", "", {"text": "Rett navnet"}),
        ("meetings.rewrite", "POST", f"{d}/minutes/write", "", {}),
    ]
    for variant, position, to in (
        ("public item", s.public_entry, s.restricted_entry),
        ("restricted item", s.restricted_entry, s.public_entry),
    ):
        base = f"{m}/agenda/{position}"
        out += [
            ("meetings.move", "POST", f"{base}/move", variant, {"to": str(to)}),
            ("meetings.remove", "POST", f"{base}/remove", variant, {"comment": "Senere"}),
        ]
    held = f"{d}/agenda/{s.decided_entry}"
    due = s.free_days[0]
    action = f"{c}/follow-up/actions/{s.action_id}"
    out += [
        ("meetings.outcome", "POST", f"{held}/outcome", "", {"outcome": "noted"}),
        ("meetings.approve", "POST", f"{held}/approve", "", {}),
        (
            "meetings.action",
            "POST",
            f"{held}/actions",
            "",
            {"description": "Mer", "owner_party": "municipality", "due": due},
        ),
        (
            "meetings.disqualify",
            "POST",
            f"{held}/disqualifications",
            "",
            {"person": str(s.person_id), "reason": "Inhabil"},
        ),
        ("followup.follow_up", "GET", f"{c}/follow-up", "", {}),
        ("followup.action_page", "GET", action, "", {}),
        ("followup.progress", "POST", f"{action}/progress", "", {"text": "Godt i gang"}),
        ("followup.done", "POST", f"{action}/done", "", {"comment": "Ferdig"}),
        ("followup.cancel", "POST", f"{action}/cancel", "", {"reason": "Bortfalt"}),
        ("followup.referral_page", "GET", f"{c}/follow-up/referrals/{s.referral_id}", "", {}),
        (
            "followup.response",
            "POST",
            f"{c}/follow-up/referrals/{s.referral_id}/response",
            "",
            {"response": "Tiltak er satt i verk"},
        ),
        ("public.councils", "GET", "/public/", "", {}),
        ("public.calendar", "GET", "/public/testby/", "", {}),
        ("public.meeting", "GET", f"/public/testby/meetings/{s.meeting}", "", {}),
        ("public.minutes_archive", "GET", "/public/testby/meetings", "", {}),
        ("admin.overview", "GET", a, "", {}),
        ("admin.people", "GET", f"{a}/people", "", {}),
        (
            "admin.register",
            "POST",
            f"{a}/people",
            "",
            {
                "display_name": "Ny Person",
                "login": "ny-person",
                "party": "municipality",
                "role": "member",
                "valid_from": "2026-01-01",
            },
        ),
        ("admin.person", "GET", f"{a}/people/{s.person_id}", "", {}),
        (
            "admin.edit_person",
            "POST",
            f"{a}/people/{s.person_id}",
            "",
            {"display_name": "Omdøpt", "locale": "nb"},
        ),
        ("admin.activation", "POST", f"{a}/people/{s.person_id}/active", "", {"active": "0"}),
        ("admin.end_person_seats", "POST", f"{a}/people/{s.person_id}/end-seats", "", {}),
        ("admin.one_time_password", "POST", f"{a}/people/{s.person_id}/password/one-time", "", {}),
        ("admin.reset_link", "POST", f"{a}/people/{s.person_id}/password/link", "", {}),
        (
            "admin.add_seat",
            "POST",
            f"{a}/people/{s.person_id}/memberships",
            "",
            {"party": "municipality", "role": "leader", "valid_from": "2026-01-01"},
        ),
        (
            "admin.edit_seat",
            "POST",
            f"{a}/memberships/{s.membership_id}",
            "",
            {"cleared": "1"},
        ),
        ("admin.council_settings", "GET", f"{a}/council", "", {}),
        (
            "admin.edit_council",
            "POST",
            f"{a}/council",
            "",
            {"name": "Endret", "municipality": "M", "police_district": "P"},
        ),
        ("admin.reference_data", "GET", f"{a}/reference", "", {}),
        ("admin.add_bydel", "POST", f"{a}/reference/bydeler", "", {"code": "99", "name": "Ny"}),
        ("admin.rename_bydel", "POST", f"{a}/reference/bydeler/{s.bydel_id}", "", {"name": "N"}),
        ("admin.add_unit", "POST", f"{a}/reference/units", "", {"code": "ny", "name": "Ny"}),
        ("admin.edit_unit", "POST", f"{a}/reference/units/{s.unit_id}", "", {"name": "Ny"}),
        (
            "admin.add_area",
            "POST",
            f"{a}/reference/areas",
            "",
            {"number": "9", "name_nb": "Ny", "name_en": "New"},
        ),
        (
            "admin.rename_area",
            "POST",
            f"{a}/reference/areas/{s.area_id}",
            "",
            {"name_nb": "Ny", "name_en": "New"},
        ),
        ("admin.cadence", "GET", f"{a}/cadence", "", {}),
        ("admin.edit_cadence", "POST", f"{a}/cadence", "", {"notice_days": "10"}),
        (
            "admin.add_group",
            "POST",
            f"{a}/cadence/steering-groups",
            "",
            {"name": "SaLTo", "next_due": s.free_days[0]},
        ),
        ("admin.councils", "GET", "/admin/councils", "", {}),
        (
            "admin.new_council",
            "POST",
            "/admin/councils",
            "",
            {"name": "Nytt", "slug": "nytt", "municipality": "M", "police_district": "P"},
        ),
        ("admin.grants", "GET", f"{a}/grants", "", {}),
        ("admin.approve", "POST", f"{a}/grants/{s.clearance_grant}/approve", "", {}),
        ("admin.refuse", "POST", f"{a}/grants/{s.seat_grant}/refuse", "", {}),
        ("admin.withdraw", "POST", f"{a}/grants/{s.seat_grant}/withdraw", "", {}),
    ]
    for variant, document in s.documents.items():
        out += [
            ("records.download", "GET", f"{c}/documents/{document}", variant, {}),
            ("records.public_download", "GET", f"/public/testby/documents/{document}", variant, {}),
        ]
    out += [
        ("records.public_journal", "GET", "/public/testby/journal", "", {}),
        ("records.public_journal_csv", "GET", "/public/testby/journal.csv", "", {}),
        ("records.public_journal_json", "GET", "/public/testby/journal.json", "", {}),
        ("records.innsyn_form", "GET", "/public/testby/innsyn", "", {}),
        (
            "records.innsyn_request",
            "POST",
            "/public/testby/innsyn",
            "",
            {"document": s.exempt_document, "name": "Kari", "email": "kari@example.no"},
        ),
        ("records.upload_to_case", "POST", f"{c}/cases/{s.public_case}/documents", "", {}),
        ("records.upload_to_meeting", "POST", f"{m}/documents", "", {}),
        ("feeds.public_calendar", "GET", "/public/testby/calendar.ics", "", {}),
        ("feeds.personal_calendar", "GET", f"/feeds/{s.feed_token}.ics", "", {}),
        ("feeds.my_calendar", "GET", "/me/calendar", "", {}),
        ("feeds.create_calendar", "POST", "/me/calendar", "", {}),
        ("feeds.revoke_calendar", "POST", "/me/calendar/revoke", "", {}),
        ("tokens.index", "GET", "/me/tokens", "", {}),
        ("tokens.create", "POST", "/me/tokens", "", {"name": "Matrise", "scope": "read"}),
        ("tokens.revoke", "POST", f"/me/tokens/{s.api_token_id}/revoke", "", {}),
        ("profile.show", "GET", "/me/profile", "", {}),
        (
            "profile.save",
            "POST",
            "/me/profile",
            "",
            {"display_name": "Nytt navn", "email": "ny@example.no", "locale": "nb"},
        ),
    ]
    return out


def outcome(response) -> object:
    status = response.status_code
    if status in (302, 303) and response.headers["Location"].startswith("/login"):
        return LOGIN
    if status in REFUSED_INPUT:
        return REFUSED
    if status >= 400:
        return status
    return OK


def secret_titles(role: str) -> set[str]:
    """The real titles ``role`` may not see: the cleared see all; the council's other
    people see exempt items in full; everyone else sees public titles only."""
    if role in CLEARED:
        return set()
    if role in COUNCIL:
        return {RESTRICTED_TITLE}
    return {RESTRICTED_TITLE, EXEMPT_TITLE}


def person_for(world: World, other: World, role: str):
    if role == "public":
        return None
    if role == "other":
        return other.people["kmember"]
    return world.people[role]


def observe(app, session: Session, scenario: Scenario, role: str) -> dict[tuple, object]:
    """What ``role`` gets for every row, each role's changes rolled back after it; under
    the key ``"titles"``, the secret titles each page showed."""
    connection = session.connection()
    nested = connection.begin_nested()
    try:
        client = app.test_client()
        person = person_for(scenario.world, scenario.other, role)
        if person is not None:
            log_in(client, session, person)
        seen: dict = {"titles": {}}
        for endpoint, method, url, variant, form in requests(scenario):
            if endpoint == "auth.logout":
                continue  # would end the session the other rows need; checked below
            response = client.get(url) if method == "GET" else post(client, url, form)
            seen[(endpoint, method, variant)] = (url, outcome(response))
            body = response.get_data(as_text=True)
            shown = {t for t in (RESTRICTED_TITLE, EXEMPT_TITLE) if t in body}
            if shown:
                seen["titles"][url] = shown
        seen[("auth.logout", "POST", "")] = ("/logout", outcome(post(client, "/logout", {})))
        return seen
    finally:
        nested.rollback()
        session.expire_all()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_status_the_matrix_gives_it_and_no_title_it_may_not_see(
    app, session, world, role
):
    seen = observe(app, session, build(session, world), role)
    titles = seen.pop("titles")
    wrong = [
        f"{url}: {got!r}, the matrix says {expected(key, role)!r}"
        for key, (url, got) in seen.items()
        if got != expected(key, role)
    ]
    secret = secret_titles(role)
    wrong += [
        f"{url} shows {sorted(shown & secret)}" for url, shown in titles.items() if shown & secret
    ]
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    shown_somewhere = set().union(*titles.values())
    assert (
        shown_somewhere == {RESTRICTED_TITLE, EXEMPT_TITLE} - secret
    )  # what one may see, one sees


def test_every_html_route_and_method_is_in_the_matrix(app):
    listed = {(endpoint, method) for endpoint, method, _ in MATRIX}
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/api/", "/static/"))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (rule.endpoint, method) not in listed
    ]
    assert not missing, "routes the authorisation matrix does not list:\n" + "\n".join(missing)


def test_the_matrix_makes_a_request_for_every_line_it_lists(session, world):
    made = {
        (endpoint, method, variant)
        for endpoint, method, _, variant, _ in requests(build(session, world))
    }
    assert made == set(MATRIX)
