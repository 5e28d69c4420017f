"""A whole council cycle through the browser, each person in a browser of their own.

The secretariat plans the year, registers two items (one exempt from public access, one
restricted) and puts them on the year's first meeting; the leader (municipality) and
the deputy (police) fix the agenda; the secretariat convenes and holds the meeting,
records attendance and the outcomes; both parties approve the decision, which gets a
follow-up action; the minutes are drafted, commented on, approved by both parties and
published. Then the scheduler ticks past the action's due date: the action is overdue
on the owner's dashboard, on the follow-up list and on the next meeting's agenda, and
the public sees the exempt item's public title and legal basis and nothing of the
restricted one.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import OSLO, next_working_day
from engine.models import Meeting
from engine.scheduler import tick
from tests.browser.support import log_in, screenshot

EXEMPT_TITLE = "Sikring av Holmenkollen skifestival: patruljeplan og sårbarheter"
EXEMPT_PUBLIC_TITLE = "Trygghet under Holmenkollen skifestival"
LEGAL_BASIS = "offl. § 24 tredje ledd"
RESTRICTED_TITLE = "Trusselvurdering fra PST: nettverk med tilknytning til Groruddalen"
RESTRICTED_PUBLIC_TITLE = "Orientering om trusselbildet"
DECISION = "Kommunen og politiet lager en felles sikringsplan for skifestivalen."
ACTION = "Utarbeide felles sikringsplan for skifestivalen"
COMMENT = "Punkt 4 bør nevne at Bydel Vestre Aker deltar."


def click(page: Page, name: str) -> None:
    """Press the button named ``name`` and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def fire(page: Page, label: str, fields: dict[str, str | bool] | None = None) -> None:
    """Fire a transition from the page's transition forms (fields by their label; True
    ticks a checkbox)."""
    form = page.locator("form.transition-form").filter(
        has=page.get_by_role("button", name=label, exact=True)
    )
    if form.count() != 1:
        shown = page.locator("section.transitions").all_inner_texts()
        raise AssertionError(f"no form to {label!r} on {page.url}: {shown}")
    for field, value in (fields or {}).items():
        if value is True:
            form.get_by_label(field).check()
        else:
            form.get_by_label(field).fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".form-error")).to_have_count(0)


def state_of(page: Page) -> str:
    return page.locator("dl.facts").inner_text()


def agenda_item(page: Page, title: str):
    """The agenda item whose heading names ``title``."""
    heading = page.get_by_role("heading", level=3, name=re.compile(re.escape(title)))
    return page.locator("li.agenda-item").filter(has=heading)


def record_outcome(page: Page, title: str, outcome: str, text: str) -> None:
    item = agenda_item(page, title)
    item.locator("summary", has_text="Registrer utfall").click()
    item.get_by_label("Utfall").select_option(outcome)
    item.get_by_label("Vedtakstekst, begrunnelse eller merknad").fill(text)
    with page.expect_navigation():
        item.get_by_role("button", name="Registrer utfall").click()
    expect(page.locator(".form-error")).to_have_count(0)


def case_number(path: str) -> str:
    """``2026/24`` from a case page's path."""
    return "/".join(path.rsplit("/", 2)[-2:])


def open_item(page: Page, title: str, access: str, public_title: str, basis: str) -> str:
    """Register an agenda item through the new-case form; returns its page's path."""
    page.goto("/oslo/cases/new")
    page.get_by_label("Type sak").select_option("agenda_item")
    page.get_by_label("Tittel", exact=True).fill(title)
    page.get_by_label("Tilgang").select_option(access)
    page.get_by_label("Offentlig tittel").fill(public_title)
    page.get_by_label("Hjemmel for skjerming").fill(basis)
    page.get_by_label("Vestre Aker").check()
    page.get_by_label("6. Hatkriminalitet").check()
    click(page, "Opprett saken")
    expect(page).to_have_url(re.compile(r"/oslo/cases/\d{4}/\d+$"))
    fire(page, "Meld inn")
    return urlsplit(page.url).path


def test_a_council_cycle_runs_from_the_browser(live_server, as_person, page, tmp_path: Path):
    secretariat = as_person("sekretariat")
    leader = as_person("leder")
    deputy = as_person("politimester")
    year = live_server.clock.today().year + 1

    # The secretariat plans next year: one ordinary meeting a quarter and the seminar.
    secretariat.goto(f"/oslo/meetings?year={year}")
    click(secretariat, f"Planlegg {year}")
    for quarter in range(1, 5):
        expect(secretariat.locator(f"#q{quarter} ~ table").first).to_contain_text(f"/{year}")
    with Session(live_server.engine) as session:
        first, second = session.scalars(
            select(Meeting)
            .where(Meeting.year == year, Meeting.kind == "ordinary")
            .order_by(Meeting.date)
            .limit(2)
        )
        meeting_path = f"/oslo/meetings/{year}/{first.number}"
        next_meeting_path = f"/oslo/meetings/{year}/{second.number}"
        first_date = first.date

    # Two items registered and proposed: one exempt, one restricted (PST).
    exempt = open_item(secretariat, EXEMPT_TITLE, "exempt", EXEMPT_PUBLIC_TITLE, LEGAL_BASIS)
    restricted = open_item(
        secretariat, RESTRICTED_TITLE, "restricted", RESTRICTED_PUBLIC_TITLE, LEGAL_BASIS
    )

    # The agenda: the meeting's agenda is opened and both items are put on it.
    secretariat.goto(meeting_path)
    fire(secretariat, "Start arbeid med saksliste")
    for path in (exempt, restricted):
        place = secretariat.get_by_label("Innmeldt sak")
        option = place.locator("option").filter(has_text=re.compile(rf"^{case_number(path)} "))
        place.select_option(option.get_attribute("value"))
        click(secretariat, "Sett på sakslisten")
    agenda = secretariat.locator("#agenda")
    expect(agenda).to_contain_text(EXEMPT_TITLE)
    expect(agenda).to_contain_text(RESTRICTED_TITLE)

    # The papers: public access assessed (edit), then the memo is ready.
    for path in (exempt, restricted):
        secretariat.goto(path)
        secretariat.locator("summary", has_text="Endre saken").click()
        secretariat.get_by_label("Offentlighet vurdert").check()
        click(secretariat, "Lagre endringene")
        fire(secretariat, "Meld saksframlegg klart", {"Saksframlegg": "Saksframlegget ligger ved."})
        expect(secretariat.locator(".state-badge")).to_have_text("Saksframlegg klart")

    # Both parties fix the agenda, each in their own browser; the secretariat convenes.
    for approver in (leader, deputy):
        approver.goto(meeting_path)
        fire(approver, "Godkjenn: Fastsett saksliste")
    expect(deputy.locator("dl.facts")).to_contain_text("Saksliste fastsatt")
    secretariat.goto(meeting_path)
    fire(secretariat, "Send innkalling")
    expect(secretariat.locator("dl.facts")).to_contain_text("Innkalt")
    secretariat.goto(meeting_path + "/notice")
    expect(secretariat.get_by_role("main")).to_contain_text(EXEMPT_TITLE)

    # The meeting is held: attendance, the outcomes, and the decision's two approvals.
    secretariat.goto(meeting_path)
    fire(secretariat, "Registrer som avholdt")
    for attendance in secretariat.locator("select[name^='attendance-']").all():
        attendance.select_option("present")
    click(secretariat, "Lagre oppmøte")
    record_outcome(secretariat, EXEMPT_TITLE, "decided", DECISION)
    record_outcome(
        secretariat, RESTRICTED_TITLE, "noted", "Orienteringen ble tatt til etterretning."
    )
    for approver in (leader, deputy):
        approver.goto(meeting_path)
        item = agenda_item(approver, EXEMPT_TITLE)
        with approver.expect_navigation():
            item.get_by_role("button", name=re.compile("^Godkjenn beslutningen")).click()
    expect(agenda_item(deputy, EXEMPT_TITLE)).to_contain_text("Omforent beslutning")

    # The decision gets a follow-up action, owned by the leader.
    due = next_working_day(first_date + timedelta(days=21))
    secretariat.goto(meeting_path)
    item = agenda_item(secretariat, EXEMPT_TITLE)
    item.locator("summary", has_text="Nytt oppfølgingspunkt").click()
    item.get_by_label("Hva skal gjøres").fill(ACTION)
    item.get_by_label("Ansvarlig part").select_option("municipality")
    item.get_by_label("Ansvarlig person").select_option(label="Marte Kvaløy Berntsen")
    item.get_by_label("Frist").fill(due.isoformat())
    click(secretariat, "Registrer oppfølgingspunkt")
    expect(agenda_item(secretariat, EXEMPT_TITLE)).to_contain_text(ACTION)

    # The minutes: drafted, on review with a comment, approved by both, published.
    fire(secretariat, "Start referatutkast")
    fire(secretariat, "Send referat på kommentarrunde")
    leader.goto(meeting_path + "/minutes")
    # The minutes are one text for everyone: an exempt item by its public title and basis.
    minutes = leader.locator("article.minutes")
    expect(minutes).to_contain_text(f"{EXEMPT_PUBLIC_TITLE} (sak {case_number(exempt)})")
    expect(minutes).to_contain_text(LEGAL_BASIS)
    expect(minutes).not_to_contain_text(EXEMPT_TITLE)
    leader.get_by_label("Din kommentar").fill(COMMENT)
    click(leader, "Send kommentar")
    expect(leader.locator("#comments")).to_contain_text(COMMENT)
    for approver in (leader, deputy):
        approver.goto(meeting_path)
        fire(approver, "Godkjenn: Godkjenn referat")
    secretariat.goto(meeting_path)
    fire(secretariat, "Publiser")
    expect(secretariat.locator("dl.facts")).to_contain_text("Publisert")

    # Before the due date the action is on the leader's dashboard, not overdue.
    leader.goto("/oslo/")
    mine = leader.locator("section[aria-labelledby='actions-h'] tr").filter(has_text=ACTION)
    expect(mine).to_have_count(1)
    expect(mine).not_to_contain_text("forfalt")

    # The scheduler ticks the morning after the due date; the council lives on from there.
    morning = datetime.combine(due + timedelta(days=1), time(7, 30), tzinfo=OSLO)
    tick(live_server.engine, now=morning)
    live_server.clock.travel_to(morning)

    log_in(leader, "leder")  # weeks later, the old login session has expired
    leader.goto("/oslo/")
    mine = leader.locator("section[aria-labelledby='actions-h'] tr").filter(has_text=ACTION)
    expect(mine).to_contain_text("forfalt")
    expect(leader.locator("section[aria-labelledby='inbox-h']")).to_contain_text(
        "Dette venter på deg"
    )

    log_in(secretariat, "sekretariat")
    secretariat.goto("/oslo/follow-up")
    first_row = secretariat.locator("table.follow-up tbody tr").first
    expect(first_row).to_contain_text(ACTION)
    expect(first_row).to_contain_text("Forfalt")
    secretariat.goto(next_meeting_path)
    fire(secretariat, "Start arbeid med saksliste")
    follow_up = agenda_item(secretariat, "Oppfølgingsliste")
    expect(follow_up.locator("tr").filter(has_text=ACTION)).to_contain_text("Forfalt")

    # The public sees the exempt item's public title and legal basis, nothing more.
    public_path = "/public" + meeting_path
    response = page.goto(public_path)
    assert response.status == 200
    public = page.get_by_role("main")
    expect(public).to_contain_text(EXEMPT_PUBLIC_TITLE)
    expect(public).to_contain_text(LEGAL_BASIS)
    for secret in (EXEMPT_TITLE, RESTRICTED_TITLE, DECISION, ACTION, COMMENT):
        expect(public, f"the public page shows {secret!r}").not_to_contain_text(secret)
    for path in ("/public/oslo/", "/public/oslo/meetings/" + str(year)):
        if page.goto(path).status == 200:
            body = page.get_by_role("main")
            expect(body).not_to_contain_text(EXEMPT_TITLE)
            expect(body).not_to_contain_text(RESTRICTED_TITLE)

    if live_server.db_kind == "sqlite":
        screenshot(leader, "dashboard", tmp_path)
        secretariat.goto(exempt)
        screenshot(secretariat, "case-page", tmp_path)
        secretariat.goto(meeting_path)
        screenshot(secretariat, "meeting-page", tmp_path)
        page.goto("/public/oslo/")
        screenshot(page, "public-calendar", tmp_path)
