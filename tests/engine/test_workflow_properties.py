"""Property-based tests of the workflow runtime: one hypothesis state machine per workflow.

Each machine opens one case of its workflow and lets random actors (every role of
both parties, an outsider, the scheduler) fire random triggers at it: valid and
invalid ones, with current and stale versions, with and without the data and
comments they need. Other rules change what the guards look at: priority areas,
the meeting link and that meeting's state, date fields, another agreement's
period, the decision's follow-up. An INDEPENDENT model written here predicts every
outcome, and the engine must agree with it after every step.

The model reads only the plain data of the workflow files (states, transitions,
roles, parties, approvals, requires, comment_required) with ``yaml.safe_load``. It
re-implements the access policy (DESIGN.md §2, ``engine/access.py``'s docstring),
the order of the checks in ``fire`` and the guards from their documented meaning,
and never asks the engine what an outcome should be.

The council and its people are built once per test; each example runs in its own
savepoint, rolled back in ``teardown``, so every example starts with no cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from engine import audit
from engine.actors import Actor
from engine.errors import (
    Conflict,
    EngineError,
    GuardFailed,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.models import Action, Approval, Case, CaseEvent, Council, Referral
from engine.models.cases import case_priority_area
from engine.seeding import SEATS, make_world
from engine.services import available_transitions, fire, open_case, update_case
from engine.services.people import add_membership, create_person
from tests.clock import NOW

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows" / "definitions"

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # No "explain" phase: it re-runs a failing example many times to say which lines
    # only failures reach, which costs minutes here and says less than the steps do.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

# --------------------------------------------------------------------------------------
# The model: workflow files as plain data
# --------------------------------------------------------------------------------------

BUILTIN_FIELDS = ("title", "public_title")


@dataclass(frozen=True)
class Step:
    """One transition of a workflow file, as plain data."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    parties: tuple[str, ...]
    guards: tuple[str, ...]
    requires: tuple[str, ...]
    approvals: tuple[str, ...]
    comment_required: bool


@dataclass(frozen=True)
class Flow:
    """A workflow file, as plain data."""

    name: str
    initial: str
    states: tuple[str, ...]
    fields: tuple[str, ...]
    steps: tuple[Step, ...]
    anchors: frozenset[str]

    def step(self, state: str, trigger: str) -> Step | None:
        for step in self.steps:
            if step.trigger == trigger and state in step.sources:
                return step
        return None

    def steps_from(self, state: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if state in s.sources)

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.trigger for s in self.steps))

    @property
    def guards(self) -> frozenset[str]:
        return frozenset(g for s in self.steps for g in s.guards)

    @property
    def date_fields(self) -> frozenset[str]:
        """Fields that must hold a date: deadline anchors and fields named like dates."""
        named = {f for f in self.fields if f.endswith(("_date", "_on")) or f.startswith("valid_")}
        return frozenset((self.anchors - {"entered"}) | named)


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def read_flow(name: str) -> Flow:
    raw = yaml.safe_load((DEFINITIONS / f"{name}.yaml").read_text(encoding="utf-8"))
    steps = tuple(
        Step(
            trigger=t["trigger"],
            sources=_names(t["source"]),
            dest=t["dest"],
            roles=_names(t.get("roles")),
            parties=_names(t.get("parties")),
            guards=_names(t.get("guards")),
            requires=_names(t.get("requires")),
            approvals=_names(t.get("approvals")),
            comment_required=bool(t.get("comment_required", False)),
        )
        for t in raw["transitions"]
    )
    anchors = frozenset(
        spec["anchor"] for state in raw["states"].values() for spec in state.get("deadlines", ())
    )
    return Flow(
        name=raw["name"],
        initial=raw["initial"],
        states=tuple(raw["states"]),
        fields=_names(raw.get("fields")),
        steps=steps,
        anchors=anchors,
    )


# --------------------------------------------------------------------------------------
# The model: people, access policy, calendar and guards
# --------------------------------------------------------------------------------------

# login → (party, role, cleared). make_world's council, plus the police side's
# secretariat (cleared) and reporter, so that every role of both parties acts.
EXTRA_SEATS = {
    "psec": ("police", "secretariat", True),
    "preporter": ("police", "reporter", False),
}
PEOPLE: dict[str, tuple[str, str, bool]] = {**SEATS, **EXTRA_SEATS}
SYSTEM = "system"
OUTSIDER = "outsider"
ACTORS = (*PEOPLE, OUTSIDER, SYSTEM)
OPENERS = ("sec", "psec", "leader", "deputy")

# The council proper sees exempt cases in full; restricted ones need clearance too.
# Reporters and guests are outside the council; the outsider has no seat at all.
COUNCIL_ROLES = frozenset({"leader", "deputy", "member", "secretariat"})
EDITOR_ROLES = frozenset({"leader", "deputy", "secretariat"})

MEETING_STATES = (
    "planned",
    "agenda_draft",
    "agenda_fixed",
    "convened",
    "held",
    "minutes_draft",
    "minutes_review",
    "minutes_approved",
    "published",
    "cancelled",
)
AGENDA_OPEN = frozenset({"planned", "agenda_draft"})
MEETING_HELD = frozenset(
    {"held", "minutes_draft", "minutes_review", "minutes_approved", "published"}
)
MEETING_GUARDS = frozenset({"has_meeting", "meeting_accepts_items", "meeting_held"})
AGREEMENT_LIVE = frozenset({"signed", "in_force", "revision_due"})
OTHER_AGREEMENT_STATES = ("draft", "signed", "in_force", "revision_due", "expired")
ACTION_STATUSES = (None, "open", "in_progress", "done", "cancelled")  # None: no action


def easter_sunday(year: int) -> date:
    """The anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def norwegian_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    offsets = (-3, -2, 0, 1, 39, 49, 50)  # skjærtorsdag … 2. pinsedag
    fixed = (date(year, 1, 1), date(year, 5, 1), date(year, 5, 17))
    christmas = (date(year, 12, 25), date(year, 12, 26))
    return frozenset((*fixed, *christmas, *(easter + timedelta(days=o) for o in offsets)))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in norwegian_holidays(day.year)


def as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def is_missing(value: Any) -> bool:
    return value is None or value == ""


@dataclass(frozen=True)
class Other:
    """Another agreement of the same council, which the overlap guard looks at."""

    state: str
    valid_from: str
    valid_to: str


@dataclass
class Model:
    """What the case should look like, from the documented rules alone."""

    flow: Flow
    access: str
    opener: str
    state: str
    data: dict[str, Any]
    areas: frozenset[int]
    linked: bool
    meeting_state: str | None
    other: Other | None
    action: str | None = None  # the status of the case's one follow-up action, if any
    referral: str | None = None  # "awaiting" or "answered", if the case has a referral
    version: int = 1
    events: int = 1  # "opened"
    approvals: dict[str, dict[str, str]] = field(default_factory=dict)  # trigger → party → login

    # -- who may do what -------------------------------------------------------------

    def why_not_act(self, login: str) -> str | None:
        if login == SYSTEM:
            return None
        if login not in PEOPLE:
            return "not a member of this council"
        _party, role, cleared = PEOPLE[login]
        if self.access != "public" and role not in COUNCIL_ROLES:
            return f"a {role} sees only the public title of a {self.access} case"
        if self.access == "restricted" and not cleared:
            return "not cleared for a restricted case"
        return None

    def why_not_fire(self, login: str, step: Step) -> str | None:
        if login == SYSTEM:
            return None if SYSTEM in step.roles else "the scheduler may not fire it"
        blocked = self.why_not_act(login)
        if blocked:
            return blocked
        party, role, _cleared = PEOPLE[login]
        if role not in step.roles:
            return f"role {role} may not fire it"
        if step.parties and party not in step.parties:
            return f"party {party} may not fire it"
        if step.approvals:
            if party not in step.approvals:
                return f"no approval is asked from {party}"
            if party in self.approvals.get(step.trigger, {}):
                return f"{party} has already approved"
        return None

    def why_not_edit(self, login: str) -> str | None:
        if login == SYSTEM:
            return None
        blocked = self.why_not_act(login)
        if blocked:
            return blocked
        if PEOPLE[login][1] in EDITOR_ROLES:
            return None
        if login == self.opener and self.state == self.flow.initial:
            return None
        return "only the secretariat, the leaders or the author may edit"

    # -- data and guards -------------------------------------------------------------

    def invalid_data(self, values: dict[str, Any]) -> str | None:
        unknown = set(values) - set(self.flow.fields)
        if unknown:
            return f"unknown fields {sorted(unknown)}"
        for name, value in values.items():
            if name in self.flow.date_fields and not is_missing(value) and as_date(value) is None:
                return f"{name} is not a date"
        return None

    def missing(self, step: Step, data: dict[str, Any]) -> list[str]:
        title = {"title": "Tittel", "public_title": "Offentlig tittel"}
        return [
            name
            for name in step.requires
            if is_missing(title[name] if name in BUILTIN_FIELDS else data.get(name))
        ]

    def guard_fails(self, name: str, data: dict[str, Any]) -> bool:
        """True when the named guard is NOT met (the meaning in engine/guards.py's words)."""
        if name == "has_priority_area":  # "the case is not tagged with a priority area"
            return not self.areas
        if name == "has_meeting":  # "the case is not placed on a meeting"
            return not self.linked
        if name == "meeting_accepts_items":  # "its agenda is closed"
            return not self.linked or self.meeting_state not in AGENDA_OPEN
        if name == "meeting_held":  # "has not been held yet"
            return not self.linked or self.meeting_state not in MEETING_HELD
        if name == "access_assessed":  # "public access has not been assessed"
            return not data.get("access_assessed")
        if name == "consultation_summarised":  # "the consultation has not been summarised"
            return not data.get("consultation_summary")
        if name == "meeting_date_is_working_day":  # "no date" / "not a working day"
            day = as_date(data.get("meeting_date"))
            return day is None or not is_working_day(day)
        if name == "commencement_not_before_promulgation":  # fvl. § 39
            promulgated = as_date(data.get("promulgated_on"))
            commencement = as_date(data.get("commencement_date"))
            return promulgated is None or commencement is None or commencement < promulgated
        if name == "valid_period":  # both dates, from not after to
            start, end = as_date(data.get("valid_from")), as_date(data.get("valid_to"))
            return start is None or end is None or start > end
        if name == "no_overlapping_agreement":  # no other signed/in-force agreement overlaps
            start, end = as_date(data.get("valid_from")), as_date(data.get("valid_to"))
            if start is None or end is None:
                return True
            other = self.other
            if other is None or other.state not in AGREEMENT_LIVE:
                return False
            o_start, o_end = as_date(other.valid_from), as_date(other.valid_to)
            return bool(o_start and o_end and o_start <= end and start <= o_end)
        if name in ("document_releasable", "redaction_registered"):
            return True  # the council has no documents here: nothing to release
        if name == "follow_up_complete":  # no action still open, no referral unanswered
            return self.action in ("open", "in_progress") or self.referral == "awaiting"
        raise KeyError(f"the model does not know the guard {name!r}")

    def unmet_guards(self, step: Step, data: dict[str, Any]) -> list[str]:
        return [name for name in step.guards if self.guard_fails(name, data)]

    def allowed_now(self, login: str, step: Step) -> bool:
        """What "why not?" should answer for ``step`` with the case's own data."""
        return (
            self.why_not_fire(login, step) is None
            and not self.missing(step, self.data)
            and not self.unmet_guards(step, self.data)
        )

    # -- the two services ------------------------------------------------------------

    def fire(
        self,
        login: str,
        trigger: str,
        expected_version: int | None,
        values: dict[str, Any],
        comment: str,
    ) -> tuple[str, str]:
        """The outcome of ``fire`` and why; applies it to the model when it succeeds.

        The order of the checks is the documented one: stale version, trigger,
        data, who, comment, required fields, guards, then approval or transition.
        """
        if expected_version is not None and expected_version != self.version:
            return Conflict.__name__, f"version {self.version}, not {expected_version}"
        step = self.flow.step(self.state, trigger)
        if step is None:
            return TransitionNotAllowed.__name__, f"no {trigger!r} from {self.state}"
        invalid = self.invalid_data(values)
        if invalid:
            return ValidationError.__name__, invalid
        denied = self.why_not_fire(login, step)
        if denied:
            return PermissionDenied.__name__, denied
        if step.comment_required and not comment.strip():
            return ValidationError.__name__, "a comment is required"
        merged = {**self.data, **values}
        missing = self.missing(step, merged)
        if missing:
            return GuardFailed.__name__, f"missing {missing}"
        unmet = self.unmet_guards(step, merged)
        if unmet:
            return GuardFailed.__name__, f"unmet {unmet}"
        if step.approvals:
            given = self.approvals.setdefault(step.trigger, {})
            given[PEOPLE[login][0]] = login
            self.events += 1
            waiting = [p for p in step.approvals if p not in given]
            if waiting:
                self.data = merged
                self.version += 1
                return "waiting", f"waiting for {waiting}"
        self.state = step.dest
        self.data = merged
        self.approvals = {}  # a new state entry: approvals start over
        self.version += 1
        self.events += 1
        return "fired", f"now {self.state}"

    def update(
        self,
        login: str,
        expected_version: int | None,
        areas: frozenset[int] | None,
        linked: bool | None,
        values: dict[str, Any],
    ) -> tuple[str, str]:
        """The outcome of ``update_case``; applies it to the model when it succeeds."""
        if expected_version is not None and expected_version != self.version:
            return Conflict.__name__, f"version {self.version}, not {expected_version}"
        denied = self.why_not_edit(login)
        if denied:
            return PermissionDenied.__name__, denied
        invalid = self.invalid_data(values)
        if invalid:
            return ValidationError.__name__, invalid
        changed = (
            (areas is not None and areas != self.areas)
            or (linked is not None and linked != self.linked)
            or any(self.data.get(k) != v for k, v in values.items())
        )
        if not changed:
            return "unchanged", "nothing to change"
        if areas is not None:
            self.areas = areas
        if linked is not None:
            self.linked = linked
        self.data = {**self.data, **values}
        self.version += 1
        self.events += 1
        return "updated", "changed"

    def waiting_for(self, trigger: str) -> tuple[str, ...]:
        step = self.flow.step(self.state, trigger)
        given = self.approvals.get(trigger, {})
        return tuple(p for p in step.approvals if p not in given) if step else ()


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

DATES = (
    "2026-03-26",  # Thursday
    "2026-03-28",  # Saturday
    "2026-04-02",  # skjærtorsdag
    "2026-05-14",  # Kristi himmelfartsdag
    "2026-05-17",  # Sunday and 17 May
    "2026-05-25",  # 2. pinsedag
    "2026-12-24",  # Christmas Eve: a working day
    "2025-12-31",  # Wednesday
    "2027-01-01",  # 1 January
    "2028-06-30",  # Friday
)
BAD_DATES = ("snart", "2026-02-30")
BOOLEAN_FIELDS = frozenset({"access_assessed"})
GUARD_FIELDS = {
    "access_assessed": ("access_assessed",),
    "consultation_summarised": ("consultation_summary",),
    "meeting_date_is_working_day": ("meeting_date",),
    "commencement_not_before_promulgation": ("promulgated_on", "commencement_date"),
    "valid_period": ("valid_from", "valid_to"),
    "no_overlapping_agreement": ("valid_from", "valid_to"),
}
COMMENTS = ("Begrunnelse.", "Begrunnelse.", "", "   ")
VERSION_OFFSETS = (0,) * 10 + (None, -1, -2, 1)  # 0: current; None: not given


def good_value(flow: Flow, name: str) -> st.SearchStrategy[Any]:
    if name in BOOLEAN_FIELDS:
        return st.just(True)
    if name in flow.date_fields:
        return st.sampled_from(DATES)
    return st.sampled_from(("Tekst", "Annen tekst"))


def any_value(flow: Flow, name: str, bad: bool = True) -> st.SearchStrategy[Any]:
    if name in BOOLEAN_FIELDS:
        return st.sampled_from((True, False, None))
    if name in flow.date_fields:
        return st.sampled_from((*DATES, "", None, *(BAD_DATES if bad else ())))
    return st.sampled_from(("Tekst", "", None))


@st.composite
def field_values(
    draw: st.DrawFn, flow: Flow, wanted: Iterable[str] = (), invalid: bool = True
) -> dict[str, Any]:
    """Case data: the wanted fields mostly present and valid, the others now and then;
    if ``invalid``, sometimes a bad date or a field the workflow does not have."""
    wanted = set(wanted)
    values: dict[str, Any] = {}
    for name in flow.fields:
        how = draw(
            st.sampled_from(
                ("good", "good", "good", "good", "any", "omit")
                if name in wanted
                else ("omit", "omit", "omit", "omit", "omit", "good", "any")
            )
        )
        if how == "good":
            values[name] = draw(good_value(flow, name))
        elif how == "any":
            values[name] = draw(any_value(flow, name, bad=invalid))
    if invalid and draw(st.sampled_from((False,) * 12 + (True,))):
        values["colour"] = "rød"
    return values


def wanted_fields(step: Step | None) -> set[str]:
    if step is None:
        return set()
    names = {n for n in step.requires if n not in BUILTIN_FIELDS}
    for guard in step.guards:
        names.update(GUARD_FIELDS.get(guard, ()))
    return names


# Happy paths, to start examples deep in the workflow. Each op goes through the same
# checked code as the random rules: ("fire", trigger, data, comment),
# ("update", areas, linked, data) or ("meeting", state).
HAPPY_PATHS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "agenda_item": (
        ("update", frozenset({1}), None, {}),
        ("update", None, True, {}),
        ("fire", "propose", {}, ""),
        ("fire", "schedule", {}, ""),
        ("fire", "prepare", {"memo": "Saksframlegg", "access_assessed": True}, ""),
        ("meeting", "held"),
        ("fire", "deliberate", {}, ""),
        ("fire", "decide", {"decision_text": "Omforent beslutning"}, ""),
        ("fire", "decide", {}, ""),
        ("fire", "start_follow_up", {}, ""),
        ("fire", "close", {}, ""),
    ),
    "meeting": (
        ("fire", "start_agenda", {}, ""),
        ("fire", "fix_agenda", {}, ""),
        ("fire", "fix_agenda", {}, ""),
        ("fire", "convene", {"meeting_date": "2026-03-26"}, ""),
        ("fire", "hold", {}, ""),
        ("fire", "draft_minutes", {}, ""),
        ("fire", "circulate_minutes", {"minutes": "Referat"}, ""),
        ("fire", "approve_minutes", {}, ""),
        ("fire", "approve_minutes", {}, ""),
        ("fire", "publish", {}, ""),
    ),
    "bylaw_revision": (
        ("fire", "start_drafting", {}, ""),
        ("fire", "endorse", {"draft_text": "Utkast til vedtekt"}, ""),
        ("fire", "endorse", {}, ""),
        ("fire", "decide_consultation", {}, ""),
        ("fire", "open_consultation", {}, ""),
        ("fire", "close_consultation", {}, ""),
        ("fire", "summarise_consultation", {"consultation_summary": "Oppsummert"}, ""),
        ("fire", "propose_to_city_council", {}, ""),
        ("fire", "adopt", {"adopted_on": "2026-06-18"}, ""),
        ("fire", "submit_to_pod", {}, ""),
        ("fire", "begin_legality_review", {}, ""),
        ("fire", "query", {}, "Merknader fra direktoratet."),
        ("fire", "answer", {}, ""),
        ("fire", "confirm", {}, ""),
        (
            "fire",
            "promulgate",
            {"promulgated_on": "2026-09-01", "commencement_date": "2026-10-01"},
            "",
        ),
        ("fire", "enter_into_force", {}, ""),
        ("fire", "supersede", {}, ""),
    ),
    "agreement_revision": (
        ("fire", "negotiate", {"agreement_text": "Avtaletekst"}, ""),
        ("fire", "endorse", {}, ""),
        ("fire", "endorse", {}, ""),
        ("fire", "sign", {"valid_from": "2026-01-01", "valid_to": "2027-12-31"}, ""),
        ("fire", "sign", {}, ""),
        ("fire", "take_effect", {}, ""),
        ("fire", "mark_revision_due", {}, ""),
        ("fire", "extend", {"valid_to": "2028-12-31"}, ""),
        ("fire", "extend", {}, ""),
        ("fire", "supersede", {}, ""),
    ),
    "access_request": (
        ("fire", "assess", {}, ""),
        ("fire", "refuse", {"refusal_basis": "offl. § 13"}, ""),
        ("fire", "appeal", {}, ""),
        ("fire", "uphold", {}, ""),
    ),
    "steering_report": (
        ("fire", "submit", {"report": "Rapport"}, ""),
        ("update", None, True, {}),
        ("fire", "place_on_agenda", {}, ""),
        ("meeting", "held"),
        ("fire", "note", {}, ""),
    ),
}


# --------------------------------------------------------------------------------------
# The state machines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The council and its people, built once per test; the state machines only read it."""

    council_id: int
    person_ids: dict[str, int]
    actors: dict[str, Actor]
    area_ids: dict[int, int]  # priority area number → id


def build_world(session: Session) -> World:
    """make_world's council with one person per role, plus the police side's secretariat
    and reporter."""
    world = make_world(session)
    for login, (party, role, cleared) in EXTRA_SEATS.items():
        person = create_person(
            session, actor=Actor.system(), login=f"testby-{login}", display_name=login
        )
        add_membership(
            session,
            actor=Actor.system(),
            person=person,
            council=world.council,
            party=party,
            role=role,
            valid_from=date(2020, 1, 1),
            cleared=cleared,
        )
        session.flush()
        session.refresh(person)
        world.people[login] = person
    actors = {login: world.actor(login) for login in (*PEOPLE, OUTSIDER)}
    actors[SYSTEM] = Actor.system()
    return World(
        council_id=world.council.id,
        person_ids={login: person.id for login, person in world.people.items()},
        actors=actors,
        area_ids={n: world.area(session, n).id for n in (1, 2)},
    )


class WorkflowMachine(RuleBasedStateMachine):
    """One case of ``flow``'s workflow, driven through the engine and checked against
    the model after every step. Each example runs in its own session on the test's
    connection, inside a savepoint that ``teardown`` rolls back, so every example
    starts from the same council with no cases and an empty audit chain."""

    flow: Flow
    happy: tuple[tuple[Any, ...], ...]
    connection: Connection  # bound per test, with the world built on it
    world: World

    def __init__(self):
        super().__init__()
        self.session = Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.actors = self.world.actors
        self.area_ids = self.world.area_ids
        self.model: Model | None = None
        self.case: Case | None = None
        self.meeting: Case | None = None
        self.other: Case | None = None
        self.action: Action | None = None
        self.referral: Referral | None = None

    def teardown(self) -> None:
        self.session.close()  # rolls the example's savepoint back

    # -- set-up ----------------------------------------------------------------------

    @initialize(
        access=st.sampled_from(("public", "exempt", "restricted")),
        opener=st.sampled_from(OPENERS),
        areas=st.sampled_from((frozenset(), frozenset({1}), frozenset({1, 2}))),
        data=st.data(),
    )
    def open_the_case(self, access, opener, areas, data):
        """Open the case (and the meeting or the other agreement its guards look at),
        then walk it some way along its happy path, every step checked."""
        session, flow = self.session, self.flow
        council = session.get(Council, self.world.council_id)

        linked = False
        if flow.guards & MEETING_GUARDS:
            linked = data.draw(st.booleans(), label="placed on the meeting")
            self.meeting = open_case(
                session,
                council=council,
                kind="meeting",
                title="Ordinært møte",
                actor=self.actors["sec"],
                data={"meeting_date": "2026-03-26", "kind": "ordinary"},
                now=NOW,
            )
        other_agreement = None
        if "no_overlapping_agreement" in flow.guards:
            other_agreement = Other(
                data.draw(st.sampled_from(OTHER_AGREEMENT_STATES), label="other agreement"),
                data.draw(st.sampled_from(DATES), label="valid from"),
                data.draw(st.sampled_from(DATES), label="valid to"),
            )
            self.other = open_case(
                session,
                council=council,
                kind=flow.name,
                title="Gjeldende avtale",
                actor=self.actors["sec"],
                now=NOW,
            )
            self._reshape_other(other_agreement)

        values = data.draw(field_values(flow, invalid=False), label="data")
        secret = {} if access == "public" else {"public_title": "Offentlig tittel"}
        if access == "exempt":
            secret["legal_basis"] = "offl. § 24 tredje ledd"
        note(f"open a {access} {flow.name} as {opener}: areas={set(areas)}, data={values}")
        self.case = open_case(
            session,
            council=council,
            kind=flow.name,
            title="Tittel",
            actor=self.actors[opener],
            access=access,
            data=values,
            priority_areas=[self.area_ids[n] for n in sorted(areas)],
            meeting=self.meeting if linked else None,
            now=NOW,
            **secret,
        )
        self.model = Model(
            flow=flow,
            access=access,
            opener=opener,
            state=flow.initial,
            data=dict(values),
            areas=areas,
            linked=linked,
            meeting_state="planned" if self.meeting is not None else None,
            other=other_agreement,
            version=self.case.version,  # the baseline; every change adds exactly one
        )

        depth = data.draw(st.integers(0, len(self.happy)), label="happy path steps")
        for op in self.happy[:depth]:
            if op[0] == "meeting":
                self._move_meeting(op[1])
            elif op[0] == "update":
                login = data.draw(st.sampled_from(self._editors()), label="editor")
                self._update(login, 0, op[1], op[2], op[3])
            else:
                _kind, trigger, values, comment = op
                login = data.draw(st.sampled_from(self._eligible(trigger)), label="actor")
                self._fire(login, trigger, 0, values, comment)

    def _eligible(self, trigger: str) -> tuple[str, ...]:
        step = self.flow.step(self.model.state, trigger)
        found = tuple(a for a in ACTORS if step and self.model.why_not_fire(a, step) is None)
        return found or ACTORS

    def _editors(self) -> tuple[str, ...]:
        return tuple(a for a in ACTORS if self.model.why_not_edit(a) is None)

    # -- rules -----------------------------------------------------------------------

    @rule(data=st.data())
    def advance(self, data):
        """Mostly a trigger of the current state, mostly by someone who may fire it."""
        model = self.model
        available = [s.trigger for s in model.flow.steps_from(model.state)]
        trigger = data.draw(
            st.sampled_from(available * 4 + [*model.flow.triggers, "fly"]), label="trigger"
        )
        login = data.draw(
            st.sampled_from(list(self._eligible(trigger)) * 3 + list(ACTORS)), label="actor"
        )
        self._attempt(data, login, trigger)

    @rule(data=st.data())
    def attempt(self, data):
        """Anyone fires anything, including triggers the workflow does not have."""
        available = [s.trigger for s in self.flow.steps_from(self.model.state)]
        trigger = data.draw(
            st.sampled_from([*available, *self.flow.triggers, "fly"]), label="trigger"
        )
        login = data.draw(st.sampled_from(ACTORS), label="actor")
        self._attempt(data, login, trigger)

    def _attempt(self, data, login, trigger):
        step = self.flow.step(self.model.state, trigger)
        offset = data.draw(st.sampled_from(VERSION_OFFSETS), label="version offset")
        values = data.draw(field_values(self.flow, wanted_fields(step)), label="data")
        comment = data.draw(st.sampled_from(COMMENTS), label="comment")
        self._check_why_not(login)
        self._fire(login, trigger, offset, values, comment)

    @rule(data=st.data())
    def edit(self, data):
        """Change what the guards look at through ``update_case``: tags, link, data."""
        login = data.draw(st.sampled_from(list(self._editors()) * 2 + list(ACTORS)), label="editor")
        offset = data.draw(st.sampled_from(VERSION_OFFSETS), label="version offset")
        areas = data.draw(
            st.sampled_from((None, frozenset(), frozenset({1}), frozenset({2}), frozenset({1, 2}))),
            label="areas",
        )
        linked = None
        if self.meeting is not None:
            linked = data.draw(st.sampled_from((None, True, False)), label="linked")
        wanted = {f for g in self.flow.guards for f in GUARD_FIELDS.get(g, ())}
        values = data.draw(field_values(self.flow, wanted), label="data")
        self._update(login, offset, areas, linked, values)

    @precondition(
        lambda self: (
            self.meeting is not None
            or self.other is not None
            or "follow_up_complete" in self.flow.guards
        )
    )
    @rule(data=st.data())
    def surroundings(self, data):
        """What the guards look at outside the case changes by itself: the linked meeting
        moves on (or back), another agreement is signed or re-dated, the decision's
        follow-up action and referral are opened or finished."""
        kinds = []
        if self.meeting is not None:
            kinds.append("meeting")
        if self.other is not None:
            kinds.append("other agreement")
        if "follow_up_complete" in self.flow.guards:
            kinds.append("follow-up")
        kind = data.draw(st.sampled_from(kinds), label="what changes")
        if kind == "meeting":
            self._move_meeting(data.draw(st.sampled_from(MEETING_STATES), label="meeting state"))
        elif kind == "other agreement":
            other = Other(
                data.draw(st.sampled_from(OTHER_AGREEMENT_STATES), label="its state"),
                data.draw(st.sampled_from(DATES), label="valid from"),
                data.draw(st.sampled_from(DATES), label="valid to"),
            )
            self._reshape_other(other)
            self.model.other = other
        else:
            self._change_follow_up(
                data.draw(st.sampled_from(ACTION_STATUSES), label="action"),
                data.draw(st.sampled_from((None, "awaiting", "answered")), label="referral"),
            )

    def _change_follow_up(self, action, referral):
        note(f"the follow-up action is {action}, the referral {referral}")
        session = self.session
        for row in (self.action, self.referral):
            if row is not None:
                session.delete(row)
        self.action = self.referral = None
        session.flush()
        if action is not None:
            self.action = Action(
                case_id=self.case.id,
                description="Tiltak",
                owner_party="police",
                due=date(2026, 6, 1),
                status=action,
                created_at=NOW,
                closed_at=NOW if action in ("done", "cancelled") else None,
            )
            session.add(self.action)
        if referral is not None:
            self.referral = Referral(
                case_id=self.case.id,
                target="bydel",
                target_name="Bydel Gamle Oslo",
                description="Oversendt",
                response_due=date(2026, 6, 1),
                created_at=NOW,
                response="Svar" if referral == "answered" else None,
                responded_at=NOW if referral == "answered" else None,
            )
            session.add(self.referral)
        session.flush()
        self.model.action, self.model.referral = action, referral

    # -- the checked calls -----------------------------------------------------------

    def _fire(self, login, trigger, offset, values, comment):
        model = self.model
        expected_version = None if offset is None else model.version + offset
        predicted, why = model.fire(login, trigger, expected_version, values, comment)
        note(
            f"fire {trigger!r} as {login} expected_version={expected_version} "
            f"data={values} comment={comment!r} -> model: {predicted} ({why})"
        )
        try:
            result = fire(
                self.session,
                self.case,
                trigger,
                actor=self.actors[login],
                expected_version=expected_version,
                comment=comment,
                data=values,
                now=NOW,
            )
        except EngineError as exc:
            actual, detail = type(exc).__name__, str(exc)
        else:
            actual = "fired" if result.fired else "waiting"
            detail = f"waiting for {result.waiting_for}" if not result.fired else self.case.state
        assert actual == predicted, (
            f"fire {trigger!r} as {login}: engine says {actual} ({detail}), "
            f"model says {predicted} ({why})"
        )
        if actual == "waiting":
            assert result.waiting_for == model.waiting_for(trigger), detail

    def _update(self, login, offset, areas, linked, values):
        model = self.model
        expected_version = None if offset is None else model.version + offset
        predicted, why = model.update(login, expected_version, areas, linked, values)
        changes: dict[str, Any] = {}
        if areas is not None:
            changes["priority_areas"] = [self.area_ids[n] for n in sorted(areas)]
        if linked is not None:
            changes["meeting"] = self.meeting if linked else None
        note(
            f"update as {login} expected_version={expected_version} areas={areas and set(areas)} "
            f"linked={linked} data={values} -> model: {predicted} ({why})"
        )
        try:
            event = update_case(
                self.session,
                self.case,
                actor=self.actors[login],
                changes=changes,
                data=values,
                expected_version=expected_version,
                now=NOW,
            )
        except EngineError as exc:
            actual, detail = type(exc).__name__, str(exc)
        else:
            actual = "unchanged" if event is None else "updated"
            detail = "" if event is None else event.changes
        assert actual == predicted, (
            f"update as {login}: engine says {actual} ({detail}), model says {predicted} ({why})"
        )
        areas = set(
            self.session.scalars(
                select(case_priority_area.c.priority_area_id).where(
                    case_priority_area.c.case_id == self.case.id
                )
            )
        )
        assert areas == {self.area_ids[n] for n in model.areas}, "the priority areas"

    def _move_meeting(self, state):
        note(f"the meeting is now {state}")
        self.meeting.state = state
        self.session.flush()
        self.model.meeting_state = state

    def _reshape_other(self, other: Other):
        note(f"the other agreement is {other}")
        self.other.state = other.state
        self.other.data = {"valid_from": other.valid_from, "valid_to": other.valid_to}
        flag_modified(self.other, "data")
        self.session.flush()

    def _check_why_not(self, login):
        """``available_transitions`` answers "why not?" as the model would."""
        model = self.model
        options = available_transitions(self.session, self.case, self.actors[login], now=NOW)
        seen = {(o.trigger, o.allowed) for o in options}
        expected = {
            (s.trigger, model.allowed_now(login, s)) for s in model.flow.steps_from(model.state)
        }
        assert seen == expected, f"available_transitions for {login}: {options}"

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def engine_agrees_with_model(self):
        """State, version, data, link and approvals as the model says; one audit event
        per change, a sound chain, and an audit trail that tells the whole story.
        (Only ``edit`` changes the priority areas; it checks them itself.)"""
        session, model, case_id = self.session, self.model, self.case.id
        # The case row with the approvals of its current state entry (one row if none).
        rows = session.execute(
            select(
                Case.state,
                Case.version,
                Case.data,
                Case.meeting_id,
                Approval.trigger,
                Approval.party,
                Approval.person_id,
            )
            .outerjoin(
                Approval,
                (Approval.case_id == Case.id) & (Approval.state_entry == Case.state_entry),
            )
            .where(Case.id == case_id)
        ).all()
        row = rows[0]
        assert row.state == model.state
        assert row.version == model.version, "the version grows by exactly one per change"
        assert row.data == model.data
        assert (row.meeting_id is not None) == model.linked
        stored = {(a.trigger, a.party, a.person_id) for a in rows if a.trigger is not None}
        expected = {
            (trigger, party, self.world.person_ids[login])
            for trigger, given in model.approvals.items()
            for party, login in given.items()
        }
        assert stored == expected, "the approvals of this state entry"
        events = session.execute(
            select(CaseEvent.seq, CaseEvent.from_state, CaseEvent.to_state, CaseEvent.changes)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.seq)
        ).all()
        assert len(events) == model.events, "one audit event per change"
        verified = audit.verify(session)
        assert verified.ok, verified.problem
        self._check_audit_trail(events, row)

    def _check_audit_trail(self, events, row):
        """Replaying the case's events old → new gives its state, data, tags and link
        (DESIGN.md §4: every change is an event with its changed fields old → new)."""
        state, data, areas, meeting_id = None, {}, [], None
        for event in events:
            if event.to_state is not None:
                assert event.from_state == state, f"event {event.seq} starts from {state}"
                state = event.to_state
            for name, (_old, new) in json.loads(event.changes).items():
                if name.startswith("data."):
                    data[name.removeprefix("data.")] = new
                elif name == "priority_areas":
                    areas = new
                elif name == "meeting_id":
                    meeting_id = new
        assert state == row.state, "the audit trail ends in another state"
        audited = {k: v for k, v in data.items() if v is not None}
        stored = {k: v for k, v in row.data.items() if v is not None}
        assert audited == stored, (
            f"the case's data {stored} differs from what its audit trail says {audited}"
        )
        assert sorted(areas) == sorted(self.area_ids[n] for n in self.model.areas)
        assert meeting_id == row.meeting_id, "the meeting link is not audited"


def machine_class(name: str) -> type[WorkflowMachine]:
    flow = read_flow(name)
    title = "".join(part.title() for part in name.split("_"))
    return type(
        f"{title}Machine",
        (WorkflowMachine,),
        {"flow": flow, "happy": HAPPY_PATHS[name], "__doc__": f"The {name} workflow."},
    )


AgendaItemMachine = machine_class("agenda_item")
MeetingMachine = machine_class("meeting")
BylawRevisionMachine = machine_class("bylaw_revision")
AgreementRevisionMachine = machine_class("agreement_revision")
SteeringReportMachine = machine_class("steering_report")
AccessRequestMachine = machine_class("access_request")

MACHINES = {
    machine.flow.name: machine
    for machine in (
        AgendaItemMachine,
        MeetingMachine,
        BylawRevisionMachine,
        AgreementRevisionMachine,
        SteeringReportMachine,
        AccessRequestMachine,
    )
}


def test_every_shipped_workflow_has_a_state_machine():
    assert set(MACHINES) == {path.stem for path in DEFINITIONS.glob("*.yaml")}


def test_the_model_calendar_knows_the_norwegian_holidays():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert not is_working_day(date(2026, 5, 14))  # Kristi himmelfartsdag
    assert is_working_day(date(2026, 12, 24))


# A failing run shrinks its example for up to five minutes (hypothesis' own limit);
# a passing one takes seconds.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", sorted(MACHINES))
def test_the_workflow_runtime_agrees_with_the_model(session, name):
    machine = MACHINES[name]
    bound = type(
        machine.__name__,
        (machine,),
        {"connection": session.get_bind(), "world": build_world(session)},
    )
    run_state_machine_as_test(bound, settings=SETTINGS)
