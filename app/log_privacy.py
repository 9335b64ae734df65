"""Logs without research data: no query strings in access logs, no result rows in
SQL logs, no failing rows in database errors (SQL parameters are hidden by the
engine itself, see ``research.db``).

Search terms, retrieval filters and quote look-ups travel in query strings
(``/projects/1/search?q=...``), and they are research data: an interviewee's words
must not end up in a web server's log. Both servers Kundstig runs under log each
request through the standard ``logging`` module, werkzeug's development server on
the ``werkzeug`` logger and gunicorn on ``gunicorn.access`` (its access atoms are
the record's arguments), so one filter on those loggers removes every query string
(in the request line, the referrer and gunicorn's ``%(q)s`` atom) before any
handler formats the line. Paths stay: they carry only ids.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from sqlalchemy.exc import DBAPIError

ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
REDACTED = "[redacted]"
_QUERY = re.compile(r"\?[^\s\"']*")


def redact(text: str) -> str:
    """``GET /search?q=bank HTTP/1.1`` -> ``GET /search?[redacted] HTTP/1.1``."""
    return _QUERY.sub("?" + REDACTED, text)


class QueryStringRedactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        args: Any = record.args
        if isinstance(args, dict):
            # gunicorn's atoms: a dict subclass that answers '-' for unknown keys, kept as it is.
            for key, value in list(args.items()):
                if key == "q" and value:
                    args[key] = REDACTED
                elif isinstance(value, str):
                    args[key] = redact(value)
        elif isinstance(args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


class ResultRowDropper(logging.Filter):
    """SQLAlchemy at DEBUG (``echo="debug"`` or the ``sqlalchemy.engine`` logger set to
    DEBUG while hunting a problem) logs every fetched row: interview text, memos and
    names. The statements still show what ran; the rows are left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and isinstance(record.msg, str) and record.msg.startswith("Row "))


class DatabaseErrorRedactor(logging.Filter):
    """A logged database error keeps its traceback, statement and reason but loses the
    server's DETAIL lines: PostgreSQL puts the failing row or key there ("Failing row
    contains (…, the memo's text, …)"), and psycopg repeats them in the chained error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DBAPIError):
            frames = "".join(traceback.format_tb(exc.__traceback__))
            reason = "\n".join(line for line in str(exc).splitlines()
                               if not line.startswith(("DETAIL:", "HINT:", "[parameters:")))
            record.exc_info = None
            record.exc_text = f"Traceback (most recent call last):\n{frames}{type(exc).__module__}." \
                              f"{type(exc).__qualname__}: {reason}"
        return True


# The loggers that write requests, SQL and errors (Flask's app logger is "app").
FILTERS: dict[str, tuple[type[logging.Filter], ...]] = {
    **{name: (QueryStringRedactor,) for name in ACCESS_LOGGERS},
    "sqlalchemy.engine.Engine": (ResultRowDropper,),
    **{name: (DatabaseErrorRedactor,) for name in ("app", "app.errors", "app.queue", "huey")},
}


def install() -> None:
    """Put the filters on their loggers (once per process)."""
    for name, kinds in FILTERS.items():
        logger = logging.getLogger(name)
        for kind in kinds:
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
