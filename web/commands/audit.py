"""``politirad audit``: prove the chain of events."""

from __future__ import annotations

import click

from engine import audit as chain
from web.cli import UserError, transaction


@click.group("audit")
def group() -> None:
    """The audit chain."""


@group.command("verify")
@click.option("--head", "expected", help="SEQ:HASH kept outside the database (audit head).")
def verify(expected: str | None) -> None:
    """Check every event's hash and link; name the first broken one."""
    head = None
    if expected:
        seq, _, digest = expected.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter("expected SEQ:HASH as printed by `politirad audit head`")
        head = (int(seq), digest)
    with transaction() as session:
        result = chain.verify(session, expected_head=head)
    if not result.ok:
        raise UserError(f"audit chain broken: {result.problem}")
    click.echo(f"audit chain intact: {result.checked} events, head {result.head_seq}")


@group.command("head")
def head() -> None:
    """Print SEQ:HASH of the newest event, to keep outside the database."""
    with transaction() as session:
        seq, digest = chain.head(session)
    click.echo(f"{seq}:{digest}")
