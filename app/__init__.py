"""The Kundstig web application: ``create_app()`` wires settings, storage,
sessions, security, the queue and the blueprints."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from app.settings import Settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may hold Flask settings and ``SETTINGS`` (a
    :class:`Settings`); without it, settings come from ``KUNDSTIG_*`` variables."""
    from app import bidi_marks, database, errors, queue, security, templating
    from app.api import bp as api_bp
    from app.audit import bp as audit_bp
    from app.auth import bp as auth_bp
    from app.database_ints import DatabaseIntConverter
    from app.exports import bp as exports_bp
    from app.health import bp as health_bp
    from app.ingest import bp as ingest_bp
    from app.jobs import bp as jobs_bp
    from app.network import bp as network_bp
    from app.projects import bp as projects_bp
    from app.report import bp as report_bp
    from app.schema import check_current
    from app.sessions import DatabaseSessionInterface
    from app.suggestions import bp as suggestions_bp
    from app.workbench import bp as workbench_bp

    config = dict(config or {})
    settings: Settings = config.pop("SETTINGS", None) or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_SECURE=settings.production,
        TRUSTED_HOSTS=list(settings.trusted_hosts) or None,  # a foreign Host header gets 400
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the server-side session
        WTF_CSRF_SSL_STRICT=True,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.config.update(config)
    app.extensions["kundstig.settings"] = settings

    db = database.init_app(app, settings.database_url)
    if not app.config.get("SKIP_SCHEMA_CHECK"):
        try:
            check_current(db.engine)
        except Exception:
            db.engine.dispose()
            raise
    app.session_interface = DatabaseSessionInterface(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )
    security.init_app(app)
    queue.init_app(app, settings.queue_url)
    errors.init_app(app)
    templating.init_app(app)
    bidi_marks.init_app(app)

    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(report_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(ingest_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(workbench_bp)
    app.register_blueprint(suggestions_bp)
    app.register_blueprint(audit_bp)
    security.csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions
    return app


def get_settings(app: Flask) -> Settings:
    return app.extensions["kundstig.settings"]  # type: ignore[no-any-return]
