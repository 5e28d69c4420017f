"""What the browser tests do often: log in, check a page with axe-core, take a screenshot."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from engine.demo import DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Everything axe-core checks by default (WCAG 2.0/2.1 A and AA and its best practices),
# without the experimental rules.
_axe = Axe()


def log_in(page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person does."""
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(login)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{login} could not log in: {page.url}"


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


def screenshot(page, name: str) -> Path:
    """Save the whole page as ``docs/screenshots/<name>.png`` (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
