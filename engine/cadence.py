"""The council's cadence (møteplan og oppfølging): its rules, the daily check and the report.

The cooperation agreement gives the council a rhythm: ordinary meetings every quarter,
a yearly seminar, notice before and minutes after each meeting, an agreement revised
before it expires, police bylaws revised at an interval and steering groups that report
on schedule. ``check_cadence`` compares the record with those rules every day and keeps
one *finding* per rule and period, resolved by itself when the record catches up; where
a rule needs work done (a revision, a report) it opens that case once, as the scheduler.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta
from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from engine.actors import SYSTEM_LOGIN, Actor
from engine.calendar import add_period, day_start, deadline_moment, to_oslo
from engine.clock import resolve
from engine.errors import Conflict, PermissionDenied, ValidationError
from engine.guards import MEETING_HELD_STATES, parse_date
from engine.models import Case, CaseEvent, Council, Finding, Meeting, SteeringGroup
from engine.models.enums import EventKind, Role
from engine.notifications import Texts, council_people, format_day, notify
from engine.runtime import definition_of
from engine.services.cases import fire, open_case

DEFAULTS_FILE = Path(__file__).with_name("cadence.yaml")


class Rule(StrEnum):
    """The rules a finding can be about."""

    QUARTER_WITHOUT_MEETING = "quarter_without_meeting"
    TOO_FEW_MEETINGS = "too_few_meetings"
    YEAR_AT_RISK = "year_at_risk"
    SEMINAR_MISSING = "seminar_missing"
    NOTICE_LATE = "notice_late"
    MINUTES_LATE = "minutes_late"
    AGREEMENT_REVISION_DUE = "agreement_revision_due"
    AGREEMENT_EXPIRED = "agreement_expired"
    BYLAW_REVISION_DUE = "bylaw_revision_due"
    STEERING_REPORT_OVERDUE = "steering_report_overdue"


RULE_LABELS = MappingProxyType(
    {
        Rule.QUARTER_WITHOUT_MEETING: "Kvartal uten ordinært møte",
        Rule.TOO_FEW_MEETINGS: "For få ordinære møter i året",
        Rule.YEAR_AT_RISK: "Året har for få møter holdt eller planlagt",
        Rule.SEMINAR_MISSING: "Årlig seminar mangler",
        Rule.NOTICE_LATE: "Innkalling ikke sendt i tide",
        Rule.MINUTES_LATE: "Referatutkast ikke påbegynt i tide",
        Rule.AGREEMENT_REVISION_DUE: "Samarbeidsavtalen skal revideres",
        Rule.AGREEMENT_EXPIRED: "Samarbeidsavtalen er utløpt uten ny avtale",
        Rule.BYLAW_REVISION_DUE: "Politivedtekten skal revideres",
        Rule.STEERING_REPORT_OVERDUE: "Rapport fra styringsgruppe er forsinket",
    }
)
MEETING_RULES = (Rule.NOTICE_LATE, Rule.MINUTES_LATE)

# Meeting states before the notice has gone out, and the agreement states of its life.
NOT_CONVENED = ("planned", "agenda_draft", "agenda_fixed")
AGREEMENT_IN_FORCE = ("in_force", "revision_due")
AGREEMENT_TOOK_EFFECT = ("in_force", "revision_due", "expired", "superseded")
AGREEMENT_SIGNED = ("signed", *AGREEMENT_TOOK_EFFECT)

# The scheduler records what a day brought (a meeting held, a notice sent, an agreement in
# force) in the night after it, and the check may run before it (a tick runs the deadline
# job first, but the scheduled jobs run side by side): a day is judged once the next one
# has passed, so the council is never blamed for job order.
GRACE = timedelta(days=1)


# --- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthDay:
    """A day of the year, written ``09-01`` for 1 September."""

    month: int
    day: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class CadenceRules:
    """One council's cadence rules: the defaults in ``engine/cadence.yaml`` with its overrides."""

    ordinary_meetings_per_year: int
    meeting_every_quarter: bool
    seminars_per_year: int
    notice_days: int
    minutes_draft_working_days: int
    year_at_risk_on: MonthDay
    year_at_risk_minimum: int
    agreement_revision_opens: MonthDay
    bylaw_revision_years: int
    steering_report_interval_months: int
    steering_report_lead_days: int


class _MonthDayField(fields.Field):
    _PATTERN = re.compile(r"^(\d\d)-(\d\d)\Z")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> MonthDay:
        match = self._PATTERN.match(value) if isinstance(value, str) else None
        if match:
            month, day = int(match[1]), int(match[2])
            try:
                date(2001, month, day)  # not a leap year: 02-29 does not come every year
            except ValueError:
                pass
            else:
                return MonthDay(month, day)
        raise SchemaError("must be a day of the year like 09-01 (MM-DD)")


def _count(low: int, high: int) -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(low, high, error=f"must be a whole number from {low} to {high}"),
    )


class _RulesSchema(Schema):
    ordinary_meetings_per_year = _count(0, 52)
    meeting_every_quarter = fields.Boolean(required=True, truthy={True}, falsy={False})
    seminars_per_year = _count(0, 12)
    notice_days = _count(1, 60)
    minutes_draft_working_days = _count(1, 60)
    year_at_risk_on = _MonthDayField(required=True)
    year_at_risk_minimum = _count(0, 52)
    agreement_revision_opens = _MonthDayField(required=True)
    bylaw_revision_years = _count(1, 20)
    steering_report_interval_months = _count(1, 60)
    steering_report_lead_days = _count(0, 366)


_MESSAGES = {
    "Unknown field.": "unknown rule",
    "Missing data for required field.": "missing",
    "Not a valid integer.": "must be a whole number",
    "Not a valid boolean.": "must be true or false",
    "Field may not be null.": "must have a value",
}


@functools.cache
def _defaults() -> Mapping[str, Any]:
    """The defaults file, read and checked once per process."""
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValidationError(f"{DEFAULTS_FILE} must be a mapping of rule to value")
    _rules(data, str(DEFAULTS_FILE))
    return MappingProxyType(data)


def _rules(values: Mapping[str, Any], what: str) -> CadenceRules:
    try:
        loaded = _RulesSchema().load(values)
    except SchemaError as exc:
        errors = {
            name: "; ".join(_MESSAGES.get(str(m), str(m)) for m in messages)
            for name, messages in sorted(exc.messages.items())
        }
        listed = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise ValidationError(f"{what} are invalid: {listed}", errors) from None
    return CadenceRules(**loaded)


def default_rules() -> Mapping[str, Any]:
    """The defaults every council starts with (``engine/cadence.yaml``), as written there."""
    return _defaults()


def rules_for(council: Council) -> CadenceRules:
    """The council's rules: the defaults with its overrides; a bad override is a ValidationError."""
    overrides = council.cadence or {}
    if not isinstance(overrides, Mapping):
        raise ValidationError(
            f"the cadence overrides of {council.name} must map rule names to values",
            {"cadence": "must be a mapping"},
        )
    return _rules({**_defaults(), **overrides}, f"the cadence rules of {council.name}")


def set_cadence(
    session: Session,
    council: Council,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> CadenceRules:
    """Override default rules for ``council`` (a value of None restores the default).

    The result is checked before it is stored, so a council never holds rules the
    daily check would refuse.
    """
    _require_secretariat(actor, council, to_oslo(resolve(now)).date())
    overrides = {**(council.cadence or {}), **changes}
    overrides = {name: value for name, value in overrides.items() if value is not None}
    rules = _rules({**_defaults(), **overrides}, f"the cadence rules of {council.name}")
    council.cadence = overrides or None
    session.flush()
    return rules


def _require_secretariat(actor: Actor, council: Council, day: date) -> None:
    if actor.is_system or actor.seat_with_role(council.id, day, (Role.SECRETARIAT,)):
        return
    raise PermissionDenied(
        f"only the secretariat may change the cadence rules and steering groups of {council.name}"
    )


def add_steering_group(
    session: Session,
    *,
    council: Council,
    name: str,
    next_due: date,
    actor: Actor,
    interval_months: int | None = None,
    reporter_id: int | None = None,
    now: datetime | None = None,
) -> SteeringGroup:
    """Register a steering group (styringsgruppe) that reports to the council on a schedule;
    without ``interval_months`` it reports as often as the council's rules say."""
    _require_secretariat(actor, council, to_oslo(resolve(now)).date())
    name = (name or "").strip()
    if not name:
        raise ValidationError("a steering group needs a name", {"name": "required"})
    interval = interval_months or rules_for(council).steering_report_interval_months
    if not 1 <= interval <= 60:
        raise ValidationError(
            "a steering group reports every 1 to 60 months", {"interval_months": "out of range"}
        )
    taken = session.scalar(
        select(SteeringGroup.id).where(
            SteeringGroup.council_id == council.id, SteeringGroup.name == name
        )
    )
    if taken is not None:
        raise Conflict(f"{council.name} has a steering group '{name}' already")
    group = SteeringGroup(
        council_id=council.id,
        name=name,
        next_due=next_due,
        interval_months=interval,
        reporter_id=reporter_id,
    )
    session.add(group)
    session.flush()
    return group


# --- what the rules are checked against ---------------------------------------------------


@dataclass(frozen=True)
class _Agreement:
    """An agreement revision case with its period of validity."""

    case: Case
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def of(cls, case: Case) -> _Agreement:
        return cls(
            case, parse_date(case.data.get("valid_from")), parse_date(case.data.get("valid_to"))
        )

    @property
    def took_effect(self) -> bool:
        return self.case.state in AGREEMENT_TOOK_EFFECT and self.valid_to is not None

    def in_force_on(self, day: date) -> bool:
        return (
            self.case.state in AGREEMENT_IN_FORCE
            and self.valid_from is not None
            and self.valid_to is not None
            and self.valid_from <= day <= self.valid_to
        )

    def follows(self, other: _Agreement) -> bool:
        """Whether this agreement is (or is being written as) a successor of ``other``."""
        if self.case.id == other.case.id:
            return False
        return self.valid_from is None or (
            other.valid_from is not None and self.valid_from > other.valid_from
        )


@dataclass
class _Record:
    """One council's meetings, agreements, bylaw revisions and steering groups."""

    meetings: list[Meeting]
    agreements: list[_Agreement]
    bylaws: list[Case]
    groups: list[SteeringGroup]
    reports: list[Case]

    @classmethod
    def load(
        cls, session: Session, council: Council, since: date, meeting_ids: Iterable[int] = ()
    ) -> _Record:
        def cases(kind: str) -> list[Case]:
            query = select(Case).where(Case.council_id == council.id, Case.kind == kind)
            return list(session.scalars(query.order_by(Case.year, Case.seq)))

        groups = session.scalars(
            select(SteeringGroup)
            .where(SteeringGroup.council_id == council.id)
            .order_by(SteeringGroup.name)
        ).all()
        return cls(
            meetings=_meetings_since(session, council, since, meeting_ids),
            agreements=[_Agreement.of(case) for case in cases("agreement_revision")],
            bylaws=cases("bylaw_revision"),
            groups=list(groups),
            reports=cases("steering_report"),
        )

    def meetings_in(self, year: int, kind: str) -> list[Meeting]:
        return _meetings_in(self.meetings, year, kind)

    def successor(self, agreement: _Agreement) -> _Agreement | None:
        """The newest agreement written to follow ``agreement`` that has not ended."""
        return next(
            (
                other
                for other in reversed(self.agreements)
                if other.follows(agreement) and other.case.state not in ("expired", "superseded")
            ),
            None,
        )

    def bylaws_in_force(self) -> tuple[Case | None, date | None]:
        """The bylaw revision in force with the latest commencement date, and that date."""
        dated = [
            (commencement, case)
            for case in self.bylaws
            if case.state == "in_force"
            and (commencement := parse_date(case.data.get("commencement_date")))
        ]
        if not dated:
            return None, None
        commencement, case = max(dated, key=lambda pair: pair[0])
        return case, commencement

    def bylaw_revision_underway(self, session: Session) -> Case | None:
        """The newest bylaw revision still being worked on."""
        return next(
            (
                case
                for case in reversed(self.bylaws)
                if case.state != "in_force"
                and not definition_of(session, case).state(case.state).terminal
            ),
            None,
        )


def _meetings_since(
    session: Session, council: Council, since: date, meeting_ids: Iterable[int] = ()
) -> list[Meeting]:
    """The council's meetings from ``since`` on, and those of ``meeting_ids``, with their cases."""
    return list(
        session.scalars(
            select(Meeting)
            .join(Meeting.case)
            .options(contains_eager(Meeting.case))
            .where(
                Meeting.council_id == council.id,
                or_(Meeting.date >= since, Meeting.case_id.in_(list(meeting_ids))),
            )
            .order_by(Meeting.date, Meeting.number)
        )
    )


def _meetings_in(meetings: Iterable[Meeting], year: int, kind: str) -> list[Meeting]:
    return [m for m in meetings if m.date.year == year and m.kind == kind]


def recording_since(session: Session, council: Council) -> date | None:
    """The day the council's record begins: when its first case was opened.

    Missing meetings can only be judged for time the council has been recording; a
    quarter that ended before it is not judged, nor a year whose first quarter did.
    """
    first = session.scalar(select(func.min(Case.created_at)).where(Case.council_id == council.id))
    return to_oslo(first).date() if first is not None else None


def _held(meeting: Meeting) -> bool:
    return meeting.case.state in MEETING_HELD_STATES


def _planned(meeting: Meeting) -> bool:
    return meeting.case.state != "cancelled"


def _quarter(year: int, number: int) -> tuple[date, date]:
    start = date(year, 3 * number - 2, 1)
    return start, start + relativedelta(months=3) - timedelta(days=1)


def _day(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = to_oslo(day).date()
    return f"{day:%d.%m.%Y}"


def _ordinary(count: int) -> str:
    if count == 0:
        return "ingen ordinære møter"
    return "ett ordinært møte" if count == 1 else f"{count} ordinære møter"


def _seminars(count: int) -> str:
    if count == 0:
        return "ingen seminarer"
    return "ett seminar" if count == 1 else f"{count} seminarer"


# Messages about the cases the check opens, in the recipient's language.


def _agreement_due(case: Case, expires: date, locale: str) -> tuple[str, str]:
    if locale == "en":
        return (
            f"Case {case.number}: revise the cooperation agreement, which expires on "
            f"{format_day(expires, locale)}",
            "The council's cadence rules have opened the revision of its agreement.",
        )
    return (
        f"Sak {case.number}: samarbeidsavtalen skal revideres før den utløper "
        f"{format_day(expires, locale)}",
        "Politirådets møteplanregler har opprettet revisjonen av samarbeidsavtalen.",
    )


def _bylaws_due(case: Case, due: date, locale: str) -> tuple[str, str]:
    if locale == "en":
        return (
            f"Case {case.number}: the police bylaws are due for revision",
            f"The revision was due on {format_day(due, locale)}.",
        )
    return (
        f"Sak {case.number}: politivedtekten skal revideres",
        f"Revisjonen forfalt {format_day(due, locale)}.",
    )


def _report_requested(report: Case, group: str, due: date, locale: str) -> tuple[str, str]:
    if locale == "en":
        return (
            f"Case {report.number}: report from {group} due by {format_day(due, locale)}",
            "The council has requested the steering group's report.",
        )
    return (
        f"Sak {report.number}: rapport fra {group} skal leveres innen {format_day(due, locale)}",
        "Politirådet har bestilt rapporten fra styringsgruppen.",
    )


def _state_label(session: Session, case: Case) -> str:
    return definition_of(session, case).state(case.state).labels.nb


@dataclass(frozen=True)
class _Fired:
    at: datetime
    by_system: bool


def _last_fired(session: Session, case_ids: list[int], trigger: str) -> dict[int, _Fired]:
    """When, and whether by the scheduler, each case last fired ``trigger``."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.actor)
        .where(
            CaseEvent.case_id.in_(case_ids),
            CaseEvent.kind == EventKind.TRANSITION,
            CaseEvent.trigger == trigger,
        )
        .order_by(CaseEvent.seq)
    )
    return {case_id: _Fired(at, actor == SYSTEM_LOGIN) for case_id, at, actor in rows}


# --- the check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Breach:
    """A rule broken for a period; ``remedied`` says how, when it was put right since.

    ``on_new`` runs once, when the finding is first recorded, and returns the case it
    opened (or None); the unique finding is what makes it run once.
    """

    rule: Rule
    period: str
    since: datetime
    detail: str
    case: Case | None = None
    remedied: str | None = None
    on_new: Callable[[], Case | None] | None = None


@dataclass(frozen=True)
class _Cleared:
    """A period that the rule is satisfied for (now): an open finding of it is resolved."""

    rule: Rule
    period: str
    resolution: str


_Outcome = _Breach | _Cleared


def check_cadence(session: Session, *, now: datetime | None = None) -> list[Finding]:
    """Check every council's cadence as of ``now``; returns the findings recorded, reopened or
    resolved by this run. Flushes, never commits; safe to run as often as wanted."""
    now = resolve(now)
    changed: list[Finding] = []
    for council in list(session.scalars(select(Council).order_by(Council.id))):
        changed += _Check(session, council, now).run()
    session.flush()
    return changed


def request_reports(session: Session, *, now: datetime | None = None) -> list[Case]:
    """Open every steering group's report whose request day has come by ``now``; returns the
    reports opened. Flushes, never commits.

    ``check_cadence`` does this first as well. The scheduler also runs it on its own, ahead
    of the deadline tick: a report requested late (the scheduler was down) may be past its
    due date already, and the deadline tick marks it overdue before the check judges it.
    """
    now = resolve(now)
    opened: list[Case] = []
    for council in list(session.scalars(select(Council).order_by(Council.id))):
        groups = session.scalars(
            select(SteeringGroup)
            .where(SteeringGroup.council_id == council.id)
            .order_by(SteeringGroup.name)
        ).all()
        if groups:
            opened += _Check(session, council, now).request_reports(groups)
    session.flush()
    return opened


def _year_total(
    rule: Rule, year: int, held: int, needed: int, words: Callable[[int], str]
) -> _Outcome:
    if held >= needed:
        return _Cleared(rule, str(year), f"{words(held).capitalize()} ble holdt i {year}.")
    return _Breach(
        rule,
        str(year),
        deadline_moment(date(year, 12, 31)),
        f"{words(held).capitalize()} ble holdt i {year}; kravet er minst {needed}.",
    )


class _Check:
    """One council's check: the judged periods, the outcomes and the findings they touch."""

    def __init__(self, session: Session, council: Council, now: datetime):
        self.session = session
        self.council = council
        self.now = now
        self.today = to_oslo(now).date()
        self.rules = rules_for(council)
        self.since = recording_since(session, council) or self.today
        # Last year's periods are judged until the end of March, so that the year end is
        # caught after downtime and meetings recorded late still resolve their findings.
        self.years = (
            (self.today.year - 1, self.today.year) if self.today.month <= 3 else (self.today.year,)
        )
        self.findings = {
            (f.rule, f.period): f
            for f in session.scalars(select(Finding).where(Finding.council_id == council.id))
        }
        self.changed: list[Finding] = []
        self.system = Actor.system()

    def open_findings(self, rule: Rule) -> list[Finding]:
        return [f for (r, _), f in self.findings.items() if r == rule and f.resolved_at is None]

    def run(self) -> list[Finding]:
        linked = [f.case_id for rule in MEETING_RULES for f in self.open_findings(rule)]
        record = _Record.load(
            self.session, self.council, date(self.years[0], 1, 1), filter(None, linked)
        )
        record.reports += self.request_reports(record.groups)
        for outcome in (
            *self._quarters(record),
            *self._years(record),
            *self._meeting_deadlines(record),
            *self._agreements(record),
            *self._bylaws(record),
            *self._reports(record),
        ):
            self._apply(outcome)
        return self.changed

    # -- recording -------------------------------------------------------------------------

    def _apply(self, outcome: _Outcome) -> None:
        finding = self.findings.get((outcome.rule, outcome.period))
        if isinstance(outcome, _Cleared):
            if finding is not None and finding.resolved_at is None:
                self._resolve(finding, outcome.resolution)
            return
        if finding is None:
            finding, created = self._create(outcome)
            if created:
                return
        if outcome.remedied is not None:
            if finding.resolved_at is None:
                self._resolve(finding, outcome.remedied)
        elif finding.resolved_at is not None:
            finding.resolved_at = finding.resolution = None
            finding.since, finding.detail = outcome.since, outcome.detail
            self.changed.append(finding)
        else:
            finding.detail = outcome.detail
            if finding.case_id is None and outcome.case is not None:
                finding.case_id = outcome.case.id

    def _create(self, breach: _Breach) -> tuple[Finding, bool]:
        """Record ``breach`` unless a concurrent check did: the unique key decides who."""
        finding = Finding(
            council_id=self.council.id,
            rule=breach.rule,
            period=breach.period,
            since=breach.since,
            detail=breach.detail,
            case_id=breach.case.id if breach.case is not None else None,
        )
        if breach.remedied is not None:
            finding.resolved_at, finding.resolution = self.now, breach.remedied
        try:
            with self.session.begin_nested():
                self.session.add(finding)
                self.session.flush()
        except IntegrityError:
            finding = self.session.scalars(
                select(Finding).where(
                    Finding.council_id == self.council.id,
                    Finding.rule == breach.rule,
                    Finding.period == breach.period,
                )
            ).one()
            self.findings[(breach.rule, breach.period)] = finding
            return finding, False
        self.findings[(breach.rule, breach.period)] = finding
        if breach.on_new is not None:
            opened = breach.on_new()
            if opened is not None and finding.case_id is None:
                finding.case_id = opened.id
        self.changed.append(finding)
        return finding, True

    def _resolve(self, finding: Finding, resolution: str) -> None:
        finding.resolved_at, finding.resolution = self.now, resolution
        self.changed.append(finding)

    def _notify(self, case: Case, recipients: Iterable[int | None], texts: Texts) -> None:
        notify(
            self.session,
            case=case,
            recipients=recipients,
            topic="cadence_case_opened",
            texts=texts,
            now=self.now,
        )

    def _leaders(self) -> list[int]:
        roles = (Role.SECRETARIAT, Role.LEADER, Role.DEPUTY)
        return council_people(self.session, self.council.id, roles, self.today)

    # -- meetings --------------------------------------------------------------------------

    def _quarters(self, record: _Record) -> Iterator[_Outcome]:
        if not self.rules.meeting_every_quarter:
            return
        rule = Rule.QUARTER_WITHOUT_MEETING
        for year in self.years:
            ordinary = record.meetings_in(year, "ordinary")
            for number in range(1, 5):
                start, end = _quarter(year, number)
                if start > self.today:
                    break
                if end < self.since:
                    continue
                period, name = f"{year}-Q{number}", f"{number}. kvartal {year}"
                inside = [m for m in ordinary if start <= m.date <= end]
                held = [m for m in inside if _held(m)]
                planned = [m for m in inside if _planned(m)]
                ended = end + GRACE < self.today
                if held:
                    yield _Cleared(rule, period, f"{held[0].label} ble holdt {_day(held[0].date)}.")
                elif not ended and planned:
                    first = planned[0]
                    yield _Cleared(rule, period, f"{first.label} er planlagt {_day(first.date)}.")
                elif not ended:
                    detail = f"Varsel: ingen ordinære møter er planlagt eller holdt i {name}."
                    yield _Breach(rule, period, self.now, detail)
                else:
                    detail = f"Ingen ordinære møter ble holdt i {name}."
                    if planned:
                        late = ", ".join(
                            f"{m.label} {_day(m.date)} er "
                            f"{_state_label(self.session, m.case).lower()}"
                            for m in planned
                        )
                        detail += f" Ikke registrert som avholdt: {late}."
                    yield _Breach(rule, period, deadline_moment(end), detail)

    def _years(self, record: _Record) -> Iterator[_Outcome]:
        rules = self.rules
        for year in self.years:
            if _quarter(year, 1)[1] < self.since:
                continue
            ordinary = record.meetings_in(year, "ordinary")
            if date(year, 12, 31) + GRACE < self.today:
                held = sum(map(_held, ordinary))
                over = f"Året er omme: {_ordinary(held)} ble holdt."
                yield _Cleared(Rule.YEAR_AT_RISK, str(year), over)
                yield _year_total(
                    Rule.TOO_FEW_MEETINGS, year, held, rules.ordinary_meetings_per_year, _ordinary
                )
                yield _year_total(
                    Rule.SEMINAR_MISSING,
                    year,
                    sum(map(_held, record.meetings_in(year, "seminar"))),
                    rules.seminars_per_year,
                    _seminars,
                )
                continue
            at_risk = rules.year_at_risk_on.in_year(year)
            if not at_risk <= self.today <= date(year, 12, 31):
                continue
            counted = sum(map(_planned, ordinary))
            text = f"{_ordinary(counted)} holdt eller planlagt i {year}"
            if counted >= rules.year_at_risk_minimum:
                yield _Cleared(Rule.YEAR_AT_RISK, str(year), f"Nå er {text}.")
            else:
                yield _Breach(
                    Rule.YEAR_AT_RISK,
                    str(year),
                    day_start(at_risk),
                    f"Per {_day(at_risk)} er {'bare ' if counted else ''}{text}; "
                    f"minst {rules.year_at_risk_minimum} "
                    f"trengs for å nå {rules.ordinary_meetings_per_year} i året.",
                )

    def _meeting_deadlines(self, record: _Record) -> Iterator[_Outcome]:
        ids = [m.case_id for m in record.meetings]
        convened = _last_fired(self.session, ids, "convene")
        drafted = _last_fired(self.session, ids, "draft_minutes")
        by_case = {m.case_id: m for m in record.meetings}
        for rule in MEETING_RULES:
            for finding in self.open_findings(rule):
                meeting = by_case.get(finding.case_id)
                if meeting is not None and meeting.date.isoformat() != finding.period:
                    moved = f"Møtet ble flyttet til {_day(meeting.date)}."
                    yield _Cleared(rule, finding.period, moved)
        for meeting in record.meetings:
            yield from self._notice(meeting, convened.get(meeting.case_id))
            yield from self._minutes(meeting, drafted.get(meeting.case_id))

    def _notice(self, meeting: Meeting, convened: _Fired | None) -> Iterator[_Outcome]:
        if meeting.kind == "extraordinary":  # called at short notice when needed
            return
        rule, period = Rule.NOTICE_LATE, meeting.date.isoformat()
        if meeting.case.state == "cancelled":
            yield _Cleared(rule, period, "Møtet ble avlyst.")
            return
        last_day = add_period(meeting.date, -self.rules.notice_days, "days")
        deadline = deadline_moment(last_day)
        if self.now < deadline + GRACE:
            return
        if meeting.case.state in NOT_CONVENED:
            convened = None
        if convened is not None and (
            convened.at <= deadline or (convened.by_system and convened.at <= deadline + GRACE)
        ):
            yield _Cleared(rule, period, f"Innkallingen ble sendt {_day(convened.at)}.")
            return
        detail = (
            f"Innkallingen til {meeting.label} {_day(meeting.date)} skulle vært sendt senest "
            f"{_day(last_day)}, {self.rules.notice_days} dager før møtet."
        )
        remedied = None
        if convened is not None:
            days = (meeting.date - to_oslo(convened.at).date()).days
            remedied = f"Innkallingen ble sendt {_day(convened.at)}, {days} dager før møtet."
        yield _Breach(rule, period, deadline, detail, meeting.case, remedied)

    def _minutes(self, meeting: Meeting, drafted: _Fired | None) -> Iterator[_Outcome]:
        rule, period = Rule.MINUTES_LATE, meeting.date.isoformat()
        if meeting.case.state == "cancelled":
            yield _Cleared(rule, period, "Møtet ble avlyst.")
            return
        if not _held(meeting):
            return
        days = self.rules.minutes_draft_working_days
        last_day = add_period(meeting.date, days, "working_days")
        deadline = deadline_moment(last_day)
        if self.now < deadline + GRACE:
            return
        if meeting.case.state == "held":
            drafted = None
        if drafted is not None and drafted.at <= deadline:
            yield _Cleared(rule, period, f"Referatutkastet ble påbegynt {_day(drafted.at)}.")
            return
        detail = (
            f"Referatutkastet fra {meeting.label} {_day(meeting.date)} skulle vært påbegynt "
            f"senest {_day(last_day)}, {days} virkedager etter møtet."
        )
        remedied = None if drafted is None else f"Påbegynt {_day(drafted.at)}."
        yield _Breach(rule, period, deadline, detail, meeting.case, remedied)

    # -- the agreement and the bylaws --------------------------------------------------------

    def _agreements(self, record: _Record) -> Iterator[_Outcome]:
        for agreement in record.agreements:
            if agreement.took_effect:
                yield from self._agreement(agreement, record)

    def _agreement(self, agreement: _Agreement, record: _Record) -> Iterator[_Outcome]:
        assert agreement.valid_to is not None
        successors = [other for other in record.agreements if other.follows(agreement)]
        signed = next((s for s in successors if s.case.state in AGREEMENT_SIGNED), None)
        drafting = record.successor(agreement)
        name = f"«{agreement.case.public_title}» ({agreement.case.number})"
        expired = agreement.valid_to < self.today

        opens = self.rules.agreement_revision_opens.in_year(agreement.valid_to.year)
        if self.today >= opens:
            rule, period = Rule.AGREEMENT_REVISION_DUE, opens.isoformat()
            if signed is not None:
                yield _Cleared(rule, period, f"Ny avtale {signed.case.number} er signert.")
            else:
                yield _Breach(
                    rule,
                    period,
                    day_start(opens),
                    f"Samarbeidsavtalen {name} {'gjaldt' if expired else 'gjelder'} til "
                    f"{_day(agreement.valid_to)}; revisjonen "
                    f"{'skulle' if expired else 'skal'} starte {_day(opens)}.",
                    case=drafting.case if drafting is not None else None,
                    on_new=functools.partial(self._revise_agreement, agreement, drafting),
                )

        if not expired:
            return
        expiry = agreement.valid_to + timedelta(days=1)
        rule, period = Rule.AGREEMENT_EXPIRED, expiry.isoformat()
        for other in successors:
            # A signed successor takes effect on its first day by its own deadline.
            starts = other.valid_from
            if other.case.state in AGREEMENT_SIGNED and starts and starts <= self.today:
                resolution = f"Ny avtale {other.case.number} gjelder fra {_day(starts)}."
                yield _Cleared(rule, period, resolution)
                return
        detail = (
            f"Samarbeidsavtalen {name} utløp {_day(agreement.valid_to)}, og ingen ny avtale "
            "har trådt i kraft."
        )
        if drafting is not None:
            label = _state_label(self.session, drafting.case)
            detail += f" Ny avtale {drafting.case.number} er under arbeid ({label})."
        yield _Breach(rule, period, day_start(expiry), detail)

    def _revise_agreement(self, agreement: _Agreement, drafting: _Agreement | None) -> Case | None:
        """Mark the agreement due for revision and open its successor unless one is drafted."""
        assert agreement.valid_from is not None and agreement.valid_to is not None
        if agreement.case.state == "in_force" and self.today <= agreement.valid_to:
            fire(
                self.session,
                agreement.case,
                "mark_revision_due",
                actor=self.system,
                comment=f"Avtalen gjelder til {_day(agreement.valid_to)} og skal revideres.",
                now=self.now,
            )
        if drafting is not None:
            return None
        starts = agreement.valid_to + timedelta(days=1)
        length = relativedelta(starts, agreement.valid_from)
        ends = starts + length - timedelta(days=1)
        case = open_case(
            self.session,
            council=self.council,
            kind="agreement_revision",
            title=f"Revisjon av samarbeidsavtalen: ny avtale {starts.year}–{ends.year}",
            actor=self.system,
            data={"valid_from": starts, "valid_to": ends},
            parent=agreement.case,
            now=self.now,
        )
        self._notify(
            case, self._leaders(), functools.partial(_agreement_due, case, agreement.valid_to)
        )
        return case

    def _bylaws(self, record: _Record) -> Iterator[_Outcome]:
        if not record.bylaws:
            return
        rule = Rule.BYLAW_REVISION_DUE
        current, reference = record.bylaws_in_force()
        if current is not None and reference is not None:
            basis = f"Politivedtekten «{current.public_title}» ({current.number}) trådte i kraft"
        else:
            # Nothing in force: count from the start of the last revision.
            latest = max(record.bylaws, key=lambda case: case.created_at)
            reference = to_oslo(latest.created_at).date()
            basis = f"Den siste revisjonen av politivedtekten ({latest.number}) startet"
        due = reference + relativedelta(years=self.rules.bylaw_revision_years)
        for finding in self.open_findings(rule):
            if finding.period != due.isoformat():
                resolution = f"{basis} {_day(reference)}; neste revisjon {_day(due)}."
                yield _Cleared(rule, finding.period, resolution)
        if self.today < due:
            return
        underway = record.bylaw_revision_underway(self.session)
        yield _Breach(
            rule,
            due.isoformat(),
            day_start(due),
            f"{basis} {_day(reference)} og skal revideres hvert "
            f"{self.rules.bylaw_revision_years}. år; revisjonen forfalt {_day(due)}.",
            case=underway,
            on_new=None if underway else functools.partial(self._revise_bylaws, current, due),
        )

    def _revise_bylaws(self, current: Case | None, due: date) -> Case:
        case = open_case(
            self.session,
            council=self.council,
            kind="bylaw_revision",
            title=f"Revisjon av politivedtekten (forfalt {_day(due)})",
            actor=self.system,
            parent=current,
            now=self.now,
        )
        self._notify(case, self._leaders(), functools.partial(_bylaws_due, case, due))
        return case

    # -- steering groups -------------------------------------------------------------------

    def request_reports(self, groups: Iterable[SteeringGroup]) -> list[Case]:
        """Open each group's report when its lead time begins, and move its next due date on;
        returns the reports opened.

        Moving the date is a guarded UPDATE, so a concurrent check that got there first
        leaves this one nothing to do; after downtime every report that came due opens.
        """
        lead = timedelta(days=self.rules.steering_report_lead_days)
        opened: list[Case] = []
        for group in groups:
            while group.next_due - lead <= self.today:
                due = group.next_due
                moved = self.session.execute(
                    update(SteeringGroup)
                    .where(SteeringGroup.id == group.id, SteeringGroup.next_due == due)
                    .values(next_due=due + relativedelta(months=group.interval_months))
                    .execution_options(synchronize_session=False)
                )
                self.session.refresh(group)
                if moved.rowcount != 1:
                    continue
                report = open_case(
                    self.session,
                    council=self.council,
                    kind="steering_report",
                    title=f"Rapport fra {group.name}, frist {_day(due)}",
                    actor=self.system,
                    data={"group": group.name, "due_date": due},
                    now=self.now,
                )
                opened.append(report)
                self._notify(
                    report,
                    [
                        group.reporter_id,
                        *council_people(
                            self.session, self.council.id, (Role.SECRETARIAT,), self.today
                        ),
                    ],
                    functools.partial(_report_requested, report, group.name, due),
                )
        return opened

    def _reports(self, record: _Record) -> Iterator[_Outcome]:
        rule = Rule.STEERING_REPORT_OVERDUE
        by_id = {report.id: report for report in record.reports}
        for finding in self.open_findings(rule):
            report = by_id.get(finding.case_id)
            if report is not None and report.state != "overdue":
                label = _state_label(self.session, report).lower()
                when = _day(report.state_entered_at)
                yield _Cleared(rule, finding.period, f"Rapporten er {label} ({when}).")
        for report in record.reports:
            if report.state != "overdue":
                continue
            due = parse_date(report.data.get("due_date"))
            yield _Breach(
                rule,
                report.number,
                report.state_entered_at,
                f"Rapporten «{report.public_title}» ({report.number}) skulle vært levert "
                f"{_day(due) if due else 'innen fristen'} og er forsinket.",
                case=report,
            )


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """A case as the cadence report shows it: number, public title and state."""

    number: str
    title: str
    state: str
    state_label: str


@dataclass(frozen=True)
class MeetingLine:
    label: str
    date: date
    kind: str
    state: str
    state_label: str
    held: bool
    planned: bool


@dataclass(frozen=True)
class QuarterStatus:
    number: int
    start: date
    end: date
    ended: bool
    """Over and judged (a day after its end: see ``GRACE``)."""
    recorded: bool
    """Within the council's record (see ``recording_since``)."""
    meetings: tuple[MeetingLine, ...]

    @property
    def held(self) -> bool:
        return any(m.held for m in self.meetings)

    @property
    def planned(self) -> bool:
        return any(m.planned for m in self.meetings)


@dataclass(frozen=True)
class AgreementStatus:
    agreement: CaseLine | None
    valid_from: date | None
    valid_to: date | None
    in_force: bool
    expired: bool
    revision_opens: date | None
    successor: CaseLine | None
    successor_valid_from: date | None


@dataclass(frozen=True)
class BylawStatus:
    in_force: CaseLine | None
    commencement: date | None
    revision_due: date | None
    underway: CaseLine | None


@dataclass(frozen=True)
class ReportLine:
    case: CaseLine
    group: str
    due: date | None


@dataclass(frozen=True)
class SteeringGroupStatus:
    name: str
    interval_months: int
    next_due: date
    reports: tuple[ReportLine, ...]

    @property
    def overdue(self) -> bool:
        return any(r.case.state == "overdue" for r in self.reports)


@dataclass(frozen=True)
class YearAtAGlance:
    """A council's year at a glance: its quarters with their meetings, its seminars and
    extraordinary meetings, and the year's findings (public titles)."""

    council: Council
    year: int
    as_of: date
    quarters: tuple[QuarterStatus, ...]
    seminars: tuple[MeetingLine, ...]
    extraordinary: tuple[MeetingLine, ...]
    findings: tuple[Finding, ...]
    finding_cases: Mapping[int, CaseLine]
    """The cases the findings are about or opened, by id."""

    @property
    def ordinary_held(self) -> int:
        return sum(m.held for q in self.quarters for m in q.meetings)

    @property
    def ordinary_planned(self) -> int:
        return sum(m.planned and not m.held for q in self.quarters for m in q.meetings)


@dataclass(frozen=True)
class CadenceReport(YearAtAGlance):
    """The year at a glance, with the agreement, the bylaws and the steering groups
    measured against the council's cadence rules."""

    rules: CadenceRules
    agreement: AgreementStatus
    bylaws: BylawStatus
    steering_groups: tuple[SteeringGroupStatus, ...]
    overdue_reports: tuple[ReportLine, ...]


def _case_line(session: Session, case: Case) -> CaseLine:
    return CaseLine(case.number, case.public_title, case.state, _state_label(session, case))


def _meeting_line(session: Session, m: Meeting) -> MeetingLine:
    return MeetingLine(
        m.label, m.date, m.kind, m.case.state, _state_label(session, m.case), _held(m), _planned(m)
    )


def _glance(
    session: Session, council: Council, meetings: list[Meeting], *, year: int, today: date
) -> YearAtAGlance:
    since = recording_since(session, council) or today
    quarters = []
    for number in range(1, 5):
        start, end = _quarter(year, number)
        inside = [m for m in _meetings_in(meetings, year, "ordinary") if start <= m.date <= end]
        quarters.append(
            QuarterStatus(
                number,
                start,
                end,
                ended=end + GRACE < today,
                recorded=end >= since,
                meetings=tuple(_meeting_line(session, m) for m in inside),
            )
        )
    findings = tuple(
        session.scalars(
            select(Finding)
            .where(
                Finding.council_id == council.id,
                or_(
                    Finding.period.startswith(str(year)),
                    Finding.resolved_at.is_(None) & (Finding.period < str(year)),
                ),
            )
            .order_by(Finding.since, Finding.id)
        )
    )
    linked = [f.case_id for f in findings if f.case_id]
    return YearAtAGlance(
        council=council,
        year=year,
        as_of=today,
        quarters=tuple(quarters),
        seminars=tuple(_meeting_line(session, m) for m in _meetings_in(meetings, year, "seminar")),
        extraordinary=tuple(
            _meeting_line(session, m) for m in _meetings_in(meetings, year, "extraordinary")
        ),
        findings=findings,
        finding_cases={
            case.id: _case_line(session, case)
            for case in (session.scalars(select(Case).where(Case.id.in_(linked))) if linked else ())
        },
    )


def year_at_a_glance(
    session: Session, council: Council, *, year: int, now: datetime | None = None
) -> YearAtAGlance:
    """The council's ``year`` at a glance as of ``now``: what a dashboard shows of the cadence.

    Reads the year's meetings and findings only; ``cadence_report`` adds the agreement,
    the bylaws and the steering groups."""
    today = to_oslo(resolve(now)).date()
    meetings = _meetings_since(session, council, date(year, 1, 1))
    return _glance(session, council, meetings, year=year, today=today)


def cadence_report(
    session: Session, council: Council, *, year: int, now: datetime | None = None
) -> CadenceReport:
    """The council's status for ``year`` as of ``now``; shows public titles only."""
    today = to_oslo(resolve(now)).date()
    rules = rules_for(council)
    record = _Record.load(session, council, date(year, 1, 1))
    glance = _glance(session, council, record.meetings, year=year, today=today)

    def case_line(case: Case) -> CaseLine:
        return _case_line(session, case)

    def report_line(case: Case) -> ReportLine:
        return ReportLine(
            case_line(case), case.data.get("group", ""), parse_date(case.data.get("due_date"))
        )

    groups = tuple(
        SteeringGroupStatus(
            group.name,
            group.interval_months,
            group.next_due,
            tuple(
                report_line(case)
                for case in record.reports
                if case.data.get("group") == group.name
                and (case.year == year or case.state == "overdue")
            ),
        )
        for group in record.groups
    )
    return CadenceReport(
        **vars(glance),
        rules=rules,
        agreement=_agreement_status(record, rules, today, case_line),
        bylaws=_bylaw_status(session, record, rules, case_line),
        steering_groups=groups,
        overdue_reports=tuple(report_line(c) for c in record.reports if c.state == "overdue"),
    )


def _agreement_status(
    record: _Record, rules: CadenceRules, today: date, line: Callable[[Case], CaseLine]
) -> AgreementStatus:
    """The agreement in force today, else the last one that took effect, and its successor."""
    current = next((a for a in record.agreements if a.in_force_on(today)), None)
    if current is None:
        effective = [a for a in record.agreements if a.took_effect]
        current = max(effective, key=lambda a: a.valid_to, default=None)
    if current is None or current.valid_to is None:
        return AgreementStatus(None, None, None, False, False, None, None, None)
    successor = record.successor(current)
    return AgreementStatus(
        agreement=line(current.case),
        valid_from=current.valid_from,
        valid_to=current.valid_to,
        in_force=current.in_force_on(today),
        expired=current.valid_to < today,
        revision_opens=rules.agreement_revision_opens.in_year(current.valid_to.year),
        successor=line(successor.case) if successor else None,
        successor_valid_from=successor.valid_from if successor else None,
    )


def _bylaw_status(
    session: Session, record: _Record, rules: CadenceRules, line: Callable[[Case], CaseLine]
) -> BylawStatus:
    current, commencement = record.bylaws_in_force()
    underway = record.bylaw_revision_underway(session)
    return BylawStatus(
        in_force=line(current) if current else None,
        commencement=commencement,
        revision_due=(
            commencement + relativedelta(years=rules.bylaw_revision_years) if commencement else None
        ),
        underway=line(underway) if underway else None,
    )
