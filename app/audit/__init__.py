"""The owner-only audit log page under the project settings."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from app.audit import views  # noqa: E402,F401  (registers the routes)
