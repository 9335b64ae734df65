"""The report page: choose sections, filters and a format, then generate the report as a job."""

from flask import Blueprint

bp = Blueprint("report", __name__)

from app.report import views  # noqa: E402,F401  (registers the routes)
