"""``politirad users``: people, their seats, and the grants that wait for a second person.

The operator's command line acts as the system unless ``--as`` names a person: the system gives
seats and clearance at once (the installation's operator is trusted; this is how an
installation is set up), a person goes through the same rule as on the pages, where clearance
and seats with power wait for another person's approval (``engine.services.grants``).
"""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor, load_actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Membership, Person, SeatGrant
from engine.services.accounts import send_reset_link, set_one_time_password, set_password
from engine.services.grants import (
    approve_grant,
    describe,
    get_grant,
    refuse_grant,
    waiting_grants,
    withdraw_grant,
)
from engine.services.people import (
    Seating,
    add_membership,
    create_person,
    get_council,
    set_active,
    set_installation_admin,
    update_membership,
    update_person,
)
from web.cli import UserError, actor_option, council_option, now_option, parse_now, transaction

as_person = click.option(
    "--as", "login_as", default="system", show_default=True, help="Act as this person."
)
ROLES = ["leader", "deputy", "member", "secretariat", "reporter", "guest"]
PARTIES = ["municipality", "police", "external"]


@click.group("users")
def group() -> None:
    """People who use the system."""


@group.command("create")
@click.argument("login")
@click.option("--name", "display_name", required=True)
@click.option("--email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--council", "council_slug", help="Give a seat in this council (slug).")
@click.option("--party", type=click.Choice(PARTIES))
@click.option("--role", type=click.Choice(ROLES))
@click.option("--cleared", is_flag=True, help="Cleared for restricted items.")
@click.option(
    "--from",
    "valid_from",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The seat begins on this day (default: today).",
)
def create(
    login, display_name, email, password, council_slug, party, role, cleared, valid_from
) -> None:
    """Create a person, and with --party and --role their seat in a council (as the system:
    the seat and its clearance are given at once). The person chooses a new password at
    their first login."""
    if (party is None) != (role is None):
        raise click.BadParameter("give --party and --role together")
    system = Actor.system()
    with transaction() as session:
        council = get_council(session, council_slug) if role else None
        person = create_person(
            session,
            actor=system,
            login=login,
            display_name=display_name,
            email=email,
            password=password,
            councils=[council] if council else [],
        )
        if council:
            add_membership(
                session,
                actor=system,
                person=person,
                council=council,
                party=party,
                role=role,
                valid_from=valid_from.date() if valid_from else to_oslo(resolve(None)).date(),
                cleared=cleared,
            )
    click.echo(f"created {person.login}")


@group.command("seat")
@click.argument("login")
@council_option
@click.option("--party", type=click.Choice(PARTIES), required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--from", "valid_from", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--to", "valid_to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--appointed-by", "appointed_by", help="The login of who appointed them.")
@click.option("--cleared", is_flag=True, help="Cleared for restricted items.")
@as_person
@now_option
def seat(
    login, council_slug, party, role, valid_from, valid_to, appointed_by, cleared, login_as, now
) -> None:
    """Give LOGIN a seat in a council; as a person (--as), a seat with power, clearance or a
    seat for someone from outside the council waits for another person's approval."""
    moment = parse_now(now)
    with transaction() as session:
        seating = add_membership(
            session,
            actor=load_actor(session, login_as),
            person=_person(session, login),
            council=get_council(session, council_slug),
            party=party,
            role=role,
            valid_from=valid_from.date() if valid_from else to_oslo(resolve(moment)).date(),
            valid_to=valid_to.date() if valid_to else None,
            appointed_by=_person(session, appointed_by) if appointed_by else None,
            cleared=cleared,
            now=moment,
        )
        click.echo(_seated(login, seating))


@group.command("clear")
@click.argument("login")
@council_option
@click.option("--seat", "seat_id", type=int, help="Which seat, when LOGIN has several today.")
@as_person
@now_option
def clear(login, council_slug, seat_id, login_as, now) -> None:
    """Clear LOGIN's seat in a council for restricted items; asked for by a person (--as), it
    waits for another person's approval."""
    moment = parse_now(now)
    with transaction() as session:
        council = get_council(session, council_slug)
        person = _person(session, login)
        today = to_oslo(resolve(moment)).date()
        current = [m for m in person.memberships if m.council_id == council.id]
        current = [
            m for m in current if seat_id == m.id or (seat_id is None and m.active_on(today))
        ]
        if len(current) != 1:
            listed = ", ".join(f"--seat {m.id} ({m.role})" for m in current) or "none today"
            raise UserError(f"{login} has {len(current)} seats in {council.slug}: {listed}")
        seating = update_membership(
            session,
            actor=load_actor(session, login_as),
            membership=current[0],
            valid_to=current[0].valid_to,
            cleared=True,
            now=moment,
        )
        click.echo(_seated(login, seating))


def _seated(login: str, seating: Seating) -> str:
    if seating.waiting is not None:
        grant = seating.waiting
        return (
            f"grant #{grant.id} waits for approval (venter på godkjenning): "
            f"{describe(grant, 'en')} for {login} in {grant.council.slug}"
        )
    given: Membership | None = seating.seat
    assert given is not None
    cleared = ", cleared" if given.cleared else ""
    return f"{login} sits in {given.council.slug} as {given.role} ({given.party}{cleared})"


@group.command("grants")
@council_option
def grants(council_slug) -> None:
    """List the grants that wait for approval, oldest first."""
    with transaction() as session:
        council = get_council(session, council_slug) if council_slug else None
        waiting = waiting_grants(session, council)
        for grant in waiting:
            click.echo(_line(grant))
        if not waiting:
            click.echo("nothing waits for approval")


def _line(grant: SeatGrant) -> str:
    asked = to_oslo(grant.requested_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"#{grant.id} {grant.state} {grant.council.slug} {grant.person.login}: "
        f"{describe(grant, 'en')}, asked for by {grant.requested_by.login} {asked}"
    )


def _decide(verb: str, decide, help: str):
    @group.command(verb, help=help)
    @click.argument("grant_id", type=int)
    @actor_option
    @now_option
    def command(grant_id, login, now) -> None:
        with transaction() as session:
            grant = decide(
                session,
                actor=load_actor(session, login),
                grant=get_grant(session, grant_id),
                now=parse_now(now),
            )
            click.echo(_line(grant))

    return command


approve = _decide(
    "approve", approve_grant, "Approve grant GRANT_ID (not one you asked for, nor one about you)."
)
refuse = _decide(
    "refuse", refuse_grant, "Refuse grant GRANT_ID (not one you asked for, nor one about you)."
)
withdraw = _decide("withdraw", withdraw_grant, "Withdraw grant GRANT_ID, which you asked for.")


@group.command("admin")
@click.argument("login")
@click.option("--grant/--revoke", "admin", required=True)
def admin(login: str, admin: bool) -> None:
    """Make LOGIN an installation administrator (who may change anyone's name, e-mail and
    activation), or no longer one; audited in every council."""
    with transaction() as session:
        set_installation_admin(
            session, actor=Actor.system(), person=_person(session, login), admin=admin
        )
    click.echo(f"{login} is {'an' if admin else 'no longer an'} installation administrator")


@group.command("update")
@click.argument("login")
@click.option("--name", "display_name")
@click.option("--email")
@as_person
def update(login: str, display_name: str | None, email: str | None, login_as: str) -> None:
    """Change LOGIN's name or e-mail address (the person, an installation administrator or
    the system); a changed address is told to the old one."""
    with transaction() as session:
        person = _person(session, login)
        update_person(
            session,
            actor=load_actor(session, login_as),
            person=person,
            display_name=person.display_name if display_name is None else display_name,
            email=person.email if email is None else email,
            locale=person.locale,
        )
    click.echo(f"updated {login}")


@group.command("deactivate")
@click.argument("login")
def deactivate(login: str) -> None:
    """Deactivate a person: they cannot log in, and every session they have open ends."""
    with transaction() as session:
        person = _person(session, login)
        set_active(session, actor=Actor.system(), person=person, active=False)
    click.echo(f"deactivated {login}; their sessions are ended")


@group.command("activate")
@click.argument("login")
def activate(login: str) -> None:
    """Let a deactivated person log in again."""
    with transaction() as session:
        set_active(session, actor=Actor.system(), person=_person(session, login), active=True)
    click.echo(f"activated {login}")


@group.command("password")
@click.argument("login")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def password(login: str, password: str) -> None:
    """Set a person's password (asks for it); every session they have open ends."""
    with transaction() as session:
        set_password(
            session, actor=Actor.system(), person=_person(session, login), password=password
        )
    click.echo(f"set the password of {login}; their sessions are ended")


@group.command("reset")
@click.argument("login")
@click.option(
    "--link", is_flag=True, help="E-mail a link to set a new password instead (needs SMTP)."
)
def reset(login: str, link: bool) -> None:
    """Give a person a one-time password (printed once), or with --link e-mail them a link;
    either way they choose a new password at their next login, and their sessions end."""
    with transaction() as session:
        person = _person(session, login)
        if link:
            send_reset_link(session, actor=Actor.system(), person=person)
        else:
            issued = set_one_time_password(session, actor=Actor.system(), person=person)
    if link:
        click.echo(f"queued a link to set a new password for {login} to {person.email}")
    else:
        click.echo(issued.password)
        click.echo(
            f"the one-time password of {login}, shown only now; "
            "they choose a new one at their next login",
            err=True,
        )


def _person(session: Session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login.strip().lower())).first()
    if person is None:
        raise UserError(f"no person with login '{login}'")
    return person
