"""Users, server-side sessions, API tokens and login throttling.

Sessions and tokens are random secrets given to the client once; only their
SHA-256 is stored, so a copy of the database cannot be used to log in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, bindparam, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from research.db import Base, utcnow
from research.errors import Conflict, InvalidInput, NotFound

# argon2id with the RFC 9106 "second recommended" parameters (64 MiB, t=3, p=4).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
MIN_PASSWORD_LENGTH = 10


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthSession(Base):
    """A browser session; its data (CSRF token, flashes) lives here, not in the cookie."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Failed logins, kept in the database so every worker process sees them."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, *, email: str, password: str, display_name: str = "") -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise InvalidInput(f"'{email}' is not an e-mail address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"An account for {email} already exists.")
    user = User(email=email, display_name=display_name.strip() or email.split("@")[0],
                password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No account for {email}.")
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The user if the password matches; spends the same time when the e-mail is unknown."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def change_password(session: Session, *, user_id: int, current: str, new: str) -> int:
    """Set a new password after checking the current one, and end every session of the
    user (the caller opens a fresh one for the browser that asked). Returns how many
    sessions ended."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such account.")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise InvalidInput("The current password is not right.") from exc
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = _hasher.hash(new)
    return revoke_user_sessions(session, user.id)


def is_argon2id(password_hash: str) -> bool:
    return password_hash.startswith("$argon2id$")


# --- throttling ------------------------------------------------------------

@dataclass(frozen=True)
class Throttle:
    max_failures: int
    window: timedelta


def failures_within(session: Session, key: str, throttle: Throttle) -> int:
    since = utcnow() - throttle.window
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    ) or 0


def record_failure(session: Session, key: str) -> None:
    session.add(LoginAttempt(key=key))


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


# --- sessions --------------------------------------------------------------

def open_session(
    session: Session, *, user_id: int | None, data: dict[str, Any], user_agent: str = ""
) -> tuple[str, AuthSession]:
    """A new session with a fresh secret (returned once, for the cookie)."""
    secret = secrets.token_urlsafe(32)
    row = AuthSession(token_hash=hash_secret(secret), user_id=user_id, data=data, user_agent=user_agent[:300])
    session.add(row)
    session.flush()
    return secret, row


def find_session(session: Session, secret: str, *, idle: timedelta, absolute: timedelta) -> AuthSession | None:
    """The live session for a cookie secret, or None when unknown or timed out."""
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_secret(secret)))
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        return None
    return row


def revoke_user_sessions(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """Log a user out everywhere (except, optionally, the current session)."""
    stmt = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return session.execute(stmt).rowcount  # type: ignore[attr-defined, no-any-return]


def prune_sessions(session: Session, *, older_than: datetime) -> None:
    session.execute(delete(AuthSession).where(AuthSession.last_seen_at < older_than))


# --- API tokens ------------------------------------------------------------

def create_token(session: Session, *, user_id: int, name: str = "") -> str:
    secret = "ks_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=hash_secret(secret), name=name))
    session.flush()
    return secret


_USER_FOR_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.is_active.is_(True))


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user of an unrevoked token, in one query (built once: every API call asks). Tokens
    are 256 random bits, so a plain SHA-256 of them is safe to store and fast to look up (no slow
    password hash per request)."""
    return session.scalar(_USER_FOR_TOKEN, {"token_hash": hash_secret(secret)})
