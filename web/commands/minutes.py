"""``politirad minutes``: write, read and comment on a meeting's minutes (protokoll)."""

from __future__ import annotations

import click

from engine.actors import load_actor
from engine.services.meetings import get_meeting
from engine.services.minutes import comment_on_minutes, published_minutes, write_minutes
from engine.services.people import get_council
from web.cli import actor_option, as_option, council_option, now_option, parse_now, transaction


@click.group("minutes")
def group() -> None:
    """Minutes of meetings."""


@group.command("generate")
@click.argument("meeting")
@council_option
@actor_option
@now_option
def generate(meeting, council_slug, login, now) -> None:
    """Write the draft minutes of MEETING (PR 3/2026) again from its record."""
    with transaction() as session:
        found = get_meeting(session, get_council(session, council_slug), meeting)
        click.echo(
            write_minutes(session, found, actor=load_actor(session, login), now=parse_now(now)),
            nl=False,
        )


@group.command("show")
@click.argument("meeting")
@council_option
@as_option
@now_option
def show(meeting, council_slug, login, now) -> None:
    """Print the minutes of MEETING as LOGIN may read them."""
    with transaction() as session:
        found = get_meeting(session, get_council(session, council_slug), meeting)
        text = published_minutes(
            session, found, actor=load_actor(session, login), now=parse_now(now)
        )
    click.echo(text, nl=False)


@group.command("comment")
@click.argument("meeting")
@click.argument("text")
@council_option
@actor_option
@now_option
def comment(meeting, text, council_slug, login, now) -> None:
    """Comment on the draft minutes of MEETING while they are out for review."""
    with transaction() as session:
        found = get_meeting(session, get_council(session, council_slug), meeting)
        comment_on_minutes(
            session, found, actor=load_actor(session, login), text=text, now=parse_now(now)
        )
        click.echo(f"comment on the minutes of {found.label} recorded")
