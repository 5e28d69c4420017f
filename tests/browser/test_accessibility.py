"""WCAG 2.1 AA in the browser: axe-core finds nothing on any main page, and a page can be
used with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Action, Case, Meeting, Person, Referral
from tests.browser.support import accessibility_violations, assert_accessible, log_in

SECRETARIAT = "sekretariat"
UNCLEARED_MEMBER = "enhetost"


@pytest.fixture(scope="module")
def demo(live_server) -> dict[str, str]:
    """Addresses of the demo's objects, looked up rather than assumed."""
    with Session(live_server.engine) as session:
        meetings = {m.case.state: m for m in session.scalars(select(Meeting))}
        agenda_item = session.scalars(
            select(Case).where(Case.kind == "agenda_item", Case.state == "follow_up")
        ).first()

        def meeting(state: str) -> str:
            m = meetings[state]
            return f"/oslo/meetings/{m.year}/{m.number}"

        return {
            "case": f"/oslo/cases/{agenda_item.year}/{agenda_item.seq}",
            "convened": meeting("convened"),
            "on_review": meeting("minutes_review"),
            "published": meeting("published"),
            "public_convened": "/public" + meeting("convened"),
            "public_published": "/public" + meeting("published"),
        }


@pytest.fixture(scope="module")
def secretariat(browser, live_server):
    """One browser, logged in as the demo secretariat, for the module's read-only visits."""
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    page = context.new_page()
    log_in(page, SECRETARIAT)
    yield page
    context.close()


COUNCIL_PAGES = {
    "dashboard": "/oslo/",
    "case list, filtered": "/oslo/cases?kind=agenda_item&overdue=0&q=oslo",
    "new case": "/oslo/cases/new",
    "year plan": "/oslo/meetings",
    "follow-up list": "/oslo/follow-up",
}
DEMO_PAGES = {
    "case page": ("case", ""),
    "meeting page, convened": ("convened", ""),
    "meeting page, minutes on review": ("on_review", ""),
    "notice": ("convened", "/notice"),
    "minutes": ("published", "/minutes"),
}
PUBLIC_PAGES = {
    "front page": "/",
    "login": "/login",
    "councils": "/public/",
    "meeting calendar": "/public/oslo/",
}


@pytest.mark.parametrize("path", COUNCIL_PAGES.values(), ids=COUNCIL_PAGES.keys())
def test_council_pages_have_no_accessibility_violations(secretariat, path):
    response = secretariat.goto(path)
    assert response.status == 200, path
    assert_accessible(secretariat)


@pytest.mark.parametrize("which", DEMO_PAGES.values(), ids=DEMO_PAGES.keys())
def test_case_and_meeting_pages_have_no_accessibility_violations(secretariat, demo, which):
    key, suffix = which
    response = secretariat.goto(demo[key] + suffix)
    assert response.status == 200, demo[key] + suffix
    assert_accessible(secretariat)


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_have_no_accessibility_violations(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    assert_accessible(page)


@pytest.mark.parametrize("key", ["public_convened", "public_published"])
def test_public_agendas_and_minutes_have_no_accessibility_violations(page, demo, key):
    response = page.goto(demo[key])
    assert response.status == 200, demo[key]
    assert_accessible(page)


def test_the_not_found_page_has_no_accessibility_violations(page):
    response = page.goto("/public/no-such-council/")
    assert response.status == 404
    assert_accessible(page)


def test_the_not_found_page_of_a_council_has_no_accessibility_violations(secretariat):
    response = secretariat.goto("/oslo/cases/1999/1")
    assert response.status == 404
    assert_accessible(secretariat)


def test_the_forbidden_page_has_no_accessibility_violations(as_person):
    page = as_person(UNCLEARED_MEMBER)
    response = page.goto("/oslo/admin")
    assert response.status == 403
    assert_accessible(page)


def test_a_stale_form_gets_the_conflict_page_with_what_changed(new_context, live_server):
    """Two tabs on one case: the second tab's form is stale once the first has saved."""
    with Session(live_server.engine) as session:
        draft = session.scalars(
            select(Case).where(Case.kind == "agenda_item", Case.state == "draft")
        ).first()
        path = f"/oslo/cases/{draft.year}/{draft.seq}"
        editor = session.scalar(select(Person.display_name).where(Person.login == SECRETARIAT))
    context = new_context()
    first, second = context.new_page(), context.new_page()
    log_in(first, SECRETARIAT)
    for tab in (first, second):
        tab.goto(path)
        tab.locator("summary", has_text="Endre saken").click()
    first.locator("#edit-title").fill("Ungdomsstraff: ny tittel fra første fane")
    with first.expect_navigation():
        first.get_by_role("button", name="Lagre endringene").click()
    second.locator("#edit-title").fill("Ungdomsstraff: en annen tittel fra andre fane")
    with second.expect_navigation() as navigation:
        second.get_by_role("button", name="Lagre endringene").click()
    assert navigation.value.status == 409
    changes = second.locator("table.changes tbody tr")
    expect(changes, "the one change since the form was opened").to_have_count(1)
    expect(changes, "the page says who changed the case").to_contain_text(editor)
    back = second.get_by_role("link", name="Åpne saken på nytt og prøv igjen")
    expect(back).to_have_attribute("href", re.compile(re.escape(path) + "$"))
    assert_accessible(second)


def _path_values(session: Session, demo: dict[str, str]) -> dict[str, object]:
    """A value for every argument a page's address may need, from the demo."""
    _, _, case_year, case_seq = demo["case"].strip("/").split("/")
    _, _, meeting_year, meeting_number = demo["on_review"].strip("/").split("/")
    values: dict[str, object] = {
        "council": "oslo",
        "council_slug": "oslo",
        "seq": int(case_seq),
        "case_year": int(case_year),
        "number": int(meeting_number),
        "meeting_year": int(meeting_year),
        "person_id": session.scalar(select(Person.id).where(Person.login == UNCLEARED_MEMBER)),
        "action_id": session.scalar(select(Action.id).order_by(Action.id)),
        "referral_id": session.scalar(select(Referral.id).order_by(Referral.id)),
    }
    return {key: value for key, value in values.items() if value is not None}


def _html_pages(app, values: dict[str, object]) -> list[str]:
    """Every GET page of the app that the demo can fill in (documents, feeds, the API and
    the diagram answer with other formats)."""
    skip = ("/api/", "/static/", "/feeds/", "/documents/", "/health")
    adapter = app.url_map.bind("localhost")
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(part in rule.rule for part in skip):
            continue
        if re.search(r"\.(svg|ics|csv|json)$", rule.rule):
            continue
        given = dict(values)
        year = "case_year" if "seq" in rule.arguments else "meeting_year"
        if year in given:
            given["year"] = given[year]
        if not set(rule.arguments) <= set(given):
            continue
        paths.add(adapter.build(rule.endpoint, {a: given[a] for a in rule.arguments}))
    return sorted(paths)


def test_every_html_page_of_the_app_has_no_accessibility_violations(secretariat, live_server, demo):
    """A sweep over the URL map, so a page added later is checked without being listed."""
    with Session(live_server.engine) as session:
        paths = _html_pages(live_server.app, _path_values(session, demo))
    assert "/oslo/admin/people" in paths and "/public/oslo/" in paths
    problems = []
    for path in paths:
        response = secretariat.goto(path)
        assert response.status == 200, path
        problems += [f"{path}: {line}" for line in accessibility_violations(secretariat)]
    assert not problems, "\n".join(problems)


def test_the_login_form_works_with_the_keyboard_alone(page):
    page.goto("/login")
    # The form takes the focus at once (autofocus), so typing starts there.
    expect(page.locator("#login")).to_be_focused()
    page.keyboard.type(SECRETARIAT)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type("politirad-demo")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


def test_the_case_search_works_with_the_keyboard_alone(secretariat):
    secretariat.goto("/oslo/cases")
    secretariat.keyboard.press("Tab")
    expect(secretariat.locator(".skip-link")).to_be_focused()
    secretariat.keyboard.press("Enter")
    search = secretariat.get_by_role("searchbox").or_(secretariat.get_by_label(re.compile("^Søk")))
    search = search.first
    for _ in range(30):
        secretariat.keyboard.press("Tab")
        if search.evaluate("field => field === document.activeElement"):
            break
    expect(search, "Tab reaches search").to_be_focused()
    secretariat.keyboard.type("rusmiljø")
    secretariat.keyboard.press("Enter")
    expect(secretariat).to_have_url(re.compile(r"q=rusmilj%C3%B8"))
    results = secretariat.get_by_role("main").get_by_role("table")
    expect(results.get_by_text(re.compile("åpne rusmiljø")).first).to_be_visible()
    expect(results.get_by_text(re.compile("Kriminelle nettverk"))).to_have_count(0)
