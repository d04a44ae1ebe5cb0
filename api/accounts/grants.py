"""Conversation grants: proof, signed by the API, that a conversation belongs to a patient.

The API mints a grant when an authenticated person chats (portal login, or an SMS sender who
passed the identity check) and sends it to Rasa in the message metadata. The action server hands
it back with its service token; the record API serves only the patient named in the grant. So the
action server can never read a record for a patient id the conversation did not authenticate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "plainrecord.conversation-grant.v1"


class GrantError(ValueError):
    """The grant is missing, forged, or expired."""


@dataclass(frozen=True)
class ConversationGrant:
    """Who is talking, about whose record, through which channel."""

    patient_id: str  # whose record the conversation may read
    user_id: str  # who is typing (the patient, or a proxy)
    channel: str  # "portal" or "sms"
    conversation_id: str  # Rasa sender id
    proxy: bool = False


def mint_grant(secret: str, grant: ConversationGrant) -> str:
    """Sign a grant."""
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(asdict(grant))


def verify_grant(secret: str, token: str | None, max_age_seconds: int) -> ConversationGrant:
    """Check a grant's signature and age and return what it says.

    Raises:
        GrantError: when the token is missing, tampered with or too old.
    """
    if not token:
        raise GrantError("no conversation grant")
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise GrantError("conversation grant expired") from exc
    except BadSignature as exc:
        raise GrantError("conversation grant is not valid") from exc
    try:
        return ConversationGrant(**data)
    except TypeError as exc:
        raise GrantError("conversation grant is malformed") from exc
