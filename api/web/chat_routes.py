"""Routes: the portal's chat endpoint. Thin: authenticate, pick the record, hand to ChatService."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.chat.service import ChatOutcome, MessageRejected
from api.services import Services, get_services
from api.web.deps import Principal, get_principal, get_session
from api.web.speaker import speaker_for

router = APIRouter(tags=["chat"])


class ChatIn(BaseModel):
    """One message from the portal."""

    message: str = Field(max_length=100_000, description="The message as typed.")
    message_id: str = Field(default_factory=lambda: uuid.uuid4().hex, max_length=64,
                            description="The client's id; a retry reuses it.")
    patient_id: str | None = Field(default=None, description="Whose record (proxies); default own.")


class ReplyOut(BaseModel):
    text: str
    buttons: list[dict[str, str]] = []
    custom: dict[str, Any] | None = None


class ChatOut(BaseModel):
    """What to show: the replies, and whether the message reached the assistant."""

    replies: list[ReplyOut]
    delivered: bool
    red_flag: bool
    category: str | None = None
    escalation_reference: str | None = None

    @classmethod
    def of(cls, outcome: ChatOutcome) -> ChatOut:
        return cls(
            replies=[ReplyOut(text=r.text, buttons=r.buttons, custom=r.custom)
                     for r in outcome.replies],
            delivered=outcome.delivered, red_flag=outcome.red_flag, category=outcome.category,
            escalation_reference=outcome.escalation.reference if outcome.escalation else None,
        )


@router.post("/api/chat", response_model=ChatOut,
             responses={503: {"model": ChatOut, "description": "Assistant unavailable; kept"}})
def chat(body: ChatIn, response: Response,
         principal: Annotated[Principal, Depends(get_principal)],
         services: Annotated[Services, Depends(get_services)],
         session: Annotated[Session, Depends(get_session)]) -> ChatOut:
    """Screen the message for red flags, then relay it to the assistant."""
    speaker = speaker_for(session, principal, body.patient_id)
    try:
        outcome = services.chat.handle(speaker, body.message, "portal", body.message_id)
    except MessageRejected as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if not outcome.delivered:
        response.status_code = 503
    return ChatOut.of(outcome)
