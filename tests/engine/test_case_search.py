"""Finding cases: filters, text and number search, pages and counts, all through the
access policy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.actors import Actor
from engine.models import Bydel
from engine.queries import CaseFilter, search_cases
from engine.services.cases import fire
from tests.engine.test_cases import NOW, agenda_item


def bydel(session, world, code):
    return session.scalars(
        select(Bydel).where(Bydel.council_id == world.council.id, Bydel.code == code)
    ).one()


def numbers(page):
    return [row.number for row in page.rows]


def test_cases_filter_by_bydel_and_by_the_police_unit_that_covers_it(session, world):
    grunerlokka = agenda_item(session, world, bydeler=[bydel(session, world, "02").id])
    frogner = agenda_item(session, world, bydeler=[bydel(session, world, "05").id])
    stovner = agenda_item(session, world, bydeler=[bydel(session, world, "11").id])
    actor = world.actor("sec")

    def found(**filters):
        return set(numbers(search_cases(session, actor, world.council, CaseFilter(**filters))))

    assert found(bydel="02") == {grunerlokka.number}
    assert found(unit="sentrum") == {grunerlokka.number, frogner.number}
    assert found(unit="vest") == {frogner.number}
    assert found(unit="ost") == {stovner.number}


def test_cases_filter_by_priority_area(session, world):
    drugs = agenda_item(session, world, priority_areas=[world.area(session, 2).id])
    agenda_item(session, world, priority_areas=[world.area(session, 4).id])
    page = search_cases(session, world.actor("sec"), world.council, CaseFilter(area=2))
    assert numbers(page) == [drugs.number]


def test_a_number_finds_its_case_and_words_find_titles(session, world):
    first = agenda_item(session, world, title="Trygghet på Grønland")
    second = agenda_item(session, world, title="Åpne rusmiljø på Vaterland")
    actor = world.actor("sec")
    assert numbers(search_cases(session, actor, world.council, CaseFilter(text=first.number))) == [
        first.number
    ]
    by_words = search_cases(session, actor, world.council, CaseFilter(text="rusmiljø"))
    assert numbers(by_words) == [second.number]


def test_search_wildcards_are_taken_literally(session, world):
    agenda_item(session, world, title="Trygghet på Grønland")
    page = search_cases(session, world.actor("sec"), world.council, CaseFilter(text="%"))
    assert page.total == 0


def test_overdue_lists_only_cases_with_a_passed_pending_deadline(session, world):
    item = agenda_item(session, world, data={"meeting_date": "2026-03-26"})
    agenda_item(session, world, title="Still a draft")
    fire(session, item, "propose", actor=world.actor("sec"), now=NOW)
    actor = world.actor("sec")

    def overdue(now):
        return search_cases(session, actor, world.council, CaseFilter(overdue=True), now=now)

    assert overdue(NOW).total == 0
    late = overdue(NOW + timedelta(days=60))  # past the intake deadline, 21 days before
    assert numbers(late) == [item.number]
    assert late.rows[0].overdue and late.rows[0].next_due is not None


def test_pages_split_the_list_and_the_total_counts_every_page(session, world):
    made = [agenda_item(session, world, title=f"Sak {n}").number for n in range(7)]
    actor = world.actor("sec")
    first = search_cases(session, actor, world.council, page=1, per_page=3)
    last = search_cases(session, actor, world.council, page=3, per_page=3)
    assert first.total == last.total == 7 and first.pages == 3
    assert numbers(first) == made[::-1][:3]
    assert numbers(last) == made[:1]


def test_the_public_count_leaves_out_restricted_cases(session, world):
    agenda_item(session, world)
    agenda_item(session, world, title="PST", access="restricted", public_title="Orientering")
    assert search_cases(session, Actor.public(), world.council).total == 1
    assert search_cases(session, world.actor("pmember"), world.council).total == 2
