"""A deterministic second line against answering a clinical question.

The NLU can file "should I stop my statin?" under ``medicine_detail``. Before an action explains
anything, :func:`looks_clinical` checks the patient's words for the shapes clinical questions
take (should I..., can I stop..., is 7.2 bad..., do I need...); when it fires, nothing is
explained: the patient is told it is a question for the GP team and offered to send it.
Plain regular expressions, so the behaviour is the same every time and tested line by line.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

_CLINICAL = re.compile(
    r"\b(should|shud|shld|shoud|sould) (i|we|he|she|they)\b"
    r"|\bcan (i|we|he|she|they) still (drive|work|drink|eat|exercise|fly|travel|swim|have|go)\b"
    r"|\b(can|could|may|must) (i|we|he|she|they) (stop|start|take|drink|eat|skip|double|change|"
    r"increase|reduce|lower|raise|come off|go off|keep taking|carry on|still take|drive|exercise)\b"
    r"|\b(is|are|was) (it|this|that|these|they|my [\w/.-]+(?: [\w/.-]+)?|(?:a |an )?[\d.]+)"
    r"(?: [\w/]+)? (bad|dangerous|serious|worrying|worrisome|concerning|safe|too (high|low)|"
    r"normal for|ok for|okay for|good or bad)\b"
    r"|\bdo (i|we) (need|have) (to|more|another|a |an )"
    r"|\bam i (going to|gonna|diabetic|dying|ill|sick|at risk|ok|okay)\b"
    r"|\bwhat (should|do) i do\b"
    r"|\bwill i (need|have to|get|be ok|be okay|die)\b"
    r"|\b(have|do) i (got|have) (cancer|diabetes|kidney disease|heart disease)\b"
    r"|\b(side effects?|interact\w*|safe to take)\b.*\?$"
    r"|\bis (a|an|my)\b[^?]{0,40}\b(bad|dangerous|serious|worrying|too high|too low)\b"
    r"|\bis it (cancer|serious|bad|dangerous|ok to|okay to|safe)\b"
    r"|\b(does|do) (this|that|it) mean (i|i'm|im|i am)\b|\bmean for me\b"
    r"|\bgo(ing)? to get worse\b|\bwhat treatment\b|\bsecond opinion\b"
    r"|\bdo i (really )?need\b|\bcould (my|the|these|this) [\w ]{1,30} be caus\w*"
    r"|\bhow (do|can) i (get|bring|keep) my [\w ]{1,30} (down|up|lower)\b",
    re.IGNORECASE,
)


def looks_clinical(text: str) -> bool:
    """Whether the words ask for a clinical judgement about the patient."""
    return bool(_CLINICAL.search(" ".join(text.split())))


def clinical_guard(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """When the latest message looks clinical: say so and offer to send it; else do nothing.

    Returns:
        The offer's slots when the guard fired (the caller then answers nothing else), else [].
    """
    from bot.actions.escalate import urgency_for

    text = (tracker.latest_message or {}).get("text") or ""
    if not looks_clinical(text):
        return []
    dispatcher.utter_message(response="utter_clinical_not_answered")
    dispatcher.utter_message(response="utter_offer_send_question")
    return [SlotSet("pending_offer", "clinical"), SlotSet("pending_words", text),
            SlotSet("pending_urgency", urgency_for(text))]
