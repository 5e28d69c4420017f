"""``politirad workflows``: check, show and draw the workflow definitions."""

from __future__ import annotations

from pathlib import Path

import click

from engine.effects import EFFECTS
from engine.guards import GUARDS
from web.cli import UserError
from workflows.diagram import render_svg, render_text
from workflows.loader import DEFINITIONS_DIR, DefinitionError, load_all, load_definition


@click.group("workflows")
def group() -> None:
    """Workflow definitions."""


@group.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate FILES (default: the shipped workflows) and print every problem."""
    paths = [Path(f) for f in files] or sorted(DEFINITIONS_DIR.glob("*.yaml"))
    problems = []
    for path in paths:
        try:
            load_definition(path, guards=GUARDS.keys(), effects=EFFECTS.keys())
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    click.echo(f"{len(paths)} workflow definitions are valid")


def _definition(name: str):
    definitions = load_all(guards=GUARDS.keys(), effects=EFFECTS.keys())
    if name not in definitions:
        raise UserError(f"no workflow '{name}' (known: {', '.join(sorted(definitions))})")
    return definitions[name]


@group.command("show")
@click.argument("name")
@click.option("--locale", type=click.Choice(["nb", "en"]), default="nb")
def show(name: str, locale: str) -> None:
    """Print the states and transitions of workflow NAME."""
    click.echo(render_text(_definition(name), locale=locale))


@group.command("diagram")
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the SVG here.")
@click.option("--locale", type=click.Choice(["nb", "en"]), default="nb")
def diagram(name: str, out: str | None, locale: str) -> None:
    """Write an SVG state diagram of workflow NAME."""
    svg = render_svg(_definition(name), locale=locale)
    if out:
        Path(out).write_text(svg, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(svg)
