"""Whole numbers from URLs and requests must fit the database's INTEGER columns (32 bits
on PostgreSQL): a larger one names nothing, so a route answers 404 and a request field
400, instead of the database failing mid-request (a 500)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from research.errors import InvalidInput

SMALLEST, LARGEST = -(2**31), 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """Flask's ``<int:...>``; an id no id column can hold is not found. (Not a failed match:
    then Werkzeug would try the other rules of the address and could answer 405.)"""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if not SMALLEST <= number <= LARGEST:
            raise NotFound()
        return number


def database_int(value: int, name: str) -> int:
    if not SMALLEST <= value <= LARGEST:
        raise InvalidInput(f"{name} is out of range (at most {LARGEST}).")
    return value


def json_int(body: Mapping[str, Any], name: str, *, optional: bool = False) -> int | None:
    """The whole number ``body[name]`` of a JSON body (``None`` when left out and ``optional``)."""
    value = body.get(name)
    if value is None and optional:
        return None
    if value is None:
        raise InvalidInput(f"{name} is required.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer.")
    return database_int(value, name)


def query_int(name: str) -> int | None:
    """A whole number from the query string (``None`` when absent or blank)."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        return database_int(int(raw), f"?{name}=")
    except ValueError as exc:
        raise InvalidInput(f"?{name}= must be an integer.") from exc
