"""Template filters: times stored in UTC shown in Europe/Oslo, in the page's language.

A page shows the same few days many times (due dates, meeting days), and Babel's
formatting is slow, so each text is made once per value, style and language.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale


def oslo_date(value: date | datetime | None, style: str = "medium") -> str:
    """``27. nov. 2026``; a time is first taken to its Oslo date."""
    if value is None:
        return ""
    return _date_text(value, style, str(get_locale()))


def oslo_datetime(value: datetime | None, style: str = "medium") -> str:
    """``27. nov. 2026, 14:05`` in Oslo time."""
    if value is None:
        return ""
    return _datetime_text(value, style, str(get_locale()))


@lru_cache(maxsize=4096)
def _date_text(value: date | datetime, style: str, locale: str) -> str:
    # ``locale`` is what the formatting below reads from the request: it keys the cache.
    if isinstance(value, datetime):
        return format_datetime(value, _date_only(style))
    return format_date(value, style)


@lru_cache(maxsize=4096)
def _datetime_text(value: datetime, style: str, locale: str) -> str:
    return format_datetime(value, "short" if style == "short" else "d. MMM y HH:mm")


def _date_only(style: str) -> str:
    return {"short": "dd.MM.y", "long": "d. MMMM y", "full": "EEEE d. MMMM y"}.get(
        style, "d. MMM y"
    )


def init_app(app: Flask) -> None:
    app.add_template_filter(oslo_date)
    app.add_template_filter(oslo_datetime)
