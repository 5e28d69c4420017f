"""Template filters: times stored in UTC shown in Europe/Oslo, in the page's language."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime


def oslo_date(value: date | datetime | None, style: str = "medium") -> str:
    """``27. nov. 2026``; a time is first taken to its Oslo date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, _date_only(style))
    return format_date(value, style)


def oslo_datetime(value: datetime | None, style: str = "medium") -> str:
    """``27. nov. 2026, 14:05`` in Oslo time."""
    if value is None:
        return ""
    return format_datetime(value, "short" if style == "short" else "d. MMM y HH:mm")


def _date_only(style: str) -> str:
    return {"short": "dd.MM.y", "long": "d. MMMM y", "full": "EEEE d. MMMM y"}.get(
        style, "d. MMM y"
    )


def init_app(app: Flask) -> None:
    app.add_template_filter(oslo_date)
    app.add_template_filter(oslo_datetime)
