"""The export page: every outside format of a project, each written by a background job."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import views  # noqa: E402,F401  (registers the routes)
