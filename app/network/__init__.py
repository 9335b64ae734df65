"""The actor network and journey map pages."""

from flask import Blueprint

bp = Blueprint("network", __name__)

from app.network import views  # noqa: E402,F401  (registers the routes)
