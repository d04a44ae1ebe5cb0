"""Conversation grants: signed, bound to a patient, refused when forged, tampered or old."""

from __future__ import annotations

import time

import pytest

from api.accounts.grants import ConversationGrant, GrantError, mint_grant, verify_grant

GRANT = ConversationGrant(patient_id="p1", user_id="u1", channel="portal", conversation_id="c1")


def test_round_trip() -> None:
    assert verify_grant("s" * 32, mint_grant("s" * 32, GRANT), 60) == GRANT


def test_other_secret_is_refused() -> None:
    with pytest.raises(GrantError, match="not valid"):
        verify_grant("t" * 32, mint_grant("s" * 32, GRANT), 60)


def test_tampered_patient_is_refused() -> None:
    # Another patient's payload and timestamp under this grant's signature.
    body, signature = mint_grant("s" * 32, GRANT).rsplit(".", 1)
    other_body, _ = mint_grant("s" * 32, ConversationGrant("p2", "u1", "portal", "c1")).rsplit(".", 1)
    assert other_body != body
    with pytest.raises(GrantError, match="not valid"):
        verify_grant("s" * 32, f"{other_body}.{signature}", 60)


def test_expired_is_refused() -> None:
    token = mint_grant("s" * 32, GRANT)
    time.sleep(1.1)
    with pytest.raises(GrantError, match="expired"):
        verify_grant("s" * 32, token, 0)


@pytest.mark.parametrize("token", [None, "", "garbage"])
def test_missing_or_garbage_is_refused(token: str | None) -> None:
    with pytest.raises(GrantError):
        verify_grant("s" * 32, token, 60)
