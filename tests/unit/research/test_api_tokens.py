"""API tokens: shown once, stored as a hash, and good only while neither revoked nor the account closed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from research.accounts import ApiToken, create_token, hash_secret, user_for_token
from research.db import transaction, utcnow
from tests.conftest import make_user


def test_a_token_finds_its_user_and_only_its_hash_is_stored(session: Session) -> None:
    user = make_user(session)
    with transaction(session):
        secret = create_token(session, user_id=user.id, name="script")
    stored = session.scalars(select(ApiToken.token_hash)).one()
    assert stored == hash_secret(secret) and secret not in stored
    found = user_for_token(session, secret)
    assert found is not None and found.id == user.id


def test_an_unknown_token_finds_nobody(session: Session) -> None:
    make_user(session)
    assert user_for_token(session, "ks_" + "x" * 43) is None


def test_a_revoked_token_finds_nobody(session: Session) -> None:
    user = make_user(session)
    with transaction(session):
        secret = create_token(session, user_id=user.id)
        session.scalars(select(ApiToken)).one().revoked_at = utcnow()
    assert user_for_token(session, secret) is None


def test_the_token_of_a_closed_account_finds_nobody(session: Session) -> None:
    user = make_user(session)
    with transaction(session):
        secret = create_token(session, user_id=user.id)
        user.is_active = False
    assert user_for_token(session, secret) is None
