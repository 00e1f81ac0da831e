"""Agencies and user accounts: passwords, one-time passwords, login limits.

No Flask here: functions take a database session and plain values, so the
same code serves the web screens and the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.models import ROLES, Agency, LoginAttempt, User

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# No 0/o, 1/l/i: one-time passwords are read aloud and typed on tablets.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()  # argon2id with the library's recommended costs
_dummy_hash: str | None = None


class AccountError(ValueError):
    """An account operation cannot be done; the code says which rule failed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use cheap costs; production keeps the default)."""
    global _hasher, _dummy_hash  # noqa: PLW0603 - one hasher for the process
    _hasher = hasher
    _dummy_hash = None


def _dummy() -> str:
    global _dummy_hash  # noqa: PLW0603 - computed once, on first need
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a password of anyone")
    return _dummy_hash


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """Sixteen random characters in four groups, easy to read aloud."""
    characters = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(16))
    return "-".join(characters[index : index + 4] for index in range(0, 16, 4))


def password_problem(user: User, new_password: str) -> str | None:
    """The code of the first rule a new password breaks, or None."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    if new_password.strip().lower() == user.username.lower():
        return "same_as_username"
    if verify_password(user.password_hash, new_password):
        return "unchanged"
    return None


def own_agency(session: Session) -> Agency | None:
    return session.scalars(select(Agency).where(Agency.is_own)).first()


def create_agency(
    session: Session, name: str, country: str, province: str, *, own: bool = False
) -> Agency:
    if country not in ("TH", "LA"):
        raise AccountError("unknown_country")
    if own and own_agency(session) is not None:
        raise AccountError("own_agency_exists")
    agency = Agency(name=name, country=country, province=province, is_own=own)
    session.add(agency)
    session.flush()
    log.info("agency %s created", agency.id)
    return agency


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()


def create_user(
    session: Session,
    agency: Agency,
    username: str,
    display_name: str,
    roles: set[str] | frozenset[str],
) -> tuple[User, str]:
    """Add a user with a one-time password; return the user and that password."""
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise AccountError("bad_username")
    if find_user(session, username) is not None:
        raise AccountError("username_taken")
    if not roles or not set(roles) <= set(ROLES):
        raise AccountError("bad_roles")
    password = one_time_password()
    user = User(
        agency=agency,
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        must_change_password=True,
        active=True,
        session_version=1,
    )
    user.set_roles(set(roles))
    session.add(user)
    session.flush()
    log.info("user %s created in agency %s", user.id, agency.id)
    return user, password


def reset_password(session: Session, user: User) -> str:
    """Give the user a new one-time password and end their sessions."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    session.flush()
    log.info("password of user %s reset", user.id)
    return password


def change_password(session: Session, user: User, new_password: str) -> None:
    problem = password_problem(user, new_password)
    if problem is not None:
        raise AccountError(problem)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.session_version += 1
    session.flush()
    log.info("user %s changed their password", user.id)


# --- login ----------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    window: dt.timedelta
    per_account: int
    per_address: int


@dataclass(frozen=True)
class LoginOutcome:
    status: Literal["ok", "rejected", "limited"]
    user: User | None = None


def account_key(secret: str, username: str) -> str:
    """A keyed hash of the user name as typed, for counting failures."""
    normalized = username.strip().lower().encode("utf-8")
    return hmac.new(secret.encode("utf-8"), normalized, hashlib.sha256).hexdigest()


def _recent_failures(
    session: Session, column: str, value: str, since: dt.datetime
) -> int:
    attribute = getattr(LoginAttempt, column)
    count = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            attribute == value,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    )
    return int(count or 0)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str,
    secret: str,
    limits: LoginLimits,
) -> LoginOutcome:
    """Check a login, counting failures per account and per address in the DB.

    The counts live in the database so that every worker process sees them.
    The attempt is committed as a failure before the password is checked, so
    guesses sent in parallel all count against the limit. While a limit is
    reached, even a right password is refused.
    """
    now = utcnow()
    since = now - limits.window
    key = account_key(secret, username)
    attempt = LoginAttempt(at=now, account_key=key, address=address, succeeded=False)
    session.add(attempt)
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < now - 4 * limits.window)
    )
    session.commit()

    limited = (
        _recent_failures(session, "account_key", key, since) > limits.per_account
        or _recent_failures(session, "address", address, since) > limits.per_address
    )
    user = find_user(session, username)
    if limited:
        outcome = LoginOutcome("limited")
    elif user is None or not user.active:
        verify_password(_dummy(), password)  # same work as a real check
        outcome = LoginOutcome("rejected")
    elif verify_password(user.password_hash, password):
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = now
        attempt.succeeded = True
        outcome = LoginOutcome("ok", user)
    else:
        outcome = LoginOutcome("rejected")
    return outcome
