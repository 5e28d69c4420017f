"""``politirad action``: the follow-up list (oppfølgingsliste) and the actions decisions
created."""

from __future__ import annotations

import click

from engine.actors import load_actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Person
from engine.services import get_case
from engine.services.followup import (
    OWNER_PARTIES,
    add_action,
    cancel_action,
    complete_action,
    follow_up_list,
    get_action,
    report_progress,
)
from engine.services.people import get_council
from web.cli import actor_option, as_option, council_option, now_option, parse_now, transaction

STATUS_LABELS = {"open": "åpen", "in_progress": "pågår", "done": "utført", "cancelled": "avlyst"}
due_option = click.DateTime(formats=["%Y-%m-%d"])


@click.group("action")
def group() -> None:
    """Follow-up actions and the follow-up list."""


@group.command("list")
@click.option("--overdue", is_flag=True, help="Only what is past its due date.")
@council_option
@as_option
@now_option
def list_(overdue, council_slug, login, now) -> None:
    """The follow-up list: every open action and referral, overdue first, as LOGIN sees it."""
    as_of = to_oslo(resolve(parse_now(now))).date()
    with transaction() as session:
        rows = follow_up_list(
            session,
            get_council(session, council_slug),
            as_of=as_of,
            actor=load_actor(session, login),
        )
    for row in rows:
        if overdue and not row.overdue:
            continue
        late = "FORFALT " if row.overdue else ""
        percent = f" {row.percent}%" if row.percent is not None else ""
        click.echo(
            f"{row.kind:<8} {row.id:>4}  {row.due:%d.%m.%Y}  {late}{STATUS_LABELS[row.status]}"
            f"{percent}  sak {row.case_number} {row.case_title}: {row.description} "
            f"({row.owner})"
        )


@group.command("add")
@click.argument("number")
@click.option("--description", required=True)
@click.option("--party", type=click.Choice([party.value for party in OWNER_PARTIES]), required=True)
@click.option("--due", type=due_option, required=True, help="Due date, YYYY-MM-DD.")
@click.option("--owner", "owner_login", help="Login of the person who owns it.")
@click.option("--unit", help="The unit that owns it (e.g. Enhet Øst).")
@council_option
@actor_option
@now_option
def add(number, description, party, due, owner_login, unit, council_slug, login, now) -> None:
    """Add an action to the decision on case NUMBER."""
    with transaction() as session:
        owner = None
        if owner_login:
            owner = session.get(Person, load_actor(session, owner_login).person_id)
        action = add_action(
            session,
            get_case(session, get_council(session, council_slug), number),
            actor=load_actor(session, login),
            description=description,
            owner_party=party,
            due=due.date(),
            owner_person=owner,
            owner_unit=unit,
            now=parse_now(now),
        )
        click.echo(f"action {action.id} on {action.case.number}, due {action.due:%d.%m.%Y}")


@group.command("progress")
@click.argument("action_id", type=int)
@click.argument("text")
@click.option("--percent", type=int, help="Percent complete, 0–100.")
@council_option
@actor_option
@now_option
def progress(action_id, text, percent, council_slug, login, now) -> None:
    """Note progress on action ACTION_ID."""
    with transaction() as session:
        action = get_action(session, get_council(session, council_slug), action_id)
        report_progress(
            session,
            action,
            actor=load_actor(session, login),
            text=text,
            percent=percent,
            now=parse_now(now),
        )
        click.echo(f"action {action.id}: {STATUS_LABELS[action.status]}, {action.percent}%")


@group.command("done")
@click.argument("action_id", type=int)
@click.option("--comment", default="")
@council_option
@actor_option
@now_option
def done(action_id, comment, council_slug, login, now) -> None:
    """Mark action ACTION_ID done."""
    with transaction() as session:
        action = get_action(session, get_council(session, council_slug), action_id)
        complete_action(
            session, action, actor=load_actor(session, login), comment=comment, now=parse_now(now)
        )
        click.echo(f"action {action.id} done; case {action.case.number} is {action.case.state}")


@group.command("cancel")
@click.argument("action_id", type=int)
@click.option("--reason", required=True)
@council_option
@actor_option
@now_option
def cancel(action_id, reason, council_slug, login, now) -> None:
    """Cancel action ACTION_ID, saying why."""
    with transaction() as session:
        action = get_action(session, get_council(session, council_slug), action_id)
        cancel_action(
            session, action, actor=load_actor(session, login), reason=reason, now=parse_now(now)
        )
        click.echo(
            f"action {action.id} cancelled; case {action.case.number} is {action.case.state}"
        )
