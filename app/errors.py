"""Error pages and the mapping of domain errors to HTTP statuses, in one place."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from research.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

log = logging.getLogger(__name__)

EXPLANATIONS = {
    400: ("The request could not be understood", "Something in what was sent was missing or malformed."),
    401: ("Please log in", "This needs an account; log in and try again."),
    403: ("Not allowed", "Your role in this project does not allow this. An owner can change your role."),
    404: ("Not found", "There is nothing here, or it belongs to a project you are not a member of."),
    405: ("Not allowed here", "This address does not accept that kind of request."),
    409: ("Changed in the meantime", "Someone else changed this; reload the page to see the current state."),
    413: ("File too large", "The upload is larger than this server accepts. Split it, or ask the "
                            "administrator to raise KUNDSTIG_MAX_UPLOAD_MB."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
    500: ("Something went wrong on our side", "Nothing you did caused this. Your work up to the last save "
                                               "is kept; try again, and tell the administrator if it persists."),
}
DOMAIN_STATUS: dict[type[DomainError], int] = {NotFound: 404, PermissionDenied: 403, Conflict: 409, InvalidInput: 400}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail: str | None = None) -> tuple[object, int]:
    title, explanation = EXPLANATIONS.get(status, ("Error", ""))
    if wants_json():
        return jsonify(error=title, detail=detail or explanation, status=status), status
    return render_template("error.html", status=status, title=title, explanation=explanation, detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[object, int]:
        status = exc.code or 500
        detail = exc.description if status in (400, 429) and exc.description else None
        return render_error(status, detail)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[object, int]:
        return render_error(400, "The form had expired or was sent from elsewhere (CSRF check failed). "
                                 "Reload the page and submit it again.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> tuple[object, int]:
        status = next((s for cls, s in DOMAIN_STATUS.items() if isinstance(exc, cls)), 400)
        return render_error(status, str(exc))

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError) -> tuple[object, int]:
        log.error("unhandled error on %s %s", request.method, request.endpoint, exc_info=exc.original_exception)
        return render_error(500)
