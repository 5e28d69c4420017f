"""``politirad case``: list, show, open and move cases from the command line."""

from __future__ import annotations

import click

from engine.access import Visibility, visibility
from engine.actors import load_actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.queries import history, list_cases, pending_deadlines
from engine.runtime import definition_of
from engine.services import available_transitions, fire, get_case, open_case
from engine.services.people import get_council
from web.cli import as_option, council_option, now_option, parse_now, transaction


@click.group("case")
def group() -> None:
    """Cases."""


def _data(pairs: tuple[str, ...]) -> dict[str, str]:
    data = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE", param_hint="--data")
        data[key] = value
    return data


@group.command("list")
@council_option
@as_option
@click.option("--kind")
@click.option("--state")
@click.option("--search")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def list_(council_slug, login, kind, state, search, limit) -> None:
    """List cases, newest first, as LOGIN may see them."""
    with transaction() as session:
        actor = load_actor(session, login)
        council = get_council(session, council_slug)
        rows = list_cases(session, actor, council, kind=kind, state=state, text=search, limit=limit)
    for row in rows:
        mark = (
            ""
            if row.full
            else f"  [{row.access}{': ' + row.legal_basis if row.legal_basis else ''}]"
        )
        click.echo(f"{row.number:>9}  {row.kind:<18} {row.state:<24} {row.title}{mark}")


@group.command("show")
@click.argument("number")
@council_option
@as_option
@now_option
def show(number, council_slug, login, now) -> None:
    """Show case NUMBER with its history, deadlines and available transitions."""
    moment = resolve(parse_now(now))
    with transaction() as session:
        actor = load_actor(session, login)
        case = get_case(session, get_council(session, council_slug), number)
        full = visibility(actor, case, to_oslo(moment).date()) == Visibility.FULL
        definition = definition_of(session, case)
        click.echo(f"Sak {case.number}: {case.title if full else case.public_title}")
        click.echo(f"  kind     {case.kind} ({definition.labels.nb})")
        click.echo(f"  state    {case.state} ({definition.state(case.state).labels.nb})")
        click.echo(
            f"  access   {case.access}{' – ' + case.legal_basis if case.legal_basis else ''}"
        )
        click.echo(f"  version  {case.version}")
        if not full:
            return
        for key, value in sorted(case.data.items()):
            click.echo(f"  {key:<8} {value}")
        click.echo("History:")
        for event in history(session, case, actor, now=moment):
            moved = f" {event.from_state} → {event.to_state}" if event.from_state else ""
            when = to_oslo(event.at).strftime("%d.%m.%Y %H:%M")
            click.echo(
                f"  #{event.seq} {when} {event.actor} ({event.party or '-'}) "
                f"{event.kind} {event.trigger or ''}{moved} {event.comment}".rstrip()
            )
        deadlines = pending_deadlines(session, case)
        if deadlines:
            click.echo("Deadlines:")
            for deadline in deadlines:
                due = to_oslo(deadline.due).strftime("%d.%m.%Y %H:%M")
                click.echo(f"  {deadline.name}: {due} ({deadline.effect})")
        click.echo("Transitions:")
        for option in available_transitions(session, case, actor, now=moment):
            status = "allowed" if option.allowed else "not allowed: " + "; ".join(option.reasons)
            approved = ", ".join(f"{p} by {who}" for p, who in option.approved_by.items())
            extra = f" (approved: {approved})" if approved else ""
            click.echo(f"  {option.trigger} → {option.dest}: {status}{extra}")


@group.command("open")
@click.argument("kind")
@click.argument("title")
@council_option
@as_option
@now_option
@click.option("--data", "pairs", multiple=True, help="KEY=VALUE, repeatable.")
def open_(kind, title, council_slug, login, now, pairs) -> None:
    """Open a new case of KIND."""
    with transaction() as session:
        case = open_case(
            session,
            council=get_council(session, council_slug),
            kind=kind,
            title=title,
            actor=load_actor(session, login),
            data=_data(pairs),
            now=parse_now(now),
        )
        click.echo(f"opened {case.number} ({case.state})")


@group.command("fire")
@click.argument("number")
@click.argument("trigger")
@council_option
@click.option("--as", "login", required=True, help="Act as this person (or 'system').")
@click.option("--comment", default="")
@click.option("--data", "pairs", multiple=True, help="KEY=VALUE, repeatable.")
@click.option("--version", "expected_version", type=int, help="Fail if the case has moved on.")
@now_option
def fire_(number, trigger, council_slug, login, comment, pairs, expected_version, now) -> None:
    """Fire TRIGGER on case NUMBER."""
    with transaction() as session:
        case = get_case(session, get_council(session, council_slug), number)
        result = fire(
            session,
            case,
            trigger,
            actor=load_actor(session, login),
            expected_version=expected_version,
            comment=comment,
            data=_data(pairs),
            now=parse_now(now),
        )
        if result.fired:
            click.echo(f"{case.number} is now {case.state} (version {case.version})")
        else:
            waiting = " and ".join(result.waiting_for)
            click.echo(f"approval recorded on {case.number}; waiting for {waiting}")
