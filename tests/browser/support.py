"""What the browser tests do often: log in, check a page with axe-core, take a screenshot."""

from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from engine.demo import DEMO_PASSWORD

SCREENSHOTS_ENV = "POLITIRAD_SCREENSHOTS"
"""Where the screenshots go: the README's folder under ``make screenshots``; otherwise the
tests take them into a temporary folder, so a test run leaves the tree as it found it."""

# Everything axe-core checks by default (WCAG 2.0/2.1 A and AA and its best practices),
# without the experimental rules.
_axe = Axe()


def log_in(page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person does."""
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(login)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    expect(page, f"{login} could not log in").not_to_have_url(re.compile(r"/login(\?|$)"))


def accessibility_violations(page) -> list[str]:
    """axe-core's violations on the page as shown, one line each (rule, impact, where)."""
    results = _axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        targets = ", ".join(
            " ".join(str(t) for t in node["target"]) for node in violation["nodes"][:5]
        )
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} [{targets}]")
    return lines


def assert_accessible(page) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def screenshot(page, name: str, folder: Path) -> Path:
    """Save the whole page as ``<name>.png`` in ``$POLITIRAD_SCREENSHOTS`` if set (``make
    screenshots`` sets it to ``docs/screenshots``, which the README shows), else in
    ``folder``."""
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
