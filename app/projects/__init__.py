from flask import Blueprint

bp = Blueprint("projects", __name__)

from app.projects import views  # noqa: E402,F401  (registers the routes)
