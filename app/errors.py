"""Error pages and the mapping of domain errors to HTTP statuses, in one place."""

from __future__ import annotations

import errno
import logging
import sqlite3

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from research.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

log = logging.getLogger(__name__)

EXPLANATIONS = {
    400: ("The request could not be understood", "Something in what was sent was missing or malformed."),
    401: ("Please log in", "This needs an account; log in and try again."),
    403: ("Not allowed", "Your role in this project does not allow this. An owner can change your role."),
    404: ("Not found", "There is nothing here, or it belongs to a project you are not a member of."),
    405: ("Not allowed here", "This address does not accept that kind of request."),
    409: ("Conflict with what is stored", "Someone else changed this, or it would duplicate something already "
                                          "there; reload the page to see the current state."),
    413: ("File too large", "The upload is larger than this server accepts. Split it, or ask the "
                            "administrator to raise KUNDSTIG_MAX_UPLOAD_MB."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Your work up to the last save "
                                               "is kept; try again, and tell the administrator if it persists."),
    503: ("The database cannot be reached right now", "Nothing of this request was saved. Your work up to the "
                                                      "last save is kept; try again in a minute."),
    507: ("The server's disk is full", "Nothing of this request was saved. Tell the administrator: the server "
                                       "needs more disk space before anything new can be stored."),
}
RETRY_AFTER_SECONDS = "30"
SQLITE_FULL = 13
POSTGRES_DISK_FULL = "53100"
DOMAIN_STATUS: dict[type[DomainError], int] = {NotFound: 404, PermissionDenied: 403, Conflict: 409, InvalidInput: 400}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail: str | None = None) -> tuple[object, int]:
    title, explanation = EXPLANATIONS.get(status, ("Error", ""))
    if wants_json():
        return jsonify(error=title, detail=detail or explanation, status=status), status
    return render_template("error.html", status=status, title=title, explanation=explanation, detail=detail), status


def disk_full(exc: BaseException) -> bool:
    """Whether an error (or one it was raised from) says the disk or the database is full."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain of causes is short; the bound guards against cycles
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(seen, sqlite3.Error) and getattr(seen, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if getattr(seen, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        seen = seen.orig if isinstance(seen, DBAPIError) else (seen.__cause__ or seen.__context__)
    return False


def database_unavailable(exc: BaseException) -> bool:
    """Whether the database could not be used at all (down, restarting, unreachable, locked
    too long), as opposed to a statement that is wrong: the former is worth retrying."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def fault_response(exc: BaseException) -> tuple[object, int, dict[str, str]] | None:
    """507 for a full disk and 503 for an unusable database, logged in one line (no
    traceback: the cause is outside the code); None for anything else."""
    where = f"{request.method} {request.path}"
    if disk_full(exc):
        log.error("disk full on %s: %s", where, exc.__class__.__name__)
        return _unavailable(507), 507, {}
    if database_unavailable(exc):
        log.warning("database unavailable on %s: %s", where, exc.__class__.__name__)
        return _unavailable(503), 503, {"Retry-After": RETRY_AFTER_SECONDS}
    return None


def _unavailable(status: int) -> object:
    """The page or JSON for 503/507. The usual error page shows who is logged in, which
    needs the session and the database, so this one is a page of its own."""
    title, explanation = EXPLANATIONS[status]
    if wants_json():
        return jsonify(error=title, detail=explanation, status=status)
    return render_template("error_unavailable.html", status=status, title=title, explanation=explanation)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[object, int, list[tuple[str, str]]]:
        status = exc.code or 500
        detail = exc.description if status in (400, 429) and exc.description else None
        body, status = render_error(status, detail)
        # Keep what the exception says about itself (405 lists the allowed methods in Allow).
        return body, status, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[object, int]:
        return render_error(400, "The form had expired or was sent from elsewhere (CSRF check failed). "
                                 "Reload the page and submit it again.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> tuple[object, int]:
        status = next((s for cls, s in DOMAIN_STATUS.items() if isinstance(exc, cls)), 400)
        return render_error(status, str(exc))

    @app.errorhandler(DBAPIError)
    @app.errorhandler(OSError)
    def fault(exc: Exception) -> tuple[object, int, dict[str, str]]:
        known = fault_response(exc)
        if known is not None:
            return known
        log.error("unhandled error on %s %s", request.method, request.endpoint, exc_info=exc)
        body, status = render_error(500)
        return body, status, {}

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError) -> tuple[object, int, dict[str, str]]:
        # Errors outside the views (loading or saving the login session) arrive here.
        original = exc.original_exception
        known = fault_response(original) if original is not None else None
        if known is not None:
            return known
        log.error("unhandled error on %s %s", request.method, request.endpoint, exc_info=original)
        body, status = render_error(500)
        return body, status, {}
