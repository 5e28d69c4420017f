"""Accounts in the browser: the secretariat's one-time password, the forced change, the
reset link and "Mine innlogginger", each checked with axe-core, on a desktop and a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.models import OutboxMessage, Person
from engine.services.accounts import link_for, send_reset_link
from tests.browser.support import assert_accessible, log_in

SECRETARIAT = "sekretariat"
MEMBER = "enhetost"  # an uncleared member: the secretariat may give a one-time password
NEW = "blåbærsyltetøy på søndag"
PHONE = {"width": 375, "height": 740}
WIDEST = """Array.from(document.querySelectorAll("body *"))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 12).map(e => e.tagName + "." + e.className + " " + e.getBoundingClientRect().right)
  .join(" | ")"""


def on_a_phone(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    return page


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{page.url} scrolls {width}px sideways: {page.evaluate(WIDEST)}"


def test_a_one_time_password_is_given_then_changed_before_anything_else(new_context, live_server):
    with Session(live_server.engine) as session:
        member = session.scalars(select(Person).where(Person.login == MEMBER)).one()
        member_id = member.id
    secretariat = new_context().new_page()
    log_in(secretariat, SECRETARIAT)
    secretariat.goto(f"/oslo/admin/people/{member_id}")
    secretariat.get_by_role("button", name="Lag engangspassord").click()
    shown = secretariat.get_by_role("textbox", name="Engangspassord")
    expect(shown).to_be_visible()
    assert_accessible(secretariat)
    one_time = shown.input_value()

    phone = on_a_phone(new_context)
    phone.goto("/oslo/cases")
    phone.get_by_label("Brukernavn").fill(MEMBER)
    phone.get_by_label("Passord").fill(one_time)
    phone.get_by_role("main").get_by_role("button", name="Logg inn").click()
    expect(phone).to_have_url(re.compile(r"/me/password\?next="))
    expect(phone.get_by_text("Passordet ditt ble satt av noen andre")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    phone.get_by_label("Passordet du har nå").fill(one_time)
    phone.get_by_label("Nytt passord", exact=True).fill("1234567890")
    phone.get_by_label("Nytt passord en gang til").fill("1234567890")
    phone.get_by_role("button", name="Bytt passord").click()
    expect(phone.get_by_text("Passordet må ha minst 12 tegn.")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Passordet du har nå").fill(one_time)
    phone.get_by_label("Nytt passord", exact=True).fill(NEW)
    phone.get_by_label("Nytt passord en gang til").fill(NEW)
    phone.get_by_role("button", name="Bytt passord").click()
    expect(phone).to_have_url(re.compile(r"/oslo/cases$"))

    phone.get_by_role("link", name="Mine innlogginger").click()
    expect(phone.get_by_text("denne nettleseren")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)


def test_a_reset_link_leads_to_a_new_password_and_a_login(new_context, live_server):
    forgot = new_context().new_page()
    forgot.goto("/login")
    forgot.get_by_role("link", name="Glemt passord?").click()
    assert_accessible(forgot)
    forgot.get_by_label("Brukernavn eller e-post").fill("ingen@example.no")
    forgot.get_by_role("button", name="Send lenke").click()
    expect(forgot.get_by_text("Hvis vi kjenner adressen, har vi sendt en lenke.")).to_be_visible()
    assert_accessible(forgot)

    with Session(live_server.engine) as session:
        person = session.scalars(select(Person).where(Person.login == "leder")).one()
        send_reset_link(session, actor=Actor.system(), person=person, now=live_server.clock())
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == "password_reset")
        ).one()
        text = link_for(session, message, live_server.clock())
        session.commit()
    path = re.search(r"https?://[^/]+(/password/reset/\S+)", text).group(1)
    page = on_a_phone(new_context)
    page.goto(path)
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_label("Nytt passord", exact=True).fill(NEW)
    page.get_by_label("Nytt passord en gang til").fill(NEW)
    page.get_by_role("button", name="Lagre passordet").click()
    expect(page.get_by_text("Du har et nytt passord og er logget inn.")).to_be_visible()
    page.goto(path)
    expect(page.get_by_text("Lenken virker ikke")).to_be_visible()
    assert_accessible(page)
