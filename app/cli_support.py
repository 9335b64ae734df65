"""What every `kundstig` command shares: one-line errors and an app for the command's duration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.schema import SchemaOutOfDate
from app.settings import SettingsError
from research.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(command: F) -> F:
    """Turn expected failures into a one-line reason and exit status 1."""
    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (DomainError, SettingsError, SchemaOutOfDate, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"cannot reach the database ({reason}); check KUNDSTIG_DATABASE_URL") from exc
        except OSError as exc:  # a full disk, a missing folder, no permission: the system says which
            raise click.ClickException(exc.strerror or str(exc)) from exc

    return wrapped  # type: ignore[return-value]


@contextmanager
def cli_app(check_schema: bool = True) -> Iterator[Flask]:
    """The app for one command; its database connections are closed afterwards."""
    from app import create_app
    from app.database import get_database

    app = create_app({"SKIP_SCHEMA_CHECK": not check_schema})
    try:
        yield app
    finally:
        get_database(app).engine.dispose()


def writer_sessions(app: Flask) -> sessionmaker[Session]:
    from app.database import get_database

    return get_database(app).writer
