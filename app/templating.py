"""Template globals and filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.security import current_user


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``3 codings``, ``1 coding``, ``1 200 memos``: a count with its noun, for pages and flashes."""
    word = noun if number == 1 else plural or f"{noun}s"
    return f"{number:,} {word}".replace(",", " ")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
