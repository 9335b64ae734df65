"""The coding workbench: sources, the document (coding) view, the codebook and analysis pages.

Its JSON routes live on the API blueprint (``app.workbench.api``), so they share the
API's authentication, CSRF check and error format."""

from flask import Blueprint

bp = Blueprint("workbench", __name__)

from app.workbench import analysis, api, codebook_views, records, views  # noqa: E402,F401  (registers the routes)
