"""The app with the English catalogue compiled from the .po in the source tree, so tests
of the English pages do not depend on a build having run ``pybabel compile``."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy.orm import Session

from web.app import create_app

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"


def compile_catalogues(target: Path) -> Path:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under web/translations into ``target``."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        lang = po.parent.parent.name
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        out = target / lang / "LC_MESSAGES" / "messages.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_mo(fh, catalog)
    return target


def english_capable_app(engine, session: Session, tmp_path: Path):
    """The test app (requests on the test's connection) with freshly compiled catalogues."""
    connection = session.connection()

    def sessions(_writing: bool) -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return create_app(
        {
            "TESTING": True,
            "ENGINE": engine,
            "SESSIONS": sessions,
            "SECRET_KEY": "t",
            "BABEL_TRANSLATION_DIRECTORIES": str(compile_catalogues(tmp_path / "translations")),
        }
    )
