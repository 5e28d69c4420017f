"""The case pages: the list with its filters, the case page with its history, deadlines,
approvals and transitions, editing, opening a case, and what each person may see."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from engine.clock import use_clock
from engine.models import Bydel, Case, CaseEvent
from engine.services.cases import fire, open_case, update_case
from tests.clock import NOW
from tests.web.conftest import log_in, post


@pytest.fixture(autouse=True)
def clock():
    """The pages and the services see the same moment (the factories' Monday)."""
    with use_clock(lambda: NOW):
        yield


def item(session, world, title="Trygghet på Grønland", **kwargs):
    kwargs.setdefault("priority_areas", [world.area(session).id])
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=world.actor("sec"),
        **kwargs,
    )


def agreement(session, world, title="Samarbeidsavtale 2026–2028"):
    return open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title=title,
        actor=world.actor("sec"),
    )


def url(case, suffix=""):
    return f"/testby/cases/{case.year}/{case.seq}{suffix}"


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def events(session, case):
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    )


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_councils_cases_newest_first_with_their_state(client, session, world):
    first = item(session, world, "Trygghet på Grønland")
    second = item(session, world, "Åpne rusmiljø på Vaterland")
    log_in(client, session, world.people["kmember"])
    html = page(client, "/testby/cases")
    assert html.index(second.number) < html.index(first.number)
    assert "Åpne rusmiljø på Vaterland" in html and "Utkast" in html
    assert "2 saker" in text_of(html)


def test_the_list_filters_by_kind_text_bydel_and_priority_area(client, session, world):
    gronland = session.scalars(
        select(Bydel).where(Bydel.council_id == world.council.id, Bydel.code == "01")
    ).one()
    tagged = item(session, world, "Trygghet på Grønland", bydeler=[gronland.id])
    drugs = item(session, world, "Åpne rusmiljø", priority_areas=[world.area(session, 2).id])
    treaty = agreement(session, world)
    log_in(client, session, world.people["sec"])

    def shown(query):
        html = page(client, "/testby/cases?" + query)
        return {n for n in (tagged.number, drugs.number, treaty.number) if f">{n}<" in html}

    assert shown("kind=agreement_revision") == {treaty.number}
    assert shown("q=rusmiljø") == {drugs.number}
    assert shown(f"q={tagged.number}") == {tagged.number}
    assert shown("bydel=01") == {tagged.number}
    assert shown("area=2") == {drugs.number}
    assert shown("kind=agenda_item&state=draft") == {tagged.number, drugs.number}
    assert shown("overdue=1") == set()


def test_the_list_is_paged_and_the_links_keep_the_filters(client, session, world):
    for n in range(30):
        item(session, world, f"Sak nummer {n}")
    log_in(client, session, world.people["sec"])
    first = page(client, "/testby/cases?kind=agenda_item")
    assert "30 saker" in text_of(first) and "side 1 av 2" in text_of(first)
    assert 'href="/testby/cases?page=2&amp;kind=agenda_item"' in first or (
        "page=2" in first and "kind=agenda_item" in first
    )
    second = page(client, "/testby/cases?kind=agenda_item&page=2")
    assert len(re.findall(r'href="/testby/cases/2026/\d+"', second)) == 5
    assert ">2026/1<" in second and ">2026/30<" not in second


def test_a_restricted_case_is_absent_from_the_list_and_the_count_for_the_uncleared(
    client, session, world
):
    item(session, world, "Ordinær sak")
    item(
        session,
        world,
        "PST-informasjon om miljøet",
        access="restricted",
        public_title="Sikkerhetsorientering",
    )
    log_in(client, session, world.people["kmember"])  # not cleared
    html = page(client, "/testby/cases")
    assert "PST-informasjon" not in html and "Sikkerhetsorientering" not in html
    assert "1 sak" in text_of(html)
    searched = page(client, "/testby/cases?q=PST")
    assert "0 saker" in text_of(searched)


def test_an_exempt_case_shows_its_public_title_and_legal_basis_to_those_outside_the_council(
    client, session, world
):
    item(
        session,
        world,
        "Navngitt ungdom i Stovner",
        access="exempt",
        public_title="Oppfølging av ungdom",
        legal_basis="offl. § 13",
    )
    log_in(client, session, world.people["reporter"])
    html = page(client, "/testby/cases")
    assert "Oppfølging av ungdom" in html and "offl. § 13" in html
    assert "Navngitt ungdom" not in html
    assert "0 saker" in text_of(page(client, "/testby/cases?q=Navngitt"))


def test_the_case_pages_ask_for_login(client, session, world):
    case = item(session, world)
    for path in ("/testby/cases", url(case), "/testby/cases/new", "/testby/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the case page ------------------------------------------------------------------------


def test_the_case_page_shows_fields_history_deadlines_and_the_diagram(client, session, world):
    case = item(session, world, data={"meeting_date": "2026-03-25"})
    fire(session, case, "propose", actor=world.actor("sec"), comment="Til neste møte")
    log_in(client, session, world.people["kmember"])
    html = page(client, url(case))
    words = text_of(html)
    assert "<h1>" in html and "Trygghet på Grønland" in html
    assert "Innmeldt" in words  # the state
    assert "Utkast → Innmeldt" in words and "Til neste møte" in words  # from → to, comment
    assert "Sec (Kommunen)" in words  # who and party
    assert "Innmeldingsfrist" in words and "4. mars 2026" in words  # the intake deadline
    assert url(case, "/diagram.svg") in html
    assert 'include "cases/_documents.html"' not in html


def test_the_diagram_marks_the_current_state_and_the_path_taken(client, session, world):
    case = item(session, world)
    fire(session, case, "propose", actor=world.actor("sec"))
    log_in(client, session, world.people["sec"])
    response = client.get(url(case, "/diagram.svg"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.get_data(as_text=True))
    ns = {"s": "http://www.w3.org/2000/svg"}
    kinds = {
        g.get("data-state"): g.get("class")
        for g in root.iterfind(".//s:g", ns)
        if g.get("data-state")
    }
    assert "current" in kinds["proposed"] and "passed" in kinds["draft"]
    assert "current" not in kinds["scheduled"] and "passed" not in kinds["scheduled"]


def test_every_transition_is_a_button_when_allowed_and_a_reason_when_not(client, session, world):
    case = item(session, world)
    log_in(client, session, world.people["sec"])
    html = page(client, url(case))
    assert f'action="{url(case, "/transitions/propose")}"' in html
    assert f'name="version" value="{case.version}"' in html
    log_in(client, session, world.people["guest"])
    blocked = page(client, url(case))
    assert "/transitions/propose" not in blocked
    assert "Ikke mulig nå" in blocked
    assert (
        "Din rolle (gjest) kan ikke gjøre «Meld inn»; "
        "det krever medlem eller rapportør eller sekretariatet." in blocked
    )


def test_firing_a_transition_moves_the_case_and_audits_the_comment(client, session, world):
    case = item(session, world)
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        url(case, "/transitions/propose"),
        {"version": case.version, "comment": "Klar for møtet"},
    )
    assert response.status_code == 302 and response.headers["Location"] == url(case)
    session.refresh(case)
    assert case.state == "proposed"
    assert events(session, case)[-1].comment == "Klar for møtet"
    assert "Utført: Meld inn." in page(client, url(case))


def test_a_transition_asks_for_the_fields_it_requires_and_keeps_what_was_typed(
    client, session, world
):
    treaty = agreement(session, world)
    log_in(client, session, world.people["sec"])
    html = page(client, url(treaty))
    assert 'name="data.agreement_text"' in html  # negotiate requires the agreement's text
    refused = post(
        client,
        url(treaty, "/transitions/negotiate"),
        {"version": treaty.version, "comment": "Forhandlet i møte 3. mars"},
    )
    assert refused.status_code == 409
    again = refused.get_data(as_text=True)
    assert "Avtaletekst må fylles ut." in again and "Forhandlet i møte 3. mars" in again
    accepted = post(
        client,
        url(treaty, "/transitions/negotiate"),
        {"version": treaty.version, "data.agreement_text": "§ 1 Formål"},
    )
    assert accepted.status_code == 302
    session.refresh(treaty)
    assert treaty.state == "negotiated" and treaty.data["agreement_text"] == "§ 1 Formål"


def test_a_two_party_transition_records_each_party_and_shows_who_is_awaited(
    client, session, world, app
):
    treaty = agreement(session, world)
    fire(session, treaty, "negotiate", actor=world.actor("sec"), data={"agreement_text": "§ 1"})
    log_in(client, session, world.people["leader"])
    first = post(client, url(treaty, "/transitions/endorse"), {"version": treaty.version})
    assert first.status_code == 302
    html = page(client, url(treaty))
    assert "Venter på: Politiet" in text_of(html)
    assert "Kommunen: godkjent av Leader" in text_of(html)
    assert "Politiet: venter på Deputy" in text_of(html)  # who may still give it
    assert "Kommunen har allerede godkjent (testby-leader)" in html  # not twice
    deputy = app.test_client()
    log_in(deputy, session, world.people["deputy"])
    session.refresh(treaty)
    assert (
        post(deputy, url(treaty, "/transitions/endorse"), {"version": treaty.version}).status_code
        == 302
    )
    session.refresh(treaty)
    assert treaty.state == "endorsed"


def test_a_stale_form_is_refused_with_what_changed(client, session, world):
    case = item(session, world)
    old = case.version
    update_case(session, case, actor=world.actor("leader"), changes={"title": "Ny tittel"})
    log_in(client, session, world.people["sec"])
    response = post(client, url(case, "/transitions/propose"), {"version": old})
    assert response.status_code == 409
    words = text_of(response.get_data(as_text=True))
    assert "Noen endret sak" in words and "Leader" in words  # who changed it since
    session.refresh(case)
    assert case.state == "draft"


def test_a_person_without_the_role_gets_403_when_posting_anyway(client, session, world):
    case = item(session, world)
    log_in(client, session, world.people["guest"])
    response = post(client, url(case, "/transitions/propose"), {"version": case.version})
    assert response.status_code == 403
    session.refresh(case)
    assert case.state == "draft"


def test_a_restricted_case_is_404_to_the_uncleared_and_shown_to_the_cleared(
    client, session, world, app
):
    secret = item(
        session,
        world,
        "PST-informasjon om miljøet",
        access="restricted",
        public_title="Sikkerhetsorientering",
    )
    log_in(client, session, world.people["kmember"])
    for suffix in ("", "/diagram.svg"):
        assert client.get(url(secret, suffix)).status_code == 404
    assert post(client, url(secret, "/transitions/propose"), {"version": 1}).status_code == 404
    assert post(client, url(secret, "/edit"), {"title": "x"}).status_code == 404
    cleared = app.test_client()
    log_in(cleared, session, world.people["pmember"])
    assert "PST-informasjon om miljøet" in page(cleared, url(secret))


def test_an_exempt_case_page_shows_only_its_public_title_to_those_outside_the_council(
    client, session, world
):
    case = item(
        session,
        world,
        "Navngitt ungdom i Stovner",
        access="exempt",
        public_title="Oppfølging av ungdom",
        legal_basis="offl. § 13",
    )
    log_in(client, session, world.people["reporter"])
    html = page(client, url(case))
    assert "Oppfølging av ungdom" in html and "offl. § 13" in html
    assert "Navngitt" not in html and "Historikk" not in html and "/transitions/" not in html
    assert client.get(url(case, "/diagram.svg")).status_code == 404


def test_a_missing_case_is_404(client, session, world):
    log_in(client, session, world.people["sec"])
    assert client.get("/testby/cases/2026/999").status_code == 404
    assert client.get("/nowhere/cases/2026/1").status_code == 404


# --- editing -------------------------------------------------------------------------------


def edit_form(case, **changes):
    form = {
        "version": case.version,
        "title": case.title,
        "access": case.access,
        "public_title": "",
        "legal_basis": "",
        "priority_areas": [str(a.id) for a in case.priority_areas],
    }
    form.update(changes)
    return form


def test_editing_changes_fields_and_tags_and_the_history_shows_old_and_new(client, session, world):
    case = item(session, world, "Trygghet på Grønland")
    bydel = session.scalars(
        select(Bydel).where(Bydel.council_id == world.council.id, Bydel.code == "01")
    ).one()
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        url(case, "/edit"),
        edit_form(
            case, title="Trygghet i Gamle Oslo", bydeler=[str(bydel.id)], comment="Presisert"
        ),
    )
    assert response.status_code == 302
    session.refresh(case)
    assert case.title == "Trygghet i Gamle Oslo" and [b.code for b in case.bydeler] == ["01"]
    words = text_of(page(client, url(case)))
    assert "Trygghet på Grønland → Trygghet i Gamle Oslo" in words
    assert "– → Gamle Oslo" in words and "Presisert" in words


def test_a_refused_edit_shows_the_message_beside_the_field_and_keeps_the_input(
    client, session, world
):
    case = item(session, world)
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        url(case, "/edit"),
        edit_form(case, title="Skjermet tittel", access="exempt", public_title="Offentlig tittel"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Må fylles ut når saken er unntatt offentlighet." in html  # beside the field
    assert 'value="Skjermet tittel"' in html and 'value="Offentlig tittel"' in html
    session.refresh(case)
    assert case.title == "Trygghet på Grønland"


def test_editing_data_fields_saves_them_for_the_next_transition(client, session, world):
    case = item(session, world)
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        url(case, "/edit"),
        edit_form(case, **{"data.memo": "Saksframlegg om trygghet", "data.access_assessed": "1"}),
    )
    assert response.status_code == 302
    session.refresh(case)
    assert case.data["memo"] == "Saksframlegg om trygghet" and case.data["access_assessed"] is True


def test_only_editors_see_the_edit_form(client, session, world):
    case = item(session, world)
    log_in(client, session, world.people["kmember"])
    assert "/edit" not in page(client, url(case))
    assert post(client, url(case, "/edit"), edit_form(case, title="x")).status_code == 403


# --- opening a case ------------------------------------------------------------------------


def test_opening_a_case_registers_it_and_shows_its_page(client, session, world):
    log_in(client, session, world.people["kmember"])
    form = page(client, "/testby/cases/new")
    assert 'name="kind"' in form and "Møte i politirådet" not in form  # meetings elsewhere
    response = post(
        client,
        "/testby/cases/new",
        {
            "kind": "agenda_item",
            "title": "Belysning i parken",
            "access": "public",
            "priority_areas": [str(world.area(session, 1).id)],
        },
    )
    assert response.status_code == 302
    case = session.scalars(select(Case).where(Case.title == "Belysning i parken")).one()
    assert response.headers["Location"] == url(case)
    assert case.created_by_id == world.people["kmember"].id and case.state == "draft"


def test_a_new_case_without_a_title_is_refused_and_keeps_what_was_typed(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/cases/new",
        {"kind": "agenda_item", "title": " ", "access": "exempt", "legal_basis": "offl. § 13"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Saken må ha en tittel." in html and "Må fylles ut." in html
    assert 'value="offl. § 13"' in html


def test_those_who_may_open_no_case_get_403(client, session, world):
    log_in(client, session, world.people["guest"])
    assert client.get("/testby/cases/new").status_code == 403
    log_in(client, session, world.people["outsider"])
    assert client.get("/testby/cases/new").status_code == 403
