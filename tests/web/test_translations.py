"""Norwegian Bokmål first, English on request: every msgid of every template and view has
its English, and a page chosen in English is in English."""

from __future__ import annotations

import re
from configparser import ConfigParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tests.web.conftest import log_in, post
from tests.web.english import TRANSLATIONS, english_capable_app

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_msgids() -> set[str | tuple[str, ...]]:
    """What ``pybabel extract -F babel.cfg -k _l -k lazy_gettext`` finds, in-process."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    method_map = [
        (pattern.strip(), method.strip())
        for section in config.sections()
        for method, pattern in [section.split(":", 1)]
    ]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, keywords=keywords
        )
    }


def english() -> dict:
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m for m in read_po(fh, locale="en") if m.id}


def test_every_norwegian_msgid_of_the_templates_and_views_has_its_english():
    catalogue = english()
    missing = []
    for msgid in source_msgids():
        found = catalogue.get(msgid)
        strings = () if found is None else found.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if found is None or not all(strings) or found.fuzzy:
            missing.append(msgid)
    assert not missing, (
        "msgids without English in web/translations/en/LC_MESSAGES/messages.po:\n"
        + "\n".join(sorted(map(repr, missing)))
    )


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    wrong = []
    for msgid, message in english().items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted and text:
                wrong.append(f"{msgid!r} → {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_is_found_by_the_extraction_settings():
    assert (ROOT / "babel.cfg").exists()
    assert len(source_msgids()) > 100


@pytest.fixture
def english_client(engine, session, tmp_path):
    return english_capable_app(engine, session, tmp_path).test_client()


def test_the_pages_are_norwegian_by_default(english_client):
    page = english_client.get("/login").get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert "Hopp til hovedinnhold" in page and "Logg inn" in page


def test_a_page_chosen_in_english_is_in_english(english_client):
    post(english_client, "/language", {"lang": "en", "next": "/login"})
    page = english_client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to main content" in page and "Username" in page
    assert "Hopp til hovedinnhold" not in page


def test_the_administration_in_english(english_client, session, world):
    log_in(english_client, session, world.people["sec"])
    post(english_client, "/language", {"lang": "en"})
    page = english_client.get("/testby/admin/people").get_data(as_text=True)
    assert "People and memberships" in page and "Register a new person" in page
    assert "Personer og medlemskap" not in page


def test_a_person_who_prefers_english_gets_it_at_login(english_client, session, world):
    person = world.people["leader"]
    person.locale = "en"
    session.flush()
    log_in(english_client, session, person)
    page = english_client.get("/login").get_data(as_text=True)
    assert "Log out" in page
