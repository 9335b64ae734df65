"""Entry point for gunicorn: ``gunicorn -w 4 wsgi:app``."""

from app import create_app
from app.startup import freeze_startup_objects

app = create_app()
freeze_startup_objects()
