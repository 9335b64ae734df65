"""The NLP helper in the web app: the review queue, the NLP settings page and the
suggestion API (its JSON routes live on the API blueprint, like the workbench's)."""

from flask import Blueprint

bp = Blueprint("suggestions", __name__)

from app.suggestions import api, views  # noqa: E402,F401  (registers the routes)
