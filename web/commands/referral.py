"""``politirad referral``: decisions referred to another authority, and their responses."""

from __future__ import annotations

import click

from engine.actors import load_actor
from engine.models.followup import REFERRAL_TARGETS
from engine.services import get_case
from engine.services.followup import add_referral, get_referral, register_response
from engine.services.people import get_council
from web.cli import actor_option, council_option, now_option, parse_now, transaction
from web.commands.followup import due_option


@click.group("referral")
def group() -> None:
    """Referrals to other authorities (oversendelser)."""


@group.command("add")
@click.argument("number")
@click.option("--to", "target", type=click.Choice(REFERRAL_TARGETS), required=True)
@click.option("--name", "target_name", required=True, help="e.g. Bystyret, Bydel Grorud.")
@click.option("--description", required=True)
@click.option("--due", type=due_option, required=True, help="Response due, YYYY-MM-DD.")
@council_option
@actor_option
@now_option
def add(number, target, target_name, description, due, council_slug, login, now) -> None:
    """Refer the decision on case NUMBER to another authority."""
    with transaction() as session:
        referral = add_referral(
            session,
            get_case(session, get_council(session, council_slug), number),
            actor=load_actor(session, login),
            target=target,
            target_name=target_name,
            description=description,
            response_due=due.date(),
            now=parse_now(now),
        )
        click.echo(
            f"referral {referral.id} to {referral.target_name}, "
            f"response due {referral.response_due:%d.%m.%Y}"
        )


@group.command("respond")
@click.argument("referral_id", type=int)
@click.argument("response")
@council_option
@actor_option
@now_option
def respond(referral_id, response, council_slug, login, now) -> None:
    """Register the response to referral REFERRAL_ID, which closes it."""
    with transaction() as session:
        referral = get_referral(session, get_council(session, council_slug), referral_id)
        register_response(
            session,
            referral,
            actor=load_actor(session, login),
            response=response,
            now=parse_now(now),
        )
        click.echo(
            f"referral {referral.id} answered; case {referral.case.number} is {referral.case.state}"
        )
