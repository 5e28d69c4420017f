"""``politirad cadence``: the council's cadence rules, the daily check and the year's report."""

from __future__ import annotations

from datetime import date

import click
import yaml

from engine.actors import load_actor
from engine.cadence import (
    RULE_LABELS,
    CadenceReport,
    QuarterStatus,
    add_steering_group,
    cadence_report,
    check_cadence,
    rules_for,
    set_cadence,
)
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Case, Finding
from engine.services.people import get_council
from web.cli import as_option, council_option, now_option, parse_now, transaction


@click.group("cadence")
def group() -> None:
    """Cadence rules: meetings, agreement, bylaws, steering-group reports."""


def _day(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "–"


@group.command("check")
@now_option
def check(now: str | None) -> None:
    """Check every council's cadence and print the findings recorded or resolved."""
    with transaction() as session:
        changed = check_cadence(session, now=parse_now(now))
        for finding in changed:
            case = session.get(Case, finding.case_id) if finding.case_id else None
            click.echo(_finding_line(finding, case.number if case else None, new_mark=True))
        click.echo(f"{len(changed)} avvik endret")


@group.command("report")
@click.option("--year", type=int, help="The calendar year (default: this year).")
@council_option
@now_option
def report(year: int | None, council_slug: str | None, now: str | None) -> None:
    """Check the cadence, then print the year's status for one council, in Norwegian."""
    moment = resolve(parse_now(now))
    with transaction() as session:
        check_cadence(session, now=moment)
        council = get_council(session, council_slug)
        status = cadence_report(session, council, year=year or to_oslo(moment).year, now=moment)
        for line in _report_lines(status):
            click.echo(line)


@group.command("rules")
@council_option
def rules(council_slug: str | None) -> None:
    """Print the council's cadence rules; its own overrides are marked."""
    with transaction() as session:
        council = get_council(session, council_slug)
        effective = rules_for(council)
        overrides = council.cadence or {}
    for name, value in vars(effective).items():
        mark = "  (eget valg)" if name in overrides else ""
        click.echo(f"{name:<32} {value}{mark}")


@group.command("set")
@click.argument("pairs", nargs=-1, required=True)
@council_option
@as_option
def set_(pairs: tuple[str, ...], council_slug: str | None, login: str) -> None:
    """Override rules as RULE=VALUE (RULE=default restores the default)."""
    changes = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{pair}' is not RULE=VALUE", param_hint="PAIRS")
        changes[name] = None if text == "default" else yaml.safe_load(text)
    with transaction() as session:
        council = get_council(session, council_slug)
        set_cadence(session, council, changes, actor=load_actor(session, login))
    click.echo(f"cadence rules of {council.name} updated")


@group.command("add-group")
@click.argument("name")
@click.option("--next-due", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--interval", "interval_months", type=click.IntRange(1, 60))
@click.option("--reporter", help="Login of the person who reports for the group.")
@council_option
@as_option
def add_group(name, next_due, interval_months, reporter, council_slug, login) -> None:
    """Register a steering group that reports to the council on a schedule."""
    with transaction() as session:
        council = get_council(session, council_slug)
        reporter_id = load_actor(session, reporter).person_id if reporter else None
        added = add_steering_group(
            session,
            council=council,
            name=name,
            next_due=next_due.date(),
            interval_months=interval_months,
            reporter_id=reporter_id,
            actor=load_actor(session, login),
        )
    click.echo(
        f"steering group '{added.name}' reports every {added.interval_months} months, "
        f"next by {added.next_due.isoformat()}"
    )


# --- printing ----------------------------------------------------------------------------


def _finding_line(finding: Finding, case_number: str | None, *, new_mark: bool = False) -> str:
    label = RULE_LABELS.get(finding.rule, finding.rule)
    about = f" (sak {case_number})" if case_number else ""
    if finding.resolved_at is None:
        head = "NYTT AVVIK" if new_mark else "ÅPENT"
        return f"  [{head}] {finding.period} {label}{about}: {finding.detail}"
    return (
        f"  [LØST {_day(to_oslo(finding.resolved_at).date())}] {finding.period} {label}{about}: "
        f"{finding.detail} → {finding.resolution}"
    )


def _quarter_line(quarter: QuarterStatus, as_of: date) -> str:
    meetings = "; ".join(f"{m.label} {_day(m.date)} ({m.state_label})" for m in quarter.meetings)
    if quarter.held:
        verdict = "ok"
    elif not quarter.recorded:
        verdict = "før registreringen startet"
    elif quarter.ended:
        verdict = "AVVIK: ingen møter holdt"
    elif quarter.planned:
        verdict = "planlagt"
    elif quarter.start <= as_of:
        verdict = "VARSEL: ingen møter planlagt"
    else:
        verdict = "ikke planlagt ennå"
    return f"  {quarter.number}. kvartal: {meetings or 'ingen møter'} – {verdict}"


def _report_lines(status: CadenceReport) -> list[str]:
    rules = status.rules
    lines = [
        f"{status.council.name}: møteplan og oppfølging {status.year} (per {_day(status.as_of)})",
        "",
        f"Ordinære møter: {status.ordinary_held} holdt, {status.ordinary_planned} planlagt "
        f"(krav: minst {rules.ordinary_meetings_per_year} i året"
        + (", minst ett hvert kvartal)" if rules.meeting_every_quarter else ")"),
    ]
    lines += [_quarter_line(quarter, status.as_of) for quarter in status.quarters]
    seminars = "; ".join(f"{m.label} {_day(m.date)} ({m.state_label})" for m in status.seminars)
    lines.append(f"Seminar: {seminars or 'ikke planlagt'} (krav: {rules.seminars_per_year} i året)")
    if status.extraordinary:
        lines.append(
            "Ekstraordinære møter: "
            + "; ".join(f"{m.label} {_day(m.date)} ({m.state_label})" for m in status.extraordinary)
        )
    lines += ["", *_agreement_lines(status), *_bylaw_lines(status), "", *_steering_lines(status)]
    lines += ["", f"Avvik ({len(status.findings)}):"]
    cases = status.finding_cases
    lines += [
        _finding_line(f, cases[f.case_id].number if f.case_id in cases else None)
        for f in status.findings
    ] or ["  ingen"]
    return lines


def _agreement_lines(status: CadenceReport) -> list[str]:
    agreement = status.agreement
    if agreement.agreement is None:
        return ["Samarbeidsavtalen: ingen avtale er registrert som gjeldende"]
    case = agreement.agreement
    period = f"{_day(agreement.valid_from)}–{_day(agreement.valid_to)}"
    if agreement.in_force:
        verdict = f"gjeldende, utløper {_day(agreement.valid_to)}"
    elif agreement.expired:
        verdict = f"UTLØPT {_day(agreement.valid_to)}"
    else:
        verdict = case.state_label.lower()
    lines = [
        f"Samarbeidsavtalen: {case.number} «{case.title}», gyldig {period}: {verdict}",
        f"  revisjon starter {_day(agreement.revision_opens)}",
    ]
    if agreement.successor is not None:
        successor = agreement.successor
        lines.append(
            f"  ny avtale: {successor.number} «{successor.title}» ({successor.state_label}), "
            f"gyldig fra {_day(agreement.successor_valid_from)}"
        )
    elif agreement.expired or not agreement.in_force:
        lines.append("  ingen ny avtale er under arbeid")
    return lines


def _bylaw_lines(status: CadenceReport) -> list[str]:
    bylaws = status.bylaws
    if bylaws.in_force is None:
        lines = ["Politivedtekten: ingen revisjon er registrert som i kraft"]
    else:
        lines = [
            f"Politivedtekten: {bylaws.in_force.number} «{bylaws.in_force.title}» i kraft fra "
            f"{_day(bylaws.commencement)}; neste revisjon forfaller {_day(bylaws.revision_due)} "
            f"(hvert {status.rules.bylaw_revision_years}. år)"
        ]
    if bylaws.underway is not None:
        lines.append(
            f"  revisjon under arbeid: {bylaws.underway.number} «{bylaws.underway.title}» "
            f"({bylaws.underway.state_label})"
        )
    return lines


def _steering_lines(status: CadenceReport) -> list[str]:
    lines = ["Styringsgrupper:"]
    for steering in status.steering_groups:
        late = " – FORSINKET" if steering.overdue else ""
        lines.append(
            f"  {steering.name}: rapporterer hver {steering.interval_months}. måned, "
            f"neste frist {_day(steering.next_due)}{late}"
        )
        lines += [
            f"    {r.case.number} frist {_day(r.due)}: {r.case.state_label}"
            for r in steering.reports
        ]
    if not status.steering_groups:
        lines.append("  ingen registrert")
    if status.overdue_reports:
        lines.append("Forsinkede rapporter:")
        lines += [
            f"  {r.case.number} «{r.case.title}», frist {_day(r.due)}"
            for r in status.overdue_reports
        ]
    return lines
