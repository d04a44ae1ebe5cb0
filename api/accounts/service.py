"""Users: passwords (argon2), look-up, and building a :class:`Principal`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.grants import ConversationGrant
from api.accounts.models import ROLES, ProxyAccess, User
from api.accounts.principal import ALL_SECTIONS, Principal


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("no-such-user")


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher().hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user with this username and password, or None.

    An unknown username costs the same as a wrong password, so timing reveals nothing.
    """
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    patient_id: str | None = None,
) -> User:
    """Add a user, or update the one with this username (so demo loading is idempotent)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if (role == "patient") != (patient_id is not None):
        raise ValueError("a patient user needs a patient_id, and only patients have one")
    username = username.strip().lower()
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, password_hash=hash_password(password), role=role,
                    display_name=display_name, patient_id=patient_id)
        session.add(user)
    else:
        user.role, user.display_name, user.patient_id = role, display_name, patient_id
        try:
            _hasher().verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.password_hash = hash_password(password)
    session.flush()
    return user


def grant_proxy(
    session: Session, user: User, patient_id: str, sections: Iterable[str], relationship: str
) -> ProxyAccess:
    """Give a proxy user access to some sections of a patient's record (replacing any before)."""
    wanted = sorted(set(sections))
    unknown = set(wanted) - ALL_SECTIONS
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    if user.role != "proxy":
        raise ValueError("only proxy users hold proxy access")
    access = session.scalar(
        select(ProxyAccess).where(ProxyAccess.user_id == user.id,
                                  ProxyAccess.patient_id == patient_id)
    )
    if access is None:
        access = ProxyAccess(user_id=user.id, patient_id=patient_id, sections=wanted,
                             relationship=relationship)
        session.add(access)
    else:
        access.sections, access.relationship = wanted, relationship
    session.flush()
    return access


def _proxy_sections(session: Session, user_id: str) -> dict[str, frozenset[str]]:
    rows = session.scalars(select(ProxyAccess).where(ProxyAccess.user_id == user_id))
    return {row.patient_id: frozenset(row.sections) for row in rows}


def load_principal(session: Session, user_id: str, channel: str) -> Principal | None:
    """The principal for a logged-in user, or None if the user no longer exists."""
    user = session.get(User, user_id)
    if user is None:
        return None
    return Principal(user_id=user.id, role=user.role, display_name=user.display_name,
                     patient_id=user.patient_id, proxy=_proxy_sections(session, user.id),
                     channel=channel)


def principal_for_grant(session: Session, grant: ConversationGrant) -> Principal | None:
    """The principal for a service call: the grant's user, limited to the grant's patient.

    The sections are the user's own (a patient reading their own record, or a proxy's
    allowed sections), never more than the user could see in the portal.
    """
    user = session.get(User, grant.user_id)
    if user is None:
        return None
    channel = "sms" if grant.channel == "sms" else "bot"
    return Principal(user_id=user.id, role=user.role, display_name=user.display_name,
                     patient_id=user.patient_id, proxy=_proxy_sections(session, user.id),
                     channel=channel, grant_patient_id=grant.patient_id)


def proxy_patients(session: Session, user_id: str) -> list[dict[str, object]]:
    """The records a proxy user may open: patient id, first name, relationship, sections."""
    from api.records.models import Patient

    rows = session.execute(
        select(ProxyAccess, Patient).join(Patient, Patient.id == ProxyAccess.patient_id)
        .where(ProxyAccess.user_id == user_id).order_by(Patient.given_name)
    )
    return [{"patient_id": access.patient_id, "given_name": patient.given_name,
             "family_name": patient.family_name, "relationship": access.relationship,
             "sections": sorted(access.sections)} for access, patient in rows]
