"""Routes: the SMS gateway's webhook. Signed by the gateway; answers with the texts to send."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.services import Services, get_services

router = APIRouter(tags=["sms"])
SIGNATURE_HEADER = "X-Plainrecord-Signature"


class SmsOut(BaseModel):
    """The messages to text back, each at most 320 characters."""

    messages: list[str]


def sign(secret: str, body: bytes) -> str:
    """The signature a gateway sends: hex HMAC-SHA256 of the raw request body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@router.post("/sms/inbound", response_model=SmsOut,
             responses={401: {"description": "Missing or wrong signature"}})
async def inbound(request: Request,
                  services: Annotated[Services, Depends(get_services)]) -> SmsOut:
    """One inbound SMS (form fields ``From``, ``Body``, optional ``MessageSid``)."""
    raw = await request.body()
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given, sign(services.settings.sms_webhook_secret, raw)):
        raise HTTPException(401, "The webhook signature is missing or wrong.")
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    sender, text = form.get("From", ""), form.get("Body", "")
    if not sender:
        raise HTTPException(422, "From is required.")
    message_id = form.get("MessageSid") or uuid.uuid4().hex
    # The relay blocks (database, Rasa): keep it off the event loop.
    reply = await run_in_threadpool(services.sms.handle, sender, text, message_id[:64])
    return SmsOut(messages=reply.messages)
