"""Template globals and filters."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.security import current_user


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
